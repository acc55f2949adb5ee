"""Writes the evaluation outputs: report.md with tables and plots, results.json."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from evals.metrics import Scored
from evals.runner import Item
from kb.settings import Settings

Results = dict[str, dict[str, dict[str, dict[str, float]]]]  # system > split > group > metric
COLUMNS = [
    ("hit@5", "hit@5", "{:.0%}"), ("recall@5", "recall@5", "{:.0%}"), ("mrr", "MRR", "{:.2f}"),
    ("ndcg@10", "nDCG@10", "{:.2f}"), ("fact_recall", "fact recall", "{:.0%}"),
    ("citation_support", "citation support", "{:.0%}"),
    ("citation_precision", "citation precision", "{:.0%}"),
    ("answered_with_support", "answered + supported", "{:.0%}"),
    ("abstention_precision", "abstention precision", "{:.0%}"),
    ("abstention_recall", "abstention recall", "{:.0%}"), ("crag_score", "CRAG", "{:+.2f}"),
    ("unquoted_sentences", "non-verbatim", "{:.0f}"),
]
DEFINITIONS = """\
- **hit@5, recall@5, MRR, nDCG@10**: retrieval against the labelled passages of answerable
  items (a retrieved passage counts when it holds a labelled quote).
- **fact recall**: expected facts found in the answer. **citation support**: of those, the
  share inside a cited quote. **citation precision**: cited passages that hold a labelled
  passage or an expected fact. **answered + supported**: answerable items with every fact
  inside a cited quote (the headline figure).
- **abstention precision / recall**: abstentions that were on out-of-scope items / out-of-scope
  items abstained on. **CRAG**: mean of +1 right, 0 abstained, -1 wrong.
- **non-verbatim**: answer sentences or quotes that are not exact source text (must be 0).
"""


def _table(rows: dict[str, dict[str, float]], first: str) -> list[str]:
    lines = [f"| {first} | n | " + " | ".join(c[1] for c in COLUMNS) + " |",
             "|---" * (len(COLUMNS) + 2) + "|"]
    for name, row in rows.items():
        cells = [fmt.format(row[key]) for key, _, fmt in COLUMNS]
        lines.append(f"| {name} | {int(row['items'])} | " + " | ".join(cells) + " |")
    return lines


def _misses(items: list[Item], scored: list[Scored]) -> list[str]:
    lines = []
    for item, s in zip(items, scored, strict=True):
        if s.right:
            continue
        want = "abstain" if not item.answerable else "; ".join(item.facts)
        got = " ".join(s.answer.split())[:240]
        lines.append(f"- `{item.id}` ({item.category}, {item.split}) {item.question}  ")
        lines.append(f"  expected: {want}; got ({s.mode}): {got}")
    return lines


def _against(settings: Settings, calibration: dict[str, Any]) -> str:
    """How the calibrated thresholds compare with the ones the evaluation ran with."""
    ran = (settings.faq_threshold, settings.abstain_threshold)
    if ran == (calibration["faq_threshold"], calibration["abstain_threshold"]):
        return "the thresholds this evaluation used"
    return (f"this evaluation used {ran[0]} and {ran[1]}: set the defaults in "
            "`kb/settings.py` to the calibrated values")


def write_outputs(report: Path, settings: Settings, items: list[Item], results: Results,
                  per_item: dict[str, list[Scored]], calibration: dict[str, Any] | None) -> None:
    """report.md and results.json beside it, plots in report.parent."""
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    main = next(iter(results))
    report.parent.mkdir(parents=True, exist_ok=True)
    plots = _plots(report.parent, results)
    lines = [
        "# ipskb evaluation report", "",
        f"Generated {stamp} by `ipskb eval` over {len(items)} questions "
        f"({sum(i.split == 'dev' for i in items)} dev, {sum(i.split == 'test' for i in items)} "
        "test) in `evals/questions.jsonl`. Tune on dev, report test.", "",
        f"Settings: model `{settings.model_name}`, chunks of {settings.chunk_size} characters "
        f"(overlap {settings.chunk_overlap}), top-k {settings.top_k}, FAQ threshold "
        f"{settings.faq_threshold}, abstention threshold {settings.abstain_threshold}.", "",
        DEFINITIONS,
        "## Systems side by side (test split)", "",
        *_table({name: r["test"]["overall"] for name, r in results.items()}, "system"), "",
        "## Systems side by side (all items)", "",
        *_table({name: r["all"]["overall"] for name, r in results.items()}, "system"), "",
        *[f"![{title}]({name})" for title, name in plots], "",
        f"## {main} by category (test split)", "",
        *_table(results[main]["test"], "category"), "",
        f"## {main} by category (all items)", "",
        *_table(results[main]["all"], "category"), "",
    ]
    if calibration:
        lines += [
            "## Threshold calibration (dev split)", "",
            f"A grid search over the FAQ and abstention thresholds, counting dev items right, "
            f"found {calibration['dev_right']} of {calibration['dev_items']} at best; the middle "
            f"of that plateau is FAQ threshold **{calibration['faq_threshold']}** and abstention "
            f"threshold **{calibration['abstain_threshold']}** "
            f"({_against(settings, calibration)}).", "",
        ]
    misses = _misses(items, per_item[main])
    lines += [f"## Items {main} did not get right ({len(misses) // 2})", "", *misses]
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {"generated": stamp, "items": len(items), "calibration": calibration,
            "settings": settings.model_dump(mode="json"), "systems": results}
    (report.parent / "results.json").write_text(json.dumps(data, indent=1), encoding="utf-8")


def _plots(folder: Path, results: Results) -> list[tuple[str, str]]:
    """Bar charts of the headline figures per system, and per category for each system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["hit@5", "ndcg@10", "answered_with_support", "abstention_recall", "crag_score"]
    systems = list(results)
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(systems)
    for i, name in enumerate(systems):
        row = results[name]["test"]["overall"]
        ax.bar([k + i * width for k in range(len(keys))], [row[k] for k in keys], width,
               label=name)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(keys))], keys)
    ax.set_ylim(-1, 1.05)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_title("Test split: headline figures per system")
    ax.legend(fontsize=8, ncol=len(systems))
    fig.tight_layout()
    fig.savefig(folder / "systems.png", dpi=110)
    plt.close(fig)

    cats = [c for c in results[systems[0]]["test"] if c != "overall"]
    fig, ax = plt.subplots(figsize=(10, 4))
    for i, name in enumerate(systems):
        vals = [results[name]["test"][c]["answered_with_support"] if c != "out_of_scope"
                else results[name]["test"][c]["abstention_recall"] for c in cats]
        ax.bar([k + i * width for k in range(len(cats))], vals, width, label=name)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(cats))], cats)
    ax.set_ylim(0, 1.05)
    ax.set_title("Test split: answered + supported per category (out_of_scope: abstained)")
    ax.legend(fontsize=8, ncol=len(systems))
    fig.tight_layout()
    fig.savefig(folder / "categories.png", dpi=110)
    plt.close(fig)
    return [("Headline figures per system", "systems.png"),
            ("Right answers per category", "categories.png")]
