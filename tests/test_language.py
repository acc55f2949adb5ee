"""The language identifier's model: unpacked once into a cache, the same answers from it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kb.query.language import LanguageDetector, LanguageModel

QUESTIONS = ["Comment puis-je demander une visite réciproque ?", "¿Cuánto dura una visita?",
             "How long does a reciprocal visit last?", "访问持续多久？"]


def _classify(model: LanguageModel) -> list[tuple[str, float]]:
    return [model.identifier().classify(q) for q in QUESTIONS]


def test_the_unpacked_model_is_cached_and_answers_as_the_packaged_one(tmp_path: Path) -> None:
    packaged = _classify(LanguageModel())
    first = LanguageModel(tmp_path)
    assert _classify(first) == packaged
    [cached] = tmp_path.glob("langid-*")
    assert not list(tmp_path.glob(".*tmp"))  # written whole
    stamp = (cached / "ptc.npy").stat().st_mtime_ns
    assert _classify(LanguageModel(tmp_path)) == packaged
    assert (cached / "ptc.npy").stat().st_mtime_ns == stamp  # read, not written again
    assert LanguageDetector(frozenset, LanguageModel(tmp_path)).detect(QUESTIONS[0]) == "fr"


def test_a_damaged_cache_is_unpacked_again(tmp_path: Path,
                                           caplog: pytest.LogCaptureFixture) -> None:
    LanguageModel(tmp_path).identifier()
    [cached] = tmp_path.glob("langid-*")
    (cached / "nextmove.npy").write_bytes(b"not a model")
    with caplog.at_level(logging.WARNING):
        assert _classify(LanguageModel(tmp_path)) == _classify(LanguageModel())
    assert "unreadable language model cache" in caplog.text
    assert (cached / "nextmove.npy").stat().st_size > 1_000_000
    assert not list(tmp_path.glob(".*tmp"))


def test_an_unwritable_cache_folder_still_gives_a_detector(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    model = LanguageModel(blocked / "cache")
    assert _classify(model) == _classify(LanguageModel())


def test_a_cache_of_the_earlier_form_is_replaced(tmp_path: Path) -> None:
    earlier = tmp_path / "langid-0123456789abcdef.npz"
    earlier.write_bytes(b"the single-file cache of an earlier version")
    assert _classify(LanguageModel(tmp_path)) == _classify(LanguageModel())
    assert not earlier.exists()
    [cached] = tmp_path.glob("langid-*")
    assert (cached / "ptc.npy").is_file()
