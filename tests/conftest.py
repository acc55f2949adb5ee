"""Shared fixtures: the tiny planted-fact corpus, the real model, a real index in a temp dir."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from kb.index.embedder import Embedder
from kb.knowledge import KnowledgeBase
from kb.settings import Settings

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[1]
# Every test, and every process a test starts, shares the ONNX encoder `make setup` exported
# (or exports it once, on first use) rather than one per temporary data dir.
os.environ.setdefault("IPSKB_ENCODER_DIR", str(REPO / ".ipskb" / "encoder"))


def make_pdf(path: Path, pages: list[str]) -> Path:
    """A real text PDF, one string per page."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def encrypt_pdf(source: Path, target: Path, password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    with target.open("wb") as fh:
        writer.write(fh)
    return target


HANDBOOK_PAGES = [
    "Quay Handbook\nThe handbook covers vessel screening at partner quays.",
    "Screening drills\nScreening drills at partner quays take place at dawn on Mondays.",
]


def copy_corpus(target: Path) -> Path:
    shutil.copytree(DATA / "corpus", target)
    make_pdf(target / "handbook.pdf", HANDBOOK_PAGES)
    return target


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder(Settings())


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings with a fresh data dir and a private copy of the test corpus."""

    def make(**overrides: object) -> Settings:
        sources = tmp_path / "sources"
        if not sources.exists():
            copy_corpus(sources)
        values: dict[str, object] = {"data_dir": tmp_path / "data", "sources_dir": sources}
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def kb(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[KnowledgeBase]:
    root = tmp_path_factory.mktemp("kb")
    settings = Settings(data_dir=root / "data", sources_dir=copy_corpus(root / "sources"))
    ingest(settings, embedder=embedder)
    with KnowledgeBase.open(settings, embedder) as opened:
        yield opened


@contextmanager
def serve_app(kb: KnowledgeBase, settings: Settings) -> Iterator[str]:
    """The app and the REST API served on a free loopback port: the server's base URL."""
    from app import build_app
    from kb.present.server import asgi_app, running

    with running(asgi_app(kb, settings, build_app(kb, settings))) as url:
        yield url
