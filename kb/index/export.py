"""The encoder's ONNX graph: exported once from the pinned, hash-checked weights, then found
and checked at every load.

    <encoder dir>/<model name>-<weights sha256[:12]>/<variant>/model.onnx
                                                              /manifest.json

The manifest records the graph's own sha256, the weights it was exported from and the
exporter's versions; a graph whose bytes differ from it is exported again. torch and
sentence-transformers are imported here only, and only to export: `ipskb export` (run by
`make setup`) does it ahead of time, and the first encoding does it when nothing was.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

from kb.errors import ModelError
from kb.index.encoder import INPUTS
from kb.index.weights import file_sha256, model_dir, verify_weights
from kb.runtime import TORCH_IMPORT, configure_runtime
from kb.settings import Settings

log = logging.getLogger(__name__)

GRAPH = "model.onnx"
MANIFEST = "manifest.json"
OPSET = 17
FORMAT = 1  # bump when the graph's inputs or outputs change: old exports are then redone


def encoder_root(settings: Settings) -> Path:
    """The folder of every exported encoder: settings.encoder_dir, or <data_dir>/encoder."""
    return settings.encoder_dir or settings.data_dir / "encoder"


def graph_dir(settings: Settings) -> Path:
    """Where the graph of `settings`' model and encoder variant lives."""
    model = f"{settings.model_name}-{settings.model_sha256[:12]}"
    return encoder_root(settings) / model / settings.encoder


def ensure_graph(settings: Settings) -> Path:
    """The checked graph for `settings`, exported first when missing or not as recorded."""
    folder = graph_dir(settings)
    problem = _check(folder, settings)
    if problem is None:
        return folder / GRAPH
    verify_weights(model_dir(settings), settings.model_sha256)  # refused before announced
    log.warning("%s; exporting the %s ONNX encoder from the model weights into %s "
                "(once; it takes a minute)", problem, settings.encoder, folder)
    return export(settings)


def _check(folder: Path, settings: Settings) -> str | None:
    """Why the graph in `folder` cannot be used as it is, or None when it can."""
    graph, manifest_path = folder / GRAPH, folder / MANIFEST
    if not graph.is_file() or not manifest_path.is_file():
        return f"no ONNX encoder in {folder}"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"unreadable manifest {manifest_path}"
    expected = {"format": FORMAT, "variant": settings.encoder,
                "model_sha256": settings.model_sha256}
    if any(manifest.get(k) != v for k, v in expected.items()):
        return f"the ONNX encoder in {folder} was exported for other settings"
    found = file_sha256(graph)
    if found != manifest.get("onnx_sha256"):
        return (f"the ONNX encoder {graph} has sha256 {found}, its manifest records "
                f"{manifest.get('onnx_sha256')}")
    return None


def export(settings: Settings) -> Path:
    """Export the graph of `settings`' variant from the verified weights; return its path."""
    source = model_dir(settings)
    verify_weights(source, settings.model_sha256)
    folder = graph_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{GRAPH}.{os.getpid()}.tmp"
    try:
        if settings.encoder == "int8":
            # Quantised from the float32 graph, which is exported (or checked) first.
            _quantize(ensure_graph(settings.model_copy(update={"encoder": "float32"})), partial)
        else:
            _export_float32(source, partial)
        manifest = {"format": FORMAT, "variant": settings.encoder,
                    "model_sha256": settings.model_sha256, "onnx_sha256": file_sha256(partial),
                    "opset": OPSET, "exporter": _versions()}
        os.replace(partial, folder / GRAPH)  # whole files only: another process may read
        _write_atomic(folder / MANIFEST, json.dumps(manifest, indent=1) + "\n")
    finally:
        partial.unlink(missing_ok=True)
    log.info("exported the %s ONNX encoder to %s", settings.encoder, folder)
    return folder / GRAPH


def _export_float32(source: Path, target: Path) -> None:
    configure_runtime()
    try:
        with TORCH_IMPORT:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelError("exporting the ONNX encoder needs torch and sentence-transformers; "
                         "run `make setup`") from exc
    hf_logging.disable_progress_bar()
    model = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    hidden = _last_hidden_state(model[0].auto_model)
    example = model.tokenizer(["an example question for the exporter"], return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TracerWarnings about shapes: dynamic_axes cover them
        torch.onnx.export(hidden, tuple(example[name] for name in INPUTS), str(target),
                          input_names=list(INPUTS), output_names=["last_hidden_state"],
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False,
                          do_constant_folding=True)


def _last_hidden_state(transformer: Any) -> Any:
    """The transformer as a module of three tensors to one: pooling stays outside the graph,
    where kb.index.encoder applies what the model card says."""
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            return self.transformer(input_ids=ids, attention_mask=mask,
                                    token_type_ids=types).last_hidden_state

    return LastHiddenState().eval()


def _quantize(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in ("torch", "sentence-transformers", "transformers", "onnx", "onnxruntime"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _write_atomic(path: Path, text: str) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
