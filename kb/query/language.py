"""Which language a question is written in (py3langid, offline), so that a question the
offline answerer cannot read is told so instead of being answered in English from words it
happened to match."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

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


class LanguageDetector:
    """`detect(text)` gives an ISO 639-1 code; "en" unless another language is plain."""

    def __init__(self, english_words: Callable[[], frozenset[str]]) -> None:
        self._english = english_words  # called only when the detector is unsure
        self._identifier: Any = None
        self._lock = threading.Lock()

    def _model(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE,
                                                                      norm_probs=True)
        return self._identifier

    def detect(self, text: str) -> str:
        words = _WORD.findall(text)
        if not words:
            return ENGLISH
        letters = [c for w in words for c in w]
        latin = sum(_is_latin(c) for c in letters) / len(letters) >= 0.5
        code, probability = self._model().classify(text)
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
