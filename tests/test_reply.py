"""Help-desk reply drafts: exact text for constructed answers, and one real answer."""

from __future__ import annotations

from typing import Any

from kb.knowledge import KnowledgeBase
from kb.models import Answer, AnswerSentence, Citation
from kb.present.reply import CUT, draft_reply

FAQ_URL = "https://example.org/faq"
CONTACT = Citation(
    n=1, source="faq.txt", title="Harbor Liaison Office FAQ", url=FAQ_URL, location="Contact",
    status="current", quote="If you have questions on this program, contact:\n\nPhone:  (555) 010-4477",
    start=500, end=569, who="International Port Security Program, U.S. Coast Guard",
)
CONTACT_BLOCK = f"""\
Program contact
{CONTACT.who}
    Phone: (555) 010-4477
    (as given in Harbor Liaison Office FAQ)"""
SIGN_OFF = "Kind regards,\n[Your name]\n"


def cite(n: int, status: str = "current", **fields: Any) -> Citation:
    values: dict[str, Any] = {"source": "faq.txt", "title": "Harbor Liaison Office FAQ", "url": FAQ_URL,
              "location": "How do I request a Tern Exchange visit?", "quote": "..."}
    values.update(fields)
    return Citation(n=n, status=status, start=0, end=3, **values)


def answer_of(sentences: list[tuple[str, int]], citations: list[Citation], **fields: object) -> Answer:
    values: dict[str, object] = {"mode": "extractive", **fields}
    return Answer(
        question="How do I request a Tern Exchange visit?", text="(as shown in the app)",
        citations=citations,
        sentences=[AnswerSentence(text, n) for text, n in sentences], **values,  # type: ignore[arg-type]
    )


def assert_plain(draft: str) -> None:
    """No markup, no trailing spaces, and no long line but an address."""
    for line in draft.splitlines():
        assert line == line.rstrip()
        assert len(line) <= 78 or line.strip().startswith("http"), line
    assert "<" not in draft and "**" not in draft and "](" not in draft


def test_current_only_answer() -> None:
    answer = answer_of(
        [("Requests for a Tern Exchange visit should be made through the regional liaison "
          "officer or through the embassy in country.", 1),
         ("A request takes about six weeks to process.", 1),
         ("The Office of Quay Assessments (OQA-7) manages the program from Halifax.", 2)],
        [cite(1), cite(2, source="guide.md", title="Quay Program Guide", url="",
                       location="Organization")],
    )
    draft = draft_reply(answer, [CONTACT])
    assert draft == f"""\
Check before sending:
- Nothing to check: every sentence comes from a current source.

{CUT}

Dear colleague,

Thank you for your question. This is what the IPS Program documents say:

Requests for a Tern Exchange visit should be made through the regional liaison
officer or through the embassy in country. [1] A request takes about six weeks
to process. [1] The Office of Quay Assessments (OQA-7) manages the program
from Halifax. [2]

References
[1] Harbor Liaison Office FAQ — How do I request a Tern Exchange visit?
    https://example.org/faq
[2] Quay Program Guide — Organization

{CONTACT_BLOCK}

Kind regards,
[Your name]
"""
    assert draft_reply(answer, [CONTACT]) == draft  # deterministic
    assert_plain(draft)


def test_markers_dashes_and_flags_are_not_wrapped_apart() -> None:
    sentence = "Requests for a Tern Exchange visit go through the regional liaison offices."
    assert len(sentence) == 75  # its marker would overflow the 78-column line
    long_title = "International Port Security Program brochure (Frequently Asked Questions)"
    answer = answer_of(
        [(sentence, 1)],
        [cite(1, "historical", title=long_title, url="",
              location="Will the U.S. host visits from other countries?")],
    )
    draft = draft_reply(answer, [CONTACT])
    assert "\nRequests for a Tern Exchange visit go through the regional liaison\noffices. [1]\n" in draft
    assert """\
[1] International Port Security Program brochure (Frequently Asked
    Questions) — Will the U.S. host visits from other countries?
    (historical document)
""" in draft
    assert_plain(draft)


def test_historical_and_excerpt_sources_are_flagged_for_checking() -> None:
    answer = answer_of(
        [("Conditions of entry for vessels from Port Zeta take effect on March 3, 2031.", 1),
         ("The program plans two country visits a year.", 2)],
        [cite(1, "excerpt", source="notice.html", title="Port Zeta Notice",
              url="https://example.org/zeta", location=""),
         cite(2, "historical", source="old-brochure.txt", title="Old Quay Brochure", url="",
              location="Country visits")],
    )
    draft = draft_reply(answer, [CONTACT])
    # The reader sees plain numbers; the sender sees why the sources need a look.
    assert ("Conditions of entry for vessels from Port Zeta take effect on March 3, 2031. [1]"
            in " ".join(draft.split()))
    assert "excerpt]" not in draft and "historical]" not in draft
    assert """\
References
[1] Port Zeta Notice (excerpt)
    https://example.org/zeta
[2] Old Quay Brochure — Country visits (historical document)
""" in draft
    assert draft.startswith(f"""\
Check before sending:
- [1] Port Zeta Notice is an excerpt: only part of the document was available,
  so the full text may say more or qualify it.
- [2] Old Quay Brochure is a historical document: it may be superseded or
  dated, so do not present it as current guidance.

{CUT}

Dear colleague,""")
    assert "Nothing to check" not in draft
    assert_plain(draft)


