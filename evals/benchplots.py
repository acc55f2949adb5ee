"""PNG plots of the benchmark results (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display on a server or in tests
    import matplotlib.pyplot as plt

    return plt


def plot_all(results: dict[str, Any], out: Path) -> list[Path]:
    """Every plot the results allow; return the files written."""
    files = [plot_latency(results, out / "latency.png"),
             plot_throughput(results, out / "throughput.png")]
    if results.get("scale"):
        files.append(plot_scale(results["scale"], out / "scale.png"))
    return files


def plot_latency(results: dict[str, Any], path: Path) -> Path:
    """Warm latency percentiles: retrieval, composition, total, and the baseline."""
    plt = _pyplot()
    groups = [("retrieval", "retrieval"), ("composition", "composition"),
              ("answer", "ipskb answer"), ("baseline_answer", "LangChain baseline")]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.25
    for i, p in enumerate((50, 95, 99)):
        values = [results.get(f"{key}_p{p}_ms") or 0.0 for key, _ in groups]
        ax.bar([g + (i - 1) * width for g in range(len(groups))], values, width, label=f"p{p}")
    ax.axhline(50, color="red", linestyle="--", linewidth=1, label="answer p95 goal (50 ms)")
    ax.set_xticks(range(len(groups)), [label for _, label in groups])
    ax.set_ylabel("milliseconds")
    ax.set_title("Warm answer latency on the shipped corpus")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_throughput(results: dict[str, Any], path: Path) -> Path:
    """Texts per second: the encoder alone on each kind of text, and ingest end to end."""
    plt = _pyplot()
    bars = [("encoder_chunks_per_s", "encoder:\nchunks"),
            ("encoder_sentences_per_s", "encoder:\nsentences"),
            ("encoder_passages_per_s", "encoder:\ningest's mix"),
            ("ingest_passages_per_s", "ingest,\nend to end"),
            ("encoder_torch_passages_per_s", "torch\nreference:\nmix"),
            ("encoder_onnx_int8_passages_per_s", "int8\n(not default):\nmix")]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar([label for _, label in bars], [results.get(k) or 0.0 for k, _ in bars],
           color=["#7a9cc6", "#7a9cc6", "#3b6ea5", "#e07b39", "#999999", "#bbbbbb"])
    ax.set_ylabel("texts per second")
    ax.set_title(f"Encoding throughput (ingest/encoder = {results.get('ingest_encoder_ratio')})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_scale(rows: list[dict[str, Any]], path: Path) -> Path:
    """How ingest time, index size, peak memory and answer latency grow with the corpus."""
    plt = _pyplot()
    x = [r["chunks"] for r in rows]
    panels = [
        ("Ingest time (s)", [("ingest_s", "stand-in embedder"),
                             ("encoding_extrapolated_s", "real encoding (extrapolated)")]),
        ("Index on disk (MB)", [("index_mb", "index")]),
        ("Peak memory (MB)", [("ingest_peak_rss_mb", "ingest"), ("serve_peak_rss_mb", "serve")]),
        ("Warm answer latency (ms)", [("answer_p50_ms", "p50"), ("answer_p95_ms", "p95")]),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, (title, series) in zip(axes.flat, panels, strict=True):
        for key, label in series:
            ax.plot(x, [r.get(key) or 0.0 for r in rows], marker="o", label=label)
        if title.startswith("Warm"):
            ax.axhline(150, color="red", linestyle="--", linewidth=1, label="p95 goal")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks")
        ax.set_title(title)
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle("Scale: generated corpus, real pipeline, stand-in embedder")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
