"""The chat app's state and event handlers, apart from the Gradio layout (app.py) so that
they can be tested directly on a real knowledge base.

A chat is a list of turns. The draft and the feedback always concern the latest answer on
screen: an error or an empty question adds nothing a person could draft from or rate, so it
leaves them, and the answers above it, as they were.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kb.answer.parse import preview
from kb.errors import KBError
from kb.knowledge import KnowledgeBase
from kb.models import Answer
from kb.present.answer_view import plain_text
from kb.present.feedback import FeedbackStore
from kb.present.limits import RateLimit
from kb.present.reply import draft_reply
from kb.present.transcript import WRITING, Turn, transcript_html
from kb.settings import Settings
from kb.shown import excerpt

log = logging.getLogger(__name__)

WORDS_PER_CHUNK = 6  # streaming granularity
HISTORY_TURNS = 10  # earlier questions a follow-up may lean on
DRAFT_LABEL = "Reply draft"
NO_ANSWER_YET = "Ask a question first; the reply draft is made from its answer."
RATE_FIRST = "Ask a question first, then rate its answer."
TOO_MANY_RATINGS = "Too many ratings from here just now; please try again in a minute."
EMPTY_QUESTION = "Type a question first."


def _no_change() -> Any:
    import gradio as gr

    return gr.update()


@dataclass
class Rating:
    """The feedback entry stored for one answer."""

    entry: int
    rating: int
    reason: str


@dataclass
class Session:
    """One browser session's chat: its turns and the feedback given on its answers."""

    turns: list[Turn] = field(default_factory=list)
    ratings: dict[int, Rating] = field(default_factory=dict)  # by turn number

    @property
    def latest(self) -> Turn | None:
        """The latest turn with an answer: what the draft and the feedback are about."""
        return next((t for t in reversed(self.turns) if t.answer is not None), None)

    @property
    def last(self) -> Answer | None:
        latest = self.latest
        return latest.answer if latest else None

    @property
    def history_turns(self) -> list[tuple[str, str]]:
        """The earlier questions with their answers' text, for follow-ups ("and who do we
        contact?"): what a follow-up points back to is in both."""
        return [(t.question, t.answer.text) for t in self.turns
                if t.answer is not None][-HISTORY_TURNS:]


