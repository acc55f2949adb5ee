"""The ipskb chat app: ask the IPS Program documents, see every source, draft a reply; and
the REST API beside it on the same server.

`python app.py [--host H] [--port N]` serves both (127.0.0.1:7860 by default);
`build_app(kb, settings)` builds the Gradio app without serving it, for tests, and
`kb.present.server.asgi_app` puts it beside the API.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kb.errors import KBError
from kb.knowledge import KnowledgeBase
from kb.present import render
from kb.present.chat import DRAFT_LABEL, Handlers, Session
from kb.present.style import TRANSCRIPT_JS, counter_js
from kb.runtime import configure_runtime
from kb.settings import Settings

if TYPE_CHECKING:
    import gradio as gr

__all__ = ["STARTERS", "Handlers", "Session", "build_app", "main"]

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
        "Does the Coast Guard offer port security training?",
        "Which countries were listed in Port Security Advisory 1-17?",
    ],
}


def build_app(kb: KnowledgeBase, settings: Settings) -> gr.Blocks:
    """The whole app as a Blocks object, not yet served."""
    import gradio as gr

    h = Handlers(kb, settings)
    # No upload reaches the app (see kb.present.guard); whatever Gradio caches for it anyway
    # (files it serves) is removed hourly and when the server stops.
    with gr.Blocks(title="IPS Program knowledge base", analytics_enabled=False,
                   delete_cache=(3600, 3600)) as app:
        gr.Markdown("## International Port Security Program: questions and answers\n"
                    "Answers quote the program's documents; every sentence is cited.")
        with gr.Tab("Ask"):
            _ask_tab(h, settings)
        with gr.Tab("Glossary"):
            glossary = gr.HTML(render.glossary_table_html(kb.glossary, kb.documents),
                               elem_id="glossary")
            # No term chosen at first: picking the first one must show it too.
            term = gr.Dropdown([e.term for e in kb.glossary], value=None,
                               label="Show where a term is defined", elem_id="glossary-term")
            definition = gr.HTML(elem_id="glossary-passage")
            term.change(h_definition(kb), term, definition)
        with gr.Tab("Sources"):
            sources = gr.HTML(render.sources_table_html(s.document for s in kb.sources()),
                              elem_id="sources-table")
        if settings.admin_enabled:  # without a password hash there is no tab, and no endpoint
            from kb.present.admin import AdminConsole
            from kb.present.admin_tab import admin_tab

            with gr.Tab("Admin", elem_id="admin-tab"):
                admin_tab(AdminConsole(kb, settings), app)
        gr.api(h.api_ask, api_name="ask")
        # A page opened after an ingest lists what the index holds now, not at start.
        app.load(h_panels(kb), None, [glossary, term, sources], queue=False,
                 show_progress="hidden")
    return app


def h_panels(kb: KnowledgeBase) -> Any:
    """The page load's handler: the glossary and sources of the generation being read."""
    import gradio as gr

    def panels() -> tuple[str, Any, str]:
        return (render.glossary_table_html(kb.glossary, kb.documents),
                gr.update(choices=[e.term for e in kb.glossary]),
                render.sources_table_html(s.document for s in kb.sources()))

    return panels


def h_definition(kb: KnowledgeBase) -> Any:
    """The glossary picker's handler: where the chosen term is defined, highlighted."""

    def show(term: str | None) -> str:
        for e in kb.glossary:
            if e.term == term:
                return render.passage_html(kb.documents[e.doc_id], e.start, e.end, 300)
        return ""

    return show