def test_two_passages_of_one_document_are_one_thing_to_check() -> None:
    zeta = {"source": "notice.html", "title": "Port Zeta Notice", "url": "", "location": ""}
    answer = answer_of([("Conditions take effect on March 3, 2031.", 1),
                        ("Vessels must post armed guards.", 2)],
                       [cite(1, "excerpt", **zeta), cite(2, "excerpt", **zeta)])
    assert draft_reply(answer, [CONTACT]).startswith("""\
Check before sending:
- [1], [2] Port Zeta Notice is an excerpt: only part of the document was
  available, so the full text may say more or qualify it.
""")


def test_a_quote_cut_off_where_the_excerpt_ends_is_to_be_checked() -> None:
    answer = answer_of([("Their measures are all", 1)],
                       [cite(1, "excerpt", title="Port Zeta Notice", cut_off=True)])
    assert """\
- The last sentence quoted from [1] stops mid-way, where the copy kept ends:
  read the full document before sending it.
""" in draft_reply(answer, [CONTACT])


def test_uncovered_part_is_named_to_reader_and_sender() -> None:
    answer = answer_of(
        [("The Office of Quay Assessments (OQA-7) manages the program from Halifax.", 1)],
        [cite(1, source="guide.md", title="Quay Program Guide", url="", location="Organization")],
        uncovered=["what is the FIFA World Cup budget?"],
    )
    draft = draft_reply(answer, [CONTACT])
    assert """\
The Office of Quay Assessments (OQA-7) manages the program from Halifax. [1]

The program documents do not answer this part of your question: “what is the
FIFA World Cup budget?”

References
""" in draft
    assert draft.startswith("""\
Check before sending:
- The documents did not cover: “what is the FIFA World Cup budget?” The draft
  says so; answer that part yourself if you can.
""")
    assert_plain(draft)


def test_abstention_cites_only_the_contacts() -> None:
    answer = Answer(
        question="What is the recipe for a classic French omelette?",
        text="The IPS Program documents I have do not answer this question.", mode="abstain",
        citations=[CONTACT], sentences=[],
    )
    assert draft_reply(answer, [CONTACT]) == f"""\
Check before sending:
- The documents did not answer this question: a person must answer it or refer
  it to the program contact.

{CUT}

Dear colleague,

Thank you for your question about the International Port Security Program.

The International Port Security Program documents do not answer this question.
The program contact below can help with it.

References
[1] Harbor Liaison Office FAQ
    https://example.org/faq

{CONTACT_BLOCK}

{SIGN_OFF}"""


def test_abstention_without_contacts_says_none_are_named() -> None:
    answer = Answer(question="Anything?", text="", mode="abstain")
    draft = draft_reply(answer, [])
    assert "References" not in draft and "can help" not in draft
    assert "Program contact\nThe documents name no contact for further questions.\n" in draft


def test_historical_contact_is_flagged() -> None:
    old = cite(1, "historical", title="Old Quay Brochure", url="", location="Contact",
               quote="Contact us:\nOld Quay Office\nPhone: (555) 010-0000", who="Old Quay Office")
    answer = answer_of([("A request takes about six weeks to process.", 1)], [cite(1)])
    draft = draft_reply(answer, [old])
    assert ("Old Quay Office\n    Phone: (555) 010-0000\n"
            "    (as given in Old Quay Brochure, historical document)") in draft
    assert ("- The program contact comes from Old Quay Brochure, which is a historical\n"
            "  document:") in draft


def test_real_answer_from_the_index(kb: KnowledgeBase) -> None:
    draft = draft_reply(kb.ask("Which office manages the Quay program?"), kb.contacts())
    assert "Office of Quay Assessments" in draft
    assert "(555) 010-4477" in draft
    assert draft.startswith("Check before sending:\n") and draft.endswith("[Your name]\n")
    assert f"\n{CUT}\n\nDear colleague,\n" in draft
    assert_plain(draft)


def test_related_answer_is_checked_first() -> None:
    answer = answer_of(
        [("A request takes about six weeks to process.", 1)], [cite(1)], mode="related",
        reasons=["The documents do not give a date for \u201cWhen is the next visit?\u201d."])
    draft = draft_reply(answer, [CONTACT])
    assert draft.startswith("""\
Check before sending:
- The documents do not state what was asked (The documents do not give a date
  for “When is the next visit?”); the draft quotes the closest passages only:
  say so in the reply or answer it yourself.
""")
    assert draft.index("Check before sending:") < draft.index("Dear colleague,")
    # The email itself, once the check list is cut, does not pass the quotes off as the
    # answer.
    assert """Dear colleague,

Thank you for your question. The IPS Program documents do not state this
directly; the closest passages say:

A request takes about six weeks to process. [1]
""" in draft
    assert "This is what the IPS Program documents say" not in draft
    assert_plain(draft)


def test_a_draft_does_not_open_on_a_connective() -> None:
    answer = answer_of(
        [("In addition, the liaison office offers port security training.", 1),
         ("In addition, visits take six weeks to arrange.", 1)], [cite(1)])
    draft = draft_reply(answer, [CONTACT])
    assert ("say:\n\n[T]he liaison office offers port security training. [1] In addition, "
            "visits") in draft
