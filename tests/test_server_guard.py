"""What the real server refuses: a foreign Host (DNS rebinding), a foreign Origin, any upload;
and how often one client may rate answers."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kb.knowledge import KnowledgeBase
from kb.present.chat import TOO_MANY_RATINGS, Handlers, Session
from kb.present.feedback import FeedbackStore
from kb.present.guard import Guard, host_of
from kb.settings import Settings
from tests.conftest import serve_app

QUAY = "Which office manages the Quay program?"
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def base_url(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = kb.settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("guard")})
    with serve_app(kb, settings) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=120) as c:
        yield c


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/v1/sources", "/gradio_api/info",
                                  "/gradio_api/upload"])
def test_a_foreign_host_is_refused(client: httpx.Client, path: str) -> None:
    reply = client.get(path, headers={"Host": "evil.example"})
    assert reply.status_code == 400
    assert reply.json()["detail"].startswith("this server does not answer for the host")
    reply = client.post("/api/v1/ask", json={"question": QUAY},
                        headers={"Host": "evil.example:7860"})
    assert reply.status_code == 400


def test_loopback_names_are_answered(client: httpx.Client, base_url: str) -> None:
    port = base_url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200


def test_a_foreign_origin_is_refused(client: httpx.Client, base_url: str) -> None:
    for origin in (EVIL, "null", base_url.replace("127.0.0.1", "evil.example")):
        reply = client.post("/api/v1/ask", json={"question": QUAY}, headers={"Origin": origin})
        assert reply.status_code == 403, origin
        assert reply.json()["detail"].startswith("requests from")
        assert client.post("/gradio_api/queue/join", json={},
                           headers={"Origin": origin}).status_code == 403
    own = client.post("/api/v1/ask", json={"question": QUAY}, headers={"Origin": base_url})
    assert own.status_code == 200 and "Office of Quay Assessments" in own.json()["answer"]


def _gradio_files() -> set[Path]:
    root = Path(tempfile.gettempdir()) / "gradio"
    return set(root.rglob("*")) if root.is_dir() else set()


@pytest.mark.parametrize("headers", [{}, {"Origin": EVIL}])
def test_uploads_are_refused_and_nothing_is_stored(
    client: httpx.Client, base_url: str, headers: dict[str, str]
) -> None:
    before = _gradio_files()
    name = f"probe-{uuid.uuid4().hex}.txt"
    payload = b"x" * (2 * 1024 * 1024)
    for path in ("/gradio_api/upload", "/gradio_api/upload?upload_id=abc",
                 "/gradio_api/process_recording", "/gradio_api/component_server"):
        reply = client.post(path, files={"files": (name, payload, "text/plain")},
                            headers={**headers, "Origin": headers.get("Origin", base_url)})
        assert reply.status_code == 403, path
        assert reply.json()["detail"] in ("this server accepts no uploads",
                                          f"requests from {EVIL!r} are not accepted here")
    assert client.get("/gradio_api/upload_progress?upload_id=abc").status_code == 403
    assert [p for p in _gradio_files() - before if name in p.name] == []


def test_the_guard_alone() -> None:
    assert host_of("[::1]:7860") == "::1" and host_of("Localhost:80") == "localhost"
    assert host_of("::1") == "::1" and host_of("kb.example.org") == "kb.example.org"

    async def app(*_: object) -> None:
        raise AssertionError("not refused")

    guard = Guard(app, ["kb.example.org"], ["https://portal.example.org"])

    def scope(host: str, origin: str | None = None, path: str = "/") -> dict[str, object]:
        headers = [(b"host", host.encode())]
        if origin is not None:
            headers.append((b"origin", origin.encode()))
        return {"type": "http", "method": "POST", "path": path, "headers": headers}

    assert guard.refusal(scope("kb.example.org")) is None
    assert guard.refusal(scope("kb.example.org", "https://kb.example.org")) is None
    assert guard.refusal(scope("kb.example.org", "https://portal.example.org")) is None
    assert guard.refusal(scope("127.0.0.1:7860")) is not None  # not listed here
    assert guard.refusal(scope("kb.example.org", "https://kb.example.org.evil")) is not None
    assert guard.refusal(scope("kb.example.org", path="/gradio_api/upload/")) is not None
    anyhost = Guard(app, ["*"])
    assert anyhost.refusal(scope("anything.example")) is None
    assert anyhost.refusal(scope("anything.example", EVIL)) is not None


def test_feedback_is_rate_limited_per_client(kb: KnowledgeBase, tmp_path: Path) -> None:
    settings: Settings = kb.settings.model_copy(
        update={"data_dir": tmp_path, "feedback_per_minute": 3})
    h = Handlers(kb, settings)
    session = next(iter(reversed(list(h.respond(QUAY, Session())))))[1]
    said = [h.rate(1 if n % 2 else -1, f"take {n}", session, "10.0.0.1")[0] for n in range(6)]
    assert said[3:] == [TOO_MANY_RATINGS] * 3 and TOO_MANY_RATINGS not in said[:3]
    assert h.rate(1, "", session, "10.0.0.2")[0] != TOO_MANY_RATINGS  # another client
    assert len(FeedbackStore.for_settings(settings).entries()) == 1  # one answer, one entry


def test_the_rate_limit_window_slides() -> None:
    from kb.present.limits import RateLimit

    now = [0.0]
    limit = RateLimit(2, window=60, clock=lambda: now[0])
    assert [limit.allow("a") for _ in range(3)] == [True, True, False]
    now[0] = 59.0
    assert not limit.allow("a")
    now[0] = 60.5
    assert [limit.allow("a") for _ in range(3)] == [True, True, False] and limit.allow("b")


def test_the_gradio_api_works_behind_the_guard_and_echoes_80_characters(base_url: str) -> None:
    from gradio_client import Client

    client = Client(base_url, verbose=False)
    huge = "port " * 20_000
    result = client.predict(huge, api_name="/ask")
    assert result["question"] == huge[:80] + "\u2026" and "limit is 1000" in result["error"]
    assert "Office of Quay Assessments" in client.predict(QUAY, api_name="/ask")["answer"]
