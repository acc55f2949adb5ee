"""Checks that catch questions the documents cannot answer even when similar-sounding
passages exist: a name, acronym or number the documents never use, or a question for an
amount of money that no chosen sentence states."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.index.lexical import terms
from kb.query.vocabulary import unexplained

_PROPER = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][A-Za-z0-9&-]*|[A-Z]{2,}[a-z]?)\b")
_NUMBER = re.compile(r"\b\d[\d,./-]*\d\b|\b\d\b")
_MONEY_QUESTION = re.compile(
    r"\b(salary|salaries|budget|cost|costs|price|fee|fees|fine|fines|penalty|penalties|"
    r"how much money|paid|pay|funding|spend|spent)\b", re.IGNORECASE,
)
_MONEY = re.compile(r"\$\s?\d|\b\d[\d,.]*\s*(?:dollars|million|billion|USD)\b", re.IGNORECASE)


def unknown_names(question: str, vocabulary: Iterable[str] | set[str]) -> list[str]:
    """Names, acronyms and numbers in `question` that no document contains."""
    vocab = vocabulary if isinstance(vocabulary, set) else set(vocabulary)
    text = unexplained(question)
    missing = []
    for word in _PROPER.findall(text) + _NUMBER.findall(text):
        found = terms(word)
        if found and not found <= vocab:
            missing.append(word)
    return missing


def lacks_amount(question: str, sentences: Iterable[str]) -> bool:
    """A question for an amount of money whose chosen sentences state none."""
    return bool(_MONEY_QUESTION.search(question)) and not any(
        _MONEY.search(s) for s in sentences
    )


# What kind of thing a question asks for, and how a sentence that gives it looks.
_PHONE = re.compile(r"\d{3}[ .)-]+\d{3}[ .-]\d{4}")
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|" \
          r"November|December)"
ANSWER_TYPES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "date": (
        re.compile(r"\b(when|what date|which date|what year|which year|what month|"
                   r"since when|effective|take effect|took effect)\b", re.IGNORECASE),
        re.compile(rf"\b{_MONTHS}\b|\b(?:19|20)\d\d\b"),
    ),
    "frequency": (
        re.compile(r"\bhow often\b|\bhow frequently\b", re.IGNORECASE),
        re.compile(r"\b(annual(?:ly)?|once|twice|times an? |per (?:day|week|month|year)|"
                   r"yearly|(?:bi|tri)ennial(?:ly)?|daily|weekly|monthly|quarterly|"
                   r"every (?:\w+ )?(?:days?|weeks?|months?|years?))\b", re.IGNORECASE),
    ),
    "count": (
        re.compile(r"\bhow many\b|\bnumber of\b", re.IGNORECASE),
        re.compile(r"\b\d+\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozens?|"
                   r"hundreds?)\b", re.IGNORECASE),
    ),
    "contact": (
        re.compile(r"\b(contact|phone|telephone|call|ring|e-?mail|reach)\b", re.IGNORECASE),
        re.compile(rf"{_PHONE.pattern}|@|\bcontact\b", re.IGNORECASE),
    ),
    "address": (
        re.compile(r"\b(web ?address|web ?site|web ?page|url|link)\b", re.IGNORECASE),
        re.compile(r"\bwww\.|https?://|\b[\w-]+\.(?:gov|mil|org|com|net)\b", re.IGNORECASE),
    ),
}


# Kinds of answer a question asks for so plainly ("how often", "how many", "on what date")
# that chosen sentences without one do not answer it, however close their words are.
REQUIRED_TYPES = {
    "frequency": re.compile(r"\bhow (?:often|frequently)\b", re.IGNORECASE),
    "count": re.compile(r"\bhow many\b", re.IGNORECASE),
    "date": re.compile(r"\b(?:on|by|from) (?:what|which) date\b|\b(?:what|which) year\b"
                       r"|\bwhen (?:did|was|were)\b", re.IGNORECASE),
    "phone": re.compile(r"\b(?:phone|telephone|toll[- ]free) number\b|\bnumber should \w+ call\b",
                        re.IGNORECASE),
    "address": re.compile(r"\b(?:what|which) (?:web ?address|web ?site|url|link)\b",
                          re.IGNORECASE),
}
# A count is a number that is not a year and not part of a code ("LANT-51", "CG-PSA-1").
_COUNT = re.compile(r"(?<![\w-])(?!(?:19|20)\d\d\b)\d[\d,]*(?![\w-])|\b(one|two|three|four|"
                    r"five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|"
                    r"thousands?)\b", re.IGNORECASE)
# How a sentence looks that gives each required kind.
_REQUIRED_GIVES = {**{k: v[1] for k, v in ANSWER_TYPES.items()}, "count": _COUNT, "phone": _PHONE}


def required_patterns(question: str) -> list[re.Pattern[str]]:
    """How a sentence looks that gives what `question` plainly asks for ("how often": a
    frequency, ...); [] when it asks for no particular kind. A sentence without it does not
    answer the question, however close its words are."""
    return [_REQUIRED_GIVES[kind] for kind, asks in REQUIRED_TYPES.items()
            if asks.search(question)]


def asked_types(question: str) -> list[re.Pattern[str]]:
    """How a sentence looks that gives what `question` asks for (a date for "when", a
    number for "how many", ...); [] when it asks for no particular kind."""
    return [gives for asks, gives in ANSWER_TYPES.values() if asks.search(question)]


def gives_any(patterns: list[re.Pattern[str]], sentence: str) -> bool:
    """Whether `sentence` holds what one of `asked_types` looks for."""
    return any(p.search(sentence) for p in patterns)


def gives_all(patterns: list[re.Pattern[str]], sentence: str) -> bool:
    """Whether `sentence` holds everything `required_patterns` asks for."""
    return all(p.search(sentence) for p in patterns)
