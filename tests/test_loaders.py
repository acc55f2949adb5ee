from pathlib import Path

import pytest

from ingest.loaders import load_pages
from kb.errors import LoadError
from tests.conftest import DATA, HANDBOOK_PAGES, encrypt_pdf, make_pdf


def test_txt_loads_whole_text() -> None:
    pages = load_pages(DATA / "corpus" / "faq.txt")
    assert len(pages) == 1
    assert "The Tern Exchange lets partner ports compare security drills twice a year." in pages[0]


def test_markdown_drops_markup_keeps_headings_as_lines() -> None:
    text = load_pages(DATA / "corpus" / "guide.md")[0]
    assert text.splitlines()[0] == "Quay Program Guide"
    assert "once every 4 years." in text
    assert "**" not in text and "#" not in text


def test_html_drops_script_and_style() -> None:
    text = load_pages(DATA / "corpus" / "notice.html")[0]
    assert "alert" not in text and "color:red" not in text
    assert "Conditions of entry for vessels arriving from Port Zeta take effect on March 3, 2031." in text


def test_pdf_keeps_pages(tmp_path: Path) -> None:
    pages = load_pages(make_pdf(tmp_path / "h.pdf", HANDBOOK_PAGES))
    assert len(pages) == 2
    assert "vessel screening" in pages[0]
    assert "dawn on Mondays" in pages[1]


def test_encrypted_pdf_is_refused_with_reason(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf", ["Secret text"])
    locked = encrypt_pdf(plain, tmp_path / "locked.pdf", "s3cret")
    with pytest.raises(LoadError, match="password"):
        load_pages(locked)


def test_corrupt_pdf_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nthis is not a pdf\n")
    with pytest.raises(LoadError, match="PDF"):
        load_pages(bad)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"   \n", "empty"),
        ("binary.txt", b"\x00\x01\x02binary\x00", "binary"),
        ("latin1.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"), "UTF-8"),
        ("table.csv", b"a,b\n", "unsupported"),
    ],
)
def test_bad_files_are_refused_with_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError, match=reason):
        load_pages(path)