def _ask_tab(h: Handlers, settings: Settings) -> None:
    import gradio as gr

    session = gr.State(Session())
    starters = _starters()
    transcript = gr.HTML(h.transcript(Session()), elem_id="transcript", js_on_load=TRANSCRIPT_JS,
                         max_height=640)
    with gr.Row(equal_height=True, elem_id="ask-row"):
        question = gr.Textbox(placeholder="Ask about the International Port Security Program",
                              show_label=False, scale=5, lines=1, max_lines=8,
                              elem_id="question")
        with gr.Column(scale=1, min_width=120):
            ask = gr.Button("Ask", variant="primary", elem_id="ask")
            new = gr.Button("New chat", size="sm", elem_id="new-chat")
    counter = gr.HTML(f"0 / {settings.max_question_chars} characters", elem_id="question-count")
    status = gr.Markdown(elem_id="ask-status")
    with gr.Accordion("Help desk: reply draft", open=True):
        draft_btn = gr.Button("Draft a reply from the latest answer", elem_id="draft-reply")
        draft = gr.Textbox(label=DRAFT_LABEL, lines=14, buttons=["copy"], elem_id="draft")
    with gr.Row():
        up = gr.Button("Helpful", size="sm", elem_id="thumbs-up")
        down = gr.Button("Not helpful", size="sm", elem_id="thumbs-down")
        reason = gr.Textbox(placeholder="What was wrong or missing? (optional)",
                            show_label=False, scale=3, elem_id="feedback-reason")
    thanks = gr.Markdown(elem_id="feedback-status")

    count = counter_js(settings.max_question_chars)
    outputs = [transcript, session, question, status, draft, thanks, reason]
    # In the browser, on every change (typing, pasting, the box cleared after an answer).
    question.change(None, question, counter, js=count, queue=False)
    for trigger in (question.submit, ask.click):
        trigger(h.respond, [question, session], outputs)
    for button, text in starters:
        button.click(_asker(h, text), session, outputs)
    new.click(h.new_chat, None, outputs)
    draft_btn.click(h.draft, session, draft)
    up.click(_rater(h, 1), [reason, session], [thanks, reason])
    down.click(_rater(h, -1), [reason, session], [thanks, reason])


def _rater(h: Handlers, rating: int) -> Any:
    """A feedback button's handler; Gradio passes the request, whose client address the
    rate limit counts by."""
    import gradio as gr

    def rate(reason: str, session: Session, request: gr.Request) -> tuple[str, Any]:
        client = request.client.host if request and request.client else ""
        return h.rate(rating, reason, session, client)

    # The real class, not the string `from __future__` leaves: Gradio looks it up to know
    # which argument wants the request.
    rate.__annotations__["request"] = gr.Request
    return rate


def _starters() -> list[tuple[gr.Button, str]]:
    """The example questions, folded away on a phone (see style.LOAD_JS)."""
    import gradio as gr

    starters: list[tuple[gr.Button, str]] = []
    with gr.Accordion("Example questions", open=True, elem_id="starters"), gr.Row():
        for group, questions in STARTERS.items():
            with gr.Column(min_width=220, elem_classes="ipskb-starter-col"):
                gr.Markdown(f"**{group}**")
                starters += [(gr.Button(q, size="sm", variant="secondary"), q)
                             for q in questions]
    return starters


def _asker(h: Handlers, text: str) -> Any:
    """A starter button's handler: ask its example question, streaming like the box does."""

    import gradio as gr

    def run(session: Session) -> Iterator[tuple[Any, ...]]:
        for step in h.respond(text, session):
            # The box may hold a question being typed: a starter leaves it alone.
            yield (*step[:2], gr.update(), *step[3:])

    return run


def main(argv: list[str] | None = None) -> int:
    """Serve the app and the REST API until interrupted."""
    from kb.present.server import asgi_app, serve

    configure_runtime()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
        parser = argparse.ArgumentParser(description="Serve the ipskb chat app and REST API.")
        parser.add_argument("--host", default=settings.app_host)
        parser.add_argument("--port", type=int, default=settings.app_port)
        args = parser.parse_args(argv)
        settings = settings.model_copy(update={"app_host": args.host, "app_port": args.port})
        kb = KnowledgeBase.open(settings)
        # The models load (and their files are checked) before the server starts: a changed
        # model stops the app here with one line, not on the askers' first questions.
        kb.warm_up()
        blocks = build_app(kb, settings)  # a broken admin password setting stops it here
    except (KBError, ValueError) as exc:
        print(f"ipskb app: {exc}", file=sys.stderr)
        return 1
    serve(asgi_app(kb, settings, blocks), args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
