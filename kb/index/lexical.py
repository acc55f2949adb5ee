"""BM25 keyword index (bm25s), saved as arrays and JSON beside the vector store; no pickle."""

from __future__ import annotations

import json
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

IDS_FILE = "ids.json"
IDF_FILE = "idf.json"


def _bm25s() -> Any:
    """The bm25s module. Importing it sets its logger to DEBUG, which would print its
    internals under any application's logging set-up; put it back to the default."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.NOTSET)
    return bm25s


def _tokenizer() -> Any:
    import Stemmer
    from bm25s.tokenization import Tokenizer

    return Tokenizer(stopwords="en", stemmer=Stemmer.Stemmer("english"))


class LexicalIndex:
    """Array in, array out: ids and texts go in, (id, score) pairs come out."""

    def __init__(
        self, ids: list[str], retriever: Any, tokenizer: Any, idf: dict[str, float]
    ) -> None:
        self.ids = ids
        self._retriever = retriever
        self._tokenizer = tokenizer
        self.idf = idf
        self.vocabulary = set(idf)
        # A word the corpus never uses weighs most: asking about it is a sign of a question
        # the documents cannot answer.
        self.unknown_idf = max(idf.values(), default=1.0)

    def weight(self, term: str) -> float:
        return self.idf.get(term, self.unknown_idf)

    def coverage(self, wanted: set[str], present: set[str]) -> float:
        """Share of the query's term weight that `present` contains."""
        total = sum(self.weight(t) for t in wanted)
        return sum(self.weight(t) for t in wanted & present) / total if total else 0.0

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> LexicalIndex:
        bm25s = _bm25s()
        tokenizer = _tokenizer()
        retriever = bm25s.BM25()
        if texts:
            tokens = tokenizer.tokenize(list(texts), return_as="tuple", show_progress=False)
            retriever.index(tokens, show_progress=False)
        df: Counter[str] = Counter()
        for text in texts:
            df.update(terms(text))
        n = len(texts)
        idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        return cls(list(ids), retriever, tokenizer, idf)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.ids:
            self._retriever.save(str(folder), show_progress=False)
            self._tokenizer.save_vocab(str(folder))
        (folder / IDS_FILE).write_text(json.dumps(self.ids), encoding="utf-8")
        (folder / IDF_FILE).write_text(json.dumps(self.idf), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        bm25s = _bm25s()
        ids = json.loads((folder / IDS_FILE).read_text(encoding="utf-8"))
        idf = json.loads((folder / IDF_FILE).read_text(encoding="utf-8"))
        tokenizer = _tokenizer()
        retriever = None
        if ids:
            retriever = bm25s.BM25.load(str(folder), show_progress=False)
            tokenizer.load_vocab(str(folder))
        return cls(ids, retriever, tokenizer, idf)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """The `k` best (id, BM25 score) pairs with a score above zero."""
        if not self.ids or not query.strip():
            return []
        tokens = self._tokenizer.tokenize(
            [query], update_vocab=False, return_as="ids", show_progress=False
        )
        k = min(k, len(self.ids))
        docs, scores = self._retriever.retrieve(tokens, k=k, show_progress=False)
        return [
            (self.ids[int(i)], float(s)) for i, s in zip(docs[0], scores[0], strict=True) if s > 0
        ]


_TERM = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _stemmer_and_stopwords() -> tuple[Any, frozenset[str]]:
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN

    from kb import rules

    return Stemmer.Stemmer("english"), frozenset(STOPWORDS_EN) | rules.QUESTION_WORDS


def plain_words(text: str) -> frozenset[str]:
    """The words of `text`, lower-case, accents dropped: "Côte d'Ivoire" and "Cote d'Ivoire"
    are the same words, as a person typing without accents means them."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return frozenset(_TERM.findall("".join(c for c in decomposed
                                            if not unicodedata.combining(c))))


def terms(text: str) -> set[str]:
    """Stemmed content words of `text`, as the BM25 index sees them."""
    stemmer, stop = _stemmer_and_stopwords()
    words = [w for w in _TERM.findall(text.lower()) if w not in stop and len(w) > 1]
    return set(stemmer.stemWords(words))
