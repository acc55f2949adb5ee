import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kb.errors import ModelError
from kb.index.embedder import Embedder
from kb.index.export import GRAPH, MANIFEST, ensure_graph, graph_dir
from kb.index.weights import file_sha256, model_dir
from kb.knowledge import KnowledgeBase
from kb.settings import MODEL_SHA256, Settings

PROBES = [
    "Who runs the Tern Exchange?",
    "What is the purpose of the Tern Exchange, and how do I request a visit?",
    "x",
    "",
    "Ünïcödé façade — naïve café, 港口安全",
    "Call +1 (202) 372-1234 or write to ips@uscg.mil before 1 March 2024.",
    "port " * 400,  # past the model's 256-token limit: truncated like the reference
    "Under which section of the law may the Secretary impose conditions of entry on vessels "
    "arriving from a foreign port that does not maintain effective antiterrorism measures?",
]
HEAVY = ("torch", "transformers", "sentence_transformers")


def test_packaged_model_embeds_offline(embedder: Embedder) -> None:
    vectors = embedder.encode(["port security visits", "reciprocal port visits", "omelette recipe"])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_onnx_vectors_are_the_torch_models(embedder: Embedder) -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir(Settings())), device="cpu",
                                    local_files_only=True)
    want = reference.encode(PROBES, normalize_embeddings=True, convert_to_numpy=True)
    got = embedder.encode(PROBES)
    assert got.shape == (len(PROBES), 384)
    assert float((got * want).sum(axis=1).min()) >= 0.9999
    one_by_one = np.stack([embedder.encode_one(p) for p in PROBES])
    assert np.abs(one_by_one - got).max() < 1e-5  # padded in a batch or not


def test_weights_hash_is_pinned() -> None:
    assert Settings().model_sha256 == MODEL_SHA256
    assert (model_dir(Settings()) / "model.safetensors").is_file()


def test_hash_mismatch_refuses_to_export(tmp_path: Path) -> None:
    bad = Embedder(Settings(model_sha256="0" * 64, encoder_dir=tmp_path))
    with pytest.raises(ModelError, match="refusing to load"):
        bad.encode(["x"])
    assert list(tmp_path.iterdir()) == []


def _model_copy(target: Path) -> Path:
    """The packaged model folder: its JSON files copied (to be edited), the rest linked."""
    source = model_dir(Settings())
    for path in source.rglob("*"):
        if path.is_file():
            copy = target / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".json":
                shutil.copyfile(path, copy)
            else:
                copy.symlink_to(path)
    return target


def test_missing_weights_are_reported(tmp_path: Path) -> None:
    folder = _model_copy(tmp_path / "model")
    (folder / "model.safetensors").unlink()
    settings = Settings(model_path=folder, encoder_dir=tmp_path / "encoder")
    with pytest.raises(ModelError, match=r"file model\.safetensors is missing"):
        Embedder(settings).encode(["x"])


def test_a_model_folder_without_its_pipeline_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"cannot read the model's modules.json"):
        Embedder(Settings(model_path=tmp_path, model_files={})).encode(["x"])


@pytest.mark.parametrize("change", [
    {"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True},
    {"pooling_mode_max_tokens": True},
    {"pooling_mode_lasttoken": True},
])
def test_another_pooling_is_refused(tmp_path: Path, change: dict[str, bool]) -> None:
    folder = _model_copy(tmp_path / "model")
    config = folder / "1_Pooling" / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), **change}))
    with pytest.raises(ModelError, match="not plain mean pooling"):  # another model, unpinned
        Embedder(Settings(model_path=folder, model_files={})).encode(["x"])


def test_a_pipeline_without_normalisation_is_refused(tmp_path: Path) -> None:
    folder = _model_copy(tmp_path / "model")
    modules = folder / "modules.json"
    modules.write_text(json.dumps(json.loads(modules.read_text())[:2]))
    with pytest.raises(ModelError, match="not transformer \\+ pooling \\+ normalize"):
        Embedder(Settings(model_path=folder, model_files={})).encode(["x"])


@pytest.mark.parametrize("name", ["1_Pooling/config.json", "tokenizer.json", "vocab.txt"])
def test_a_changed_model_file_is_refused_without_showing_paths(tmp_path: Path,
                                                               name: str) -> None:
    folder = _model_copy(tmp_path / "model")
    changed = folder / name
    data = changed.read_bytes()
    changed.unlink()  # a link to the packaged file: replace the link, never the file
    changed.write_bytes(data + b" ")
    with pytest.raises(ModelError) as caught:
        Embedder(Settings(model_path=folder)).encode(["x"])
    assert str(caught.value).startswith(f"the embedding model's file {name} differs from the "
                                        "pinned copy")
    assert str(tmp_path) not in str(caught.value)


