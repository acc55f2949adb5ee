"""The knowledge base: an opened index that answers questions with citations.

A long-lived knowledge base (the app's) follows the index: each question first looks at the
live pointer, and when an ingest has published a new generation, a background thread opens
it while questions go on being answered from the old one; then they switch. The old one is
closed when its last question finishes, and until then its lease keeps an ingest from
removing it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.answer.compose import Library, compose
from kb.errors import IndexServerError, KBError
from kb.generation import OpenGeneration
from kb.index import generations as index
from kb.index.embedder import Embedder
from kb.index.export import encoder_root
from kb.index.store import VectorStore
from kb.models import Answer, Citation, Document, GlossaryEntry, Hit, SourceInfo
from kb.nlp import Pipeline
from kb.query.analyse import Analyser, clean
from kb.query.parts import Turn
from kb.query.plan import QueryPlan
from kb.query.vocabulary import Synonyms, synonyms
from kb.retrieve.evidence import Evidence, gather
from kb.retrieve.fusion import Method, Retriever
from kb.settings import Settings

if TYPE_CHECKING:
    from kb.llm.client import ChatClient

log = logging.getLogger(__name__)


class KnowledgeBase:
    """Open with `KnowledgeBase.open(settings)`; ask with `kb.ask(question, history)`."""

    def __init__(self, settings: Settings, live: OpenGeneration, embedder: Embedder,
                 nlp: Pipeline) -> None:
        self.settings = settings
        self.embedder = embedder
        self._nlp = nlp
        self._live = live
        self._swap = threading.Lock()  # guards _live
        self._opening = threading.Lock()  # one opener of a new generation at a time
        self._refused: set[str] = set()  # generations that could not be opened
        self._closed = False
        self._server: Any = None  # reads the live pointer when the index is in a server
        if settings.chroma_url:
            from kb.index import shared

            self._server = shared.connect(settings)
        self._llm: ChatClient | None = None  # built on first use from settings.llm

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> KnowledgeBase:
        """Open the live index; raises IndexMissingError or IndexMismatchError."""
        # Beside the exported encoders: models derived once from what is installed.
        nlp = Pipeline(cache_dir=encoder_root(settings) / "language")
        return cls(settings, OpenGeneration.open_live(settings, nlp),
                   embedder or Embedder(settings), nlp)

    # -- the generation being read ---------------------------------------------------------
    @property
    def folder(self) -> Path:
        """The generation questions are answered from."""
        return self._live.folder

    @property
    def store(self) -> VectorStore:
        return self._live.store

    @property
    def documents(self) -> dict[str, Document]:
        return self._live.documents

    @property
    def chunk_counts(self) -> dict[str, int]:
        return self._live.chunk_counts

    @property
    def glossary(self) -> list[GlossaryEntry]:
        return self._live.glossary

    @property
    def retriever(self) -> Retriever:
        return self._live.retriever

    @property
    def library(self) -> Library:
        return self._live.library

    @property
    def analyser(self) -> Analyser:
        return self._live.analyser

    def refresh(self) -> bool:
        """Open the live generation if it is not the one being read, then switch to it;
        whether it switched. A generation that cannot be opened (built with other settings)
        is logged once and the current one kept."""
        before = self._live.folder
        with self._opening:
            live = self._live_generation()
            if (self._closed or live is None or live == self._live.folder
                    or live.name in self._refused):
                return self._live.folder != before  # switched meanwhile by another thread
            try:
                new = OpenGeneration.open_live(self.settings, self._nlp)
            except KBError as exc:
                self._refused.add(live.name)
                log.warning("still answering from %s: %s", self._live.folder.name, exc)
                return False
            new.retriever.settings = self.settings
            with self._swap:
                old, self._live = self._live, new
            old.retire()
            log.info("switched from index generation %s to %s", old.folder.name,
                     new.folder.name)
            return True

    def _notice(self) -> None:
        """Start opening a newer generation in the background, if there is one."""
        live = self._live_generation()
        if (self._closed or live is None or live == self._live.folder
                or live.name in self._refused or self._opening.locked()):
            return
        threading.Thread(target=self._refresh_quietly, args=(live.name,), name="ipskb-follow",
                         daemon=True).start()

    def _live_generation(self) -> Path | None:
        if self._server is None:
            return index.live_generation(self.settings)
        from kb.index import shared

        try:
            return index.live_generation(self.settings, self._server)
        except Exception as exc:
            if shared.is_connection_error(exc):
                raise shared.unreachable(self._server.url, exc) from exc
            raise

    def check(self) -> None:
        """Raise IndexServerError if the index is in a Chroma server that does not answer
        (for health checks; a local index is always there once open)."""
        if self._server is not None:
            self._live_generation()

    def _refresh_quietly(self, name: str) -> None:
        try:
            self.refresh()
        except Exception:  # the old generation goes on answering; say why it did not switch
            self._refused.add(name)  # once: not again on every question
            log.exception("could not open the new index generation %s", name)

    @contextmanager
    def _reading(self) -> Iterator[OpenGeneration]:
        """The generation one question is answered from, start to end."""
        self._notice()
        with self._swap:
            live = self._live
            live.enter()
        try:
            yield live
        except Exception as exc:
            if self._server is not None:
                from kb.index import shared

                if shared.is_connection_error(exc):  # the server went away mid-question
                    raise shared.unreachable(self._server.url, exc) from exc
                if shared.is_gone(exc):  # see "Limits" in the README; the live one opens
                    raise IndexServerError(
                        f"index generation {live.folder.name} is gone from "
                        f"{self._server.url}; ask again") from exc
            raise
        finally:
            live.leave()

    @property
    def _synonyms(self) -> Synonyms:
        return synonyms(self.settings.question_synonyms)

    def use_settings(self, settings: Settings) -> None:
        """Answer with other retrieval or answering settings (the index stays the same)."""
        self.settings = self._live.retriever.settings = settings

    def close(self) -> None:
        """Close the generation being read (its lease goes with it); follow no more."""
        self._closed = True
        self._live.retire()
        if self._server is not None:
            self._server.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sources(self) -> list[SourceInfo]:
        """Every ingested document with its chunk count, in file order."""
        return [
            SourceInfo(doc, self.chunk_counts.get(doc_id, 0))
            for doc_id, doc in sorted(self.documents.items())
        ]

    def contacts(self) -> list[Citation]:
        """Who to ask, as the documents give it (current documents first)."""
        return self.library.contact_citations()

    def lexical_hits(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        """Keyword (BM25) matches alone, as (chunk id, score)."""
        with self._reading() as g:
            return g.retriever.lexical.search(query, k)

    def search(self, query: str, k: int | None = None, method: Method | None = None) -> list[Hit]:
        """Retrieved passages for `query`, best first."""
        text = clean(query, self.settings.max_question_chars)
        with self._reading() as g:
            return g.retriever.search(text, self.embedder.encode_one(text), k, method)

    def warm_up(self) -> None:
        """Load every model answering loads on first use (encoder, spaCy, spelling, language),
        so that a server's first askers do not wait seconds for them."""
        self.embedder.encode_queries(["warm up"])
        with self._reading() as g:
            g.analyser.warm_up()

    def ask(self, question: str, history: Sequence[Turn] | None = None) -> Answer:
        """Answer `question` from the documents, every sentence cited, or say why not.
        `history`: the earlier turns, as questions or (question, answer text) pairs.
        The whole answer comes from one generation, even if an ingest publishes meanwhile."""
        return self.ask_with_documents(question, history)[0]

    def ask_with_documents(
        self, question: str, history: Sequence[Turn] | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> tuple[Answer, dict[str, Document]]:
        """`ask`, and the documents of the generation that answered: what its citations'
        offsets point into, even after the next ingest. With a language model, `on_text`
        receives its reply so far as it arrives (before any check)."""
        with self._reading() as g:
            if self.writes:
                return self._written(g, question, list(history or []), on_text), g.documents
            plan = g.analyser.analyse(question, list(history or []), self._synonyms)
            return compose(plan, self._gather(g, plan), g.library, self.settings), g.documents

    # -- written answers (a language model, when one is configured) ----------------------
    @property
    def writes(self) -> bool:
        """Whether answers are written by a language model (and checked)."""
        return self._llm is not None or bool(self.settings.llm)

    def use_llm(self, model: Any | None, name: str = "model") -> None:
        """Write answers with `model` (a LangChain chat model or a ChatClient); None: with
        the one `settings.llm` names, if any."""
        from kb.llm.client import ChatClient

        self._llm = model if model is None or isinstance(model, ChatClient) else ChatClient(
            model, name)

    def llm(self) -> ChatClient:
        """The language model answers are written with (raises ModelUnavailableError)."""
        if self._llm is None:
            from kb.llm.client import ChatClient

            self._llm = ChatClient.from_settings(self.settings)
        return self._llm

    def _written(self, g: OpenGeneration, question: str, history: list[Turn],
                 on_text: Callable[[str], None] | None) -> Answer:
        from kb.answer.written import write

        return write(question, lambda text: g.analyser.analyse(text, history, self._synonyms),
                     lambda plan: self._gather(g, plan), g.library, self.llm, self.settings,
                     history, on_text)

    def plan(self, question: str, history: Sequence[Turn] | None = None) -> QueryPlan:
        """What `question` asks (raises QuestionError when it is empty or too long)."""
        with self._reading() as g:
            return g.analyser.analyse(question, list(history or []), self._synonyms)

    def gather(self, plan: QueryPlan) -> list[Evidence]:
        """Everything the index holds for the plan's parts."""
        with self._reading() as g:
            return self._gather(g, plan)

    def _gather(self, g: OpenGeneration, plan: QueryPlan) -> list[Evidence]:
        if not plan.readable or plan.define:
            return []
        return gather(plan, g.retriever, g.store, self.embedder)

    def compose(self, plan: QueryPlan, evidence: list[Evidence]) -> Answer:
        """The answer to `plan` from `evidence`."""
        with self._reading() as g:
            return compose(plan, evidence, g.library, self.settings)
