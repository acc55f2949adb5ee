"""List entries: a name the question gives that a document holds only as a line of a list,
"Liberia" under "The Coast Guard has determined that ports in the following countries are
not maintaining effective anti-terrorism measures:". Such a line is not a sentence, so
ingest keeps it out of the sentences answers are made of; read after the sentence that opens
its list, it states something, and both are quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kb.index.store import VectorStore
from kb.models import Chunk, Hit, Sentence, chunk_id, chunk_number
from kb.rules import ENDS_SENTENCE, LEAD_IN, LIST_ENTRY_MAX_WORDS, LIST_REACH


@dataclass(frozen=True)
class Listing:
    """A line of a list that names what the question asks about, and the list's lead-in."""

    item: Sentence  # the line, as a sentence of a passage of its own (`item_chunk`)
    lead_in: Sentence  # the indexed sentence that opens the list
    lead_chunk: Chunk  # the passage holding the lead-in, for its citation
    # The line alone, so that its citation quotes it and not the entries around it.
    item_chunk: Chunk


def listings(names: Sequence[str], hits: Sequence[Hit], sentences: Sequence[Sentence],
             store: VectorStore) -> list[Listing]:
    """The list entries of the hits' passages that begin with one of `names` and are not
    part of an indexed sentence (`sentences`: the hits' body sentences), each with the
    lead-in of its list; entries under no lead-in are left out."""
    if not names:
        return []
    found: list[Listing] = []
    seen: set[tuple[str, int]] = set()
    for hit in hits:
        chunk = hit.chunk
        spans = [(s.start, s.end) for s in sentences if s.chunk_id == chunk.chunk_id]
        for start, line in _entries(chunk, names):
            if (chunk.doc_id, start) in seen or any(a <= start < b for a, b in spans):
                continue
            seen.add((chunk.doc_id, start))
            lead = _lead_in(chunk, start, store)
            if lead is not None:
                own = Chunk(chunk_id=f"{chunk.chunk_id}:l{start}", doc_id=chunk.doc_id,
                            text=line, start=start, end=start + len(line), page=chunk.page)
                item = Sentence(sentence_id=f"{own.chunk_id}.0", chunk_id=own.chunk_id,
                                doc_id=chunk.doc_id, text=line, start=start,
                                end=start + len(line))
                found.append(Listing(item, *lead, own))
    return found


def _entries(chunk: Chunk, names: Sequence[str]) -> list[tuple[int, str]]:
    """(offset in the document, text) of the chunk's lines that are list entries (short,
    not ending like a sentence) beginning with one of `names`."""
    starts = tuple(names)
    out = []
    at = chunk.start
    for raw in chunk.text.split("\n"):
        line = raw.strip()
        if (_whole_word(line, starts) and len(line.split()) <= LIST_ENTRY_MAX_WORDS
                and not ENDS_SENTENCE.search(line) and not LEAD_IN.search(line)):
            out.append((at + raw.index(line), line))
        at += len(raw) + 1
    return out


def _whole_word(line: str, names: tuple[str, ...]) -> bool:
    """"Iran" begins "Iran" and "Iran (cont'd)", not "Iranian"."""
    return any(line.startswith(n) and (len(line) == len(n) or not line[len(n)].isalnum())
               for n in names)


def _lead_in(chunk: Chunk, before: int, store: VectorStore) -> tuple[Sentence, Chunk] | None:
    """The indexed sentence opening the list that the line at `before` is in: the nearest
    sentence before it, in its passage or up to `LIST_REACH` passages back, that ends with a
    colon or a dash, provided no sentence between them ends like a sentence."""
    n = chunk_number(chunk.chunk_id)
    passages = store.get_chunks([chunk_id(chunk.doc_id, i)
                                 for i in range(max(0, n - LIST_REACH), n)])
    passages[chunk.chunk_id] = chunk
    sentences, _ = store.sentences_of(list(passages.values()))
    for s in sorted((s for s in sentences if s.end <= before), key=lambda s: -s.start):
        if LEAD_IN.search(s.text):
            return s, passages[s.chunk_id]
        if ENDS_SENTENCE.search(s.text):
            return None
    return None
