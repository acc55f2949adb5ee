"""Stop a real `ipskb` run at a named moment of an ingest, so that a caller can `kill -9` it
exactly there.

    python -m evals.killpoints POINT FLAG ingest [--sources DIR]

runs the `ipskb` command line with one function wrapped: when the run reaches POINT it writes
the file FLAG and sleeps until it is killed. The wrapping lives only in this driver; the
library carries no test hooks. The points:

    loading       reading a new or changed source file
    encoding      the model encoding the first batch of texts
    chroma-write  between writing the chunks and the sentences into the new generation's store
    switch        the new generation complete and renamed, the live pointer not yet moved
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

POINTS = ("loading", "encoding", "chroma-write", "switch")


def _pausing(original: Callable[..., Any], flag: Path) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        flag.write_text("reached", encoding="utf-8")
        while True:  # until the caller's SIGKILL
            time.sleep(60)

    return wrapper


def install(point: str, flag: Path) -> None:
    """Wrap the function that runs at `point` so that reaching it pauses the process."""
    import ingest.pipeline as pipeline
    from kb.index import generations
    from kb.index.embedder import Embedder
    from kb.index.store import VectorStore

    if point == "loading":
        pipeline.extract = _pausing(pipeline.extract, flag)
    elif point == "encoding":
        Embedder.encode = _pausing(Embedder.encode, flag)  # type: ignore[method-assign]
    elif point == "chroma-write":
        VectorStore.add_sentences = _pausing(  # type: ignore[method-assign]
            VectorStore.add_sentences, flag)
    elif point == "switch":
        generations.point_to = _pausing(generations.point_to, flag)
    else:
        raise SystemExit(f"unknown kill point {point!r}; use one of {', '.join(POINTS)}")


def kill_at(point: str, env: dict[str, str], flag: Path, timeout: float = 600) -> None:
    """Run `ipskb ingest` (with `env`) until it reaches `point`, then SIGKILL it. Raises
    RuntimeError if the run ends, or does not get there in `timeout` seconds, first."""
    flag.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "evals.killpoints", point, str(flag), "ingest"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while not flag.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr and proc.poll() is not None else ""
                raise RuntimeError(f"ingest did not reach {point}: {err.strip()[-500:]}")
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
        if proc.stderr:
            proc.stderr.close()


def main(argv: list[str]) -> int:
    point, flag, *cli_args = argv
    install(point, Path(flag))
    from kb.present.cli import main as cli_main

    return cli_main(cli_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
