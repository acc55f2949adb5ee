"""Reading what a language model replied, tolerantly: the JSON object the prompt asks for,
wrapped in a code fence or prose or not; JSON with other key names; or plain lines of
sentences ending in [n] with the quotes listed after them. Whatever cannot be read gives
no sentences, which the checks then treat as a failed answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

MARKERS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# "[2] "quote"" or "[2]: quote" on a line of its own: the plain-text way of giving a quote.
_QUOTE_LINE = re.compile(r"^\s*[-*]?\s*\[(\d+)\]\s*:?\s*[\"“']?(.+?)[\"”']?\s*$")
_UNANSWERABLE = re.compile(r"\b(?:not answerable|cannot be answered|do not answer|"
                           r"does not answer|no answer in the passages)\b", re.IGNORECASE)
# A text field of the JSON reply, possibly not closed yet: what streams to the screen.
_TEXT_FIELD = re.compile(r'"(?:text|sentence)"\s*:\s*"((?:[^"\\]|\\.)*)')


@dataclass
class Quote:
    passage: int
    text: str


@dataclass
class Claim:
    """One sentence of the model's answer and the quotes it gave for it."""

    text: str  # as written, markers included
    quotes: list[Quote] = field(default_factory=list)

    @property
    def markers(self) -> list[int]:
        return [int(n) for group in MARKERS.findall(self.text)
                for n in re.split(r"\s*[,;]\s*", group)]

    @property
    def body(self) -> str:
        """The sentence without its markers."""
        return " ".join(MARKERS.sub("", self.text).split())


@dataclass
class Reply:
    answerable: bool
    claims: list[Claim]


def parse(raw: str) -> Reply:
    """The reply as claims; `answerable` is False only when the model says so."""
    data = _json_object(raw)
    if isinstance(data, dict):
        return _from_json(data)
    return _from_lines(raw)


def preview(raw: str) -> str:
    """What of a reply still arriving can be shown: its sentences' text so far."""
    found = []
    for match in _TEXT_FIELD.finditer(raw):
        try:
            found.append(json.loads(f'"{match.group(1)}"'))
        except json.JSONDecodeError:  # cut inside an escape
            found.append(match.group(1).rstrip("\\"))
    if found:
        return " ".join(found)
    return "" if raw.lstrip().startswith(("{", "`")) else raw.split("\n[", 1)[0]


def _json_object(raw: str) -> Any:
    text = raw.strip()
    start = text.find("{")
    end = text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        return json.loads(text[start:end + 1])
    except json.JSONDecodeError:
        return None


def _from_json(data: dict[str, Any]) -> Reply:
    items = data.get("sentences", data.get("answer", []))
    if isinstance(items, str):
        items = [items]
    claims = [c for c in (_claim(item) for item in items if item) if c is not None] \
        if isinstance(items, list) else []
    answerable = data.get("answerable", True)
    if isinstance(answerable, str):
        answerable = answerable.strip().lower() not in ("false", "no", "0")
    return Reply(bool(answerable), claims)


def _claim(item: Any) -> Claim | None:
    if isinstance(item, str):
        return Claim(item)
    if not isinstance(item, dict):
        return None
    text = item.get("text", item.get("sentence", ""))
    if not isinstance(text, str) or not text.strip():
        return None
    quotes = item.get("quotes", item.get("citations", []))
    if isinstance(quotes, dict):
        quotes = [quotes]
    found = [q for q in (_quote(x) for x in quotes if x) if q is not None] \
        if isinstance(quotes, list) else []
    if not found and isinstance(item.get("quote"), str):
        found = [Quote(n, item["quote"]) for n in Claim(text).markers[:1]]
    return Claim(text.strip(), found)


def _quote(item: Any) -> Quote | None:
    if not isinstance(item, dict):
        return None
    n = item.get("passage", item.get("n", item.get("id")))
    text = item.get("quote", item.get("text"))
    try:
        number = int(str(n).strip("[] "))
    except (TypeError, ValueError):
        return None
    return Quote(number, text) if isinstance(text, str) else None


def _from_lines(raw: str) -> Reply:
    """Plain text: sentences ending in [n], then "[n] "quote"" lines."""
    claims: list[Claim] = []
    quotes: dict[int, list[str]] = {}
    for line in raw.splitlines():
        quoted = _QUOTE_LINE.match(line)
        if quoted and line.strip().startswith(("[", "-", "*")):
            quotes.setdefault(int(quoted.group(1)), []).append(quoted.group(2))
            continue
        for sentence in re.findall(r"[^.!?]*[.!?]?\s*(?:\[\d+(?:\s*[,;]\s*\d+)*\])+", line):
            if sentence.strip():
                claims.append(Claim(sentence.strip()))
    for claim in claims:
        claim.quotes = [Quote(n, q) for n in claim.markers for q in quotes.get(n, [])]
    if not claims and _UNANSWERABLE.search(raw):
        return Reply(False, [])
    return Reply(True, claims)
