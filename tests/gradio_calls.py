"""Call a Gradio app's event handler directly over HTTP, as its page does (the queue), by the
handler's name: what a crafted request, not the UI, can make the server do."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx


def fn_index(base_url: str, name: str) -> int:
    """The index of the event whose handler is called `name` (its `api_name` or function)."""
    config = httpx.get(f"{base_url}/config", timeout=60).json()
    for number, dep in enumerate(config["dependencies"]):
        if dep.get("api_name") == name:
            return int(dep.get("id", number))
    raise LookupError(f"no event {name!r} in the app")


def call(base_url: str, index: int, data: list[Any], session: str | None = None,
         headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The completed message of one queued call: {"success": ..., "output": {...}}."""
    session = session or uuid.uuid4().hex[:11]
    with httpx.Client(base_url=base_url, timeout=120, headers=headers or {}) as client:
        joined = client.post("/gradio_api/queue/join", json={
            "data": data, "fn_index": index, "session_hash": session, "event_data": None,
            "trigger_id": None})
        joined.raise_for_status()
        with client.stream("GET", "/gradio_api/queue/data",
                           params={"session_hash": session}) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    return dict(message)
    raise AssertionError("the call did not complete")
