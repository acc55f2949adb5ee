"""What the server refuses before any route sees a request: a Host it does not serve (DNS
rebinding: a page on evil.example whose name is made to resolve to 127.0.0.1), an Origin
that is not its own (a foreign page posting to it from a browser), and any upload (Gradio's
routes would store whatever is sent to them) but a signed-in admin's, when the app has an
admin tab.

A pure ASGI middleware in front of the REST API and the Gradio app mounted beside it, so
that a refused request's body is never read, let alone written to a temp folder.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from kb.shown import excerpt

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Gradio's routes that take files (under /gradio_api); only the admin tab's upload uses one.
UPLOAD_ROUTES = frozenset({"upload", "upload_progress", "process_recording"})
# Those a signed-in admin's page uses to upload a document.
ADMIN_UPLOAD_ROUTES = frozenset({"upload", "upload_progress"})
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def host_of(netloc: str) -> str:
    """The host name of a ``Host`` header or URL authority, without port or brackets,
    lower-cased: "[::1]:7860" -> "::1"."""
    netloc = netloc.strip().lower()
    if netloc.startswith("["):
        return netloc[1:].split("]", 1)[0]
    return netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc


class Guard:
    """Refuse foreign hosts (400), foreign origins (403) and uploads (403), as JSON
    ``{"detail": ...}`` like every other error of the server."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str], origins: Iterable[str] = (),
                 uploads: Callable[[dict[str, str]], bool] | None = None) -> None:
        """`uploads`: told a request's headers, whether it may upload (an admin's)."""
        self.app = app
        self.uploads = uploads
        self.hosts = {host_of(h) for h in hosts}
        self.origins = {o.strip().rstrip("/").lower() for o in origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        status, detail = refusal
        log.warning("refused %s %s: %s", scope.get("method", "WS"),
                    excerpt(scope.get("path", ""), 200), detail)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = json.dumps({"detail": detail}).encode()
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """(status, reason) when the request must be refused, else None."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if "*" not in self.hosts and host_of(host) not in self.hosts:
            return 400, (f"this server does not answer for the host {excerpt(host)!r}; "
                         "add it to IPSKB_ALLOWED_HOSTS")
        origin = headers.get("origin")
        if origin is not None and not self._own_origin(origin, host):
            return 403, f"requests from {excerpt(origin)!r} are not accepted here"
        path = str(scope.get("path", "")).rstrip("/")
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        route = path.rsplit("/", 1)[-1]
        if route in UPLOAD_ROUTES or kind == "multipart/form-data":
            admin = route in ADMIN_UPLOAD_ROUTES and path.startswith("/gradio_api/")
            if not (admin and self.uploads is not None and self.uploads(headers)):
                return 403, "this server accepts no uploads"
        return None

    def _own_origin(self, origin: str, host: str) -> bool:
        """The page's own origin (scheme://the Host it asked for), or one listed."""
        origin = origin.strip().rstrip("/").lower()
        if origin in self.origins:
            return True
        # The Host was checked first: an origin naming that same host is the server's own.
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and parts.netloc == host.strip().lower()
