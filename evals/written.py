"""The language model's row of the evaluation: the same items and metrics, the answers
written by the configured model (IPSKB_LLM) and checked as in the product."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

from evals.metrics import Scored
from evals.runner import Item, ask_item, score_answer
from kb.answer.written import NO_ANSWER
from kb.knowledge import KnowledgeBase
from kb.models import Answer
from kb.settings import Settings

log = logging.getLogger(__name__)

LLM = "llm"


def sample(items: list[Item], limit: int) -> list[Item]:
    """About `limit` items spread evenly over each split and category (every k-th item of
    each group, in file order), so that a slow model is measured on a fair slice."""
    if limit >= len(items):
        return items
    share = limit / len(items)
    groups: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        groups.setdefault((item.split, item.category), []).append(item)
    chosen: set[str] = set()
    for group in groups.values():
        want = max(1, round(len(group) * share))
        step = len(group) / want
        chosen |= {group[int(i * step)].id for i in range(want)}
    return [i for i in items if i.id in chosen]


def run_written(kb: KnowledgeBase, items: list[Item], settings: Settings,
                progress: Callable[[str], None] | None = None) -> list[Scored]:
    """Every item answered by the configured model (its notices counted in the log)."""
    base = kb.settings
    kb.use_settings(settings)
    kb.use_llm(None)
    modes: Counter[str] = Counter()
    began = time.monotonic()
    try:
        out = []
        for n, item in enumerate(items, start=1):
            answer = ask_item(kb, item)
            modes[_outcome(answer)] += 1
            out.append(score_answer(kb, item, answer, every_language=True))
            if progress and n % 10 == 0:
                progress(f"{LLM}: {n} of {len(items)} items")
    finally:
        kb.use_llm(None)
        kb.use_settings(base)
    log.warning("%s: %d items in %.0f s: %s", LLM, len(items), time.monotonic() - began,
                dict(modes))
    return out


def _outcome(answer: Answer) -> str:
    """What became of the model's answer: kept, its own abstention, or a fallback."""
    if answer.mode == "llm":
        return "written and kept"
    if NO_ANSWER in (answer.notices or []):
        return "the model said the passages do not answer"
    return f"fell back to the offline answer ({answer.mode})"
