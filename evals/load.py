"""The REST API under load: concurrent clients ask `POST /api/v1/ask` of real app servers
(`python app.py`, each a process of its own) and every answer is checked against its own
question.

Two set-ups: one app process over the index on disk; and a Chroma server (`chroma run`)
holding the index with two app processes answering from it, the clients split between them.
An answer counts as matched when it echoes its own question and its text is the one a single
unhurried request got for that question beforehand (the answerer is deterministic, so any
difference is an answer crossed with another request's, or a broken one).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.measure import REPO, percentiles, subprocess_env
from evals.processes import stop
from evals.runner import load_items
from ingest.pipeline import ingest
from kb.index.embedder import Embedder
from kb.settings import Settings

log = logging.getLogger(__name__)

ASK = "/api/v1/ask"
START_TIMEOUT_S = 300.0
REQUEST_TIMEOUT_S = 600.0


@dataclass
class LoadConfig:
    """How hard to push: `clients` at once, each asking `per_client` questions."""

    clients: int = 20
    per_client: int = 5
    chroma: bool = True  # also the Chroma server with two app processes


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], log_file: Path, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_file.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise RuntimeError(f"{what} did not start: {tail}") from None
            time.sleep(0.2)


@contextmanager
def _process(args: Sequence[str], env: dict[str, str], log_file: Path, ready: str,
             what: str) -> Iterator[None]:
    with log_file.open("wb") as out:
        proc = subprocess.Popen(list(args), cwd=REPO, env={**os.environ, **env}, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            _wait(ready, proc, log_file, what)
            yield
        finally:
            stop(proc, 30)


@contextmanager
def chroma_server(path: Path, port: int = 0) -> Iterator[str]:
    """`chroma run` (the chromadb package's own server) on loopback `port` (0: a free one),
    storing in `path`, for as long as the block runs; gives its URL."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    path.mkdir(parents=True, exist_ok=True)
    with _process([str(Path(sys.executable).with_name("chroma")), "run", "--path",
                   str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
                  {"ANONYMIZED_TELEMETRY": "False"}, path / "server.log",
                  f"{url}/api/v2/heartbeat", "the Chroma server"):
        yield url


@contextmanager
def app_server(settings: Settings, log_file: Path) -> Iterator[str]:
    """`python app.py` on a free loopback port over `settings`' index; gives its URL once
    /healthz answers (the model is loaded by then)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**subprocess_env(settings), "IPSKB_SOURCES_DIR": str(settings.sources_dir)}
    if settings.chroma_url:
        env |= {"IPSKB_CHROMA_URL": settings.chroma_url,
                "IPSKB_CHROMA_PREFIX": settings.chroma_prefix}
    with _process([sys.executable, "app.py", "--port", str(port)], env, log_file,
                  f"{url}/healthz", "the app"):
        yield url


def _ask(client: Any, url: str, question: str) -> dict[str, Any]:
    reply = client.post(url + ASK, json={"question": question, "history": []})
    if reply.status_code != 200:
        raise RuntimeError(f"HTTP {reply.status_code}: {reply.text[:200]}")
    return dict(reply.json())


def reference(url: str, questions: Sequence[str]) -> tuple[dict[str, str], dict[str, Any]]:
    """Each question's answer text from one request at a time, and the latency of those
    lone requests (``single_p50_ms`` ...)."""
    import httpx

    answers: dict[str, str] = {}
    took: list[float] = []
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
        for question in dict.fromkeys(questions):
            began = time.perf_counter()
            answers[question] = str(_ask(client, url, question)["answer"])
            took.append(time.perf_counter() - began)
    return answers, {k.removeprefix("load_"): v
                     for k, v in percentiles(took, "load_single").items()}


def hammer(urls: Sequence[str], questions: Sequence[str], expected: dict[str, str],
           clients: int, per_client: int) -> dict[str, Any]:
    """`clients` threads at once, client i on urls[i % len(urls)], each asking its
    `per_client` questions in turn; every answer is checked against `expected`."""
    import httpx

    tally = _Tally()
    start = threading.Barrier(clients + 1)

    def client_run(i: int) -> None:
        url = urls[i % len(urls)]
        mine = [questions[(i * per_client + j) % len(questions)] for j in range(per_client)]
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
            start.wait()
            for question in mine:
                began = time.perf_counter()
                try:
                    got = _ask(client, url, question)
                except Exception as exc:  # counted, and the client goes on
                    with tally.lock:
                        tally.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                took = time.perf_counter() - began
                ok = got.get("question") == question and got.get("answer") == expected[question]
                with tally.lock:
                    tally.latencies.append(took)
                    if not ok:
                        tally.mismatched.append(question[:80])

    threads = [threading.Thread(target=client_run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    requests = clients * per_client
    return {
        "clients": clients, "requests": requests, "errors": len(tally.errors),
        "mismatched": len(tally.mismatched), "wall_s": round(wall, 2),
        "requests_per_s": round(requests / wall, 2) if wall else None,
        "app_processes": len(urls), "error_samples": tally.errors[:3],
        **{k.removeprefix("load_"): v for k, v in percentiles(tally.latencies, "load").items()},
    }


def measure_load(settings: Settings, questions_file: Path, config: LoadConfig,
                 work: Path, embedder: Embedder | None = None) -> dict[str, Any]:
    """The load figures (``load_*``, and ``load_chroma_*`` for the Chroma server set-up) on
    `settings`' sources; ingests into `work` and never touches another index."""
    asked = [i.question for i in load_items(questions_file) if not i.history]
    # The questions the clients ask between them, each once if there are enough.
    questions = list(dict.fromkeys(asked))[: config.clients * config.per_client]
    local = settings.model_copy(update={"data_dir": work / "load-data", "chroma_url": None})
    ingest(local, embedder=embedder)
    out: dict[str, Any] = {}
    log.info("load: %d clients x %d questions, one app process", config.clients,
             config.per_client)
    with app_server(local, work / "app.log") as url:
        expected, single = reference(url, questions)
        out |= _prefixed("load", single | hammer([url], questions, expected, config.clients,
                                                 config.per_client))
    if config.chroma:
        with chroma_server(work / "chroma") as chroma_url:
            shared = local.model_copy(update={"chroma_url": chroma_url,
                                              "data_dir": work / "load-shared"})
            ingest(shared, embedder=embedder)
            log.info("load: the same, two app processes over one Chroma server")
            with ExitStack() as stack:
                urls = [stack.enter_context(app_server(shared, work / f"app-{n}.log"))
                        for n in range(2)]
                # Every process answers each question once beforehand (which also warms
                # it: the first answers load spaCy and the spelling models), and all must
                # give the answers the first one gives.
                mine, single = reference(urls[0], questions)
                others = [reference(u, questions)[0] for u in urls[1:]]
                single["processes_agree"] = all(o == mine for o in others)
                out |= _prefixed("load_chroma", single | hammer(
                    urls, questions, mine, config.clients, config.per_client))
            out["load_chroma_same_as_disk"] = sum(mine[q] == expected[q] for q in expected)
    out["load_distinct_questions"] = len(expected)
    return out


def _prefixed(prefix: str, figures: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{k}": v for k, v in figures.items()}
