"""Written answers: a language model writes from the same evidence the extractive answer
is composed from, and its answer is kept only as far as the checks in code pass
(kb.answer.verify). Whenever it cannot be kept (the model failed, was slow, wrote what
cannot be read, or too little of it holds) the extractive answer is given instead, with a
one-line notice saying why.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from kb.answer.cite import abstention
from kb.answer.compose import Library, compose
from kb.answer.parse import parse
from kb.answer.prompt import REPLY_SCHEMA, answer_messages, passages, translate_messages
from kb.answer.verify import check
from kb.errors import ModelUnavailableError
from kb.llm.client import ChatClient
from kb.models import Answer, Hit
from kb.query.parts import Turn
from kb.query.plan import QueryPlan
from kb.retrieve.evidence import Evidence
from kb.settings import Settings

log = logging.getLogger(__name__)

OnText = Callable[[str], None]
EXTRACTIVE = "this is the extractive answer."
NO_ANSWER = "The language model found no answer in the passages."


def translate(client: ChatClient, question: str, deadline: float, limit: int) -> str:
    """The question in English, for retrieval; raises ModelUnavailableError when the model
    fails or gives nothing usable."""
    reply = client.complete(translate_messages(question), deadline)
    line = next((x.strip() for x in reply.splitlines() if x.strip()), "")
    line = line.strip("\"'“”«» ")
    if not line:
        raise ModelUnavailableError("the language model gave no translation")
    return line[:limit]


def write(question: str, analyse: Callable[[str], QueryPlan],
          search: Callable[[QueryPlan], list[Evidence]], library: Library,
          client: Callable[[], ChatClient], settings: Settings, history: Sequence[Turn],
          on_text: OnText | None = None) -> Answer:
    """The written answer to `question`: analysed with `analyse`, its evidence found with
    `search`; the extractive answer, with a notice, whenever the model's cannot be kept."""
    plan = analyse(question)
    evidence = search(plan)
    fallback = compose(plan, evidence, library, settings)
    if plan.define and fallback.mode == "extractive":
        return fallen_back(fallback)  # the glossary's own definition, cited where it is
    # The model's time is its own: retrieval, and a first load of the encoder, are not
    # counted in it.
    deadline = time.monotonic() + settings.llm_timeout
    try:
        model = client()
        if not plan.readable:  # the model reads it for the search, in English
            english = translate(model, plan.text, deadline, settings.max_question_chars)
            evidence = search(analyse(english))
    except ModelUnavailableError as exc:
        return fallen_back(fallback, failed(exc))
    return written_answer(question, plan.language, evidence, fallback, library, model,
                          settings, history, deadline, on_text)


def written_answer(
    question: str, language: str, evidence: Sequence[Evidence], fallback: Answer,
    library: Library, client: ChatClient, settings: Settings, history: Sequence[Turn],
    deadline: float, on_text: OnText | None = None,
) -> Answer:
    """The model's checked answer to `question` from `evidence`, or `fallback` with a
    notice. `on_text` receives the reply's text as it arrives."""
    hits = interleaved(evidence)
    found = passages(hits, library.documents, settings.llm_passages)
    if not found:
        return fallen_back(fallback, "No passage was found to write an answer from; "
                           + EXTRACTIVE)
    messages = answer_messages(question, found, language, history)
    began = time.monotonic()
    try:
        raw = _collect(client.stream(messages, deadline, REPLY_SCHEMA), on_text)
    except ModelUnavailableError as exc:
        log.warning("written answer failed: %s", exc)
        return fallen_back(fallback, failed(exc))
    log.info("the model wrote %d characters in %.1f s", len(raw), time.monotonic() - began)
    reply = parse(raw)
    if not reply.answerable:
        answer = abstention(question, hits, library.contact_citations())
        answer.language, answer.notices = language, [NO_ANSWER]
        answer.reasons = [NO_ANSWER]
        return answer
    checked = check(reply.claims, found, library.documents, english=language == "en")
    if checked.total == 0:
        return fallen_back(fallback, "The language model's reply held no sentence to check; "
                           + EXTRACTIVE)
    if checked.kept == 0 or checked.kept < settings.llm_min_kept * checked.total:
        return fallen_back(fallback, *checked.notices,
                           f"{checked.kept} of {checked.total} written sentences passed the "
                           f"checks; {EXTRACTIVE}")
    return Answer(question=question, text=checked.text, mode="llm",
                  citations=checked.citations, sentences=checked.sentences, hits=hits,
                  confidence=checked.kept / checked.total, language=language,
                  notices=checked.notices)


def failed(exc: ModelUnavailableError) -> str:
    """The one-line notice for a model that failed: "The language model did not finish in
    time; this is the extractive answer."."""
    said = str(exc).rstrip(". ")
    return f"{said[:1].upper()}{said[1:]}; {EXTRACTIVE}"


def fallen_back(answer: Answer, *notices: str) -> Answer:
    """`answer` (the extractive one) with the notices saying why it is given."""
    return replace(answer, notices=[*(answer.notices or []), *notices])


def _collect(pieces: Iterable[str], on_text: OnText | None) -> str:
    raw = ""
    for piece in pieces:
        raw += piece
        if on_text is not None:
            on_text(raw)
    return raw


def interleaved(evidence: Sequence[Evidence]) -> list[Hit]:
    """Each part's passages in turn, so that every part of a question is represented."""
    rows = itertools.zip_longest(*(ev.hits for ev in evidence))
    return [h for row in rows for h in row if h is not None]
