"""The encoder's ONNX graph: exported once from the pinned, hash-checked weights, then found
and checked at every load.

    <encoder dir>/<model name>-<weights sha256[:12]>/<variant>/model.onnx
                                                              /manifest.json

The manifest records the graph's own sha256, the weights it was exported from and the
exporter's versions; a graph whose bytes differ from it is exported again. The float32 graph
is saved already fused by ONNX Runtime's transformer optimizer (attention, layer
normalisation and GELU each one operator), so every load runs the fast graph without
fusing it again; int8 is quantised from that graph. torch and
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
# Bump when the graph's inputs, outputs or optimisation change: old exports are then redone.
# 2: exported with eager attention and saved fused (see _optimise).
FORMAT = 2


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
    # Eager attention traces to the plain MatMul/Softmax pattern the optimizer fuses into one
    # Attention operator; scaled_dot_product_attention traces to a graph it cannot fuse.
    model = SentenceTransformer(str(source), device="cpu", local_files_only=True,
                                model_kwargs={"attn_implementation": "eager"})
    transformer: Any = model[0].auto_model
    hidden = _last_hidden_state(transformer)
    example = model.tokenizer(["an example question for the exporter"], return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    traced = target.with_name(f"{target.name}.traced")
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # TracerWarnings about shapes: dynamic_axes cover them
            torch.onnx.export(hidden, tuple(example[name] for name in INPUTS), str(traced),
                              input_names=list(INPUTS), output_names=["last_hidden_state"],
                              dynamic_axes=axes, opset_version=OPSET, dynamo=False,
                              do_constant_folding=True)
        config = transformer.config
        _optimise(traced, target, int(config.num_attention_heads), int(config.hidden_size))
    finally:
        traced.unlink(missing_ok=True)


def _optimise(source: Path, target: Path, heads: int, hidden: int) -> None:
    """Fuse the traced graph into ONNX Runtime's transformer operators (EmbedLayerNormalization,
    Attention, SkipLayerNormalization, BiasGelu). Only portable fusions: no optimisation
    specific to this machine's CPU is saved, so the graph serves any machine."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimised = optimize_model(str(source), model_type="bert", num_heads=heads,
                               hidden_size=hidden, opt_level=0)
    fused = optimised.get_fused_operator_statistics()
    if not fused.get("Attention"):  # the graph works unfused, only slower
        log.warning("the ONNX encoder's attention was not fused: %s", fused)
    optimised.save_model_to_file(str(target))


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
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Shape inference knows no types for the fused operators' outputs; they are float. One
    # scale per output channel, not per matrix: the vectors' worst cosine to the float32
    # ones rose from 0.91 to 0.98 over the corpus, at the same speed.
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                     extra_options={"DefaultTensorType": TensorProto.FLOAT})


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
