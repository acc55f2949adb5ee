"""Timed measurements of the real path: encoder, ingest, warm answers, the baseline.

Every timing uses ``time.perf_counter``; figures come back as plain dicts of numbers so the
benchmark can merge them into one results.json.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, Any

import numpy as np

from evals.baseline import LangChainBaseline
from ingest.pipeline import embedding_text, ingest
from kb.index import generations as index
from kb.index.embedder import Embedder
from kb.index.export import encoder_root
from kb.index.store import VectorStore
from kb.knowledge import KnowledgeBase
from kb.models import Answer
from kb.settings import Settings

if TYPE_CHECKING:
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[1]


class TimedEmbedder(Embedder):
    """Wraps an embedder, adding up the seconds spent in ``encode`` and the texts encoded,
    so that ingest and retrieval time can be split into encoding and everything else."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner.settings)
        self.inner = inner
        self.seconds = 0.0
        self.texts = 0

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode(self, texts: Sequence[str], progress: bool = False) -> NDArray[np.float32]:
        """Encode with the wrapped embedder, counting time and texts."""
        return self._count(texts, lambda: self.inner.encode(texts, progress))

    def encode_queries(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Encode questions with the wrapped embedder, counting time and texts."""
        return self._count(texts, lambda: self.inner.encode_queries(texts))

    def _count(self, texts: Sequence[str],
               encode: Callable[[], NDArray[np.float32]]) -> NDArray[np.float32]:
        seconds, out = timed(encode)
        self.seconds += seconds
        self.texts += len(texts)
        return np.asarray(out, dtype=np.float32)


def percentiles(samples: Sequence[float], prefix: str) -> dict[str, float]:
    """p50/p95/p99 of `samples` (seconds) as milliseconds, keyed ``{prefix}_p50_ms`` ..."""
    if not samples:
        return {f"{prefix}_p{p}_ms": float("nan") for p in (50, 95, 99)}
    values = np.percentile(np.asarray(samples) * 1000.0, [50, 95, 99])
    return {f"{prefix}_p{p}_ms": round(float(v), 2) for p, v in zip((50, 95, 99), values,
                                                                      strict=True)}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds `fn` took, and what it returned."""
    start = perf_counter()
    out = fn()
    return perf_counter() - start, out


def corpus_texts(settings: Settings) -> tuple[list[str], list[str]]:
    """The live index's chunk texts, as ingest embeds them, and its sentence texts."""
    folder = index.require_generation(settings)
    documents = index.read_documents(folder)
    store = VectorStore(folder / "chroma")
    try:
        chunks = store.all_chunks()
        sentences = store.all_sentences()
    finally:
        store.close()
    return [embedding_text(documents[c.doc_id], c) for c in chunks], [s.text for s in sentences]


def measure_encoder(embedder: Embedder, chunk_texts: list[str], sentence_texts: list[str],
                    repeats: int) -> dict[str, Any]:
    """Texts per second encoding the chunks, the sentences, and both as ingest does (each
    distinct text once): the median of `repeats` runs of one ``encode`` call each."""
    mix = list(dict.fromkeys(chunk_texts + sentence_texts))
    out: dict[str, Any] = {}
    for name, texts in (("chunks", chunk_texts), ("sentences", sentence_texts),
                        ("passages", mix)):
        seconds = statistics.median(timed(partial(embedder.encode, texts))[0]
                                    for _ in range(repeats))
        out[f"encoder_{name}"] = len(texts)
        out[f"encoder_{name}_s"] = round(seconds, 3)
        out[f"encoder_{name}_per_s"] = round(len(texts) / seconds, 1)
    return out


def measure_ingest(settings: Settings, sources: Path, embedder: TimedEmbedder,
                   repeats: int) -> dict[str, Any]:
    """Full rebuilds of `sources`: the median run's seconds, and how much of it was
    encoding. The first run also pays one-off imports; the median keeps it out."""
    runs: list[tuple[float, float, Any]] = []
    for _ in range(repeats):
        before = embedder.seconds
        seconds, report = timed(lambda: ingest(settings, sources, rebuild=True, embedder=embedder))
        runs.append((seconds, embedder.seconds - before, report))
    seconds, encode_s, report = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
    return {
        "ingest_s": round(seconds, 3), "ingest_runs_s": [round(r[0], 3) for r in runs],
        "ingest_encode_s": round(encode_s, 3), "ingest_other_s": round(seconds - encode_s, 3),
        "ingest_chunks": report.chunks, "ingest_sentences": report.sentences,
        "ingest_embedded": report.embedded,
        "ingest_passages_per_s": round(report.embedded / seconds, 1),
    }


def measure_reingest(settings: Settings, sources: Path, embedder: Embedder) -> dict[str, Any]:
    """Ingest of the unchanged corpus: how long, and how many texts it encoded (goal 0)."""
    seconds, report = timed(lambda: ingest(settings, sources, embedder=embedder))
    return {"reingest_unchanged_s": round(seconds, 4),
            "reingest_unchanged_embeddings": report.embedded}


def measure_answers(kb: KnowledgeBase, questions: Sequence[str], rounds: int,
                    prefix: str = "") -> tuple[dict[str, Any], list[Answer]]:
    """Warm latency of every question, `rounds` times after one warm-up: retrieval (question
    analysis and query encoding included) and composition apart and together. Returns the
    figures and the last round's answers."""
    encoder = kb.embedder if isinstance(kb.embedder, TimedEmbedder) else None
    kb.ask(questions[0])  # the first question pays lazy loads that no later one does
    analysis: list[float] = []
    retrieval: list[float] = []
    composition: list[float] = []
    encoding: list[float] = []
    answers: list[Answer] = []
    for _ in range(rounds):
        answers = []
        for question in questions:
            encoded = encoder.seconds if encoder else 0.0
            a_s, plan = timed(partial(kb.plan, question))
            g_s, evidence = timed(partial(kb.gather, plan))
            c_s, answer = timed(partial(kb.compose, plan, evidence))
            analysis.append(a_s)
            retrieval.append(a_s + g_s)
            composition.append(c_s)
            encoding.append(encoder.seconds - encoded if encoder else 0.0)
            answers.append(answer)
    total = [r + c for r, c in zip(retrieval, composition, strict=True)]
    figures: dict[str, Any] = {
        **percentiles(total, f"{prefix}answer"), **percentiles(retrieval, f"{prefix}retrieval"),
        **percentiles(composition, f"{prefix}composition"),
        **percentiles(analysis, f"{prefix}analysis"),
        f"{prefix}answer_mean_ms": round(1000 * statistics.fmean(total), 2),
        f"{prefix}answer_samples": len(total),
        f"{prefix}answer_modes": dict(Counter(a.mode for a in answers)),
    }
    if encoder:
        figures.update(percentiles(encoding, f"{prefix}query_encoding"))
        figures.update(percentiles([t - e for t, e in zip(total, encoding, strict=True)],
                                   f"{prefix}search_and_composition"))
        # What no answer can do without: reading the question and encoding it.
        figures.update(percentiles([a + e for a, e in zip(analysis, encoding, strict=True)],
                                   f"{prefix}analysis_and_encoding"))
    return figures, answers


def measure_baseline(sources: Path, embedder: Embedder, questions: Sequence[str],
                     rounds: int, store: Path) -> dict[str, Any]:
    """Build time and warm answer latency of the textbook LangChain pipeline."""
    build_s, baseline = timed(lambda: LangChainBaseline.build(sources, embedder, store))
    try:
        baseline.answer(questions[0])  # warm-up, as for ipskb
        samples = [timed(partial(baseline.answer, q))[0]
                   for _ in range(rounds) for q in questions]
    finally:
        baseline.close()
    return {"baseline_build_s": round(build_s, 3), "baseline_chunks": baseline.chunks,
            **percentiles(samples, "baseline_answer")}


def run_json(args: Sequence[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command from the repository root; return the JSON object on its last stdout
    line. A failure raises with the end of its stderr."""
    proc = subprocess.run(list(args), cwd=REPO, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(args[:4])} failed ({proc.returncode}): "
                           f"{proc.stderr.strip()[-2000:]}")
    return dict(json.loads(lines[-1]))


def ipskb_command() -> list[str]:
    """The installed ``ipskb`` script beside this interpreter, else ``python -m kb``."""
    script = Path(sys.executable).with_name("ipskb")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "kb"]


def subprocess_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process `settings`' index and ONNX encoders."""
    return {"IPSKB_DATA_DIR": str(settings.data_dir),
            "IPSKB_ENCODER_DIR": str(encoder_root(settings).resolve())}


def export_encoders(settings: Settings) -> None:
    """Both ONNX encoders exported (or checked) ahead, each in a process of its own: an
    export here would import torch into the benchmark and be timed as loading the model."""
    for variant in ("float32", "int8"):
        proc = subprocess.run([*ipskb_command(), "export", "--encoder", variant], cwd=REPO,
                              env={**os.environ, **subprocess_env(settings)},
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"ipskb export failed: {proc.stderr.strip()[-2000:]}")


def measure_reference(settings: Settings, question: str, texts: list[str], runs: int,
                      repeats: int, work: Path) -> dict[str, Any]:
    """The plain sentence-transformers way (evals.reference), in processes of their own:
    from process start to one encoded question (median of `runs`), and texts per second over
    `texts` beside the ONNX encoders, float32 and int8, in turns (medians of `repeats`)."""
    command = [sys.executable, "-m", "evals.reference"]
    env = subprocess_env(settings)
    seconds = [timed(partial(run_json, [*command, "cold", question], env))[0]
               for _ in range(runs)]
    path = work / "reference-texts.json"
    path.write_text(json.dumps(texts), encoding="utf-8")
    return {"cold_ask_reference_s": round(statistics.median(seconds), 3),
            "cold_ask_reference_runs_s": [round(s, 3) for s in seconds],
            **run_json([*command, "throughput", str(path), str(repeats)], env)}


def measure_cold_ask(settings: Settings, question: str, runs: int,
                     breakdown: bool = True) -> dict[str, Any]:
    """Seconds from process start to the printed answer of ``ipskb ask --json``: the
    median of `runs`; then (with `breakdown`) one run of evals.coldstart to say where
    that time goes."""
    env = subprocess_env(settings)
    seconds = []
    for _ in range(runs):
        took, answer = timed(lambda: run_json([*ipskb_command(), "ask", "--json", question], env))
        if "answer" not in answer:
            raise RuntimeError(f"ipskb ask gave no answer: {answer}")
        seconds.append(took)
    phases = run_json([sys.executable, "-m", "evals.coldstart", question], env) if breakdown else {}
    return {"cold_ask_s": round(statistics.median(seconds), 3),
            "cold_ask_runs_s": [round(s, 3) for s in seconds],
            **{f"cold_{k}": v for k, v in phases.items()}}
