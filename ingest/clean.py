"""Repair text-extraction damage so that every line of the result is one paragraph,
heading, list item or FAQ question.

Handles: hyphenated line breaks, sentences broken over lines (and over blank lines inside
list items), stray whitespace, drop-capitals ("T he"), markdown and rule lines left in plain
text, GPO entity codes ("C[ocirc]te"), headings run into the text that follows them
("The Basics What is the objective ..."), and the placeholder a page saved from behind
Cloudflare carries where an e-mail address was.
"""

from __future__ import annotations

import html
import re
from itertools import pairwise

_TERMINAL = (".", "?", "!", ":", ";")
_BULLET = re.compile(r"^(?:[•▪◦·*\-–]\s+|\(?[a-zA-Z0-9]{1,3}[.)]\s+)")
_QUESTION_WORDS = (
    "What|How|Why|Who|When|Where|Which|Is|Are|Can|Could|Do|Does|Will|Would|Should|If"
)
# "The Basics What is ..." -> heading "The Basics", then the question.
_RUN_IN_HEADING = re.compile(
    rf"^((?:[A-Z][A-Za-z]*\s){{1,4}}?)((?:{_QUESTION_WORDS})\s[^\n]*\?)", re.MULTILINE
)
# A lone capital (not the words "A" or "I") then a lowercase fragment that is not itself a
# common short word: "T he events" is a drop capital, "C and D" is not.
_DROP_CAP = re.compile(
    r"^([B-HJ-Z]) (?!(?:and|or|of|to|in|on|at|is|as|by|for|the|an?)\b)([a-z]+)", re.MULTILINE
)
_GPO_ENTITY = re.compile(r"\[([a-z]{2,8})\]")
_RULE_LINE = re.compile(r"^\s*([-=_*~]\s*){3,}$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MARKER = re.compile(r"^\[[^\]]*\]$")  # "[Excerpt ends here.]" stands on its own
_HYPHEN_BREAK = re.compile(r"(\w+)-\n\s*([a-z]\w*)")
# Cloudflare's e-mail protection writes "[email protected]" in place of an address in a
# saved page; the address itself is gone. Said so in words, it does not read as an address
# that is wrong.
_HIDDEN_EMAIL = re.compile(r"\[email\s+protected\]")
HIDDEN_EMAIL = "(e-mail address not kept in this copy of the page)"


def clean_text(raw: str) -> str:
    """Return the cleaned text of one page or file."""
    text = _normalise(raw)
    # Wrap width is measured before dehyphenation makes some lines longer.
    width = max((len(line) for line in text.split("\n")), default=0)
    lines = _join_lines(_dehyphenate(text).split("\n"), width)
    text = "\n".join(lines)
    text = _RUN_IN_HEADING.sub(_split_run_in, text)
    return text.strip()


def _normalise(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = text.replace("\u00a0", " ").replace("\u00ad", "").replace("\t", " ")
    text = _GPO_ENTITY.sub(_entity, text)
    text = _HIDDEN_EMAIL.sub(HIDDEN_EMAIL, text)
    text = text.replace("**", "").replace("__", "")
    out = []
    for line in text.split("\n"):
        if _RULE_LINE.match(line):
            line = ""
        line = _MD_HEADING.sub("", line)
        out.append(re.sub(r" {2,}", " ", line).strip())
    text = "\n".join(out)
    return _DROP_CAP.sub(_drop_cap, text)


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    char = html.unescape(f"&{name};")
    return char if char != f"&{name};" else match.group(0)


def _drop_cap(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2)


def _dehyphenate(text: str) -> str:
    vocabulary = set(re.findall(r"\b\w+-\w+\b", text.replace("-\n", "")))

    def join(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        # Keep the hyphen where the document spells the word with one elsewhere.
        if f"{left}-{right}" in vocabulary:
            return f"{left}-{right}"
        return left + right

    return _HYPHEN_BREAK.sub(join, text)


def is_question(line: str) -> bool:
    return line.endswith("?") and len(line.split()) >= 3


def is_headingish(line: str) -> bool:
    words = line.split()
    if not words or len(words) > 5 or line.endswith(_TERMINAL) or line.endswith(","):
        return False
    small = {"of", "the", "and", "for", "in", "to", "a", "an", "on", "at", "by"}
    return all(w[0].isupper() or w[0].isdigit() or w in small or not w[0].isalpha() for w in words)


def _is_wrapped(lines: list[str]) -> bool:
    """Whether the text was hard-wrapped (PDF extraction, plain-text notices): many lines go
    on in lowercase on the next line."""
    pairs = [(a, b) for a, b in pairwise(lines) if a and b and not _BULLET.match(b)]
    if not pairs:
        return False
    return sum(1 for _, b in pairs if b[0].islower()) / len(pairs) >= 0.3


def _continues(prev: str, line: str, wrapped: bool, width: int) -> bool:
    """Whether `line` continues the paragraph `prev` when no blank line separates them."""
    if _BULLET.match(line) or is_question(prev) or _MARKER.match(line):
        return False
    if prev.endswith(_TERMINAL) or prev.endswith("—"):
        # In wrapped text "46 U.S.C." / "70110, and ..." is an abbreviation cut by the wrap.
        starts_on = line[0].islower() or (wrapped and prev.endswith(".") and line[0].isdigit())
        return starts_on and not prev.endswith(("?", "!"))
    if wrapped or line[0].islower() or line[0] in "(,":
        return True
    # One-paragraph-per-line text: only a line as long as the widest was cut by a wrap.
    return len(prev) >= 0.8 * width and not is_headingish(prev)


def _continues_after_blank(prev: str, line: str) -> bool:
    """Whether a blank line interrupted an unfinished sentence or list item."""
    if prev.endswith(_TERMINAL) or is_question(prev) or _MARKER.match(line):
        return False
    return line[0].islower() or (_BULLET.match(prev) is not None and not _BULLET.match(line))


def _join_lines(lines: list[str], width: int) -> list[str]:
    """Join wrapped lines into paragraphs, one per line."""
    wrapped = _is_wrapped(lines)
    out: list[str] = []
    last = ""  # the previous raw line: wrap decisions look at it, not the joined paragraph
    blank_before = False
    for line in lines:
        if not line:
            blank_before = True
            continue
        if last and not blank_before:
            joined = _continues(last, line, wrapped, width)
        else:
            joined = bool(last) and _continues_after_blank(out[-1], line)
        if joined:
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
        last, blank_before = line, False
    return out


def _split_run_in(match: re.Match[str]) -> str:
    heading, question = match.group(1).strip(), match.group(2)
    if not heading:
        return match.group(0)
    return f"{heading}\n{question}"


def split_long_lines(text: str, limit: int) -> str:
    """Break every line longer than `limit` characters at the last sentence end (else the
    last space, else anywhere) before the limit. A file of one enormous line would otherwise
    be one paragraph that every later step scans again and again."""
    if all(len(line) <= limit for line in text.split("\n")):
        return text
    out: list[str] = []
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(". ", limit // 2, limit) + 1 or line.rfind(" ", limit // 2, limit)
            if cut <= 0:
                cut = limit
            out.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        out.append(line)
    return "\n".join(out)
