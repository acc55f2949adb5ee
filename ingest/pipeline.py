"""Ingest: sources in, a new index generation out. Only new or changed documents are
embedded; the previous generation stays live and whole until the new one is complete."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingest.chunking import chunk_document
from ingest.clean import clean_text, split_long_lines
from ingest.glossary import extract_glossary
from ingest.loaders import extract
from ingest.sources import Source, discover, read_source, title_from
from kb import rules
from kb.errors import KBError, LoadError
from kb.index import generations as index
from kb.index.embedder import Embedder
from kb.index.lexical import LexicalIndex
from kb.index.store import STORED_ROLES, VectorStore
from kb.index.targets import Target, target_for
from kb.models import Chunk, Document, Mention, Sentence
from kb.nlp import Pipeline
from kb.runtime import configure_runtime
from kb.settings import Settings
from kb.shown import escaped

log = logging.getLogger(__name__)

ENCODE_BATCH = 128

# `progress`: True for bars on the terminal, or a function told (stage, done, total) as the
# work goes: "reading" files, "embedding" texts, "writing" the index.
Progress = bool | Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What an ingest run did."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    encodings: dict[str, str] = field(default_factory=dict)  # file read in this run: encoding
    embedded: int = 0  # texts encoded by the model in this run
    chunks: int = 0
    sentences: int = 0
    rebuilt: bool = False

    @property
    def up_to_date(self) -> bool:
        return not (self.added or self.changed or self.removed or self.rebuilt)


@dataclass
class _Loaded:
    doc: Document
    chunks: list[Chunk]
    sentences: list[Sentence]


def ingest(
    settings: Settings, sources_dir: Path | None = None, rebuild: bool = False,
    progress: Progress = False, embedder: Embedder | None = None, nlp: Pipeline | None = None,
) -> IngestReport:
    """Bring the index in line with the sources folder. One ingest at a time: a second one
    waits for the writer lock, then raises IngestLockedError."""
    configure_runtime()
    target = target_for(settings)
    with target.locked():
        return _ingest(settings, target, sources_dir or settings.sources_dir, rebuild,
                       progress, embedder, nlp)


def _ingest(
    settings: Settings, target: Target, sources_dir: Path, rebuild: bool, progress: Progress,
    embedder: Embedder | None, nlp: Pipeline | None,
) -> IngestReport:
    report = IngestReport()
    sources, report.skipped = discover(sources_dir)
    prev = target.live()
    report.rebuilt = prev is not None and (rebuild or _mismatch(prev, settings))
    if report.rebuilt and not rebuild:
        log.warning("index settings changed since the last ingest; rebuilding the whole index")
    prev_docs = {} if prev is None or report.rebuilt else index.read_documents(prev)
    docs, loaded = _sort_sources(sources_dir, sources, prev_docs, settings, report, progress)
    report.removed = sorted(set(prev_docs) - set(docs))
    provenance_changed = any(docs[d].to_dict() != prev_docs[d].to_dict() for d in report.unchanged)
    if prev is not None and report.up_to_date and not provenance_changed:
        meta = index.read_meta(prev)
        report.chunks, report.sentences = meta["chunks"], meta["sentences"]
        return report
    workspace = target.begin()
    try:
        store = target.store(workspace, None if report.rebuilt else prev)
        _build(workspace.folder, store, docs, loaded, report, settings,
               embedder or Embedder(settings), progress, nlp or Pipeline())
        final = target.publish(workspace)
    except BaseException:
        target.abandon(workspace)
        raise
    log.info("published %s: %d chunks, %d sentences", final, report.chunks, report.sentences)
    return report


def _mismatch(prev: Path, settings: Settings) -> bool:
    return index.read_meta(prev).get("fingerprint") != settings.fingerprint()


def _sort_sources(
    root: Path, sources: list[Source], prev_docs: dict[str, Document], settings: Settings,
    report: IngestReport, progress: Progress,
) -> tuple[dict[str, Document], list[_Loaded]]:
    """Reuse unchanged documents, load new and changed ones, skip bad and duplicate files."""
    from tqdm import tqdm

    docs: dict[str, Document] = {}
    loaded: list[_Loaded] = []
    seen: dict[str, str] = {}
    step = max(1, len(sources) // 10)
    bars = progress is True
    for n, source in enumerate(tqdm(sources, desc="reading", unit="file", disable=not bars)):
        _tell(progress, "reading", n, len(sources))
        if n % step == 0:
            log.info("reading files: %d of %d", n, len(sources))
        try:
            raw = read_source(root, source, settings)
        except KBError as exc:
            _skip(report, source, exc)
            continue
        digest = hashlib.sha256(raw).hexdigest()
        if digest in seen:
            report.skipped.append((source.doc_id, f"same content as {seen[digest]}"))
            continue
        seen[digest] = source.doc_id
        old = prev_docs.get(source.doc_id)
        if old is not None and old.content_hash == digest:
            docs[source.doc_id] = _with_provenance(old, source)
            report.unchanged.append(source.doc_id)
            continue
        try:
            item = _load(source, raw, digest, settings)
        except KBError as exc:
            _skip(report, source, exc)
            continue
        docs[source.doc_id] = item.doc
        report.encodings[source.doc_id] = item.doc.encoding
        loaded.append(item)
        (report.changed if old is not None else report.added).append(source.doc_id)
    log.info("read %d files: %d to embed, %d unchanged, %d skipped", len(sources),
             len(loaded), len(report.unchanged), len(report.skipped))
    return docs, loaded


def _skip(report: IngestReport, source: Source, exc: KBError) -> None:
    report.skipped.append((source.doc_id, str(exc)))
    log.warning("skipped %s: %s", escaped(source.doc_id), escaped(str(exc)))


def _load(source: Source, raw: bytes, digest: str, settings: Settings) -> _Loaded:
    extracted = extract(source.path, raw)
    text, starts = "", []
    for number, page in enumerate(extracted.pages, start=1):
        cleaned = split_long_lines(clean_text(page), settings.max_line_chars)
        if not cleaned:
            continue
        if text:
            text += "\n\n"
        starts.append((len(text), number))
        text += cleaned
    # A chunk holds at most two chunk sizes (a whole FAQ answer): refuse before chunking a
    # document that cannot fit under the limit.
    least = len(text) // (2 * settings.chunk_size)
    if least > settings.max_chunks_per_document:
        raise LoadError(_too_many_chunks(f"at least {least:,}", settings))
    doc = Document(
        doc_id=source.doc_id, title="", text=text, content_hash=digest,
        pages=starts if source.path.suffix.lower() == ".pdf" else [],
        encoding=extracted.encoding,
    )
    doc = _with_provenance(doc, source)
    chunks, sentences = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
    if len(chunks) > settings.max_chunks_per_document:
        raise LoadError(_too_many_chunks(f"{len(chunks):,}", settings))
    log.info("read %s (%s): %d chunks", escaped(doc.doc_id), doc.encoding or "pdf", len(chunks))
    return _Loaded(doc, chunks, sentences)


def _too_many_chunks(count: str, settings: Settings) -> str:
    return (f"document makes {count} chunks, over the limit of "
            f"{settings.max_chunks_per_document:,} (IPSKB_MAX_CHUNKS_PER_DOCUMENT)")


def _with_provenance(doc: Document, source: Source) -> Document:
    p = source.provenance
    return Document(
        doc_id=doc.doc_id, text=doc.text, content_hash=doc.content_hash, pages=doc.pages,
        title=p.get("title") or title_from(doc.text, source.path),
        publisher=p.get("publisher", ""), url=p.get("url", ""), date=p.get("date", ""),
        kind=p.get("kind", ""), status=p.get("status", "current"), aliases=list(source.aliases),
        encoding=doc.encoding,
    )


def embedding_text(doc: Document, chunk: Chunk) -> str:
    """What a chunk is embedded and keyword-indexed as: its text under its titles."""
    parts = [doc.title]
    if chunk.kind != "faq" and chunk.section and chunk.section not in chunk.text[:200]:
        parts.append(chunk.section)
    return "\n".join([*parts, chunk.text])


def _build(
    workspace: Path, store: VectorStore, docs: dict[str, Document], loaded: list[_Loaded],
    report: IngestReport, settings: Settings, embedder: Embedder, progress: Progress,
    nlp: Pipeline,
) -> None:
    try:
        store.delete_documents(report.changed + report.removed)
        chunks = [c for item in loaded for c in item.chunks]
        sentences = [s for item in loaded for s in item.sentences if s.role in STORED_ROLES]
        body = [s for s in sentences if s.role == "body"]
        # A statute's sentences are stated by the section its title cites ("which section
        # requires ...?" is answered by the text of 46 U.S.C. 70109).
        cited = {doc_id: [Mention("citation", c) for c in rules.CITATION.findall(d.title)]
                 for doc_id, d in docs.items()}
        for sentence, found in zip(body, nlp.mentions([s.text for s in body]), strict=True):
            sentence.mentions = list(dict.fromkeys([*found, *cited[sentence.doc_id]]))
        texts = [embedding_text(docs[c.doc_id], c) for c in chunks]
        vectors, report.embedded = _encode(texts + [s.text for s in sentences], embedder, progress)
        log.info("writing %d chunks and %d sentences to the index", len(chunks), len(sentences))
        _tell(progress, "writing", 0, 1)
        store.add_chunks(chunks, vectors[: len(chunks)])
        store.add_sentences(sentences, vectors[len(chunks) :])
        every = store.all_chunks()
        LexicalIndex.build(
            [c.chunk_id for c in every], [embedding_text(docs[c.doc_id], c) for c in every]
        ).save(workspace / "bm25")
        report.chunks, report.sentences = store.count()
    finally:
        store.close()
    per_doc = Counter(c.doc_id for c in every)
    index.write_json(workspace / index.DOCUMENTS, [d.to_dict() for d in docs.values()])
    # From every document, not just the re-embedded ones: the glossary is rebuilt whole.
    glossary = extract_glossary(docs.values())
    index.write_json(workspace / index.GLOSSARY, [e.to_dict() for e in glossary])
    index.write_json(workspace / index.META, {
        "fingerprint": settings.fingerprint(),
        "chunks": report.chunks,
        "sentences": report.sentences,
        "chunks_per_document": dict(per_doc),
        # Read at every open, so that opening a large index need not scan every chunk.
        "contacts": [c.chunk_id for c in every if c.kind == "contact"],
    })


def _tell(progress: Progress, stage: str, done: int, total: int) -> None:
    if callable(progress):
        progress(stage, done, total)


def _encode(texts: list[str], embedder: Embedder, progress: Progress) -> tuple[np.ndarray, int]:
    """Encode each distinct text once; a progress bar shows the work when asked for."""
    from tqdm import tqdm

    # Longest first, as the encoder orders one call's texts: each batch then holds texts of
    # about the same length and wastes little work on padding (chunks and their sentences
    # differ tenfold in length).
    unique = sorted(dict.fromkeys(texts), key=len, reverse=True)
    rows: list[np.ndarray] = []
    step = max(ENCODE_BATCH, len(unique) // 10)
    with tqdm(total=len(unique), desc="embedding", unit="text",
              disable=progress is not True) as bar:
        for i in range(0, len(unique), ENCODE_BATCH):
            _tell(progress, "embedding", i, len(unique))
            if i % step < ENCODE_BATCH:
                log.info("embedding: %d of %d texts", i, len(unique))
            batch = unique[i : i + ENCODE_BATCH]
            rows.append(embedder.encode(batch))
            bar.update(len(batch))
    if not unique:
        return np.zeros((0, 384), dtype=np.float32), 0
    table = np.concatenate(rows)
    position = {t: i for i, t in enumerate(unique)}
    return table[[position[t] for t in texts]], len(unique)
