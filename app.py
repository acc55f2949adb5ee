"""The ipskb chat app: ask the IPS Program documents, see every source, draft a reply.

`python app.py [--host H] [--port N]` serves it (127.0.0.1:7860 by default);
`build_app(kb, settings)` builds it without serving, for tests.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kb.errors import KBError
from kb.knowledge import KnowledgeBase
from kb.models import Answer
from kb.present import render
from kb.present.feedback import FeedbackStore
from kb.present.reply import draft_reply
from kb.runtime import configure_runtime
from kb.settings import Settings

if TYPE_CHECKING:
    import gradio as gr

log = logging.getLogger("ipskb.app")

STARTERS: dict[str, list[str]] = {
    "Visiting delegation": [
        "How do we request a reciprocal visit to the United States?",
        "What can a country expect when the Coast Guard visits?",
        "What happens to ships from a port that does not comply with the ISPS Code?",
    ],
    "New to the program": [
        "Who manages the International Port Security Program?",
        "What law requires the Coast Guard to assess foreign ports?",
        "How often must foreign ports be reassessed?",
    ],
    "Help desk": [
        "Who should a foreign official contact with questions about the program?",
        "Is training available for port security officials?",
        "Which countries were listed in Port Security Advisory 1-17?",
    ],
}
WORDS_PER_CHUNK = 6  # streaming granularity


@dataclass
class Session:
    """One browser session: earlier questions (for follow-ups) and the last answer."""

    history: list[str] = field(default_factory=list)
    last: Answer | None = None


class Handlers:
    """The app's event handlers, apart from the layout so they can be tested directly."""

    def __init__(self, kb: KnowledgeBase, settings: Settings) -> None:
        self.kb = kb
        self.settings = settings
        self.feedback = FeedbackStore.for_settings(settings)

    def respond(
        self, question: str, chat: list[dict[str, str]], session: Session
    ) -> Iterator[tuple[Any, ...]]:
        """Answer, streaming the text; then show sources and the citation picker."""
        question = (question or "").strip()
        if not question:
            yield chat, "", self._picker(None), "", session
            return
        chat = [*chat, {"role": "user", "content": render.escape_markdown(question)}]
        try:
            answer = self.kb.ask(question, history=session.history)
        except KBError as exc:
            chat.append({"role": "assistant", "content": render.escape_markdown(str(exc))})
            yield chat, "", self._picker(None), "", session
            return
        session = Session([*session.history, question][-10:], answer)
        words = answer.text.split(" ")
        for i in range(WORDS_PER_CHUNK, len(words), WORDS_PER_CHUNK):
            partial = " ".join(words[:i])
            yield ([*chat, {"role": "assistant", "content": render.escape_markdown(partial)}],
                   "", self._picker(None), "", session)
        chat.append({"role": "assistant", "content": render.escape_markdown(answer.text)})
        yield (chat, render.citations_html(answer, self.kb.documents), self._picker(answer),
               "", session)

    @staticmethod
    def _picker(answer: Answer | None) -> Any:
        import gradio as gr

        choices = [render.citation_choice(c) for c in answer.citations] if answer else []
        return gr.update(choices=choices, value=None)

    def show_citation(self, choice: str | None, session: Session) -> str:
        """The chosen citation's passage, highlighted in its document."""
        answer = session.last
        if not choice or answer is None:
            return ""
        for c in answer.citations:
            if render.citation_choice(c) == choice:
                return render.passage_html(self.kb.documents[c.source], c.start, c.end)
        return ""

    def draft(self, session: Session) -> str:
        if session.last is None:
            return "Ask a question first; the reply draft is made from its answer."
        return draft_reply(session.last, self.kb.contacts())

    def rate(self, rating: int, reason: str, session: Session) -> str:
        if session.last is None:
            return "Ask a question first, then rate its answer."
        entry = self.feedback.add(session.last.to_json(), rating, reason or "")
        return f"Thank you: feedback #{entry} saved."

    def show_definition(self, term: str | None) -> str:
        for e in self.kb.glossary:
            if e.term == term:
                return render.passage_html(self.kb.documents[e.doc_id], e.start, e.end, 300)
        return ""

    def api_ask(self, question: str) -> dict[str, Any]:
        """The `ipskb ask --json` contract over the API."""
        try:
            return self.kb.ask(question).to_json()
        except KBError as exc:
            return {"question": question, "error": str(exc)}


