"""HTML for the app: text shows as typed (escaped once), answers by mode with their own
sources, and the plain text the copy button gives."""

from dataclasses import replace
from typing import Any

from kb.answer.cite import cut_off
from kb.answer.contact import contact_details, contact_name
from kb.models import Answer, AnswerSentence, Citation, Document, Sentence
from kb.present import render
from kb.present.answer_view import plain_text
from kb.present.transcript import Turn, transcript_html

TRICKY = "Côte d'Ivoire's \"port\" & <b>bold</b> **not bold** [x](javascript:alert(1))"


def _doc(text: str, url: str = "https://example.org/a", status: str = "historical") -> Document:
    return Document(doc_id="a.txt", title="A <b>title</b>", text=text, content_hash="x", url=url,
                    status=status, date="2020-01-01", kind="FAQ page; a note for curators")


PROGRAM = "International Port Security Program, U.S. Coast Guard"


def _cite(n: int, status: str = "current", quote: str = "Requests go through the embassy.",
          **fields: Any) -> Citation:
    values: dict[str, Any] = {"source": "a.txt", "title": "A <b>title</b>",
                              "url": "https://example.org/a",
                              "location": "Will the U.S. host visits?"}
    values.update(fields)
    return Citation(n=n, status=status, quote=quote, start=0, end=len(quote), date="2020-01-01",
                    **values)


def _answer(mode: str, citations: list[Citation], sentences: list[tuple[str, int]],
            **fields: object) -> Answer:
    return Answer(question="q", text="(not shown: the app reads the fields)", mode=mode,  # type: ignore[arg-type]
                  citations=citations, sentences=[AnswerSentence(t, n) for t, n in sentences],
                  **fields)  # type: ignore[arg-type]


def test_question_and_answer_text_are_escaped_exactly_once() -> None:
    answer = _answer("extractive", [_cite(1)], [(TRICKY, 1)])
    out = transcript_html([Turn(1, TRICKY, answer)], {})
    escaped = ("Côte d&#x27;Ivoire&#x27;s &quot;port&quot; &amp; &lt;b&gt;bold&lt;/b&gt; "
               "**not bold** [x](javascript:alert(1))")
    assert f'<div class="ipskb-q">{escaped}</div>' in out
    assert f'<p class="ipskb-text">{escaped} <a class="ipskb-marker"' in out
    assert "&amp;#x27;" not in out and "\\*" not in out and "<b>bold" not in out
    assert 'href="javascript' not in out


def test_markers_link_to_their_own_answers_sources() -> None:
    first = _answer("extractive", [_cite(1), _cite(2, location="")],
                    [("One.", 1), ("Two.", 2)])
    second = _answer("related", [_cite(1)], [("Three.", 1)])
    out = transcript_html([Turn(1, "a", first), Turn(2, "b", second)], {})
    assert ('<a class="ipskb-marker" href="#ipskb-t1-c2" data-cite="ipskb-t1-c2" '
            'title="A &lt;b&gt;title&lt;/b&gt;">[2]</a>') in out
    assert out.count('<details class="ipskb-cite" id="ipskb-t1-c') == 2
    assert out.count('<details class="ipskb-cite" id="ipskb-t2-c') == 1
    assert out.index('id="ipskb-t1-c2"') < out.index('<section class="ipskb-turn" id="ipskb-t2">')


def test_opened_citation_shows_the_passage_highlighted_in_context() -> None:
    text = "Before <script>x()</script> text.\nRequests go through the embassy.\nAfter it."
    start = text.index("Requests")
    c = Citation(n=1, source="a.txt", title="A", url="", location="", status="historical",
                 quote=text[start:start + 32], start=start, end=start + 32)
    out = transcript_html([Turn(1, "q", _answer("extractive", [c], [(c.quote, 1)]))],
                          {"a.txt": _doc(text)})
    assert '<mark class="ipskb-mark">Requests go through the embassy.</mark>' in out
    assert "&lt;script&gt;x()&lt;/script&gt;" in out and "<script>" not in out
    assert '<span class="ipskb-badge ipskb-historical">Historical</span>' in out


def test_the_context_of_a_passage_ends_between_words() -> None:
    text = "Requests go through the embassy. The Coast Guard answers within weeks."
    out = render.context_html(_doc(text), 0, 32, context=12)
    assert out.endswith('</mark> The Coast \u2026</div>')  # not "The Coast Gu …"
    assert render.context_html(_doc(text), 0, 32, context=100).endswith("weeks.</div>")


def test_one_status_note_per_status() -> None:
    cites = [_cite(1), _cite(2, "excerpt"), _cite(3, "excerpt"), _cite(4, "historical")]
    answer = _answer("extractive", cites, [("A.", 1), ("B.", 2), ("C.", 3), ("D.", 4)])
    assert plain_text(answer).split("\n")[:3] == [
        "A. [1] B. [2, excerpt] C. [3, excerpt] D. [4, historical]",
        "Note: [2, excerpt], [3, excerpt] are from excerpts: the full document may say more "
        "or qualify it.",
        "Note: [4, historical] is from a historical document: superseded or dated: do not "
        "present it as current; check it against current guidance.",
    ]


