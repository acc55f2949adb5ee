"""`ipskb ask` with a language model endpoint that is down or never answers: still the
extractive answer, with a notice, within the timeout, and exit 0."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from evals.local_llm import free_port
from kb.knowledge import KnowledgeBase

QUESTION = "Which office manages the Quay program?"
ANSWER = ("The Office of Quay Assessments (OQA-7) manages the program from Halifax. [1]")


def ipskb(kb: KnowledgeBase, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "IPSKB_DATA_DIR": str(kb.settings.data_dir),
                   "IPSKB_SOURCES_DIR": str(kb.settings.sources_dir), **env}
    return subprocess.run([sys.executable, "-m", "kb", *args], capture_output=True, text=True,
                          env=environment, timeout=300, check=False)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_closed_port_gives_the_extractive_answer_with_a_notice(kb: KnowledgeBase) -> None:
    port = free_port()  # nothing listens on it
    done = ipskb(kb, "ask", "--json", QUESTION, IPSKB_LLM="openai:any",
                 IPSKB_LLM_BASE_URL=f"http://127.0.0.1:{port}/v1", IPSKB_LLM_TIMEOUT="20")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["mode"] == "extractive" and out["answer"] == ANSWER
    assert out["notices"] == ["The language model failed: Connection error; this is the "
                              "extractive answer."]


def test_a_server_that_never_answers_is_given_up_at_the_timeout(
        kb: KnowledgeBase, silent_server: int) -> None:
    done = ipskb(kb, "ask", "--json", QUESTION, IPSKB_LLM="openai:any",
                 IPSKB_LLM_BASE_URL=f"http://127.0.0.1:{silent_server}/v1",
                 IPSKB_LLM_TIMEOUT="2")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["mode"] == "extractive" and out["answer"] == ANSWER
    assert len(out["notices"]) == 1
    assert out["notices"][0].endswith("; this is the extractive answer.")


def test_llm_check_says_whether_the_endpoint_answers(kb: KnowledgeBase) -> None:
    port = free_port()
    done = ipskb(kb, "ask", "--llm-check", IPSKB_LLM="openai:any",
                 IPSKB_LLM_BASE_URL=f"http://127.0.0.1:{port}/v1", IPSKB_LLM_TIMEOUT="5",
                 IPSKB_LLM_API_KEY="sk-never-shown")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (f"ipskb: openai:any at http://127.0.0.1:{port}/v1 did not answer: "
                           "the language model failed: Connection error.\n")
    unset = ipskb(kb, "ask", "--llm-check", IPSKB_LLM="")
    assert unset.returncode == 1
    assert unset.stderr == "ipskb: no language model is configured (set IPSKB_LLM)\n"


def test_an_unknown_provider_is_one_line_and_the_question_still_answered(
        kb: KnowledgeBase) -> None:
    done = ipskb(kb, "ask", "--json", QUESTION, IPSKB_LLM="nosuchprovider:model")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["mode"] == "extractive" and len(out["notices"]) == 1
    assert out["notices"][0].startswith("Cannot use the language model 'nosuchprovider:model'")
