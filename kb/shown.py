"""Text from outside (file names, questions) made safe to put in a message or a log line."""

from __future__ import annotations

import unicodedata

ECHO_CHARS = 80  # how much of a person's input an error message quotes back
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def escaped(text: str) -> str:
    """`text` with control and other invisible characters written as escapes (a newline as
    ``\\n``), so that a file name cannot fake a line of output or hide what it is; letters
    of any script stay as they are."""
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escape(c) for c in text)


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    if char == " " or not unicodedata.category(char).startswith(("C", "Z")):
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def excerpt(text: str, limit: int = ECHO_CHARS) -> str:
    """The first `limit` characters of `text`, escaped, marked when cut: what an error
    message may quote of an input that could be megabytes long."""
    cut = len(text) > limit
    return escaped(text[:limit]) + ("\u2026" if cut else "")
