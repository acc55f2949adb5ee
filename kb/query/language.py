"""Which language a question is written in (py3langid, offline), so that a question the
offline answerer cannot read is told so instead of being answered in English from words it
happened to match."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
import unicodedata
import zipfile
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

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
    unpacked once into `cache_dir` (a file named by the packaged model's sha256, written
    whole or not at all) and read from there afterwards."""

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
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        cached = self._cache_dir / f"langid-{digest}.npz"
        if cached.exists():
            try:
                return _read(cached)
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                log.warning("unreadable language model cache %s (%s); unpacking again",
                            cached, exc)
        arrays = tuple(load_model(source))
        try:
            _write(cached, arrays)
        except OSError as exc:  # a read-only data folder: unpack on every start instead
            log.warning("could not cache the language model in %s: %s", cached.parent, exc)
        return arrays


def _write(path: Path, arrays: tuple[Any, ...]) -> None:
    ptc, pc, classes, nextmove, row, output = arrays
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            np.savez(out, ptc=ptc, pc=pc, classes=np.asarray(classes),
                     nextmove=np.frombuffer(nextmove, dtype=nextmove.typecode),
                     row=np.frombuffer(row, dtype=row.typecode), output=np.asarray(output))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read(path: Path) -> tuple[Any, ...]:
    with np.load(path, allow_pickle=False) as data:
        nextmove, row = data["nextmove"], data["row"]
        return (data["ptc"], data["pc"], data["classes"].tolist(),
                array(nextmove.dtype.char, nextmove.tobytes()),
                array(row.dtype.char, row.tobytes()), data["output"].tolist())


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
