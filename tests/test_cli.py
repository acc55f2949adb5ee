"""The `ipskb` command line: the JSON contract and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kb.knowledge import KnowledgeBase
from kb.present.cli import main
from kb.settings import Settings

CITATION_KEYS = {"n", "source", "title", "url", "location", "status", "quote"}


@pytest.fixture
def env(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> KnowledgeBase:
    monkeypatch.setenv("IPSKB_DATA_DIR", str(kb.settings.data_dir))
    monkeypatch.setenv("IPSKB_SOURCES_DIR", str(kb.settings.sources_dir))
    return kb


def test_ask_json_contract(env: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ask", "--json", "Which office manages the Quay program?",
                 "What is the recipe for a classic French omelette?"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"question", "answer", "abstained", "mode", "confidence",
                           "uncovered", "citations"}
    assert first["question"] == "Which office manages the Quay program?"
    assert first["mode"] == "extractive" and first["abstained"] is False
    assert "Office of Quay Assessments" in first["answer"]
    for c in first["citations"]:
        assert set(c) == CITATION_KEYS
        assert c["quote"] in env.documents[c["source"]].text
    assert first["citations"][0]["source"] == "guide.md"
    assert second["mode"] == "abstain" and second["abstained"] is True


def test_sources_and_search(env: KnowledgeBase, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    assert "historical" in out and "old-brochure.txt" in out and "Harbor Liaison Office FAQ" in out
    assert main(["search", "OQA-7", "-k", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. rrf=") and "guide.md" in out


def test_ingest_reports_work_then_up_to_date(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings()
    monkeypatch.setenv("IPSKB_DATA_DIR", str(settings.data_dir))
    (settings.sources_dir / "bad.pdf").write_bytes(b"not a pdf")
    assert main(["ingest", "--sources", str(settings.sources_dir)]) == 0
    captured = capsys.readouterr()
    assert "5 added" in captured.out and "skipped bad.pdf:" in captured.err
    assert main(["ingest", "--sources", str(settings.sources_dir)]) == 0
    assert "index is up to date" in capsys.readouterr().out


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ipskb: ")
    return err[0]


def test_no_index_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IPSKB_DATA_DIR", str(tmp_path / "empty"))
    assert main(["ask", "anything"]) == 1
    assert "run `ipskb ingest` first" in _one_line_error(capsys)


def test_bad_setting_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IPSKB_TOP_K", "many")
    assert main(["sources"]) == 1
    assert "IPSKB_TOP_K" in _one_line_error(capsys)


def test_model_hash_mismatch_is_one_line(make_settings: Callable[..., Settings],
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings()
    monkeypatch.setenv("IPSKB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("IPSKB_MODEL_SHA256", "0" * 64)
    assert main(["ingest", "--sources", str(settings.sources_dir)]) == 1
    assert "refusing to load an unverified model" in _one_line_error(capsys)


def test_python_dash_m_kb_runs(env: KnowledgeBase) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kb", "ask", "--json", "How do I request a Tern Exchange visit?"],
        capture_output=True, text=True, env=dict(os.environ), timeout=300, check=True,
    ).stdout
    assert json.loads(out)["mode"] == "faq"
