"""The query plan: what analysis found in a question, which every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Focus:
    """A word of what the question is about, with the stems that count as saying it (its
    own and those of the documents' words for it)."""

    word: str
    stems: frozenset[str]
    weight: float = 1.0  # its share in coverage, relative to a noun of the part itself
    spelled: frozenset[str] = frozenset()  # an acronym's spelt-out stems, all needed
    carried: bool = False  # from what a follow-up points back to, not the part's own words
    # An acronym the glossary does not define ("DHS"), as written: a sentence also holds
    # it by naming what it stands for ("Department of Homeland Security").
    acronym: str = ""


@dataclass
class PartPlan:
    """One part of a question (most questions have one)."""

    text: str  # the part as asked, spelling repaired
    query: str  # what retrieval searches: with follow-up context and the documents' words
    kind: str | None = None  # the kind of answer asked for: "date", "person", ... (kb.rules)
    strict: bool = False  # a sentence without that kind does not answer
    focus: list[Focus] = field(default_factory=list)  # what the part is about
    named: list[str] = field(default_factory=list)  # ids of documents it names
    unknown: list[str] = field(default_factory=list)  # names and numbers no document uses
    names: list[str] = field(default_factory=list)  # names it gives that documents use
    asked_words: frozenset[str] = frozenset()  # words of the part and its context, lower-case
    # Words that name no one to reach when a contact is asked for: the program's own name
    # (every document is the Coast Guard's; "The Coast Guard announces …" names no contact).
    known_words: frozenset[str] = frozenset()


@dataclass
class QueryPlan:
    """What a question asks, as analysed once and read by retrieval and composition."""

    question: str  # as the person typed it
    text: str  # cleaned (no markup), spelling repaired
    language: str = "en"  # ISO 639-1
    repairs: list[tuple[str, str]] = field(default_factory=list)  # (typed, read as)
    follow_up: bool = False
    context: str = ""  # what a follow-up points back to
    define: str | None = None  # an acronym the question asks to be spelt out
    parts: list[PartPlan] = field(default_factory=list)

    @property
    def readable(self) -> bool:
        """Whether the offline answerer can read the question (it reads English only)."""
        return self.language == "en"