class Handlers:
    """The app's event handlers. Each returns values for the components app.py wires."""

    def __init__(self, kb: KnowledgeBase, settings: Settings) -> None:
        self.kb = kb
        self.settings = settings
        self.feedback = FeedbackStore.for_settings(settings)
        self.rating_limit = RateLimit(settings.feedback_per_minute)

    def transcript(self, session: Session) -> str:
        return transcript_html(session.turns, self.kb.documents)

    def respond(self, question: str, session: Session) -> Iterator[tuple[Any, ...]]:
        """Answer `question`, streaming its text, then show it with its sources.

        Yields (transcript, session, question box, status, draft, feedback status, reason).
        Only a new answer clears the question box, the draft and the feedback line; an
        error keeps the question in the box to be corrected.
        """
        keep = _no_change()
        if not (question or "").strip():
            yield self.transcript(session), session, keep, EMPTY_QUESTION, keep, keep, keep
            return
        n = session.turns[-1].n + 1 if session.turns else 1
        if self.kb.writes:  # a language model writes: its text shows as it arrives
            yield from self._written(n, question, session)
            return
        try:
            answer, documents = self.kb.ask_with_documents(question, session.history_turns)
        except KBError as exc:
            yield self._failed(n, question, session, exc)
            return
        session = Session([*session.turns, Turn(n, question, answer, documents=documents)],
                          session.ratings)
        turn = session.turns[-1]
        words = plain_text(answer, references=False).split(" ")
        for i in range(WORDS_PER_CHUNK, len(words), WORDS_PER_CHUNK):
            turn.partial = " ".join(words[:i])
            yield self.transcript(session), session, keep, "", keep, keep, keep
        turn.partial = None
        yield self._answered(session)

    def _answered(self, session: Session) -> tuple[Any, ...]:
        """The transcript with the new answer; the box, the draft and the feedback cleared."""
        import gradio as gr

        return (self.transcript(session), session, "", "",
                gr.update(value="", label=DRAFT_LABEL), "", "")

    def _failed(self, n: int, question: str, session: Session, exc: KBError) -> tuple[Any, ...]:
        keep = _no_change()
        session = Session([*session.turns, Turn(n, question, error=str(exc))], session.ratings)
        return self.transcript(session), session, keep, "", keep, keep, keep

    def _written(self, n: int, question: str,
                 session: Session) -> Iterator[tuple[Any, ...]]:
        """Steps showing the model's text as it arrives (unchecked, marked as being
        written), then the session holding the checked answer."""
        keep = _no_change()
        arrived: queue.Queue[tuple[str, Any]] = queue.Queue()
        earlier = session.history_turns

        def work() -> None:
            try:
                arrived.put(("done", self.kb.ask_with_documents(
                    question, earlier, on_text=lambda raw: arrived.put(("text", raw)))))
            except KBError as exc:
                arrived.put(("error", exc))

        threading.Thread(target=work, name="ipskb-written", daemon=True).start()
        pending = Turn(n, question, partial=WRITING)
        shown = Session([*session.turns, pending], session.ratings)
        yield self.transcript(shown), shown, keep, "", keep, keep, keep
        while True:
            kind, value = arrived.get()
            if kind == "text":
                pending.partial = WRITING + preview(str(value))
                yield self.transcript(shown), shown, keep, "", keep, keep, keep
            elif kind == "error":
                assert isinstance(value, KBError)
                yield self._failed(n, question, session, value)
                return
            else:
                answer, documents = value
                yield self._answered(Session(
                    [*session.turns, Turn(n, question, answer, documents=documents)],
                    session.ratings))
                return

    def new_chat(self) -> tuple[Any, ...]:
        """A fresh start: no turns, no follow-up context, every panel empty."""
        import gradio as gr

        session = Session()
        return (self.transcript(session), session, "", "",
                gr.update(value="", label=DRAFT_LABEL), "", "")

    def draft(self, session: Session) -> Any:
        """The reply draft of the latest answer, labelled with the question it answers."""
        import gradio as gr

        latest = session.latest
        if latest is None or latest.answer is None:
            return gr.update(value=NO_ANSWER_YET, label=DRAFT_LABEL)
        return gr.update(value=draft_reply(latest.answer, self.kb.contacts()),
                         label=f"{DRAFT_LABEL} for \u201c{latest.question}\u201d")

    def rate(self, rating: int, reason: str, session: Session,
             client: str = "") -> tuple[str, Any]:
        """Store the rating of the latest answer once: clicking again changes that entry.
        `client` (its address) may rate only so often: a script must not flood the store.
        Returns (status line, reason box)."""
        latest = session.latest
        if latest is None or latest.answer is None:
            return RATE_FIRST, _no_change()
        if not self.rating_limit.allow(client):
            log.warning("refused a rating from %s: over %d a minute", client or "?",
                        self.rating_limit.limit)
            return TOO_MANY_RATINGS, _no_change()
        reason = (reason or "").strip()
        before = session.ratings.get(latest.n)
        if before is None:
            entry = self.feedback.add(latest.answer.to_json(), rating, reason)
            session.ratings[latest.n] = Rating(entry, rating, reason)
            return f"Thank you: feedback #{entry} saved.", ""
        reason = reason or before.reason  # an empty box keeps the reason already given
        if (rating, reason) == (before.rating, before.reason):
            return f"Feedback #{before.entry} is already saved for this answer.", ""
        self.feedback.update(before.entry, rating, reason)
        session.ratings[latest.n] = Rating(before.entry, rating, reason)
        return f"Thank you: feedback #{before.entry} updated.", ""

    def api_ask(self, question: str) -> dict[str, Any]:
        """The `ipskb ask --json` contract over Gradio's API."""
        try:
            return self.kb.ask(question).to_json()
        except KBError as exc:  # quoting only the start of a question megabytes long
            return {"question": excerpt(question), "error": str(exc)}
