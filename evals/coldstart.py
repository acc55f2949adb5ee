"""Where a cold ``ipskb ask`` spends its time, phase by phase, in a fresh process.

Run as ``python -m evals.coldstart QUESTION`` with ``IPSKB_DATA_DIR`` naming an index; prints
one JSON object. Only the standard library is imported at module level so that the first
phase measured is the import of the product itself.
"""

from __future__ import annotations

import json
import sys
from itertools import pairwise
from time import perf_counter

from evals.procinfo import peak_rss_mb


def main(argv: list[str]) -> int:
    """Time import, index opening, model loading, first and second answer; print JSON."""
    question = " ".join(argv) or "Who manages the IPS Program?"
    marks = [perf_counter()]
    from kb.knowledge import KnowledgeBase
    from kb.runtime import configure_runtime
    from kb.settings import Settings

    configure_runtime()
    marks.append(perf_counter())
    kb = KnowledgeBase.open(Settings())
    marks.append(perf_counter())
    kb.embedder.encode_queries(["load the model"])  # the ONNX encoder
    marks.append(perf_counter())
    kb.ask(question)
    marks.append(perf_counter())
    kb.ask(question)
    marks.append(perf_counter())
    kb.close()
    names = ["import_s", "open_s", "model_load_s", "first_answer_s", "second_answer_s"]
    phases = {n: round(b - a, 3) for n, (a, b) in zip(names, pairwise(marks), strict=True)}
    phases["peak_rss_mb"] = peak_rss_mb()  # the model and the index, as a served process has
    print(json.dumps(phases))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
