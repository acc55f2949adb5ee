"""The words people ask with versus the words the documents use (`kb.rules.SYNONYMS`).

A question is searched with the documents' words added, so that keyword search and sentence
choice can find them. The table is a component like any other: `Settings.question_synonyms`
turns it off, so that the evaluation can measure what it adds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kb import rules


@dataclass(frozen=True)
class Synonyms:
    """Everyday words (patterns) and the documents' words for each; empty: none known."""

    rows: tuple[tuple[re.Pattern[str], str], ...] = ()

    @classmethod
    def of(cls, table: Sequence[tuple[str, str]]) -> Synonyms:
        return cls(tuple((re.compile(rf"\b(?:{p})\b", re.IGNORECASE), words)
                         for p, words in table))

    def expand(self, question: str) -> str:
        """`question` with the documents' words for its everyday words appended."""
        extra = [words for pattern, words in self.rows if pattern.search(question)]
        return f"{question} {' '.join(extra)}" if extra else question

    def unexplained(self, question: str) -> str:
        """`question` without the everyday words this table knows the documents' words for."""
        for pattern, _ in self.rows:
            question = " ".join(pattern.sub(" ", question).split())
        return question

    def alternatives(self, word: str) -> str:
        """The documents' words for `word`, "" when it has none."""
        return " ".join(words for pattern, words in self.rows if pattern.fullmatch(word))


NO_SYNONYMS = Synonyms()


@lru_cache(maxsize=1)
def everyday() -> Synonyms:
    """The table of `kb.rules.SYNONYMS`, compiled once."""
    return Synonyms.of(rules.SYNONYMS)


def synonyms(enabled: bool) -> Synonyms:
    """The table answers use (`Settings.question_synonyms`), or none."""
    return everyday() if enabled else NO_SYNONYMS
