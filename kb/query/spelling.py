"""Spelling repair of questions against the documents' own words and an English dictionary
(SymSpell, with the frequency dictionary it ships), so that "how ofen do u visit" is read as
"how often do you visit"."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kb import rules

MAX_EDIT = 2
MIN_LENGTH = 4  # shorter words have too many real neighbours to repair safely
# The documents' words are what a question is most likely to mean: they count as this
# many occurrences in the dictionary, above all but the commonest English words.
CORPUS_COUNT = 10**9
# Repairs are drawn from the commonest English words (the dictionary lists them by frequency)
# and the documents' words: a typo in a question means a common word far more often than a
# rare one, and SymSpell's index of all 83,000 words takes seconds to build (this many: under
# one). Whether a word is English at all is still checked against the whole dictionary.
REPAIR_WORDS = 30_000
# A hyphen joins words that are each spelt on their own: "anti-terorism" is "anti-terrorism".
_TOKEN = re.compile(r"[A-Za-z][A-Za-z']*|[^A-Za-z]+")


class Speller:
    """Repairs words that are neither the documents' nor English; names stay as typed."""

    def __init__(self, corpus_words: Iterable[str]) -> None:
        self._corpus = {w.lower() for w in corpus_words}
        self._symspell: Any = None
        self._english: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def load(self) -> None:
        """Build the repair index now rather than at the first misspelt word (seconds)."""
        self._load()

    def _load(self) -> Any:
        """SymSpell with the commonest English words, word pairs and the documents' words:
        built only for a word to repair."""
        with self._lock:
            if self._symspell is None:
                import symspellpy

                sym = symspellpy.SymSpell(max_dictionary_edit_distance=MAX_EDIT)
                with _dictionary().open(encoding="utf-8") as fh:
                    for _, line in zip(range(REPAIR_WORDS), fh, strict=False):
                        word, count = line.split()
                        sym.create_dictionary_entry(word, int(count))
                # Word pairs choose between equally close repairs: "how ofen" is "how
                # often", not "how open".
                sym.load_bigram_dictionary(
                    str(_dictionary().with_name("frequency_bigramdictionary_en_243_342.txt")),
                    term_index=0, count_index=2)
                for word in self._corpus:
                    if word.isalpha():
                        sym.create_dictionary_entry(word, CORPUS_COUNT)
                self._symspell = sym
        return self._symspell

    def _english_words(self) -> frozenset[str]:
        """The English dictionary's words, read as a plain list (milliseconds, where building
        SymSpell's index takes seconds): enough to tell a misspelt word from a real one."""
        with self._lock:
            if not self._english:
                with _dictionary().open(encoding="utf-8") as fh:
                    self._english = frozenset(line.split(" ", 1)[0] for line in fh)
        return self._english

    @property
    def english_words(self) -> frozenset[str]:
        """The English dictionary's words and the documents' words."""
        return self._english_words() | self._corpus

    def repair(self, text: str) -> tuple[str, list[tuple[str, str]]]:
        """`text` with misspelt words repaired, and the (typed, repaired) pairs."""
        import symspellpy

        out: list[str] = []
        repairs: list[tuple[str, str]] = []
        tokens = _TOKEN.findall(text)
        words = [t.lower() for t in tokens if t[0].isalpha()]
        at = 0
        for token in tokens:
            if not token[0].isalpha():
                out.append(token)
                continue
            low = token.lower()
            before = words[at - 1] if at else ""
            after = words[at + 1] if at + 1 < len(words) else ""
            at += 1
            # Only as typed in lower case: "U.S.C." is no "you".
            fixed = rules.TEXT_SPEAK.get(token)
            if fixed is None and self._misspelt(token):
                sym = self._load()
                found = sym.lookup(low, symspellpy.Verbosity.CLOSEST, max_edit_distance=MAX_EDIT)
                fixed = max(found, key=lambda s: self._fit(sym, s.term, s.count, before, after),
                            default=None)
                fixed = fixed.term if fixed else None
            if fixed and fixed != low:
                repairs.append((token, fixed))
                out.append(fixed)
            else:
                out.append(token)
        return "".join(out), repairs

    @staticmethod
    def _fit(sym: Any, word: str, count: int, before: str, after: str) -> tuple[int, int]:
        """How well a candidate fits between its neighbours: the word pairs it makes, then
        its own frequency."""
        pairs = sym.bigrams.get(f"{before} {word}", 0) + sym.bigrams.get(f"{word} {after}", 0)
        return pairs, count

    def _misspelt(self, token: str) -> bool:
        low = token.lower()
        # Capitalised and upper-case words are names and acronyms, known or not.
        if not (token[0].islower() and len(low) >= MIN_LENGTH and low.isalpha()
                and low not in self._corpus):
            return False
        return low not in self._english_words()


def _dictionary() -> Path:
    """The English frequency dictionary symspellpy ships."""
    import symspellpy

    return Path(symspellpy.__file__).parent / "frequency_dictionary_en_82_765.txt"
