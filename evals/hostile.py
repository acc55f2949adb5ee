"""Hostile input and faults, measured; writes ``evals/hostile.md``.

    python -m evals.hostile [--quick] [--report PATH] [--rounds N]

Three parts, each in a temporary folder the script builds itself:

1. A real ``ipskb ingest`` of the hostile corpus (``evals.hostile_corpus``): every planted
   file read or refused as it should be, crashes, peak memory, time per MB.
2. ``kill -9`` of a real ingest at each point of ``evals.killpoints``: afterwards the old
   answer, then a next ingest that completes and leaves nothing behind.
3. Two ``ipskb ingest`` at once, round after round (half refusing at once, half waiting):
   failures without a clear message, damaged indexes, and readers asking throughout.

``--quick`` uses the small corpus, one round and no report unless one is named.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.hostile_corpus import ANSWER, FULL, QUESTION, SECRET, SMALL, Planted, Scale, build
from evals.hostile_corpus import quay_text as quay
from evals.killpoints import POINTS, kill_at

WHERE = "Where is the Quay office?"
PLACES = ["Tromso", "Bergen", "Narvik", "Alesund", "Bodo", "Molde", "Harstad", "Arendal",
          "Larvik", "Skien", "Drammen", "Halden", "Hamar", "Gjovik", "Steinkjer", "Namsos",
          "Vardo", "Vadso", "Hammerfest", "Kirkenes", "Svolvaer", "Sortland", "Finnsnes",
          "Haugesund", "Stavanger", "Egersund", "Flekkefjord", "Mandal", "Grimstad", "Risor"]
LOCKED = "ipskb: another ingest is running"


@dataclass
class Outcomes:
    """What ingest did with the planted files, against what it should have done."""

    tried: int = 0
    read: int = 0
    refused: int = 0
    unaccounted: list[str] = field(default_factory=list)  # neither read nor refused
    wrong: list[str] = field(default_factory=list)  # read when it should not be, or so
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # kind, name, outcome


def check_outcomes(planted: list[Planted], skipped: dict[str, str], read: set[str]) -> Outcomes:
    """Compare each planted file's fate with the expected one."""
    out = Outcomes(tried=len(planted))
    for item in planted:
        if item.name in read:
            out.read += 1
            outcome = "read"
            if not item.read:
                out.wrong.append(f"{item.name}: read, should be refused ({item.reason})")
        elif item.name in skipped:
            out.refused += 1
            outcome = f"refused: {skipped[item.name]}"
            if item.read or item.reason not in skipped[item.name]:
                out.wrong.append(f"{item.name}: {outcome}")
        else:
            outcome = "neither read nor refused"
            out.unaccounted.append(item.name)
        if item.kind != "tiny file":
            out.rows.append((item.kind, item.name, outcome))
    return out


def _env(root: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "IPSKB_DATA_DIR": str(root / "data"),
            "IPSKB_SOURCES_DIR": str(root / "sources"), **extra}


def _cli_ingest(env: dict[str, str]) -> tuple[int, str, str, float, float]:
    """A real `ipskb ingest`: (exit code, stdout, stderr, seconds, peak memory in MB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "kb", "ingest"], env=env,
                                stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own peak, not the parent's
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), seconds, usage.ru_maxrss / 1024


def _corpus_bytes(src: Path) -> int:
    total = 0
    for folder, _, files in os.walk(src):
        for name in files:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
    return total


def run_corpus(root: Path, scale: Scale) -> dict[str, Any]:
    """Ingest the hostile corpus with the real command line and check every file's fate."""
    planted = build(root, scale)
    size = _corpus_bytes(root / "sources")
    code, out, err, seconds, peak = _cli_ingest(
        _env(root, IPSKB_MAX_FILE_BYTES=str(scale.max_file_bytes)))
    skipped = dict(line[len("skipped "):].split(": ", 1) for line in err.splitlines()
                   if line.startswith("skipped ") and ": " in line)
    from kb.index import generations as index

    folder = index.current_generation(root / "data")
    docs = json.loads((folder / index.DOCUMENTS).read_text("utf-8")) if folder else []
    outcomes = check_outcomes(planted, skipped, {d["doc_id"] for d in docs})
    read_bytes = sum(len(d["text"].encode()) for d in docs)
    longest = max((len(line) for d in docs for line in d["text"].split("\n")), default=0)
    return {
        "outcomes": outcomes, "exit_code": code, "summary": out.strip(),
        "crashed": code != 0 or "Traceback" in err, "seconds": seconds, "peak_mb": peak,
        "mb_tried": size / 1024**2, "mb_read": read_bytes / 1024**2, "longest_line": longest,
        "secret_indexed": any(SECRET[:10] in d["text"] or "root:x:0:0" in d["text"]
                              for d in docs),
        "chunks": index.read_meta(folder)["chunks"] if folder else 0,
    }