def test_a_quote_cut_off_where_the_excerpt_ends_says_so() -> None:
    text = "Ports were assessed. Their measures are all\n[Excerpt ends here.]\n"
    doc = Document(doc_id="n.txt", title="Notice", text=text, content_hash="x",
                   status="excerpt")
    cut = Sentence("s1", "c", "n.txt", "Their measures are all", 21, 43)
    whole = Sentence("s0", "c", "n.txt", "Ports were assessed.", 0, 20)
    assert cut_off(doc, cut) and not cut_off(doc, whole)
    # A clause that goes on in the document is not cut off, whatever it ends with.
    assert not cut_off(replace(doc, text=text.replace("\n[", " to be improved.\n[")), cut)
    answer = _answer("extractive", [_cite(1, "excerpt", cut_off=True)],
                     [("Their measures are all", 1)])
    assert plain_text(answer).split("\n")[2] == (
        "Note: [1, excerpt] stops mid-sentence where the copy kept ends: the sentence goes on "
        "in the full document.")


def test_copy_gives_plain_text_with_markers_and_references() -> None:
    answer = _answer("extractive", [_cite(1, location="")], [(TRICKY, 1)],
                     uncovered=["and the budget?"])
    assert plain_text(answer) == (
        f"{TRICKY} [1]\n"
        "The documents do not answer this part of the question: \u201cand the budget?\u201d\n"
        "\n"
        "Sources:\n"
        "[1] A <b>title</b> https://example.org/a")
    out = transcript_html([Turn(1, "q", answer)], {})
    assert '<pre class="ipskb-plain" id="ipskb-plain-1" hidden>Côte d&#x27;Ivoire' in out


def test_related_answer_is_labelled_and_styled_apart() -> None:
    answer = _answer("related", [_cite(1)], [("Visits are arranged by the embassy.", 1)],
                     reasons=["The documents do not give a duration for \u201cHow long?\u201d."])
    out = transcript_html([Turn(1, "How long?", answer)], {})
    assert '<div class="ipskb-answer ipskb-related" data-mode="related">' in out
    assert ('<div class="ipskb-label">Not a direct answer: the documents do not state what '
            'was asked</div>') in out
    assert "Closest passages (not an answer)" in out
    assert plain_text(answer).startswith(
        "Not a direct answer: the documents do not state what was asked.\n"
        "The documents do not give a duration for \u201cHow long?\u201d.\n"
        "The closest passages say:\n"
        "Visits are arranged by the embassy. [1]")


def test_abstention_names_the_contact_by_organisation() -> None:
    faq = _cite(1, quote="If you have questions on this program, contact:\n\nPhone: (202) 372-1213",
                title="US Coast Guard Activities Europe - IPS Program FAQ",
                location="Brunssum, The Netherlands", who=PROGRAM)
    text = plain_text(_answer("abstain", [faq], []))
    assert text == (
        "The IPS Program documents I have do not answer this question.\n"
        "For help, contact:\n"
        f"{PROGRAM} [1]\n"
        "Phone: (202) 372-1213\n"
        "(as given in US Coast Guard Activities Europe - IPS Program FAQ)\n"
        "\n"
        "Sources:\n"
        "[1] US Coast Guard Activities Europe - IPS Program FAQ https://example.org/a")
    assert "Brunssum" not in transcript_html([Turn(1, "q", _answer("abstain", [faq], []))], {})


def test_a_contact_block_naming_its_office_is_named_by_it() -> None:
    desk = _cite(1, quote="If you have questions on this program, contact:\nThe Maritime "
                 "Security Help Desk\nPhone:\n877.687.2243 (toll free)\n202.366.9991\nEmail:\n"
                 "help@example.org")
    assert contact_name(desk, PROGRAM) == "The Maritime Security Help Desk"
    assert contact_name(_cite(2, quote="If you have questions, contact:\nPhone: 1"),
                        PROGRAM) == PROGRAM  # the block names no office
    assert contact_details(desk) == ["Phone: 877.687.2243 (toll free), 202.366.9991",
                                     "Email: help@example.org"]


def test_links_only_for_web_addresses() -> None:
    assert render.link("javascript:alert(1)") == ""
    assert render.link("https://example.org/x?a=1&b=2").startswith(
        '<a href="https://example.org/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">')


def test_sources_table_shows_status_once_and_scrolls() -> None:
    out = render.sources_table_html([_doc("x")])
    assert '<div class="ipskb-scroll" tabindex="0"><table' in out
    assert out.count("Historical") == 1 and "historical" not in out.replace("ipskb-historical", "")
    assert "<td>FAQ page</td>" in out and "curators" not in out and "Chunks" not in out
