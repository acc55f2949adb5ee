"""The words people ask with versus the words the documents use.

Delegates write British English and everyday words ("harbour", "ring", "the Americans");
the program documents say "port", "phone", "United States". A question is searched with
the documents' words added, so that keyword search and sentence choice can find them.
"""

from __future__ import annotations

import re

# (pattern in the question, words the documents use for it)
SYNONYMS: list[tuple[str, str]] = [
    (r"harbou?rs?|seaports?", "port"),
    (r"programme", "program"),
    (r"ring|call|telephone|phone number|number", "phone contact"),
    (r"americans?|america|the states|the us|usa", "United States U.S."),
    (r"ships?|boats?", "vessel"),
    (r"rules?|restrictions?", "conditions requirements"),
    (r"fix|repair|improve", "correct improve"),
    (r"weak ?spots?|weaknesses|gaps|problems|flaws", "deficiencies weaknesses"),
    (r"check(?:s|ing|ed)?|inspect(?:s|ion|ions|ing)?|audit(?:s|ing)?",
     "assess assessment evaluate"),
    (r"visitors?|team|inspectors?", "visit delegation"),
    (r"turn(?:ed)? (?:\w+ ){0,2}away|refuse|ban|block", "deny entry"),
    (r"tell|inform|let (?:\w+ )?know|warn", "notify"),
    (r"cabinet (?:officials?|members?|secretar(?:y|ies))", "Secretary"),
    (r"hurt|harm|affect|impact|consequences?", "result costs delays"),
    (r"jobs?|tasks?|duty|duties|whose idea", "responsibility delegated"),
    (r"staff|personnel|employees|people", "workforce officers"),
    (r"loosen(?:ed)?|lift(?:ed)?|eas(?:e|ed)|relax(?:ed)?", "remove modify exception"),
    (r"trip|exchange|come over|fly over", "reciprocal visit"),
    (r"teach|teaching|courses?|workshops?", "training"),
    (r"stationed|based|located|offices?", "workforce located"),
    (r"in charge|runs?|boss|manages?|leads?", "program manager"),
    (r"laws?|statutes?|legislation", "act section code"),
    (r"coronavirus|covid|pandemic", "COVID-19 pandemic"),
    (r"yearly", "annual"),
    (r"customs", "Customs and Border Protection CBP"),
    (r"ivory coast", "Côte d'Ivoire"),
    (r"walk (?:\w+ )?around|show (?:\w+ )?around|escort", "tour alongside"),
    (r"who do (?:i|we) (?:ask|contact)|who can help", "contact questions"),
]
_COMPILED = [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), words) for p, words in SYNONYMS]


def expand(question: str) -> str:
    """`question` with the documents' words for its everyday words appended."""
    extra = [words for pattern, words in _COMPILED if pattern.search(question)]
    return f"{question} {' '.join(extra)}" if extra else question


def unexplained(question: str) -> str:
    """`question` without the everyday words `expand` knows the documents' words for."""
    for pattern, _ in _COMPILED:
        question = " ".join(pattern.sub(" ", question).split())
    return question
