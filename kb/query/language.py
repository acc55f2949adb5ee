"""Which language a question is written in (py3langid, offline), so that a question the
offline answerer cannot read is told so instead of being answered in English from words it
happened to match."""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
import unicodedata
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from kb.index.weights import file_sha256

log = logging.getLogger(__name__)

ENGLISH = "en"
# A detector's guess below this probability is no reason to refuse a question.
MIN_PROBABILITY = 0.5
# Above this the guess stands on its own; between the two, the question is taken to be in
# another language only if most of its words are not English (an English question with
# typos or names still has most of its words in an English dictionary).
SURE_PROBABILITY = 0.9
MIN_ENGLISH_WORDS = 0.5
MIN_WORDS = 3  # "IPSLO?" or "Fussa office" says nothing about a language
_WORD = re.compile(r"[^\W\d_]+")
# Malay and Indonesian are one language to the detector; delegations write Indonesian.
_SAME = {"ms": "id"}


class LanguageModel:
    """py3langid's identifier, loaded on first use and shared by every generation. Its model
    ships LZMA-compressed, which takes most of a second to unpack on each start; it is
    unpacked once into `cache_dir` (a folder of plain .npy arrays named by the packaged
    model's sha256, written whole or not at all) and read from there afterwards: the big
    probability table is memory-mapped (a question reads a few of its rows), the state
    table read straight into the array the identifier walks."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir
        self._identifier: Any = None
        self._lock = threading.Lock()

    def identifier(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import LanguageIdentifier

                ptc, pc, classes, nextmove, row, output = self._arrays()
                self._identifier = LanguageIdentifier(
                    np.asarray(ptc), np.asarray(pc), classes, nextmove, output,
                    norm_probs=True, tk_row=row)
        return self._identifier

    def _arrays(self) -> tuple[Any, ...]:
        from py3langid.langid import MODEL_DIR, MODEL_FILE
        from py3langid.modelio import load_model

        source = MODEL_DIR / MODEL_FILE
        if self._cache_dir is None:
            return tuple(load_model(source))
        digest = file_sha256(source)[:16]
        cached = self._cache_dir / f"langid-{digest}"
        if cached.exists():
            try:
                return _read(cached)
            except (OSError, ValueError, KeyError, EOFError) as exc:
                log.warning("unreadable language model cache %s (%s); unpacking again",
                            cached, exc)
        arrays = tuple(load_model(source))
        try:
            _write(cached, arrays)
        except OSError as exc:  # a read-only data folder: unpack on every start instead
            log.warning("could not cache the language model in %s: %s", cached.parent, exc)
        return arrays


_NAMES = ("ptc", "pc", "classes", "nextmove", "row", "output")


def _write(folder: Path, arrays: tuple[Any, ...]) -> None:
    """The arrays as .npy files in a folder of their own, put in place whole by a rename
    (another process may be writing the same one: the first to finish wins)."""
    ptc, pc, classes, nextmove, row, output = arrays
    values = (ptc, pc, np.asarray(classes), np.frombuffer(nextmove, dtype=nextmove.typecode),
              np.frombuffer(row, dtype=row.typecode), np.asarray(output))
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    try:
        tmp.mkdir()
        for name, value in zip(_NAMES, values, strict=True):
            np.save(tmp / f"{name}.npy", value, allow_pickle=False)
        if folder.exists():  # damaged, or just written by another process
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for old in folder.parent.glob("langid-*.npz"):  # the cache's earlier, slower form
        old.unlink(missing_ok=True)


def _read(folder: Path) -> tuple[Any, ...]:
    def load(name: str, mmap: bool = False) -> Any:
        return np.load(folder / f"{name}.npy", mmap_mode="r" if mmap else None,
                       allow_pickle=False)

    return (load("ptc", mmap=True), load("pc"), load("classes").tolist(),
            _array(load("nextmove", mmap=True)), _array(load("row")), load("output").tolist())


def _array(values: Any) -> array[Any]:
    """A stdlib array of `values`' items in one copy (the identifier indexes it per byte of
    text, where indexing a numpy array is many times slower)."""
    out = array(values.dtype.char)
    out.frombytes(np.ascontiguousarray(values).data.cast("B"))
    return out


class LanguageDetector:
    """`detect(text)` gives an ISO 639-1 code; "en" unless another language is plain."""

    def __init__(self, english_words: Callable[[], frozenset[str]],
                 model: LanguageModel | None = None) -> None:
        self._english = english_words  # called only when the detector is unsure
        self._model = model or LanguageModel()

    def detect(self, text: str) -> str:
        words = _WORD.findall(text)
        if not words:
            return ENGLISH
        letters = [c for w in words for c in w]
        latin = sum(_is_latin(c) for c in letters) / len(letters) >= 0.5
        code, probability = self._model.identifier().classify(text)
        code = _SAME.get(code, code)
        if not latin:  # another script: the detector's best guess, however unsure
            return code
        if code == ENGLISH or len(words) < MIN_WORDS or probability < MIN_PROBABILITY:
            return ENGLISH
        if probability >= SURE_PROBABILITY:
            return code
        known = self._english()
        english = sum(w.lower() in known for w in words) / len(words)
        return ENGLISH if english >= MIN_ENGLISH_WORDS else code


def _is_latin(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")
