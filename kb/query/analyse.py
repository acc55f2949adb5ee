"""Question analysis: `Analyser.analyse(question, history) -> QueryPlan`.

Reads a question once: its language, its spelling, its parts, what each part asks for
(from spaCy's parse: the wh-word and the head noun), what it is about, which documents it
names, and what a follow-up points back to. Retrieval and composition read the plan.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from kb import rules
from kb.errors import QuestionError
from kb.index.lexical import plain_words, terms
from kb.nlp import Pipeline
from kb.query.kinds import WH_TAGS, answer_kind, askers_verb
from kb.query.language import LanguageDetector
from kb.query.naming import DocumentNames
from kb.query.parts import Turn, earlier_subject, is_follow_up, split_question
from kb.query.plan import Focus, PartPlan, QueryPlan
from kb.query.spelling import Speller
from kb.query.vocabulary import Synonyms, everyday

_TAG = re.compile(r"<[^>]{0,500}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str, limit: int) -> str:
    """The text to read: no markup, no control characters, sane length."""
    plain = " ".join(_CONTROL.sub(" ", html.unescape(_TAG.sub(" ", text))).split())
    if not plain:
        # Someone who typed "<img src=x>" did type something: say what was dropped.
        raise QuestionError("the question holds only markup (HTML tags), no words: type it "
                            "as plain text" if _TAG.search(text) else "the question is empty")
    text = plain
    if len(text) > limit:
        raise QuestionError(f"the question is {len(text)} characters long; the limit is "
                            f"{limit}: ask about one thing at a time")
    return text


class Analyser:
    """Holds what analysis needs of the index: the documents' names, words and acronyms."""

    def __init__(self, nlp: Pipeline, names: DocumentNames, vocabulary: set[str],
                 corpus_words: Collection[str], glossary: Mapping[str, str],
                 naming_terms: dict[str, set[str]], max_chars: int, program: str = "") -> None:
        self.nlp = nlp
        self.names = names
        self.vocabulary = vocabulary
        self.speller = Speller(corpus_words)
        self.detector = LanguageDetector(lambda: self.speller.english_words, nlp.language)
        self.glossary = {t.upper(): t for t in glossary}
        # An acronym is held by a sentence that spells it out ("IPS" by "International Port
        # Security"): the stems of each defined term's expansion.
        self.spelled = {t.lower(): frozenset(terms(e)) for t, e in glossary.items()}
        self.naming_terms = naming_terms
        self.max_chars = max_chars
        self.program_words = plain_words(program) | rules.NAME_JOINERS

    def analyse(self, question: str, history: Sequence[Turn] = (),
                synonyms: Synonyms | None = None) -> QueryPlan:
        """The plan of `question`; raises QuestionError when it is empty or too long.
        `synonyms`: the documents' words for everyday words (default `kb.rules.SYNONYMS`)."""
        table = everyday() if synonyms is None else synonyms
        text = clean(question, self.max_chars)
        plan = QueryPlan(question=question.strip(), text=text, language=self.detector.detect(text))
        if not plan.readable:
            return plan
        plan.text, plan.repairs = self.speller.repair(text)
        framing = rules.FRAMING.match(plan.text)
        if framing:  # "A shipping agent asks: …": who asks, not what
            plan.text = plan.text[framing.end():]
        plan.define = self._defined_term(plan.text)
        plan.follow_up = is_follow_up(plan.text, history)
        plan.context = earlier_subject(history) if plan.follow_up else ""
        pieces = split_question(plan.text)
        for i, piece in enumerate(pieces):
            # A later part that points back ("and in which division did that person work?")
            # is read with the part before it, as a follow-up is read with its history.
            context = plan.context
            if i and is_follow_up(piece, pieces[:i]):
                context = pieces[i - 1]
            plan.parts.append(self._part(piece, context, table))
        return plan

    def warm_up(self) -> None:
        """Load what analysis loads on first use (spaCy, the spelling index, the language
        models), so that the first asker does not wait for it."""
        self.nlp.parse("How often are visits made?")
        self.speller.load()
        self.detector.detect("How often are visits made?")

    def _defined_term(self, text: str) -> str | None:
        match = rules.DEFINITION_QUESTION.search(text)
        if not match:
            return None
        term = match.group("term") or match.group("term2") or ""
        return self.glossary.get(term.upper())

    def _part(self, text: str, context: str, synonyms: Synonyms) -> PartPlan:
        asked = f"{context} {text}" if context else text
        named = self.names.named_in(asked)
        doc = self.nlp.parse(text)
        kind, strict = answer_kind(doc)
        introduced = introduction_end(doc)
        own = focus_of(doc, kind, self.vocabulary, self.spelled, synonyms, introduced)
        earlier_doc = self.nlp.parse(context) if context else None
        earlier = [replace(f, carried=True)
                   for f in focus_of(earlier_doc, None, self.vocabulary, self.spelled,
                                     synonyms, introduction_end(earlier_doc))
                   ] if earlier_doc is not None else []
        skip = set().union(*(self.naming_terms.get(d, set()) for d in named))
        focus: dict[str, Focus] = {}
        for f in [*own, *earlier]:  # a word of the part itself keeps its own weight
            if not f.stems <= skip:
                focus.setdefault(f.word, f)
        return PartPlan(
            text=text, query=synonyms.expand(asked), kind=kind, strict=strict,
            focus=list(focus.values()), named=named,
            unknown=[*unknown_names(_asked_beyond_the_asker(doc, introduced), self.vocabulary,
                                    synonyms),
                     *self.names.missing_subdivisions(text, named)],
            names=known_names(text, self.vocabulary, skip),
            asked_words=plain_words(asked),
            known_words=self.program_words if kind == "contact" else frozenset())