def build_app(kb: KnowledgeBase, settings: Settings) -> gr.Blocks:
    """The whole app as a Blocks object, not yet served."""
    import gradio as gr

    h = Handlers(kb, settings)
    with gr.Blocks(title="IPS Program knowledge base", analytics_enabled=False) as app:
        gr.Markdown("## International Port Security Program: questions and answers\n"
                    "Answers quote the program's documents; every sentence is cited.")
        with gr.Tab("Ask"):
            _ask_tab(h, settings)
        with gr.Tab("Glossary"):
            gr.HTML(render.glossary_table_html(kb.glossary, kb.documents), elem_id="glossary")
            term = gr.Dropdown([e.term for e in kb.glossary], label="Show where a term is defined",
                               elem_id="glossary-term")
            definition = gr.HTML(elem_id="glossary-passage")
            term.change(h.show_definition, term, definition)
        with gr.Tab("Sources"):
            gr.HTML(render.sources_table_html(
                (s.document, s.chunks) for s in kb.sources()), elem_id="sources-table")
        gr.api(h.api_ask, api_name="ask")
    return app


def _ask_tab(h: Handlers, settings: Settings) -> None:
    import gradio as gr

    session = gr.State(Session())
    starters: list[tuple[gr.Button, str]] = []
    with gr.Row():
        for group, questions in STARTERS.items():
            with gr.Column(min_width=220):
                gr.Markdown(f"**{group}**")
                starters += [(gr.Button(q, size="sm", variant="secondary"), q) for q in questions]
    chat = gr.Chatbot(label="Answers", height=420, elem_id="chat", line_breaks=True,
                      buttons=["copy"])
    with gr.Row():
        question = gr.Textbox(placeholder="Ask about the International Port Security Program",
                              show_label=False, scale=5, elem_id="question",
                              max_length=settings.max_question_chars)
        ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
    sources = gr.HTML(elem_id="answer-sources")
    picker = gr.Radio([], label="Open a citation to read it in context", elem_id="cite-picker")
    passage = gr.HTML(elem_id="cite-passage")
    with gr.Accordion("Help desk: reply draft", open=True):
        draft_btn = gr.Button("Draft a reply from this answer", elem_id="draft-reply")
        draft = gr.Textbox(label="Reply draft", lines=14, buttons=["copy"], elem_id="draft")
    with gr.Row():
        up = gr.Button("Helpful", size="sm", elem_id="thumbs-up")
        down = gr.Button("Not helpful", size="sm", elem_id="thumbs-down")
        reason = gr.Textbox(placeholder="What was wrong or missing? (optional)",
                            show_label=False, scale=3, elem_id="feedback-reason")
    thanks = gr.Markdown(elem_id="feedback-status")

    outputs = [chat, sources, picker, passage, session]
    for trigger in (question.submit, ask.click):
        trigger(h.respond, [question, chat, session], outputs).then(
            lambda: "", None, question)
    for button, text in starters:
        button.click(_asker(h, text), [chat, session], outputs)
    picker.change(h.show_citation, [picker, session], passage)
    draft_btn.click(h.draft, session, draft)
    up.click(lambda r, s: h.rate(1, r, s), [reason, session], thanks)
    down.click(lambda r, s: h.rate(-1, r, s), [reason, session], thanks)


def _asker(h: Handlers, text: str) -> Any:
    """A starter button's handler: ask its example question, streaming like the box does."""

    def run(chat: list[dict[str, str]], session: Session) -> Iterator[tuple[Any, ...]]:
        yield from h.respond(text, chat, session)

    return run


def main(argv: list[str] | None = None) -> int:
    configure_runtime()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
        parser = argparse.ArgumentParser(description="Serve the ipskb chat app.")
        parser.add_argument("--host", default=settings.app_host)
        parser.add_argument("--port", type=int, default=settings.app_port)
        args = parser.parse_args(argv)
        kb = KnowledgeBase.open(settings)
    except (KBError, ValueError) as exc:
        print(f"ipskb app: {exc}", file=sys.stderr)
        return 1
    # Load the model while the page comes up, not on the first question.
    threading.Thread(target=kb.embedder.encode_queries, args=(["warm up"],), daemon=True).start()
    build_app(kb, settings).launch(
        server_name=args.host, server_port=args.port, share=False, css=render.CSS,
        ssr_mode=False, footer_links=["api"],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
