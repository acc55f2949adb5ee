"""HTML for the app: markup in questions and documents shows as characters."""

from kb.models import Answer, Citation, Document
from kb.present import render


def _doc(text: str, url: str = "https://example.org/a") -> Document:
    return Document(doc_id="a.txt", title="A <b>title</b>", text=text, content_hash="x", url=url,
                    status="historical", date="2020-01-01")


def test_markdown_and_html_in_text_are_neutralised() -> None:
    hostile = '<img src=x onerror="alert(1)"> [click](javascript:alert(1)) **bold**'
    out = render.escape_markdown(hostile)
    assert "<img" not in out and "&lt;img" in out
    assert "\\[click\\]\\(javascript:alert\\(1\\)\\)" in out
    assert "\\*\\*bold\\*\\*" in out


def test_passage_is_highlighted_in_context_and_escaped() -> None:
    text = "Before <script>x()</script> text.\nThe cited sentence here.\nAfter it."
    start = text.index("The cited")
    end = start + len("The cited sentence here.")
    out = render.passage_html(_doc(text), start, end)
    assert '<mark class="ipskb-mark">The cited sentence here.</mark>' in out
    assert "&lt;script&gt;x()&lt;/script&gt;" in out and "<script>" not in out
    assert "A &lt;b&gt;title&lt;/b&gt;" in out and "Historical" in out


def test_links_only_for_web_addresses() -> None:
    assert render.link("javascript:alert(1)") == ""
    assert render.link("https://example.org/x?a=1&b=2").startswith(
        '<a href="https://example.org/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">')


def test_citations_show_title_location_date_status_and_link() -> None:
    c = Citation(n=1, source="a.txt", title="A <b>title</b>", url="https://example.org/a",
                 location="Will the U.S. host visits?", status="historical",
                 quote="Requests go through the embassy.", start=0, end=10, date="2020-01-01")
    answer = Answer(question="q", text="t [1, historical]", mode="extractive", citations=[c])
    out = render.citations_html(answer, {"a.txt": _doc("x")})
    assert "<b>A &lt;b&gt;title&lt;/b&gt;</b>" in out
    assert "Will the U.S. host visits?" in out and "2020-01-01" in out
    assert '<span class="ipskb-badge ipskb-historical">Historical</span>' in out
    assert 'href="https://example.org/a#:~:text=Requests%20go%20through%20the%20embassy."' in out


def test_abstention_lists_contacts_under_their_own_heading() -> None:
    c = Citation(n=1, source="a.txt", title="FAQ", url="", location="", status="current",
                 quote="Phone: (555) 010-4477", start=0, end=5)
    out = render.citations_html(Answer("q", "t", "abstain", citations=[c]), {})
    assert "<h4>Who to contact</h4>" in out and "Sources" not in out
