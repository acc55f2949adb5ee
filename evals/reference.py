"""The plain sentence-transformers way, timed beside ipskb's encoder as its reference.

    python -m evals.reference cold QUESTION          # load the model, encode one question
    python -m evals.reference throughput TEXTS.json REPEATS

Run in a process of its own, so that the benchmark's process never imports torch: `cold`
is timed from outside, from process start to its printed line, as `ipskb ask` is;
`throughput` prints the median texts per second of `REPEATS` ``encode`` calls over the
texts (a JSON list), the same texts and batch size ipskb's encoder is measured with.
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


def main(argv: list[str]) -> int:
    """`cold QUESTION` or `throughput TEXTS.json REPEATS`; prints one JSON object."""
    if argv[:1] == ["cold"]:
        vector = load().encode([" ".join(argv[1:])], normalize_embeddings=True)
        print(json.dumps({"dimension": int(vector.shape[1])}))
        return 0
    if argv[:1] == ["throughput"] and len(argv) == 3:
        texts = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
        model = load()
        model.encode(texts[:8])  # the first call pays one-off set-up
        seconds = []
        for _ in range(int(argv[2])):
            start = perf_counter()
            model.encode(texts, batch_size=32, normalize_embeddings=True)
            seconds.append(perf_counter() - start)
        import torch

        print(json.dumps({"passages_per_s": round(len(texts) / statistics.median(seconds), 1),
                          "torch_threads": torch.get_num_threads()}))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
