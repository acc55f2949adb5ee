"""The benchmark's outputs: results.json, results.md (figures against goals) and PNG plots."""

from __future__ import annotations

import json
import logging
import math
import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# key -> (comparison, threshold, how it reads)
GOALS: dict[str, tuple[Callable[[float, float], bool], float, str]] = {
    "encoder_onnx_torch_ratio": (operator.ge, 1.5, ">= 1.5"),
    "ingest_encoder_ratio": (operator.ge, 0.8, ">= 0.8"),
    "reingest_unchanged_embeddings": (operator.eq, 0, "= 0"),
    "answer_p95_ms": (operator.le, 50, "<= 50 ms"),
    "answer_baseline_p95_ratio": (operator.le, 1.0, "<= 1.0"),
    "cold_ask_s": (operator.le, 2.0, "<= 2 s"),
    "scale_answer_p95_ms": (operator.le, 150, "<= 150 ms"),
    "load_errors": (operator.eq, 0, "= 0"),
    "load_mismatched": (operator.eq, 0, "= 0"),
    "load_chroma_errors": (operator.eq, 0, "= 0"),
    "load_chroma_mismatched": (operator.eq, 0, "= 0"),
}
FIGURES = [
    ("encoder_chunks_per_s", "Encoder: chunks per second"),
    ("encoder_sentences_per_s", "Encoder: sentences per second"),
    ("encoder_passages_per_s", "Encoder: ingest's mix (distinct chunks + sentences) per second"),
    ("encoder_torch_passages_per_s", "... side by side, in turns: plain sentence-transformers"),
    ("encoder_onnx_passages_per_s", "... side by side, in turns: ONNX float32 (the default)"),
    ("encoder_onnx_int8_passages_per_s", "... side by side, in turns: ONNX int8"),
    ("encoder_onnx_torch_ratio", "ONNX float32 / torch throughput"),
    ("encoder_int8_torch_ratio", "ONNX int8 / torch throughput"),
    ("model_load_s", "Model load, in process (s)"),
    ("ingest_s", "Full ingest of sources/ (s, median)"),
    ("ingest_encode_s", "... of which encoding (s)"),
    ("ingest_passages_per_s", "Ingest: texts embedded per second, end to end"),
    ("ingest_encoder_ratio", "Ingest throughput / encoder throughput"),
    ("reingest_unchanged_s", "Re-ingest of the unchanged corpus (s)"),
    ("reingest_unchanged_embeddings", "Re-ingest of the unchanged corpus: texts embedded"),
    ("answer_p50_ms", "Warm answer p50 (ms)"),
    ("answer_p95_ms", "Warm answer p95 (ms)"),
    ("answer_p99_ms", "Warm answer p99 (ms)"),
    ("retrieval_p95_ms", "... retrieval p95, query encoding included (ms)"),
    ("query_encoding_p95_ms", "... query encoding p95 (ms)"),
    ("composition_p95_ms", "... composition p95 (ms)"),
    ("search_and_composition_p95_ms", "... everything but query encoding, p95 (ms)"),
    ("analysis_p95_ms", "... question analysis (language, spelling, spaCy's parse), p95 (ms)"),
    ("analysis_and_encoding_p95_ms", "... analysis and query encoding alone, p95 (ms)"),
    ("answer_baseline_p95_ratio", "Warm answer p95 / the LangChain baseline's p95"),
    ("cold_ask_s", "Cold `ipskb ask --json` from process start (s, median)"),
    ("cold_import_s", "... importing the product (s)"),
    ("cold_open_s", "... opening the index (s)"),
    ("cold_model_load_s", "... loading the model (s)"),
    ("cold_first_answer_s", "... first answer: spaCy, spelling and language models load (s)"),
    ("cold_peak_rss_mb", "... peak memory with the model loaded (MB)"),
    ("cold_ask_reference_s",
     "Reference: plain sentence-transformers, load and encode one question, cold (s, median)"),
    ("cold_ask_reference_ratio", "Cold ask / the reference"),
    ("baseline_answer_p50_ms", "LangChain baseline: warm answer p50 (ms)"),
    ("baseline_answer_p95_ms", "LangChain baseline: warm answer p95 (ms)"),
    ("real_foreign_cpu_cores", "Cores other processes kept busy during the above (average)"),
    ("load_clients", "Load: concurrent REST API clients (POST /api/v1/ask)"),
    ("load_requests", "Load: requests (clients x questions each)"),
    ("load_errors", "Load, one app process, index on disk: failed requests"),
    ("load_mismatched", "... answers not matching their own question"),
    ("load_single_p50_ms", "... one request at a time, beforehand: latency p50 (ms)"),
    ("load_p50_ms", "... request latency p50 (ms)"),
    ("load_p95_ms", "... request latency p95 (ms)"),
    ("load_requests_per_s", "... answers per second"),
    ("load_chroma_errors", "Load, two app processes, one Chroma server: failed requests"),
    ("load_chroma_mismatched", "... answers not matching their own question"),
    ("load_chroma_single_p50_ms", "... one request at a time, beforehand: latency p50 (ms)"),
    ("load_chroma_p50_ms", "... request latency p50 (ms)"),
    ("load_chroma_p95_ms", "... request latency p95 (ms)"),
    ("load_chroma_requests_per_s", "... answers per second"),
    ("load_chroma_same_as_disk", "... distinct questions answered as from the index on disk"),
    ("load_chroma_processes_agree", "... both app processes gave the same answers, one by one"),
    ("load_distinct_questions", "Load: distinct questions asked"),
    ("load_foreign_cpu_cores", "Cores other processes kept busy during the load run"),
    ("scale_chunks", "Scale: chunks in the largest generated corpus"),
    ("scale_ingest_s", "Scale: ingest at the largest size, stand-in embedder (s)"),
    ("scale_encoding_extrapolated_s", "Scale: real encoding at the largest size, extrapolated (s)"),
    ("scale_index_mb", "Scale: index on disk at the largest size (MB)"),
    ("scale_peak_rss_mb", "Scale: peak memory at the largest size (MB)"),
    ("scale_answer_p95_ms", "Scale: warm answer p95 at the largest size (ms)"),
    ("scale_foreign_cpu_cores", "Cores other processes kept busy during the scale runs"),
]
SCALE_COLUMNS = [
    ("chunks", "chunks"), ("sentences", "sentences"), ("ingest_s", "ingest s"),
    ("encoding_extrapolated_s", "real encoding s (extrap.)"), ("index_mb", "index MB"),
    ("ingest_peak_rss_mb", "ingest peak MB"), ("serve_peak_rss_mb", "serve peak MB"),
    ("open_s", "open s"), ("answer_p50_ms", "p50 ms"), ("answer_p95_ms", "p95 ms"),
    ("retrieval_p95_ms", "retrieval p95 ms"), ("composition_p95_ms", "composition p95 ms"),
    ("fact_recall", "planted facts found"),
]
STAND_IN = (
    "The scale runs use a stand-in embedder (`evals/standin.py`) with the `Embedder` "
    "interface: every word gets a fixed random 384-dimensional vector seeded by a hash of the "
    "word, and a text's vector is the L2-normalised sum of its words' vectors (a hashed "
    "bag-of-words random projection). Encoding 50k chunks and their sentences with the real "
    "model would take hours on this machine, and would measure only the model again. "
    "Everything else is the real path: loaders, cleaning, chunking, Chroma, BM25, fusion, "
    "composition. The real encoding cost of each size is extrapolated from the encoder "
    "throughput measured above. 'Planted facts found' is a sanity check that answers came "
    "back through the real path, not a quality figure."
)


