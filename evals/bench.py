"""The ipskb benchmark: encoder and ingest throughput, warm and cold answer latency, the
LangChain baseline, and behaviour at scale on generated corpora.

    python -m evals.bench [--sizes 1000,5000] [--skip-scale] [--out evals/bench]
    python -m evals.bench --only-load [--clients 20] [--per-client 5]

Writes results.json, results.md and PNG plots into the output folder. Works in a temporary
folder: the project's own index (.ipskb) is never touched.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from time import perf_counter
from typing import Any

from evals.benchreport import FIGURES, GOALS, check_goals, write_outputs
from evals.load import LoadConfig, measure_load
from evals.measure import (
    REPO,
    TimedEmbedder,
    corpus_texts,
    export_encoders,
    measure_answers,
    measure_baseline,
    measure_cold_ask,
    measure_encoder,
    measure_ingest,
    measure_reference,
    measure_reingest,
    timed,
)
from evals.procinfo import cpu_snapshot, foreign_cores
from evals.runner import load_items
from evals.scale import SIZES, run_scale, scale_summary
from kb.index.embedder import Embedder, encoder_threads
from kb.index.export import encoder_root
from kb.knowledge import KnowledgeBase
from kb.settings import Settings

log = logging.getLogger(__name__)

SCALE_KEYS = ["scale_chunks", "scale_answer_p95_ms", "scale_peak_rss_mb", "scale_ingest_s",
              "scale_index_mb", "scale_encoding_extrapolated_s", "scale"]
PACKAGES = ["onnxruntime", "tokenizers", "torch", "sentence-transformers", "chromadb", "bm25s",
            "langchain-text-splitters", "numpy", "matplotlib"]


@dataclass
class BenchConfig:
    """What to measure and how often; the defaults are the full run (~20 min, 2 cores)."""

    sources: Path = REPO / "sources"
    questions: Path = REPO / "evals" / "questions.jsonl"
    out: Path = REPO / "evals" / "bench"
    sizes: list[int] = field(default_factory=lambda: list(SIZES))
    repeats: int = 3  # ingest and encoder runs; the median is reported
    rounds: int = 3  # timed passes over the questions
    cold_runs: int = 3
    cold_breakdown: bool = True  # one more cold process, timed phase by phase
    scale_questions: int = 50
    scale_rounds: int = 1  # an answer takes seconds at 50k chunks: one pass is enough
    load: LoadConfig = field(default_factory=LoadConfig)  # concurrent REST API clients


def machine() -> dict[str, Any]:
    """Facts about the machine and software the figures were measured with."""
    info: dict[str, Any] = {
        "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name") or platform.processor(),
        "ram_gb": round(int((_proc_field("/proc/meminfo", "MemTotal") or "0 kB").split()[0])
                        / 2**20, 1),
        "platform": platform.platform(), "python": platform.python_version(),
        "packages": {p: _version(p) for p in PACKAGES},
        "encoder_threads": encoder_threads(Settings()),
    }
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    info["commit"] = head.stdout.strip() or None
    return info


def _proc_field(path: str, name: str) -> str | None:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith(name)), None)


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def run_real(config: BenchConfig, work: Path, model: Embedder | None = None) -> dict[str, Any]:
    """Everything measured on the real corpus with the real model (`model`, if given, is
    used instead of loading another copy)."""
    # The project's exported encoders, so that no process of the benchmark exports one.
    settings = Settings(data_dir=work / "data", sources_dir=config.sources,
                        encoder_dir=encoder_root(Settings()).resolve())
    export_encoders(settings)
    embedder = TimedEmbedder(model or Embedder(settings))
    load_s, _ = timed(lambda: embedder.encode(["load the model"]))
    out: dict[str, Any] = {"model_load_s": round(load_s, 2)}
    log.info("model loaded in %.1f s; ingesting %s", load_s, config.sources)
    out.update(measure_ingest(settings, config.sources, embedder, config.repeats))
    log.info("encoder throughput")
    chunks, sentences = corpus_texts(settings)
    passages = list(dict.fromkeys(chunks + sentences))
    out.update(measure_encoder(embedder, chunks, sentences, config.repeats))
    out["ingest_encoder_ratio"] = round(
        out["ingest_passages_per_s"] / out["encoder_passages_per_s"], 3)
    out.update(measure_reingest(settings, config.sources, embedder))
    questions = [item.question for item in load_items(config.questions)]
    log.info("warm latency over %d questions x %d", len(questions), config.rounds)
    with KnowledgeBase.open(settings, embedder) as kb:
        figures, _ = measure_answers(kb, questions, config.rounds)
    out.update(figures)
    log.info("cold ipskb ask x %d", config.cold_runs)
    out.update(measure_cold_ask(settings, questions[0], config.cold_runs,
                                config.cold_breakdown))
    log.info("LangChain baseline")
    out.update(measure_baseline(config.sources, embedder.inner, questions, config.rounds,
                                work / "baseline"))
    log.info("the plain sentence-transformers reference, beside ONNX float32 and int8")
    out.update(measure_reference(settings, questions[0], passages, config.cold_runs,
                                 config.repeats, work))
    return {**out, **_ratios(out)}


def run_load(config: BenchConfig, work: Path, model: Embedder | None = None) -> dict[str, Any]:
    """The REST API under load (evals/load.py), on the real corpus."""
    settings = Settings(data_dir=work / "data", sources_dir=config.sources,
                        encoder_dir=encoder_root(Settings()).resolve())
    return measure_load(settings, config.questions, config.load, work, model)


def _ratios(out: dict[str, Any]) -> dict[str, float]:
    """The figures the goals compare, each against its reference in the same run."""
    return {
        "encoder_onnx_torch_ratio": round(
            out["encoder_onnx_passages_per_s"] / out["encoder_torch_passages_per_s"], 3),
        "encoder_int8_torch_ratio": round(
            out["encoder_onnx_int8_passages_per_s"] / out["encoder_torch_passages_per_s"], 2),
        "cold_ask_reference_ratio": round(out["cold_ask_s"] / out["cold_ask_reference_s"], 3),
        "answer_baseline_p95_ratio": round(
            out["answer_p95_ms"] / out["baseline_answer_p95_ms"], 3),
    }


def run(config: BenchConfig, model: Embedder | None = None) -> dict[str, Any]:
    """Run the benchmark, write its outputs into ``config.out``, return the results."""
    start = perf_counter()
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
    }
    with tempfile.TemporaryDirectory(prefix="ipskb-bench-") as tmp:
        before = cpu_snapshot()
        results.update(run_real(config, Path(tmp), model))
        results.update(run_load(config, Path(tmp), model))
        middle = cpu_snapshot()
        # Other processes on a 2-core machine slow the encoder badly (its threads wait for
        # each other), so how busy the machine was is part of every result.
        results["real_foreign_cpu_cores"] = foreign_cores(before, middle)
        if config.sizes:
            rows = run_scale(config.sizes, Path(tmp), config.scale_questions,
                             config.scale_rounds)
            results.update(scale_summary(rows, results))
            results["scale_foreign_cpu_cores"] = foreign_cores(middle, cpu_snapshot())
        else:
            results.update(dict.fromkeys(SCALE_KEYS))
    results["machine"] = machine()
    results["goals"] = check_goals(results)
    results["bench_s"] = round(perf_counter() - start, 1)
    write_outputs(results, config.out)
    return results


def run_only_load(config: BenchConfig, model: Embedder | None = None) -> dict[str, Any]:
    """Measure the load figures alone and merge them into the results already in
    ``config.out`` (the rest of the benchmark is not run again)."""
    path = config.out / "results.json"
    results: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    start = perf_counter()
    with tempfile.TemporaryDirectory(prefix="ipskb-load-") as tmp:
        before = cpu_snapshot()
        results.update(run_load(config, Path(tmp), model))
        results["load_foreign_cpu_cores"] = foreign_cores(before, cpu_snapshot())
    results["load_date"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["load_s"] = round(perf_counter() - start, 1)
    results["config"]["load"] = asdict(config.load)
    results["machine"]["load_commit"] = machine()["commit"]
    results["goals"] = check_goals(results)
    write_outputs(results, config.out)
    return results


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals.bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default=",".join(map(str, SIZES)),
                   help="scale sizes in chunks, comma-separated (default: %(default)s)")
    p.add_argument("--skip-scale", action="store_true", help="no generated corpora")
    p.add_argument("--out", type=Path, default=BenchConfig.out, help="output folder")
    p.add_argument("--sources", type=Path, default=BenchConfig.sources)
    p.add_argument("--questions", type=Path, default=BenchConfig.questions)
    p.add_argument("--repeats", type=int, default=BenchConfig.repeats)
    p.add_argument("--rounds", type=int, default=BenchConfig.rounds)
    p.add_argument("--cold-runs", type=int, default=BenchConfig.cold_runs)
    p.add_argument("--only-load", action="store_true",
                   help="run only the REST API load and merge its figures into the results "
                   "already in the output folder")
    p.add_argument("--clients", type=int, default=LoadConfig.clients,
                   help="concurrent API clients of the load run")
    p.add_argument("--per-client", type=int, default=LoadConfig.per_client,
                   help="questions each client asks")
    p.add_argument("--no-chroma", action="store_true",
                   help="load run: skip the Chroma server with two app processes")
    return p


def main(argv: list[str] | None = None) -> int:
    """Command line: run, then print each figure that has a goal and the output folder."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    for noisy in ("bm25s", "chromadb", "httpx", "sentence_transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    sizes = [] if args.skip_scale else [int(s) for s in args.sizes.split(",") if s.strip()]
    config = BenchConfig(sources=args.sources, questions=args.questions, out=args.out,
                         sizes=sizes, repeats=args.repeats, rounds=args.rounds,
                         cold_runs=args.cold_runs,
                         load=LoadConfig(args.clients, args.per_client, not args.no_chroma))
    results = run_only_load(config) if args.only_load else run(config)
    labels = dict(FIGURES)
    for key, (_, _, goal) in GOALS.items():
        print(f"{labels[key]}: {results.get(key)} (goal {goal}): {results['goals'][key]}")
    took = results["load_s"] if args.only_load else results["bench_s"]
    print(f"written to {config.out}/results.md ({took:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
