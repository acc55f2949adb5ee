"""Acronyms as the documents define them: "Maritime Transportation Security Act (MTSA)".

The long form is found by Schwartz–Hearst matching (A. Schwartz and M. Hearst, "A simple
algorithm for identifying abbreviation definitions in biomedical text", 2003): the
acronym's letters are matched right to left against the words before the parenthesis,
and the first letter must begin a word. Office codes such as "CG-PSA-1" or "ACTEUR" are
not built from their long form's letters, so when matching fails the run of capitalised
words just before the parenthesis is taken instead.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable

from ingest.sentences import split_sentences
from kb import rules
from kb.models import Document, GlossaryEntry

log = logging.getLogger(__name__)

# A space before the parenthesis: "552(a)", "0170.1(II)" and "§ 102(a)" are citations.
_CANDIDATE = re.compile(r"(?<=\s)\(([A-Z0-9][A-Z0-9-]{0,10}[A-Z0-9])\)")
_ROMAN = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_WORD = re.compile(r"\S+")
# A long form may hold these, but neither Schwartz–Hearst nor the fallback may start one
# with them: "Organization of American States (OAS)" is not "of American States".
_SMALL = rules.NAME_JOINERS
_LEADING_SMALL = _SMALL | {"a", "an", "to", "on", "at", "by", "with"}


def extract_glossary(documents: Iterable[Document]) -> list[GlossaryEntry]:
    """Every acronym the documents define, one entry per term, sorted by term.

    Documents are read in doc_id order; a term's first definition in a "current" document
    wins over definitions in excerpts and historical documents, else its first definition.
    """
    chosen: dict[str, tuple[GlossaryEntry, bool]] = {}
    for doc in sorted(documents, key=lambda d: d.doc_id):
        is_current = doc.status == "current"
        for entry in _document_entries(doc):
            held = chosen.get(entry.term)
            if held is None or (is_current and not held[1]):
                chosen[entry.term] = (entry, is_current)
    entries = sorted((e for e, _ in chosen.values()), key=lambda e: (e.term.casefold(), e.term))
    log.debug("glossary: %d terms", len(entries))
    return entries


def _document_entries(doc: Document) -> list[GlossaryEntry]:
    """The definitions in one document, in text order, the first of each term only."""
    text = doc.text
    # Sentences end at line breaks too, so a long form never spans either.
    sentence_starts = [start for _, start, _ in split_sentences(text)]
    entries: list[GlossaryEntry] = []
    seen: set[str] = set()
    for match in _CANDIDATE.finditer(text):
        term = match.group(1)
        if term in seen or not _looks_like_acronym(term):
            continue
        paren = match.start()
        i = bisect.bisect_right(sentence_starts, paren) - 1
        window_start = max(sentence_starts[i] if i >= 0 else 0, text.rfind("\n", 0, paren) + 1)
        found = _long_form(term, text[window_start:paren])
        if found is None:
            continue
        offset, expansion = found
        seen.add(term)
        start = window_start + offset
        entries.append(GlossaryEntry(term, expansion, doc.doc_id, start, match.end()))
    return entries


def _looks_like_acronym(term: str) -> bool:
    # Years, phone area codes and "(1-17)" have no letters at all.
    return any(c.isalpha() for c in term)


def _long_form(term: str, before: str) -> tuple[int, str] | None:
    """(offset in `before`, expansion) of the long form `term` abbreviates, or None."""
    stripped = before.rstrip()
    words = list(_WORD.finditer(stripped))
    letters = sum(c.isalnum() for c in term)
    # Schwartz–Hearst's bound on how many words a long form of this acronym may span.
    limit = min(letters + 5, letters * 2)
    if words:
        base = words[-limit:][0].start() if len(words) > limit else 0
        start = _schwartz_hearst(term, stripped[base:])
        if start is not None:
            start += base
            return start, " ".join(stripped[start:].split())
    # "(II)" and "(IV)" number parts; only an exact letter match makes them acronyms.
    if _ROMAN.fullmatch(term):
        return None
    return _capitalised_run(words)


def _schwartz_hearst(term: str, candidate: str) -> int | None:
    """Where in `candidate` the shortest long form of `term` starts, or None."""
    t, c = len(term) - 1, len(candidate) - 1
    while t >= 0:
        char = term[t].lower()
        if not char.isalnum():  # hyphens in the acronym stand for nothing
            t -= 1
            continue
        while c >= 0 and not _matches(candidate, c, char, first=t == 0):
            c -= 1
        if c < 0:
            return None
        c -= 1
        t -= 1
    start = candidate.rfind(" ", 0, c + 2) + 1
    long_form = candidate[start:]
    if len(long_form) <= len(term) or term in long_form.split():
        return None
    return start


def _matches(candidate: str, c: int, char: str, first: bool) -> bool:
    if candidate[c].lower() != char:
        return False
    if not first:
        return True
    if c > 0 and candidate[c - 1].isalnum():
        return False
    word = candidate[c:].split(maxsplit=1)[0]
    return word.lower() not in _LEADING_SMALL


def _capitalised_run(words: list[re.Match[str]]) -> tuple[int, str] | None:
    """The capitalised words, with small joining words, that end just before the paren."""
    run: list[re.Match[str]] = []
    for word in reversed(words):
        text = word.group()
        capitalised = text[0].isupper() or text.lower() in _SMALL
        # "Title 46, Maritime ..." : a comma or colon ends the name before it.
        if not capitalised or (run and text[-1] in ",;:"):
            break
        run.append(word)
    run.reverse()
    while run and run[0].group().lower() in _LEADING_SMALL:
        run.pop(0)
    if len(run) < 2:
        return None
    return run[0].start(), " ".join(w.group() for w in run)