def check_goals(results: dict[str, Any]) -> dict[str, str]:
    """'pass', 'fail' or 'not measured' for every figure that has a goal."""
    out = {}
    for key, (compare, threshold, _) in GOALS.items():
        value = results.get(key)
        if not isinstance(value, int | float) or math.isnan(value):
            out[key] = "not measured"
        else:
            out[key] = "pass" if compare(value, threshold) else "fail"
    return out


def write_outputs(results: dict[str, Any], out: Path) -> list[Path]:
    """Write results.json, results.md and the plots into `out`; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    from evals.benchplots import plot_all

    plots = plot_all(results, out)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (out / "results.md").write_text(markdown(results, [p.name for p in plots]),
                                    encoding="utf-8")
    return [out / "results.json", out / "results.md", *plots]


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def markdown(results: dict[str, Any], plots: list[str]) -> str:
    """results.md: machine, figures against goals, the scale table, notes and plots."""
    m = results["machine"]
    goals = results.get("goals", check_goals(results))
    lines = [
        "# ipskb benchmark", "",
        f"Run {results['date']} in {results['bench_s']:.0f} s on {m['cpu_model']}, "
        f"{m['cores']} cores, {m['ram_gb']} GB RAM ({m['platform']}, Python {m['python']}, "
        f"encoder threads {m.get('encoder_threads', '?')}); commit {m.get('commit', '?')}.",
        f"Corpus: `{results['config']['sources']}`, questions: "
        f"`{results['config']['questions']}` ({results.get('answer_samples', 0)} timed answers).",
        "", "| Figure | Key | Value | Goal | Result |", "|---|---|---:|---|---|",
    ]
    for key, label in FIGURES:
        goal = GOALS[key][2] if key in GOALS else "—"
        lines.append(f"| {label} | `{key}` | {_fmt(results.get(key))} | {goal} | "
                     f"{goals.get(key, '')} |")
    lines += _scale_table(results.get("scale") or [])
    lines += ["", "## Notes", "", STAND_IN, "", _method(results), ""]
    lines += [f"![{name}]({name})" for name in plots]
    return "\n".join(lines) + "\n"


def _scale_table(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["", "Scale: not run (`--skip-scale`)."]
    out = ["", "## Scale (generated corpus, stand-in embedder)", "",
           "| " + " | ".join(label for _, label in SCALE_COLUMNS) + " |",
           "|" + "---:|" * len(SCALE_COLUMNS)]
    out += ["| " + " | ".join(_fmt(row.get(k)) for k, _ in SCALE_COLUMNS) + " |" for row in rows]
    return out


def _method(results: dict[str, Any]) -> str:
    c = results["config"]
    return (
        f"Method: encoder and ingest figures are medians of {c['repeats']} runs in one process "
        "with the model already loaded (its load time is listed apart); the encoder encodes "
        "each list in one `Embedder.encode` call, ingest encodes the distinct texts in its own "
        f"batches. Warm latency: one warm-up question, then {c['rounds']} passes over every "
        "question, analysis (`kb.plan`), retrieval (`kb.gather`) and composition "
        "(`kb.compose`) timed apart; retrieval's figures include the analysis. Cold ask: "
        f"{c['cold_runs']} runs of `ipskb ask --json` against the benchmark's own index, "
        "then one process timed phase by phase, one after the other (`evals/coldstart.py`): "
        "`ipskb ask` loads the model while it opens the index, so the phases add up to more. "
        "The reference (`evals/reference.py`, in processes of its own so that the benchmark "
        "never imports torch): `SentenceTransformer(model)` then one encoded question, timed "
        "from process start, the same number of runs; its throughput over the same texts, "
        "batch size 32, torch's default threads, in turns with ipskb's float32 and int8 "
        "encoders in one process, so that the three share the same machine load. "
        f"The baseline ({results.get('baseline_chunks', '?')} chunks) is `evals/baseline.py`: "
        "RecursiveCharacterTextSplitter(800, 100), the same model, chromadb directly (cosine, "
        "embeddings passed in), top-1 chunk as the answer. Scale: "
        f"{c['scale_questions']} planted-fact questions per size, {c['scale_rounds']} pass(es); "
        "each size ingests in one fresh process and answers in another, and peak memory is "
        "each process's own VmHWM (not `ru_maxrss`, which Linux carries over from the parent)."
        f" Load (`evals/load.py`{_load_run(results)}): {_load_shape(c)} at once against "
        "`python app.py` processes the benchmark starts on loopback ports, each request timed "
        "by its client from send to parsed reply; one app process over the index on disk, "
        "then a `chroma run` server holding the index with two app processes, the clients "
        "split between them. An answer is matched when it echoes its question and its text "
        "is the one a lone request got for that question just before (every process is asked "
        "each question so beforehand, which also warms it). Each app process "
        "answers one question at a time (answering is CPU-bound), so the latency is mostly "
        "queueing: p50 grows with the clients, answers per second with the processes (up to "
        "the cores)."
    )


def _load_shape(c: dict[str, Any]) -> str:
    load = c.get("load") or {}
    return (f"{load.get('clients', '?')} clients asking {load.get('per_client', '?')} "
            "questions each, the questions of the evaluation set in turn,")


def _load_run(results: dict[str, Any]) -> str:
    when = results.get("load_date")
    return f", run {when} apart from the rest, `--only-load`" if when else ""
