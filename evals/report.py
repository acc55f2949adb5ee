"""Writes the evaluation outputs: report.md with tables and plots, results.json."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

from evals.metrics import Scored
from evals.runner import Item
from kb.settings import Settings

Results = dict[str, dict[str, dict[str, dict[str, float]]]]  # system > split > group > metric
COLUMNS = [
    ("hit@5", "hit@5", "{:.0%}"), ("mrr", "MRR", "{:.2f}"), ("ndcg@10", "nDCG@10", "{:.2f}"),
    ("fact_recall", "fact recall", "{:.0%}"),
    ("citation_precision", "citation precision", "{:.0%}"),
    ("confident_right", "confident + right", "{:.0%}"),
    ("right_with_hedges", "right with hedges", "{:.0%}"),
    ("confident_out_of_scope", "confident on out-of-scope", "{:.0%}"),
    ("hedged", "hedged", "{:.0%}"), ("abstention_recall", "abstention recall", "{:.0%}"),
    ("score", "score", "{:+.2f}"), ("unquoted_sentences", "non-verbatim", "{:.0f}"),
]
# The figures the product is held to, with their targets: (key, label, format, target).
HEADLINE = [
    ("confident_out_of_scope", "confident answers to out-of-scope questions", "{:.0%}", "≤ 10%"),
    ("confident_right", "confident and right (answerable)", "{:.0%}", "≥ 80%"),
    ("right_with_hedges", "right with hedges counted (answerable)", "{:.0%}", "≥ 90%"),
    ("score", "mean score", "{:+.2f}", "≥ +0.60"),
    ("hit@5", "hit@5 (answerable)", "{:.0%}", ""),
    ("unquoted_sentences", "non-verbatim sentences", "{:.0f}", "0"),
]
DEFINITIONS = """\
- **Modes**: `extractive` answers are *confident* (the cited sentences give what was
  asked); `related` answers are *hedged* (they say what the documents do not state, then give
  the closest passages); `abstain` gives only the contact.
- **Answerable** items are English questions the documents answer. Out-of-scope items, and
  questions in other languages (the offline answerer cannot read them: the right outcome is
  the notice saying so), are not.
- **confident + right**: confident, with every expected fact inside a cited quote.
  **right with hedges**: every expected fact inside a cited quote, confident or hedged.
  **confident on out-of-scope**: out-of-scope items given a confident answer.
- **score**: +1 confident and right, +0.5 hedged and holding the facts, 0 abstained or hedged
  without them, -1 confident and wrong; on out-of-scope items +1 abstained, +0.5 hedged,
  -1 confident.
- **hit@5, MRR, nDCG@10**: retrieval against the labelled passages of answerable items.
  **fact recall**: expected facts found in the answer. **citation precision**: cited passages
  that hold a labelled passage or an expected fact.
