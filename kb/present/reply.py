"""Help-desk reply drafts: an answer as a plain-text email that a person checks and sends.

Staff send replies under their own name, so the draft carries the answer's verbatim source
sentences with their references and leaves the judgment to them: whatever should not go out
unread (a historical or excerpted source, a part of the question the documents did not
answer, a related answer that does not state what was asked, an abstention) is listed under
"Check before sending:", which comes first, above the email, to be read before anything else
and deleted before sending.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from kb.answer.cite import NO_CONTACT
from kb.answer.contact import contact_text
from kb.models import Answer, AnswerSentence, Citation

WIDTH = 78  # short enough that mail clients wrapping at 80 leave the draft's lines alone
INDENT = "    "
# textwrap breaks only at ASCII whitespace, so this keeps a marker on its sentence's line,
# a dash on the title before it and a status flag in one piece.
_GLUE = "\u00a0"
_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # ASCII only: str.split() would drop the glue

GREETING = "Dear colleague,"
LEAD_IN = "Thank you for your question. This is what the IPS Program documents say:"
# A related answer quotes passages that do not state what was asked: the email must not
# present them as the answer, even once the check list above it is deleted.
RELATED_LEAD_IN = ("Thank you for your question. The IPS Program documents do not state this "
                   "directly; the closest passages say:")
ABSTAIN_LEAD_IN = "Thank you for your question about the International Port Security Program."
NOT_ANSWERED = "The International Port Security Program documents do not answer this question."
ASK_CONTACT = "The program contact below can help with it."
ASK_CONTACTS = "The program contacts below can help with it."
NOT_ANSWERED_PART = "The program documents do not answer this part of your question:"
REFERENCES = "References"
CONTACT = "Program contact"
CONTACTS = "Program contacts"
CHECK = "Check before sending:"
# Between the check list and the email: what to cut before the email goes out.
CUT = "-- delete everything above this line before sending --"
GIVEN_IN = "as given in"
SIGN_OFF = ("Kind regards,", "[Your name]")

FLAGS = {"historical": "(historical document)", "excerpt": "(excerpt)"}
# Why a non-current source matters, completing "<source> ..." in the check list.
STATUS_CHECKS = {
    "historical": "is a historical document: it may be superseded or dated, so do not "
    "present it as current guidance.",
    "excerpt": "is an excerpt: only part of the document was available, so the full text "
    "may say more or qualify it.",
}
CHECK_ABSTAINED = ("The documents did not answer this question: a person must answer it "
                   "or refer it to the program contact.")
CHECK_UNCOVERED = ("The documents did not cover: \u201c{part}\u201d The draft says so; "
                   "answer that part yourself if you can.")
CHECK_RELATED = ("The documents do not state what was asked ({reason}); the draft quotes "
                 "the closest passages only: say so in the reply or answer it yourself.")
CHECK_CUT_OFF = ("The last sentence quoted from [{n}] stops mid-way, where the copy kept ends: "
                 "read the full document before sending it.")
CHECK_NOTHING = "Nothing to check: every sentence comes from a current source."
CHECK_WRITTEN = ("A language model wrote these sentences; each was checked against the words "
                 "it quotes, not for what it leaves out: read the references before sending.")

# A sentence opening that leans on an earlier one, which a draft cannot open with:
# "In addition, the Coast Guard ..." is quoted as "[T]he Coast Guard ...".
_LEANING = re.compile(r"^(?:in addition|additionally|also|furthermore|moreover|however|"
                      r"therefore|as a result|for this reason|likewise|similarly),\s+(\w)",
                      re.IGNORECASE)


def draft_reply(answer: Answer, contacts: Sequence[Citation]) -> str:
    """A plain-text email draft of `answer` for help-desk staff to check, sign and send.

    `contacts` are the program contacts (as `KnowledgeBase.contacts()` gives them). An
    abstention cites nothing but them.
    """
    contacts = list(contacts)
    # With no sentence there is nothing to quote: the reply says so like an abstention.
    abstained = answer.abstained or not answer.sentences
    references = contacts if abstained else answer.citations
    sections = [_check_list(answer, references, contacts, abstained), [CUT], [GREETING]]
    if abstained:
        sections += [[ABSTAIN_LEAD_IN], _abstention(contacts)]
    else:
        lead = RELATED_LEAD_IN if answer.hedged else LEAD_IN
        sections += [_wrap(lead), _answer_paragraph(answer)]
        if answer.uncovered:
            sections.append([line for part in answer.uncovered
                             for line in _wrap(f"{NOT_ANSWERED_PART} \u201c{part}\u201d")])
    if references:
        sections.append([REFERENCES, *(line for c in references
                                       for line in _reference(c, abstained))])
    sections.append(_contact_lines(contacts))
    sections.append(list(SIGN_OFF))
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    """`text` with whitespace collapsed, wrapped; long words (addresses) are never split."""
    return textwrap.wrap(
        _SPACES.sub(" ", text).strip(), WIDTH, initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    )


def _answer_paragraph(answer: Answer) -> list[str]:
    # Only the number: whether a source is historical or an excerpt is for the sender to
    # weigh (the check list says so), not a label for the reader.
    text = " ".join(
        f"{' '.join(_opening(s, i).split())}{_GLUE}[{s.citation}]"
        for i, s in enumerate(answer.sentences))
    return [line.replace(_GLUE, " ") for line in _wrap(text)]


def _opening(sentence: AnswerSentence, i: int) -> str:
    """The sentence as quoted; the first one without a connective that would refer to
    text the reader never sees, the change marked as quotations mark it."""
    if i:
        return sentence.text
    return _LEANING.sub(lambda m: f"[{m.group(1).upper()}]", sentence.text.lstrip(), count=1)


def _abstention(contacts: list[Citation]) -> list[str]:
    text = NOT_ANSWERED
    if contacts:
        text += " " + (ASK_CONTACT if len(contacts) == 1 else ASK_CONTACTS)
    return _wrap(text)


def _title(citation: Citation) -> str:
    return citation.title or citation.source


def _reference(citation: Citation, contact: bool = False) -> list[str]:
    head = f"[{citation.n}] {_title(citation)}"
    # A contact's location is where its page shows it ("Brunssum, The Netherlands"), which
    # is not where the contact is: left out. A wrapped line should not open with the dash.
    if citation.location and not contact:
        head += f"{_GLUE}\u2014 {citation.location}"
    if citation.status in FLAGS:
        head += " " + FLAGS[citation.status].replace(" ", _GLUE)
    lines = [line.replace(_GLUE, " ") for line in _wrap(head, rest=INDENT)]
    if citation.url:
        lines.append(INDENT + citation.url)
    return lines


def _contact_lines(contacts: list[Citation]) -> list[str]:
    if not contacts:
        return [CONTACT, NO_CONTACT]
    lines = [CONTACT if len(contacts) == 1 else CONTACTS]
    for contact in contacts:
        # Named by who answers, not by the page the number was found on.
        source = f"({GIVEN_IN} {_title(contact)}"
        source += f", {FLAGS[contact.status][1:]}" if contact.status in FLAGS else ")"
        lines += _wrap(contact.who, rest=INDENT)
        lines += _wrap(contact_text(contact), INDENT, INDENT)
        lines += _wrap(source, INDENT, INDENT)
    return lines


def _check_list(
    answer: Answer, references: list[Citation], contacts: list[Citation], abstained: bool
) -> list[str]:
    items = [CHECK_ABSTAINED] if abstained else []
    if answer.mode == "llm" and not abstained:
        items.append(CHECK_WRITTEN)
    # Two passages of one document are one thing to check: "[1], [2] <title> is an excerpt".
    flagged: dict[tuple[str, str], list[int]] = {}
    for c in references:
        if c.status in STATUS_CHECKS:
            flagged.setdefault((_title(c), c.status), []).append(c.n)
    items += [f"{', '.join(f'[{n}]' for n in ns)} {title} {STATUS_CHECKS[status]}"
              for (title, status), ns in flagged.items()]
    items += [CHECK_CUT_OFF.format(n=c.n) for c in references if c.cut_off]
    if not abstained:  # an abstention's references are its contacts, checked just above
        # A superseded phone number misleads as much as a superseded sentence.
        items += [f"The program contact comes from {_title(c)}, which "
                  f"{STATUS_CHECKS[c.status]}" for c in contacts if c.status in STATUS_CHECKS]
        if answer.hedged:
            items += [CHECK_RELATED.format(reason=r.rstrip(".")) for r in answer.reasons]
        else:
            items += [CHECK_UNCOVERED.format(part=part) for part in answer.uncovered]
    lines = [CHECK]
    for item in items or [CHECK_NOTHING]:
        lines += _wrap(item, "- ", "  ")
    return lines
