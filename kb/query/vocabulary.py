"""The words people ask with versus the words the documents use (`kb.rules.SYNONYMS`).

A question is searched with the documents' words added, so that keyword search and sentence
choice can find them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kb import rules


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), words) for p, words in rules.SYNONYMS]


def expand(question: str) -> str:
    """`question` with the documents' words for its everyday words appended."""
    extra = [words for pattern, words in _compiled() if pattern.search(question)]
    return f"{question} {' '.join(extra)}" if extra else question


def unexplained(question: str) -> str:
    """`question` without the everyday words `expand` knows the documents' words for."""
    for pattern, _ in _compiled():
        question = " ".join(pattern.sub(" ", question).split())
    return question


def alternatives(word: str) -> str:
    """The documents' words for `word`, "" when it has none."""
    return " ".join(words for pattern, words in _compiled() if pattern.fullmatch(word))
