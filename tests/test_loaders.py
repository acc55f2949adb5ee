from pathlib import Path

import pytest

from ingest.loaders import decode, extract, load_pages
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
        ("zip-bomb.txt", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 8, "binary"),
        ("controls.txt", bytes(range(1, 32)) * 40, "binary"),
        ("table.csv", b"a,b\n", "unsupported"),
    ],
)
def test_bad_files_are_refused_with_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError, match=reason):
        load_pages(path)


FRENCH = "Le caf\u00e9 du quai ouvre \u00e0 l\u2019aube.\nLa cr\u00e8me br\u00fbl\u00e9e est \u00ab maison \u00bb.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), "utf-8-sig"),
        (FRENCH.encode("utf-16"), "utf-16-le"),  # Python writes the mark and little-endian
        (b"\xfe\xff" + FRENCH.encode("utf-16-be"), "utf-16-be"),
        (FRENCH.encode("utf-32"), "utf-32-le"),
        (b"\x00\x00\xfe\xff" + FRENCH.encode("utf-32-be"), "utf-32-be"),
        (FRENCH.encode("cp1252"), "cp1252"),  # the curly apostrophe is byte 0x92
    ],
)
def test_text_is_read_in_its_encoding(data: bytes, encoding: str) -> None:
    assert decode(data) == (FRENCH, encoding)


def test_latin1_and_windows_1252_files_read_correctly(tmp_path: Path) -> None:
    latin = "Caf\u00e9 cr\u00e8me, se\u00f1or M\u00fcller, d\u00e9j\u00e0 vu.\n"
    windows = "The \u201cQuay\u201d office \u2013 caf\u00e9 \u00e9t\u00e9 \u2014 opens at dawn.\n"
    (tmp_path / "latin.txt").write_bytes(latin.encode("latin-1"))
    (tmp_path / "windows.txt").write_bytes(windows.encode("cp1252"))
    (tmp_path / "page.html").write_bytes(f"<p>{windows}</p>".encode("cp1252"))
    read = {name: extract(tmp_path / name, (tmp_path / name).read_bytes())
            for name in ("latin.txt", "windows.txt", "page.html")}
    assert (read["latin.txt"].pages, read["latin.txt"].encoding) == ([latin], "latin-1")
    assert (read["windows.txt"].pages, read["windows.txt"].encoding) == ([windows], "cp1252")
    assert read["page.html"].pages == [windows.strip()]


def test_other_scripts_keep_the_detected_encoding() -> None:
    russian = "\u041f\u043e\u0440\u0442 \u043e\u0442\u043a\u0440\u044b\u0442 \u0434\u043b\u044f \u0441\u0443\u0434\u043e\u0432 \u0441 \u0440\u0430\u043d\u043d\u0435\u0433\u043e \u0443\u0442\u0440\u0430 \u0434\u043e \u043f\u043e\u0437\u0434\u043d\u0435\u0433\u043e \u0432\u0435\u0447\u0435\u0440\u0430.\n"
    assert decode(russian.encode("cp1251")) == (russian, "cp1251")


def test_a_pdf_has_no_text_encoding(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "h.pdf", HANDBOOK_PAGES)
    assert extract(pdf, pdf.read_bytes()).encoding == ""
