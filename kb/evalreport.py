"""Writes the evaluation report (Markdown)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.settings import Settings

if TYPE_CHECKING:
    from kb.evaluate import Outcome

COLUMNS = [
    ("items", "items", "{:.0f}"),
    ("hit@5", "hit@5", "{:.1%}"),
    ("mrr", "MRR", "{:.3f}"),
    ("fact_recall", "fact recall", "{:.1%}"),
    ("citation_support", "citation support", "{:.1%}"),
    ("answered_with_support", "answered + supported", "{:.1%}"),
    ("abstention_precision", "abstention precision", "{:.1%}"),
    ("abstention_recall", "abstention recall", "{:.1%}"),
    ("unquoted_sentences", "non-verbatim sentences", "{:.0f}"),
]


def write_report(
    path: Path, settings: Settings, table: dict[str, dict[str, float]],
    outcomes: list[Outcome], calibration: dict[str, Any] | None,
) -> None:
    lines = [
        "# ipskb evaluation report",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `ipskb eval` over "
        f"{len(outcomes)} questions (`evals/questions.jsonl`).",
        "",
        f"Settings: model `{settings.model_name}`, chunk size {settings.chunk_size}, overlap "
        f"{settings.chunk_overlap}, top-k {settings.top_k}, FAQ threshold "
        f"{settings.faq_threshold}, abstention threshold {settings.abstain_threshold}, "
        f"up to {settings.max_sentences} sentences per answer.",
        "",
        "## Metrics",
        "",
        "- **hit@5 / MRR**: a passage of the document holding the facts among the top 5 "
        "retrieved (hybrid) / reciprocal rank of the first such passage (answerable items).",
        "- **fact recall**: share of expected facts found in the answer text.",
        "- **citation support**: share of facts found that lie inside a cited quote.",
        "- **answered + supported**: answerable items whose every fact is in the answer and "
        "inside a cited quote (the headline figure).",
        "- **abstention precision / recall**: of abstentions, share on out-of-scope items / of "
        "out-of-scope items, share abstained.",
        "- **non-verbatim sentences**: answer sentences that are not exact source text "
        "(must be 0).",
        "",
        "| group | " + " | ".join(c[1] for c in COLUMNS) + " |",
        "|---" * (len(COLUMNS) + 1) + "|",
    ]
    for name, row in table.items():
        cells = [fmt.format(row[key]) for key, _, fmt in COLUMNS]
        label = f"**{name}**" if name == "overall" else name
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    if calibration:
        lines += [
            "",
            "## Threshold calibration (dev split)",
            "",
            f"A grid search over the FAQ threshold and the abstention threshold, counting dev "
            f"items answered right (answerable: every fact inside a cited quote; out of scope: "
            f"abstained), chose FAQ threshold **{calibration['faq_threshold']}** and abstention "
            f"threshold **{calibration['abstain_threshold']}** "
            f"({calibration['dev_right']} of {calibration['dev_items']} dev items right). "
            "These are the defaults in `kb/settings.py`.",
        ]
    failures = [o for o in outcomes if not o.success]
    lines += ["", f"## Items not fully right ({len(failures)})", ""]
    for o in failures:
        want = "abstain" if not o.item.answerable else ", ".join(o.item.facts)
        got = " ".join(o.answer.text.split())[:300]
        lines.append(f"- `{o.item.id}` ({o.item.category}, {o.item.split}) {o.item.question}  ")
        lines.append(f"  expected: {want}; mode: {o.answer.mode}; answer: {got}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
