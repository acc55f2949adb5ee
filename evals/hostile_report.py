"""The Markdown report of ``evals.hostile``."""

from __future__ import annotations

from typing import Any


def _cell(text: str) -> str:
    return text.replace("\n", "\\n").replace("|", "\\|")


def _corpus(c: dict[str, Any], scale: Any) -> list[str]:
    o = c["outcomes"]
    lines = [
        "## 1. The hostile corpus, one real `ipskb ingest`", "",
        f"Built by the script: {scale.tiny_files:,} tiny files, {scale.depth} nested folders, "
        f"a {scale.huge_bytes // 1024**2} MB text file, a {scale.line_bytes // 1024} KB "
        f"one-line file, a zip of {scale.bomb_bytes // 1024**2:,} MB of zeros renamed .txt, an "
        f"HTML page of {scale.html_tags:,} nested tags, a PDF of {scale.pdf_pages:,} empty "
        "pages, links out of the folder, text in UTF-16/32, Latin-1 and Windows-1252, empty, "
        "binary and odd files. Ingested with the default limits except "
        f"IPSKB_MAX_FILE_BYTES={scale.max_file_bytes:,}.", "",
        "| figure | value | goal |", "|---|---|---|",
        f"| files tried | {o.tried:,} | |",
        f"| read | {o.read:,} | |",
        f"| refused with a reason | {o.refused:,} | |",
        f"| neither read nor refused | {len(o.unaccounted)} | 0 |",
        f"| read or refused wrongly | {len(o.wrong)} | 0 |",
        f"| crashes (exit code {c['exit_code']}) | {int(c['crashed'])} | 0 |",
        f"| text from outside sources/ in the index | {int(c['secret_indexed'])} | 0 |",
        f"| peak memory of the ingest process | {c['peak_mb']:,.0f} MB | |",
        f"| ingest time | {c['seconds']:,.1f} s | |",
        f"| size tried / text read | {c['mb_tried']:,.1f} MB / {c['mb_read']:,.2f} MB | |",
        f"| time per MB tried | {c['seconds'] / max(c['mb_tried'], 1e-9):,.2f} s | |",
        f"| time per MB of text read | {c['seconds'] / max(c['mb_read'], 1e-9):,.1f} s | |",
        f"| chunks in the index | {c['chunks']:,} | |",
        f"| longest line kept | {c['longest_line']:,} characters | ≤ IPSKB_MAX_LINE_CHARS |",
        "", f"`ipskb ingest` said: {c['summary']}", "",
        "| file | name | outcome |", "|---|---|---|",
    ]
    lines += [f"| {_cell(kind)} | `{_cell(name[:70])}` | {_cell(outcome)} |"
              for kind, name, outcome in o.rows]
    lines += [f"| {scale.tiny_files:,} tiny files | `tiny/note-*.txt` | read |"]
    lines += [f"- wrong: {_cell(w)}" for w in o.wrong]
    lines += [f"- unaccounted: {_cell(u)}" for u in o.unaccounted]
    return [*lines, ""]


def _kills(rows: list[dict[str, Any]]) -> list[str]:
    yes = {True: "yes", False: "**no**"}
    lines = [
        "## 2. `kill -9` of a real `ipskb ingest`", "",
        "Each run changes the planted document, is stopped at the point by `evals.killpoints` "
        "and killed with SIGKILL; then the live index is asked (old answer expected), a next "
        "ingest runs, and the index is asked again (new answer expected).", "",
        "| kill point | left by the kill | old answer right | next ingest completed | "
        "nothing left behind | new answer right |", "|---|---|---|---|---|---|",
    ]
    for r in rows:
        left = ", ".join(n[:4] + "…" for n in r["left_by_kill"]) or "nothing"
        lines.append(f"| {r['point']} | {left} | {yes[r['old_answer']]} | "
                     f"{yes[r['next_ingest']]} | {yes[r['nothing_left']]} | "
                     f"{yes[r['new_answer']]} |")
    right = sum(r["old_answer"] and r["new_answer"] and r["nothing_left"] for r in rows)
    return [*lines, "", f"Kills: {len(rows)}; answers right after each: {right} of "
            f"{len(rows)} (goal: all).", ""]


def _concurrent(c: dict[str, Any]) -> list[str]:
    counts = c["counts"]
    lines = [
        "## 3. Two `ipskb ingest` at once", "",
        f"{c['rounds']} rounds; each changes the planted document and starts two real ingests "
        "together. Odd rounds with IPSKB_INGEST_LOCK_TIMEOUT=0 (the second gives up at once), "
        "even rounds with 600 (the second waits, then finds the index up to date). Meanwhile "
        "a reader opens the live index and asks, again and again.", "",
        "| figure | value | goal |", "|---|---|---|",
        f"| ingests completed | {counts.get('completed', 0)} | |",
        f"| refused with the one-line message | {counts.get('refused clearly', 0)} | |",
        f"| failures without a clear message | "
        f"{counts.get('failed without a clear message', 0)} | 0 |",
        f"| damaged indexes (wrong answer, unreadable, leftovers) | {len(c['damaged'])} | 0 |",
        f"| reader questions while ingests ran | {c['reads']} | |",
        f"| reader errors | {len(c['read_errors'])} | 0 |",
    ]
    lines += [f"- {_cell(d)}" for d in c["damaged"] + c["read_errors"][:10]]
    return [*lines, ""]


def render(results: dict[str, Any]) -> str:
    """The whole report."""
    head = ["# Hostile input and faults", "",
            "Written by `python -m evals.hostile`; every corpus and index is built in a "
            "temporary folder. Timings are from this machine (2 cores) and are not asserted "
            "anywhere.", ""]
    body = (_corpus(results["corpus"], results["scale"]) + _kills(results["kills"])
            + _concurrent(results["concurrent"]))
    return "\n".join(head + body)