- **non-verbatim**: answer sentences or quotes that are not exact source text (must be 0).
"""


KEPT = """Where a component's verdict is not "beats its ablation", it stays for reasons the
hit@5 columns let you check: dense retrieval finds passages that share no word with the
question (paraphrases in the askers' own words), and BM25 finds the exact names, numbers and
codes ("70108", "CM394-0001") that embeddings blur; the answer score also turns on how each
answer is judged, so a retrieval gain shows there only when the judging lets it. The table of
the documents' words for everyday words ("harbour" for "port", "ship" for "vessel") shows
its worth in the "better with" and "better without" columns and in right answers with hedges
(the systems table): it lets a question in the askers' own words hold the words an answering
sentence uses; every row is a general equivalence of English, with its reason, in
`kb/rules.py`.

Answering from a matching FAQ first (an FAQ question near the question gave its FAQ's answer
before any search) was removed: against hybrid retrieval alone it scored the same on every dev
and every test item (0 items differ either way), since the FAQ answers are passages the search
finds and the judging checks like any other."""


def _headline(row_dev: dict[str, float], row_test: dict[str, float]) -> list[str]:
    """Dev, test and the gap between them for each figure the product is held to."""
    lines = ["| figure | dev | test | gap | target |", "|---|---|---|---|---|"]
    for key, label, fmt, target in HEADLINE:
        dev, test = row_dev[key], row_test[key]
        gap = abs(dev - test)
        gap_text = f"{gap:.2f}" if "+" in fmt or key.startswith("unquoted") else f"{gap:.0%}"
        lines.append(f"| {label} | {fmt.format(dev)} | {fmt.format(test)} | {gap_text} "
                     f"| {target} |")
    return lines


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
        if s.score > 0:
            continue
        want = "; ".join(item.facts) if item.expects_answer else "abstain or hedge"
        got = " ".join(s.answer.split())[:240]
        lines.append(f"- `{item.id}` ({item.category}, {item.split}) {item.question}  ")
        lines.append(f"  expected: {want}; got ({s.mode}): {got}")
    return lines


def _against(settings: Settings, calibration: dict[str, Any]) -> str:
    """How the calibrated thresholds compare with the ones the evaluation ran with."""
    ran = (settings.abstain_threshold, settings.cover_threshold)
    if ran == (calibration["abstain_threshold"], calibration["cover_threshold"]):
        return "the thresholds this evaluation used"
    return (f"this evaluation used {ran[0]} and {ran[1]}: set the defaults in "
            "`kb/settings.py` to the calibrated values")


# Each component against the system without it, on the test split: a component stays only if
# it beats its ablation there, or the report says why it is kept.
ABLATIONS = [("hybrid", "bm25", "dense retrieval beside BM25"),
             ("hybrid", "dense", "BM25 beside dense retrieval"),
             ("hybrid", "hybrid_no_synonyms",
              "the documents' words for everyday words (`kb.rules.SYNONYMS`)")]
SIGNIFICANT = 0.05  # two-sided sign test over the items the two systems score differently


def _ablations(items: list[Item], per_item: dict[str, list[Scored]]) -> list[str]:
    """Per component: both systems' mean test score, the items each does better on, and
    whether the test split can tell them apart."""
    test = [n for n, i in enumerate(items) if i.split == "test"]
    lines = ["| component | score with | score without | hit@5 with | hit@5 without | "
             "better with | better without | sign test p | verdict |",
             "|---|---|---|---|---|---|---|---|---|"]
    for with_, without, what in ABLATIONS:
        if with_ not in per_item or without not in per_item:
            continue
        a = [per_item[with_][n].score for n in test]
        b = [per_item[without][n].score for n in test]
        wins = sum(x > y for x, y in zip(a, b, strict=True))
        losses = sum(x < y for x, y in zip(a, b, strict=True))
        p = sign_test(wins, losses)
        verdict = ("beats its ablation" if wins > losses and p < SIGNIFICANT
                   else "worse than its ablation" if losses > wins and p < SIGNIFICANT
                   else "no difference the test split can show")
        hits = [sum(per_item[name][n].hit for n in test if items[n].expects_answer)
                / max(1, sum(items[n].expects_answer for n in test)) for name in (with_, without)]
        lines.append(f"| {what} ({with_} vs {without}) | {sum(a) / len(a):+.2f} | "
                     f"{sum(b) / len(b):+.2f} | {hits[0]:.0%} | {hits[1]:.0%} | {wins} | "
                     f"{losses} | {p:.2f} | {verdict} |")
    return lines


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact sign test: the chance of a split at least this uneven if neither
    system were better."""
    n = wins + losses
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(wins, losses) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def write_outputs(report: Path, settings: Settings, items: list[Item], results: Results,
                  per_item: dict[str, list[Scored]], calibration: dict[str, Any] | None,
                  test_sha256: str = "") -> None:
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
        f"(overlap {settings.chunk_overlap}), top-k {settings.top_k}, "
        f"abstention threshold {settings.abstain_threshold}, "
        f"coverage threshold {settings.cover_threshold}.", "",
        f"The test split is frozen: sha256 of its items `{test_sha256}`.", "",
        DEFINITIONS,
        f"## Headline ({main}, default settings)", "",
        *_headline(results[main]["dev"]["overall"], results[main]["test"]["overall"]), "",
        "## Systems side by side (test split)", "",
        *_table({name: r["test"]["overall"] for name, r in results.items()}, "system"), "",
        "## Systems side by side (all items)", "",
        *_table({name: r["all"]["overall"] for name, r in results.items()}, "system"), "",
        *[f"![{title}]({name})" for title, name in plots], "",
        "## Components against their ablations (test split)", "",
        *_ablations(items, per_item), "", KEPT, "",
        f"## {main} by category (test split)", "",
        *_table(results[main]["test"], "category"), "",
        f"## {main} by category (dev split)", "",
        *_table(results[main]["dev"], "category"), "",
    ]
    if calibration:
        lines += [
            "## Threshold calibration (dev split)", "",
            "A grid search over the abstention threshold, then the coverage threshold, "
            f"scoring the {calibration['dev_items']} dev items, found a best mean score of "
            f"{calibration['dev_score']:+.2f}; the middle of that plateau is abstention threshold "
            f"**{calibration['abstain_threshold']}** and coverage threshold "
            f"**{calibration['cover_threshold']}** "
            f"({_against(settings, calibration)}).", "",
        ]
    misses = _misses(items, per_item[main])
    lines += [f"## Items {main} answered wrongly or not at all ({len(misses) // 2})", "",
              *misses]
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {"generated": stamp, "items": len(items), "calibration": calibration,
            "test_sha256": test_sha256,
            "settings": settings.model_dump(mode="json"), "systems": results}
    (report.parent / "results.json").write_text(json.dumps(data, indent=1), encoding="utf-8")


def _plots(folder: Path, results: Results) -> list[tuple[str, str]]:
    """Bar charts of the headline figures per system, and per category for each system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = ["hit@5", "confident_right", "right_with_hedges", "confident_out_of_scope", "score"]
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
        vals = [results[name]["test"][c]["score"] for c in cats]
        ax.bar([k + i * width for k in range(len(cats))], vals, width, label=name)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(cats))], cats)
    ax.set_ylim(-1, 1.05)
    ax.axhline(0, color="black", linewidth=0.5)
    ax.set_title("Test split: mean score per category")
    ax.legend(fontsize=8, ncol=len(systems))
    fig.tight_layout()
    fig.savefig(folder / "categories.png", dpi=110)
    plt.close(fig)
    return [("Headline figures per system", "systems.png"),
            ("Right answers per category", "categories.png")]