def _small_index(root: Path, place: str) -> Any:
    from ingest.pipeline import ingest
    from kb.settings import Settings

    (root / "sources").mkdir(parents=True)
    (root / "sources" / "quay.txt").write_text(quay(place), encoding="utf-8")
    (root / "sources" / "tide.txt").write_text("Tide Notes\n\nHigh tide is at noon.\n")
    settings = Settings(data_dir=root / "data", sources_dir=root / "sources")
    return settings, ingest


def _answers(settings: Any, embedder: Any, place: str) -> bool:
    from kb.knowledge import KnowledgeBase

    with KnowledgeBase.open(settings, embedder) as kb:
        return ANSWER in kb.ask(QUESTION).text and place in kb.ask(WHERE).text


def _leftovers(settings: Any) -> list[str]:
    from kb.index import generations as index

    keep = index.kept(settings.data_dir)
    return [p.name for p in settings.data_dir.iterdir() if p.is_dir() and p not in keep]


def run_kill_points(root: Path, embedder: Any, rounds: int) -> list[dict[str, Any]]:
    """kill -9 a real ingest at each point; then the old answer, a next ingest, no debris."""
    settings, ingest = _small_index(root, PLACES[0])
    ingest(settings, embedder=embedder)
    rows, old = [], PLACES[0]
    for n, point in enumerate([p for p in POINTS for _ in range(rounds)], start=1):
        new = PLACES[n]
        (settings.sources_dir / "quay.txt").write_text(quay(new), encoding="utf-8")
        kill_at(point, _env(root), root / "reached")
        left = _leftovers(settings)
        old_right = _answers(settings, embedder, old)
        report = ingest(settings, embedder=embedder)
        rows.append({"point": point, "left_by_kill": left, "old_answer": old_right,
                     "next_ingest": report.changed == ["quay.txt"],
                     "nothing_left": _leftovers(settings) == [],
                     "new_answer": _answers(settings, embedder, new)})
        old = new
    return rows


def _classify(code: int, err: str) -> str:
    lines = err.strip().splitlines()
    if code == 0 and "Traceback" not in err:
        return "completed"
    if code == 1 and len(lines) == 1 and lines[0].startswith(LOCKED):
        return "refused clearly"
    return "failed without a clear message"


def run_concurrent(root: Path, embedder: Any, rounds: int) -> dict[str, Any]:
    """Two real ingests at once per round; a reader asks while they run."""
    settings, ingest = _small_index(root, PLACES[0])
    ingest(settings, embedder=embedder)
    counts: dict[str, int] = {}
    damaged, reads, read_errors = [], 0, []
    for r in range(1, rounds + 1):
        place = PLACES[r % len(PLACES)] + str(r)
        (settings.sources_dir / "quay.txt").write_text(quay(place), encoding="utf-8")
        env = _env(root, IPSKB_INGEST_LOCK_TIMEOUT="0" if r % 2 else "600")
        procs = [subprocess.Popen([sys.executable, "-m", "kb", "ingest"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        while any(p.poll() is None for p in procs):
            reads += 1
            try:
                _answers(settings, embedder, "")
            except Exception as exc:  # whatever a reader meets, it is counted, not fatal
                read_errors.append(f"round {r}: {type(exc).__name__}: {exc}")
        for proc in procs:
            kind = _classify(proc.returncode, proc.stderr.read() if proc.stderr else "")
            counts[kind] = counts.get(kind, 0) + 1
        try:
            if not (_answers(settings, embedder, place) and _leftovers(settings) == []):
                damaged.append(f"round {r}: wrong answer or leftovers {_leftovers(settings)}")
        except Exception as exc:
            damaged.append(f"round {r}: {type(exc).__name__}: {exc}")
    return {"rounds": rounds, "counts": counts, "damaged": damaged, "reads": reads,
            "read_errors": read_errors}


def main(argv: list[str]) -> int:
    import argparse

    from evals.hostile_report import render
    from kb.index.embedder import Embedder
    from kb.settings import Settings

    p = argparse.ArgumentParser(prog="python -m evals.hostile", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small corpus, one round")
    p.add_argument("--report", type=Path, help="default: evals/hostile.md (not with --quick)")
    p.add_argument("--rounds", type=int, help="concurrent rounds (default 20; quick: 1)")
    args = p.parse_args(argv)
    scale, rounds = (SMALL, 1) if args.quick else (FULL, 20)
    rounds = args.rounds or rounds
    report = args.report or (None if args.quick else Path("evals/hostile.md"))
    embedder = Embedder(Settings())
    with tempfile.TemporaryDirectory(prefix="ipskb-hostile-") as tmp:
        root = Path(tmp)
        results = {
            "scale": scale,
            "corpus": run_corpus(root / "corpus", scale),
            "kills": run_kill_points(root / "kill", embedder, 1 if args.quick else 2),
            "concurrent": run_concurrent(root / "concurrent", embedder, rounds),
        }
    text = render(results)
    if report:
        report.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