def test_the_app_stops_at_start_on_a_changed_model(tmp_path: Path, kb: KnowledgeBase,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import app

    folder = _model_copy(tmp_path / "model")
    pooling = folder / "1_Pooling" / "config.json"
    pooling.write_text(json.dumps({**json.loads(pooling.read_text()),
                                   "pooling_mode_mean_tokens": False,
                                   "pooling_mode_cls_token": True}))
    monkeypatch.setenv("IPSKB_DATA_DIR", str(kb.settings.data_dir))
    monkeypatch.setenv("IPSKB_MODEL_PATH", str(folder))
    assert app.main(["--port", "1"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("ipskb app: the embedding model's file 1_Pooling/config.json "
                           "differs from the pinned copy")
    assert str(tmp_path) not in line


def test_a_tampered_graph_is_exported_again(tmp_path: Path, embedder: Embedder,
                                            caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(encoder_dir=tmp_path)
    shutil.copytree(graph_dir(Settings()), graph_dir(settings))
    graph = graph_dir(settings) / GRAPH
    recorded = json.loads((graph.parent / MANIFEST).read_text())["onnx_sha256"]
    with graph.open("ab") as fh:
        fh.write(b"\0")
    with caplog.at_level(logging.WARNING, logger="kb.index.export"):
        assert ensure_graph(settings) == graph
    assert f"its manifest records {recorded}" in caplog.text
    assert file_sha256(graph) == recorded  # the export is byte for byte the same
    assert np.abs(Embedder(settings).encode(PROBES) - embedder.encode(PROBES)).max() < 1e-6


def test_int8_is_exported_on_first_use_and_is_another_index(tmp_path: Path, embedder: Embedder,
                                                            caplog: pytest.LogCaptureFixture
                                                            ) -> None:
    settings = Settings(encoder="int8", encoder_dir=tmp_path)
    shutil.copytree(graph_dir(Settings()), graph_dir(settings.model_copy(
        update={"encoder": "float32"})))  # quantised from the float32 export
    with caplog.at_level(logging.WARNING, logger="kb.index.export"):
        vectors = Embedder(settings).encode(PROBES)
    assert f"no ONNX encoder in {graph_dir(settings)}" in caplog.text
    manifest = json.loads((graph_dir(settings) / MANIFEST).read_text())
    assert manifest["variant"] == "int8"
    assert manifest["onnx_sha256"] == file_sha256(graph_dir(settings) / GRAPH)
    assert vectors.shape == (len(PROBES), 384)
    assert float((vectors * embedder.encode(PROBES)).sum(axis=1).min()) > 0.8
    assert settings.fingerprint() == {**Settings().fingerprint(), "encoder": "onnx-int8"}
    assert settings.fingerprint_id() != Settings().fingerprint_id()
    assert "encoder" not in Settings().fingerprint()  # float32 vectors are the torch model's


def test_answers_import_neither_torch_nor_transformers(kb: KnowledgeBase) -> None:
    script = (
        "import sys\n"
        "from kb.knowledge import KnowledgeBase\n"
        "from kb.settings import Settings\n"
        "with KnowledgeBase.open(Settings()) as kb:\n"
        "    assert kb.ask('How do I request a Tern Exchange visit?').mode == 'extractive'\n"
        "    assert kb.ask('Who manages the screening drills?').text\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    env = {"IPSKB_DATA_DIR": str(kb.settings.data_dir)}
    assert _run(script, env) == "[]"


def test_listing_sources_and_help_load_no_model(kb: KnowledgeBase) -> None:
    script = (
        "import contextlib, io, sys\n"
        "from kb.present.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['sources']) == 0\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print([m for m in (*{HEAVY!r}, 'onnxruntime') if m in sys.modules])\n"
    )
    assert _run(script, {"IPSKB_DATA_DIR": str(kb.settings.data_dir)}) == "[]"


def _run(script: str, env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env={**os.environ, **env}, timeout=300, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_the_float32_graph_is_saved_fused(embedder: Embedder) -> None:
    import onnx

    embedder.encode(["x"])  # exported (or checked) first
    graph = onnx.load(str(graph_dir(Settings()) / GRAPH), load_external_data=False)
    ops = {node.op_type for node in graph.graph.node}
    assert {"EmbedLayerNormalization", "Attention", "SkipLayerNormalization"} <= ops
    assert "Softmax" not in ops  # every attention block is one operator


def test_batches_by_tokens_give_the_same_vectors(embedder: Embedder) -> None:
    texts = [*PROBES, *(f"a passage of {n} words " + "port " * n for n in range(0, 300, 7))]
    unlimited = Embedder(Settings(embed_batch_tokens=0))
    assert np.abs(unlimited.encode(texts) - embedder.encode(texts)).max() < 1e-5
    encoder = embedder._load()
    batches = list(encoder._batches([256, 200, 100, 60, 60, 10, 3, 3]))
    assert [list(b) for b in batches] == [[0], [1], [2, 3], [4, 5, 6, 7]]
