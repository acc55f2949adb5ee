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
from kb.present.cli import main, render
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
    assert json.loads(out)["mode"] == "extractive"


def test_the_script_ends_a_reading_command_with_its_output_whole(env: KnowledgeBase) -> None:
    # `ipskb ask` ends without tearing the interpreter down: what it printed, unflushed, to
    # a pipe must still arrive whole, with the command's exit code.
    script = str(Path(sys.executable).with_name("ipskb"))
    question = "How do I request a Tern Exchange visit?"
    told = subprocess.run([script, "ask", question], capture_output=True, text=True,
                          env=dict(os.environ), timeout=300, check=True)
    assert told.stdout == render(env.ask(question)) + "\n"
    failed = subprocess.run([script, "ask", "--json", ""], capture_output=True, text=True,
                            env=dict(os.environ), timeout=300, check=False)
    assert failed.returncode == 1
    assert json.loads(failed.stdout) == {"question": "", "error": "the question is empty"}


def test_ask_json_exits_non_zero_when_a_question_fails(
    env: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = "port " * 20_000  # 100 KB
    code = main(["ask", "--json", "Which office manages the Quay program?", "", huge])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 1 and len(lines) == 3
    answered, empty, long = (json.loads(line) for line in lines)
    assert "Office of Quay Assessments" in answered["answer"]
    assert empty == {"question": "", "error": "the question is empty"}
    # The error quotes at most the first 80 characters of the question, marked as cut.
    assert long["question"] == huge[:80] + "\u2026" and "limit is 1000" in long["error"]
    assert len(lines[2]) < 400
    assert main(["ask", "--json", "Which office manages the Quay program?"]) == 0


def test_file_names_are_printed_escaped(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = make_settings()
    monkeypatch.setenv("IPSKB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("IPSKB_SOURCES_DIR", str(settings.sources_dir))
    fake = "updated index: 99 added, 0 changed"
    (settings.sources_dir / f"bad\n{fake}.pdf").write_bytes(b"not a pdf")
    (settings.sources_dir / "berths\tnotes\n.txt").write_text(
        "Berth Notes\n\nBerth nine is reserved for pilot boats.\n", encoding="utf-8")
    assert main(["ingest"]) == 0
    captured = capsys.readouterr()
    assert f"skipped bad\\n{fake}.pdf: " in captured.err
    assert not any(line.startswith(fake) for line in captured.err.splitlines())
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    assert "berths\\tnotes\\n.txt" in out and "berths\tnotes" not in out


def test_escaping_keeps_letters_and_shows_what_is_invisible() -> None:
    from kb.shown import escaped, excerpt

    assert escaped("Übersicht 港口.txt") == "Übersicht 港口.txt"
    assert escaped("a\nb\r\tc\\d\x1b[2J\u2028\u200b") == "a\\nb\\r\\tc\\\\d\\x1b[2J\\u2028\\u200b"
    assert excerpt("x" * 81) == "x" * 80 + "\u2026" and excerpt("short") == "short"
