"""Sentence splitting with character offsets, tuned for government prose.

Hand-written because the usual splitters either need downloaded data (NLTK's punkt) or
break "46 U.S.C. 70110", "Pub. L. 107-295" and "Delegation No. 0170.1" into pieces. Every
line of cleaned text is a paragraph, so a line end is always a boundary.
"""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "u.s", "u.s.c", "no", "nos", "pub", "l", "stat", "mr", "ms", "mrs", "dr", "sec", "secs",
    "vol", "e.g", "i.e", "etc", "vs", "st", "inc", "co", "corp", "ltd", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "fig", "p", "pp", "cf",
    "subsec", "approx", "dept", "gov", "u.n", "d.c", "a.m", "p.m",
}
# After "U.S." a new sentence starts only with an English function word (article, pronoun,
# preposition, conjunction): any capitalised content word after it is taken as part of a
# name ("U.S. Coast Guard", "U.S. Embassy"), which is what such words almost always are.
_STARTERS = {
    "We", "The", "It", "This", "These", "Those", "They", "In", "On", "At", "By", "Our", "A",
    "An", "If", "As", "For", "Most", "There", "That", "Since", "Each", "All", "When", "However",
    "Its", "During", "He", "She", "You", "Your", "But", "And", "Under", "After", "Before",
}
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"“'‘(\[]?[A-Z0-9•])")
_BULLET = re.compile(r"^[•▪◦·*\-–]\s+")


def split_sentences(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Split `text` into (sentence, start, end); offsets are in `text` plus `offset`."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        start = 0
        for match in _BOUNDARY.finditer(line):
            end = match.start() + 1
            if _is_abbreviation(line[start:end], line[match.end():]):
                continue
            _emit(out, line, start, end, line_start + offset)
            start = match.end()
        _emit(out, line, start, len(line), line_start + offset)
    return out


def _is_abbreviation(before: str, after: str) -> bool:
    words = before.split()
    if not words:
        return False
    token = words[-1].rstrip(".").lstrip("(\"“").lower()
    if len(token) == 1 and token.isalpha():  # initials, list labels "a."
        return True
    if token not in _ABBREVIATIONS:
        return False
    if token in ("u.s", "d.c"):
        next_word = after.split(" ", 1)[0] if after else ""
        return next_word not in _STARTERS
    return True


def _emit(out: list[tuple[str, int, int]], line: str, start: int, end: int, base: int) -> None:
    piece = line[start:end]
    bullet = _BULLET.match(piece)
    lead = bullet.end() if bullet else len(piece) - len(piece.lstrip())
    piece = piece[lead:].rstrip()
    if piece:
        s = base + start + lead
        out.append((piece, s, s + len(piece)))
