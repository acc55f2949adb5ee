"""One server for everything: the REST API's routes first, the Gradio app mounted at "/"
(its page, its queue and its own ``/ask`` endpoint), run by uvicorn."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from kb.errors import KBError
from kb.knowledge import KnowledgeBase
from kb.present.api import create_api
from kb.present.guard import Guard
from kb.present.style import CSS, LOAD_JS
from kb.settings import Settings

if TYPE_CHECKING:
    import gradio as gr
    from fastapi import FastAPI

log = logging.getLogger(__name__)

STARTUP_TIMEOUT_S = 60.0


class ServerError(KBError):
    """The server could not start (the port is taken, the address is not this machine's)."""


def asgi_app(kb: KnowledgeBase, settings: Settings, blocks: gr.Blocks) -> FastAPI:
    """The REST API with `blocks` mounted beside it, behind the guard that refuses foreign
    hosts and origins and every upload."""
    import gradio as gr

    from kb.present.admin_tab import console_of

    api = create_api(kb, settings)
    hosts = [*settings.allowed_hosts]
    if settings.app_host not in ("0.0.0.0", "::", ""):  # a name or address of its own
        hosts.append(settings.app_host)
    # Only a page with an admin signed in may upload (a document, in the admin tab).
    console = console_of(blocks)
    api.add_middleware(Guard, hosts=hosts, origins=settings.allowed_origins,
                       uploads=console.allows_upload if console else None)
    limit = min(settings.admin_upload_max_bytes, settings.max_file_bytes) if console else None
    # The bundled semi-bold Source Sans Pro holds a few dozen glyphs, so bold text mixed
    # fonts ("CBP" with a small, light "B"): the regular face is drawn bold instead.
    theme = gr.themes.Default(font=(gr.themes.LocalFont("Source Sans Pro", weights=(400,)),
                                    "ui-sans-serif", "system-ui", "sans-serif"))
    return gr.mount_gradio_app(api, blocks, path="", css=CSS, js=LOAD_JS, ssr_mode=False,
                               footer_links=["api"], show_error=False, max_file_size=limit,
                               theme=theme)


def serve(app: FastAPI, host: str, port: int) -> None:
    """Serve until interrupted."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")


@contextmanager
def running(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` in a background thread for as long as the block runs; gives its URL.
    Port 0 takes a free one."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="ipskb-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise ServerError(f"the server on {host}:{port} did not start")
        time.sleep(0.05)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
