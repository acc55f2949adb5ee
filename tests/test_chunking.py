from pathlib import Path

from ingest.chunking import chunk_document
from ingest.clean import clean_text
from ingest.loaders import load_pages
from kb.models import Document
from tests.conftest import DATA


def _doc(name: str) -> Document:
    text = clean_text(load_pages(DATA / "corpus" / name)[0])
    return Document(doc_id=name, title=name, text=text, content_hash="x")


def test_faq_question_and_answer_form_one_chunk_with_question_metadata() -> None:
    doc = _doc("faq.txt")
    chunks, _ = chunk_document(doc, 1000, 150)
    faq = [c for c in chunks if c.kind == "faq"]
    assert [c.question for c in faq] == [
        "What is the purpose of the Tern Exchange?",
        "How do I request a Tern Exchange visit?",
        "Is training available?",
    ]
    request = faq[1]
    assert request.text.startswith("How do I request a Tern Exchange visit?\n")
    assert request.text.endswith("A request takes about six weeks to process.")
    assert request.location == "How do I request a Tern Exchange visit?"


def test_contact_block_is_its_own_chunk() -> None:
    chunks, _ = chunk_document(_doc("faq.txt"), 1000, 150)
    contact = [c for c in chunks if c.kind == "contact"]
    assert len(contact) == 1
    assert contact[0].text == "If you have questions on this program, contact:\nPhone: (555) 010-4477"


def test_offsets_point_at_the_right_text() -> None:
    for name in ("faq.txt", "guide.md", "old-brochure.txt"):
        doc = _doc(name) if name != "guide.md" else Document(
            doc_id=name, title=name, content_hash="x",
            text=clean_text(load_pages(DATA / "corpus" / name)[0]))
        chunks, sentences = chunk_document(doc, 1000, 150)
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
        for s in sentences:
            assert doc.text[s.start : s.end] == s.text


def test_sentences_separate_the_question_and_headings_from_answers() -> None:
    _, sentences = chunk_document(_doc("faq.txt"), 1000, 150)
    roles = {s.text: s.role for s in sentences}
    assert roles["How do I request a Tern Exchange visit?"] == "question"
    assert roles["A request takes about six weeks to process."] == "body"
    assert roles["Harbor Liaison Office"] == "heading"
    assert roles["Phone: (555) 010-4477"] == "body"


def test_prose_is_split_by_headings_then_size() -> None:
    text = "Organization\n" + " ".join(["The office manages ports."] * 60) + "\nAssessments\nPorts are reassessed."
    doc = Document(doc_id="g", title="g", text=text, content_hash="x")
    chunks, _ = chunk_document(doc, 400, 50)
    sections = [c.section for c in chunks]
    assert sections[-1] == "Assessments"
    assert set(sections[:-1]) == {"Organization"}
    assert all(len(c.text) <= 400 for c in chunks[:-1]) and len(chunks) > 3


def test_run_in_heading_joins_its_faq_unit() -> None:
    doc = _doc("old-brochure.txt")
    chunks, _ = chunk_document(doc, 1000, 150)
    faq = [c for c in chunks if c.kind == "faq"]
    assert len(faq) == 1
    assert faq[0].question == "What does the program plan for country visits?"
    assert faq[0].section == "The Basics"
    assert "every country on the list of departure ports within five years." in faq[0].text


def test_statute_subsections_become_sections() -> None:
    text = ("46 U.S. Code § 1 - Title\n(a) In General.— The Secretary shall act.\n"
            "(b) Procedures.— The Secretary shall assess ports.")
    chunks, _ = chunk_document(Document(doc_id="s", title="s", text=text, content_hash="x"), 1000, 0)
    assert [c.section for c in chunks] == ["", "(a) In General", "(b) Procedures"]


def test_pdf_chunks_know_their_page(tmp_path: Path) -> None:
    doc = Document(doc_id="h.pdf", title="h", content_hash="x",
                   text="Page one text here.\n\nScreening drills happen at dawn.",
                   pages=[(0, 1), (21, 2)])
    assert doc.page_at(25) == 2 and doc.page_at(3) == 1


def test_contact_details_are_answerable_outside_a_contact_block() -> None:
    text = ("Port Security Advisory\nContact: Ms. Ada Quill\n(555) 010-9911\nNauru\n"
            "The advisory lists Nauru.\nOutreach\nActivities Far East (FEACT): Maritime (uscg.mil)")
    doc = Document(doc_id="psa", title="psa", text=text, content_hash="x")
    chunks, sentences = chunk_document(doc, 1000, 150)
    assert {c.kind for c in chunks} == {"prose"}
    roles = {s.text: s.role for s in sentences}
    assert roles["(555) 010-9911"] == "body" and roles["Nauru"] == "heading"
    assert roles["Activities Far East (FEACT): Maritime (uscg.mil)"] == "body"


def test_a_documents_opening_line_is_its_title_however_it_is_written() -> None:
    # Long and in sentence case, so not a title by its capitals; but it opens the document
    # and does not end like a sentence. Lines later on are judged as before.
    text = ("46 Harbor Code § 70108 - Foreign quay assessment of partner ports\n"
            "(a) In General.— The office shall assess the quays of partner ports.\n"
            "More consistently assess quays in ports that do not allow visits")
    doc = Document(doc_id="code", title="code", text=text, content_hash="x")
    _, sentences = chunk_document(doc, 1000, 150)
    roles = {s.text: s.role for s in sentences}
    assert roles["46 Harbor Code § 70108 - Foreign quay assessment of partner ports"] == "heading"
    assert roles["(a) In General.— The office shall assess the quays of partner ports."] == "body"
    assert roles["More consistently assess quays in ports that do not allow visits"] == "body"
    opening = Document(doc_id="o", title="o", text="The office assesses quays.\nMore.",
                       content_hash="x")
    assert chunk_document(opening, 1000, 150)[1][0].role == "body"  # a sentence stays one


def test_a_short_lead_in_in_lower_case_is_a_sentence_a_capitalised_one_a_heading() -> None:
    text = ("Quay Exchange Guide\nEach exchange is planned with the host.\nExchanges typically "
            "include:\nQuay Tours: We walk the quays with their officers.\nB. Quays Affected:\n"
            "Port Zeta")
    doc = Document(doc_id="g", title="g", text=text, content_hash="x")
    roles = {s.text: s.role for s in chunk_document(doc, 1000, 150)[1]}
    assert roles["Exchanges typically include:"] == "body"
    assert roles["Quay Tours: We walk the quays with their officers."] == "body"
    assert roles["B. Quays Affected:"] == "heading"
