"""The plain sentence-transformers way, timed beside ipskb's encoder as its reference.

    python -m evals.reference cold QUESTION          # load the model, encode one question
    python -m evals.reference throughput TEXTS.json REPEATS

Run in a process of its own, so that the benchmark's process never imports torch: `cold`
is timed from outside, from process start to its printed line, as `ipskb ask` is;
`throughput` encodes the texts (a JSON list) with sentence-transformers, ipskb's float32
and its int8 encoder in turn, `REPEATS` rounds, and prints each one's median texts per
second: taken in turns, the three share whatever else the machine was doing.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from time import perf_counter
from typing import Any


def load() -> Any:
    """SentenceTransformer on the packaged model, as its documentation loads it."""
    from kb.index.weights import model_dir
    from kb.runtime import configure_runtime
    from kb.settings import Settings

    configure_runtime()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_dir(Settings())), device="cpu", local_files_only=True)


def throughput(texts: list[str], repeats: int) -> dict[str, Any]:
    """Median texts per second of torch, ONNX float32 and ONNX int8, measured in turns."""
    import torch

    from kb.index.embedder import Embedder
    from kb.settings import Settings

    model = load()
    encoders = {
        "encoder_torch_passages_per_s": lambda batch: model.encode(
            batch, batch_size=32, normalize_embeddings=True),
        "encoder_onnx_passages_per_s": Embedder(Settings()).encode,
        "encoder_onnx_int8_passages_per_s": Embedder(Settings(encoder="int8")).encode,
    }
    for encode in encoders.values():
        encode(texts[:8])  # the first call pays one-off set-up
    seconds: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(repeats):
        for name, encode in encoders.items():
            start = perf_counter()
            encode(texts)
            seconds[name].append(perf_counter() - start)
    out: dict[str, Any] = {name: round(len(texts) / statistics.median(s), 1)
                           for name, s in seconds.items()}
    return {**out, "encoder_torch_threads": torch.get_num_threads()}


def main(argv: list[str]) -> int:
    """`cold QUESTION` or `throughput TEXTS.json REPEATS`; prints one JSON object."""
    if argv[:1] == ["cold"]:
        vector = load().encode([" ".join(argv[1:])], normalize_embeddings=True)
        print(json.dumps({"dimension": int(vector.shape[1])}))
        return 0
    if argv[:1] == ["throughput"] and len(argv) == 3:
        texts = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        print(json.dumps(throughput(texts, int(argv[2]))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