def focus_of(doc: Any, kind: str | None, vocabulary: set[str],
             spelled: Mapping[str, frozenset[str]], synonyms: Synonyms,
             introduced: int) -> list[Focus]:
    """The words a question is about: its nouns, adjectives, numbers and verbs (those the
    documents never use weigh little); less the words of asking, the words that ask for the
    kind of answer and the words that only qualify it. The words before `introduced` (the
    asker's introduction, see `introduction_end`) weigh as the asker's own."""
    out = []
    reaching = kind == "contact"
    for tok in doc:
        word = tok.lower_
        if (not tok.is_alpha and not tok.like_num) or tok.is_stop or word in rules.QUESTION_WORDS:
            continue
        if (word in rules.HEDGE_WORDS or word in rules.GENERIC_WORDS
                or word in rules.COMPARISON_WORDS or tok.tag_ in WH_TAGS):
            continue
        if reaching and word in rules.ASKER_NEEDS:
            continue  # "whom should I contact with questions about ...": words of asking
        verb = tok.pos_ not in rules.FOCUS_POS
        if verb and tok.pos_ not in rules.VERB_POS:
            continue
        if kind and (rules.NOUN_KINDS.get(word) == kind or word in rules.TIME_UNITS
                     or word in ("number", "address")):
            continue  # the kind check asks for it: "which year", "how many days"
        if reaching and any(c.lower_ == "contact" for c in tok.children):
            continue  # the "person" of "the contact person" is the kind asked for too
        stems = terms(word)
        if not stems:
            continue
        extra = synonyms.alternatives(word)
        askers = tok.idx < introduced or _askers_own(tok) or (reaching and askers_verb(tok))
        weight = (rules.FOCUS_WEIGHT_ASKER if askers
                  else rules.FOCUS_WEIGHT_UNUSED_VERB if verb and not stems <= vocabulary
                  else rules.FOCUS_WEIGHT_VERB if tok.pos_ == "VERB"
                  else rules.FOCUS_WEIGHT_CATEGORY if _category(tok) else 1.0)
        defined = spelled.get(word, frozenset())
        acronym = tok.text if not defined and rules.ACRONYM.fullmatch(tok.text) else ""
        out.append(Focus(word, frozenset(stems | (terms(extra) if extra else set())), weight,
                         defined, acronym=acronym))
    return out


def _category(tok: Any) -> bool:
    """Whether `tok` is the noun a wh-word determines ("in what circumstance", "which
    provision"): the category of the answer, which names an instance of it."""
    return any(c.dep_ == "det" and c.tag_ in WH_TAGS for c in tok.children)


def _askers_own(tok: Any) -> bool:
    """Whether `tok` belongs to a phrase the asker owns: "our port staff" (the noun or a word
    modifying it)."""
    phrase = tok.head if tok.dep_ in ("compound", "amod", "nmod") else tok
    return any(c.dep_ == "poss" and c.lower_ in rules.ASKER_POSSESSIVES
               for c in phrase.children)


def introduction_end(doc: Any) -> int:
    """Where the asker's introduction of themselves ends ("I work for ... ."), 0 if none."""
    introduction = rules.SELF_INTRODUCTION.match(doc.text)
    return introduction.end() if introduction else 0


def _asked_beyond_the_asker(doc: Any, introduced: int) -> str:
    """The question without the asker's introduction of themselves (ending at `introduced`),
    unless it asks about their own things: "We are from Ghana, what will we do on a visit?"
    asks nothing of Ghana (the documents need not name it); "We are from Ghana, is our
    country on the list?" does."""
    if not introduced or any(_askers_own(tok) for tok in doc if tok.idx >= introduced):
        return str(doc.text)
    return str(doc.text[introduced:])


def unknown_names(question: str, vocabulary: set[str], synonyms: Synonyms) -> list[str]:
    """Names, acronyms and numbers in `question` that no document contains."""
    text = synonyms.unexplained(question)
    missing = []
    for word in rules.PROPER_NAME.findall(text) + rules.NUMBER.findall(text):
        found = terms(word)
        if found and not found <= vocabulary:
            missing.append(word)
    return missing


def known_names(question: str, vocabulary: set[str], skip: set[str]) -> list[str]:
    """Names in `question` that the documents contain, each run of capitalised words one
    name ("Equatorial Guinea", "Liberia"), but for those naming a document the question
    names (`skip`: that document's words)."""
    runs: list[list[Any]] = []
    for m in rules.PROPER_NAME.finditer(question):
        if runs and question[runs[-1][-1].end():m.start()] == " ":
            runs[-1].append(m)
        else:
            runs.append([m])
    out: list[str] = []
    for run in runs:
        name = question[run[0].start():run[-1].end()]
        found = terms(name)
        if found and found <= vocabulary and not found <= skip and name not in out:
            out.append(name)
    return out
