"""The parts of a question that asks two things, and the context a follow-up points back to."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb import rules
from kb.models import CANNOT_ANSWER, NOT_STATED

# A turn of history: a plain earlier question, or a (question, answer) pair.
Turn = str | tuple[str, str]

# "X, and when did Y?": a joining "and" before a new wh-word or auxiliary starts a new part.
_PART_BREAK = re.compile(
    r"(?:,\s*|\s+)and\s+(?=(?:how|what|when|where|which|who|whom|why|under|is|are|does|"
    r"do|did|can|(?:on|to|for|with|by|through|at|in|from|of|since|under) (?:what|which|whom))\b)",
    re.IGNORECASE,
)
_AFTER_QUESTION = re.compile(r"(?<=\?)\s+(?=\S)")
_MARKER = re.compile(r"\s*\[\d+(?:, \w+)?\]")


def split_question(question: str) -> list[str]:
    """The parts of a question that asks two things ("When X, and who Y?")."""
    asked: list[str] = []
    for piece in _AFTER_QUESTION.split(question):
        # A remark after a question ("The FAQ and the brochure differ.") qualifies it.
        if asked and not piece.rstrip().endswith("?"):
            asked[-1] += f" {piece}"
        else:
            asked.append(piece)
    parts = [p.strip(" ,;") for a in asked for p in _PART_BREAK.split(a)]
    parts = [p for p in parts if len(p.split()) >= 3]
    return parts if len(parts) > 1 else [question]


def is_follow_up(question: str, history: Sequence[Turn]) -> bool:
    """Whether `question` continues the conversation rather than starting a new subject."""
    return bool(history) and len(question.split()) <= rules.FOLLOW_UP_MAX_WORDS and bool(
        rules.FOLLOW_UP.search(question))


def earlier_subject(history: Sequence[Turn]) -> str:
    """What the conversation was about: the earlier question and the first sentence of the
    answer it got (an abstention says nothing about the subject). Neither who asked it ("A
    caller asks: …") nor the label of the part of a document the sentence opens
    ("SUMMARY: …") is the subject."""
    last = history[-1]
    question, answer = (last, "") if isinstance(last, str) else last
    question = " ".join(question.split())
    framing = rules.FRAMING.match(question)
    if framing:
        question = question[framing.end():]
    first = _MARKER.split(answer.split("\n")[0], maxsplit=1)[0] if answer else ""
    if first.startswith((CANNOT_ANSWER, NOT_STATED)):
        first = ""
    label = rules.LABELLED_ITEM.match(first)
    if label:
        first = first[label.end():]
    return " ".join(f"{question} {first}".split())
