"""Which documents a question names: "according to the brochure", "under 46 U.S.C. 70108",
"the 2019 Seychelles notice".

A question that names a document wants that document's words, not the closest words
anywhere. A document is named by one of its manifest aliases (every word of the alias in the
question, in any order: "the 2019 conditions of entry notice" names the alias "2019 notice")
or by an identifier in its title ("GAO-23-105385", "70108", "1-17").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from kb import rules
from kb.models import Document

_WORD = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")
_YEAR = re.compile(r"(?:19|20)\d\d")


def words(text: str) -> set[str]:
    """Lower-case words of `text`, accents folded ("Côte" is "cote")."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return set(_WORD.findall(folded))


def identifiers(title: str) -> set[str]:
    """Code-like words of a title: a digit in them, four characters or more, not a year."""
    return {w for w in words(title)
            if len(w) >= 4 and any(ch.isdigit() for ch in w) and not _YEAR.fullmatch(w)}


class DocumentNames:
    """The names of the indexed documents, and which of them a text uses."""

    def __init__(self, documents: Mapping[str, Document]) -> None:
        self._names: list[tuple[frozenset[str], str]] = []
        for doc in documents.values():
            for alias in doc.aliases:
                if key := frozenset(words(alias)):
                    self._names.append((key, doc.doc_id))
            self._names += [(frozenset([w]), doc.doc_id) for w in identifiers(doc.title)]
        self._labels = {doc.doc_id: frozenset("".join(m) for m in
                                              rules.DOCUMENT_LABEL.findall(doc.text))
                        for doc in documents.values()}

    def named_in(self, text: str) -> list[str]:
        """Ids of the documents `text` names, sorted."""
        present = words(text)
        return sorted({doc_id for key, doc_id in self._names if key <= present})

    def missing_subdivisions(self, text: str, named: Sequence[str]) -> list[str]:
        """The subdivisions `text` cites ("subsection (f)", "paragraphs C and D") that the
        documents it names (any document, when it names none) do not have."""
        cited = [m for pattern in (rules.SUBDIVISION_CITED, rules.SUBDIVISION_OF_NUMBER)
                 for m in pattern.finditer(text)]
        if not cited:  # most questions cite none: no documents' labels to gather
            return []
        held = frozenset().union(*(labels for doc_id, labels in self._labels.items()
                                   if not named or doc_id in named))
        return [m.group(0) for m in cited
                if {"".join(label) for label in rules.LABEL.findall(m.group("labels"))} - held]
