"""What a question asks for: the kind of answer, read from spaCy's parse of the wh-word and
the word it modifies or the head noun (`kb.rules.WH_KINDS`, `kb.rules.NOUN_KINDS`)."""

from __future__ import annotations

from typing import Any

from kb import rules

WH_TAGS = frozenset({"WRB", "WP", "WP$", "WDT"})


def answer_kind(doc: Any) -> tuple[str | None, bool]:
    """What a question asks for, and whether a sentence must state it: from the wh-word and
    the word it modifies ("how long" -> duration), or the head noun ("which year" -> date,
    "the e-mail address" -> email)."""
    words = {t.lower_ for t in doc}
    for tok in doc:
        if tok.tag_ not in WH_TAGS or not _asks(tok):
            continue
        word = tok.lower_
        nxt = doc[tok.i + 1].lower_ if tok.i + 1 < len(doc) else ""
        kind = rules.WH_KINDS.get((word, nxt)) or rules.WH_KINDS.get((word, ""))
        if kind == "count" and tok.i + 2 < len(doc) and doc[tok.i + 2].lower_ in rules.TIME_UNITS:
            kind = "duration"  # "how many days"
        if kind == "amount":
            kind = "money" if words & rules.MONEY_WORDS else "count"
        named = _noun_kind(_asked_nouns(tok)) if word in ("what", "which") or kind is None \
            else None
        kind = named or kind
        if kind == "agent" and _asks_identity(tok):
            # "Who is the head of ...": a name, not a description; "who is the contact
            # (person) for ...": whom to reach, named or by office or number.
            return ("contact" if _the_contact(tok) else "person"), True
        if kind == "agent" and _reaching(tok):
            return "contact", True  # "whom should we ask": someone to reach
        return kind, kind in rules.STRICT_KINDS or (
            word in ("what", "which") and named in rules.NAMED_KINDS)
    roots = [t for t in doc if t.dep_ == "ROOT"]
    # "Is there a fee?", "Give me the e-mail address": the root's subject or object.
    kind = _noun_kind([c for r in roots for c in r.children if c.dep_ in _ARGUMENTS])
    return kind, kind in rules.STRICT_KINDS


_ARGUMENTS = frozenset({"nsubj", "nsubjpass", "attr", "dobj", "pobj"})


def _asked_nouns(wh: Any) -> list[Any]:
    """The nouns a "what" or "which" asks about: the one it determines ("which year"), else
    the subject or attribute of the verb it is the attribute or subject of ("what is the
    e-mail address"). Asked as an object, it asks for what the verb acts on, not for its
    subject: "what can a country expect?" does not ask for a country."""
    if wh.dep_ == "det":
        return [wh.head]
    if wh.dep_ not in ("attr", "nsubj", "nsubjpass"):
        return []
    return [c for c in wh.head.children if c.dep_ in _ARGUMENTS and c is not wh]


def _asks(wh: Any) -> bool:
    """Whether a wh-word asks (it opens its clause, after prepositions or "and" at most) or
    joins a clause ("... when it gets to the US")."""
    j = wh.i - 1
    while j >= 0 and wh.doc[j].pos_ in rules.WH_LEAD_POS:
        if wh.doc[j].text in ",;:?":
            return True
        j -= 1
    return j < 0


def _noun_kind(nouns: list[Any]) -> str | None:
    """The kind the first of `nouns` that names one (`rules.NOUN_KINDS`) asks for."""
    for tok in nouns:
        if tok.pos_ not in ("NOUN", "PROPN"):
            continue
        kind = rules.NOUN_KINDS.get(tok.lower_) or rules.NOUN_KINDS.get(tok.lemma_.lower())
        if kind is None and tok.lower_ == "number":
            before = {c.lower_ for c in tok.children if c.dep_ in ("compound", "amod")}
            kind = "phone" if before & {"phone", "telephone", "contact"} else "count"
        if kind == "address":
            before = {c.lower_ for c in tok.children if c.dep_ in ("compound", "amod", "nmod")}
            kind = next((rules.ADDRESS_KINDS[b] for b in before if b in rules.ADDRESS_KINDS),
                        "address")
        if kind is not None:
            return kind
    return None


def _asks_identity(wh: Any) -> bool:
    """"Who is the X?" asks for X's name: the wh-word is the attribute of "be", whose subject
    is a noun, or a title with a determiner ("the Commandant")."""
    head = wh.head
    return head.lemma_ == "be" and any(
        c.dep_ in ("nsubj", "attr") and c.i != wh.i and (
            c.pos_ == "NOUN" or (c.pos_ == "PROPN" and _determined(c)))
        for c in head.children)


def _the_contact(wh: Any) -> bool:
    """Whether "who is the X?" asks for a contact: X is "contact" or a "contact person"."""
    return any(c.dep_ in ("nsubj", "attr") and c.i != wh.i and (
        c.lemma_.lower() == "contact"
        or any(m.lower_ == "contact" and m.dep_ in ("compound", "amod") for m in c.children))
        for c in wh.head.children)


def _determined(tok: Any) -> bool:
    """Whether a name has a determiner: "the Commandant" is a title, "Juliet Hudson" a name."""
    return any(c.dep_ == "det" for c in tok.children)


def askers_verb(tok: Any) -> bool:
    """Whether `tok` is a verb the asker is the subject of ("do we contact", "can I call")."""
    return tok.pos_ == "VERB" and any(
        c.dep_ == "nsubj" and c.lower_ in rules.ASKER_PRONOUNS for c in tok.children)


def _reaching(wh: Any) -> bool:
    """Whether "who" asks whom the asker should reach: it is not the subject, and a verb it
    hangs from has the asker for its subject ("whom should I ask", "who do we contact for
    that", "who should I talk to"; not "who pays when we visit?")."""
    if wh.dep_ in ("nsubj", "nsubjpass"):
        return False
    tok = wh
    while tok.head.i != tok.i:
        tok = tok.head
        if askers_verb(tok):
            return True
    return False
