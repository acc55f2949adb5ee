"""The admin tab's Gradio layout and event wiring (its actions are kb.present.admin's).

The session token lives in a `gr.State`, which Gradio keeps on the server: a request that
did not sign in has none, whatever it sends. The page also keeps it in a SameSite cookie,
only so that the guard lets a signed-in page's file upload through (kb.present.guard).
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.loaders import SUFFIXES
from ingest.sources import STATUSES
from ingest.upload import Metadata
from kb.errors import KBError
from kb.present.admin import COOKIE, AdminConsole, DocumentRow, NotSignedIn

ATTRIBUTE = "ipskb_admin"  # the console, on the Blocks that holds its tab
TICK_S = 1.0
# Set when signed in, cleared when signed out; never sent to another site (SameSite).
COOKIE_JS = f"""(token) => {{
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = token ? "{COOKIE}=" + token + "; Path=/; SameSite=Strict" + secure
                          : "{COOKIE}=; Path=/; Max-Age=0; SameSite=Strict";
  return [];
}}"""


def console_of(blocks: Any) -> AdminConsole | None:
    """The admin console of an app built with an admin tab, else None."""
    console = getattr(blocks, ATTRIBUTE, None)
    return console if isinstance(console, AdminConsole) else None


def admin_tab(console: AdminConsole, blocks: Any) -> None:
    """The tab's layout, inside an open `gr.Tab`; the console is attached to `blocks`."""
    import gradio as gr

    setattr(blocks, ATTRIBUTE, console)
    token = gr.State("")
    cookie = gr.Textbox(visible=False)
    message = gr.HTML(elem_id="admin-message")
    with gr.Column(visible=True) as signed_out:
        gr.Markdown("Sign in to add, mark or remove documents and to re-ingest them.")
        user = gr.Textbox(label="Admin name", max_lines=1, elem_id="admin-user")
        password = gr.Textbox(label="Password", type="password", max_lines=1,
                              elem_id="admin-password")
        sign_in = gr.Button("Sign in", variant="primary", elem_id="admin-sign-in")
    with gr.Column(visible=False) as signed_in:
        with gr.Row():
            who = gr.Markdown(elem_id="admin-who")
            sign_out = gr.Button("Sign out", size="sm", scale=0, elem_id="admin-sign-out")
        gr.Markdown("### Add a document")
        upload = _upload_form()
        table, pick, historical, remove = _documents_section()
        gr.Markdown("### Re-ingest\nChanges reach the answers once re-ingested; until the new "
                    "index is complete, everyone is answered from the previous one.")
        reingest = gr.Button("Re-ingest now", variant="primary", elem_id="admin-reingest")
        progress = gr.HTML(elem_id="admin-progress")
    timer = gr.Timer(TICK_S, active=False)

    h = _Handlers(console)
    listing = [table, pick]
    signed = [token, cookie, message, password, signed_out, signed_in, who, *listing, progress,
              timer]
    for trigger in (sign_in.click, password.submit):
        trigger(h.sign_in, [user, password], signed, api_visibility="private").then(
            None, cookie, None, js=COOKIE_JS)
    sign_out.click(h.sign_out, token, [token, cookie, message, signed_out, signed_in, timer],
                   api_visibility="private").then(None, cookie, None, js=COOKIE_JS)
    # Each action ends with the two views: a session gone (expired, a restart) shows sign-in.
    views = [signed_out, signed_in]
    upload[0].click(h.upload, [token, *upload[1:]], [message, *listing, *upload[1:], *views],
                    api_visibility="private")
    historical.click(h.mark, [token, pick], [message, *listing, *views],
                     api_visibility="private")
    remove.click(h.remove, [token, pick], [message, *listing, *views], api_visibility="private")
    reingest.click(h.reingest, token, [message, progress, timer, *views],
                   api_visibility="private")
    timer.tick(h.tick, token, [progress, timer, *listing, *views], api_visibility="private",
               show_progress="hidden")


def _documents_section() -> tuple[Any, Any, Any, Any]:
    """The sources folder's table, the document picker and what can be done to one."""
    import gradio as gr

    gr.Markdown("### Documents in the sources folder")
    table = gr.HTML(elem_id="admin-documents")
    with gr.Row():
        # Checked by the console, whatever the page sends: Gradio need not check it too.
        pick = gr.Dropdown([], label="Document", scale=3, allow_custom_value=True,
                           elem_id="admin-doc")
        historical = gr.Button("Mark historical", scale=1, elem_id="admin-historical")
        remove = gr.Button("Remove", variant="stop", scale=1, elem_id="admin-remove")
    return table, pick, historical, remove


def _upload_form() -> list[Any]:
    """The upload button, then the form's fields in Metadata's order after the file."""
    import gradio as gr

    file = gr.File(label="Document (" + ", ".join(SUFFIXES) + ")", file_types=list(SUFFIXES),
                   type="filepath", height=140, elem_id="admin-file")
    with gr.Row():
        title = gr.Textbox(label="Title", max_lines=1, scale=3, elem_id="admin-title")
        when = gr.Textbox(label="Date (YYYY-MM-DD)", max_lines=1, scale=1, elem_id="admin-date")
    with gr.Row():
        url = gr.Textbox(label="Web address", placeholder="https://", max_lines=1, scale=3,
                         elem_id="admin-url")
        status = gr.Dropdown(list(STATUSES), value="current", label="Status", scale=1,
                             elem_id="admin-status")
    button = gr.Button("Upload", elem_id="admin-upload")
    return [button, file, title, when, url, status]


def _client(request: Any) -> str:
    return request.client.host if request is not None and request.client else ""


def _say(text: str, ok: bool) -> str:
    kind = "ipskb-admin-ok" if ok else "ipskb-admin-error"
    return f'<p class="{kind}" role="status">{html.escape(text)}</p>'


def documents_html(rows: list[DocumentRow]) -> str:
    """The sources folder's documents as a table, every value escaped."""
    body = "".join(
        f"<tr><td>{html.escape(r.doc_id)}</td><td>{html.escape(r.title)}</td>"
        f"<td>{html.escape(r.date)}</td><td>{html.escape(r.status)}</td>"
        f"<td>{'yes' if r.indexed else 'not yet'}</td></tr>" for r in rows)
    return ('<div class="ipskb-scroll"><table class="ipskb-table"><thead><tr><th>File</th>'
            "<th>Title</th><th>Date</th><th>Status</th><th>In the index</th></tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def _with_request(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Gradio gives the request to an argument annotated with its class: with postponed
    annotations the class must be put back by hand."""
    import gradio as gr

    fn.__annotations__["request"] = gr.Request
    return fn


class _Handlers:
    """The tab's event handlers: each turns the console's refusals into a message."""

    def __init__(self, console: AdminConsole) -> None:
        self.c = console
        for name in ("sign_in", "sign_out", "upload", "mark", "remove", "reingest", "tick"):
            _with_request(getattr(self, name))

    def _listing(self, token: str, client: str) -> list[Any]:
        import gradio as gr

        try:
            rows = self.c.documents(token, client)
        except KBError as exc:  # a broken manifest, say: the tab says so and stays usable
            return [_say(str(exc), False), gr.update(choices=[], value=None)]
        return [documents_html(rows), gr.update(choices=[r.doc_id for r in rows], value=None)]

    def sign_in(self, user: str, password: str, request: Any) -> tuple[Any, ...]:
        import gradio as gr

        client = _client(request)
        try:
            session = self.c.sign_in(user, password, client)
        except KBError as exc:
            return ("", "", _say(str(exc), False), "", *[gr.update()] * 7)
        return (session.token, session.token, "", "", gr.update(visible=False),
                gr.update(visible=True), f"Signed in as **{html.escape(session.user)}**",
                *self._listing(session.token, client), self.c.job.status.describe(),
                gr.Timer(active=self.c.job.running))

    def sign_out(self, token: str, request: Any) -> tuple[Any, ...]:
        import gradio as gr

        self.c.sign_out(token, _client(request))
        return ("", "", _say("Signed out.", True), gr.update(visible=True),
                gr.update(visible=False), gr.Timer(active=False))

    def upload(self, token: str, path: str | None, title: str, when: str, url: str,
                status: str, request: Any) -> tuple[Any, ...]:
        import gradio as gr

        client = _client(request)
        name = _original_name(path)
        try:
            said = self.c.upload(token, client, path, name,
                                 Metadata(title or "", when or "", url or "", status or ""))
        except KBError as exc:  # the file stays picked, to upload again once corrected
            return (_say(str(exc), False), gr.update(), gr.update(), *[gr.update()] * 5,
                    *_views(exc))
        _discard(path)
        return (_say(said, True), *self._listing(token, client), None, "", "", "", "current",
                *_views(None))

    def mark(self, token: str, doc_id: str | None, request: Any) -> tuple[Any, ...]:
        return self._document_action(self.c.mark_historical, token, doc_id, request)

    def remove(self, token: str, doc_id: str | None, request: Any) -> tuple[Any, ...]:
        return self._document_action(self.c.remove, token, doc_id, request)

    def _document_action(self, action: Callable[[str, str, str], str], token: str,
                         doc_id: str | None, request: Any) -> tuple[Any, ...]:
        import gradio as gr

        client = _client(request)
        try:
            said = action(token, client, doc_id or "")
            return (_say(said, True), *self._listing(token, client), *_views(None))
        except KBError as exc:
            return (_say(str(exc), False), gr.update(), gr.update(), *_views(exc))

    def reingest(self, token: str, request: Any) -> tuple[Any, ...]:
        import gradio as gr

        try:
            said = self.c.reingest(token, _client(request))
        except KBError as exc:
            return _say(str(exc), False), gr.update(), gr.update(), *_views(exc)
        return "", html.escape(said), gr.Timer(active=True), *_views(None)

    def tick(self, token: str, request: Any) -> tuple[Any, ...]:
        import gradio as gr

        client = _client(request)
        try:
            status = self.c.status(token, client)
        except KBError as exc:
            return gr.update(), gr.Timer(active=False), gr.update(), gr.update(), *_views(exc)
        if status.state == "running":
            return (html.escape(status.describe()), gr.update(), gr.update(), gr.update(),
                    *_views(None))
        return (html.escape(status.describe()), gr.Timer(active=False),
                *self._listing(token, client), *_views(None))


def _views(refusal: KBError | None) -> tuple[Any, Any]:
    """The signed-out and signed-in views after an action: as they were, or, when the
    session is gone, the sign-in form again."""
    import gradio as gr

    if isinstance(refusal, NotSignedIn):
        return gr.update(visible=True), gr.update(visible=False)
    return gr.update(), gr.update()


def _discard(path: str | None) -> None:
    """Remove Gradio's temporary copy of an upload once it is kept in sources/, rather
    than leave it in the cache for the hourly sweep."""
    from gradio.utils import get_upload_folder

    if not path:
        return
    copy = Path(path).resolve()
    if copy.is_file() and copy.is_relative_to(Path(get_upload_folder()).resolve()):
        copy.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            copy.parent.rmdir()  # the folder Gradio made for it, if nothing else is there


def _original_name(path: str | None) -> str:
    """The file's own name: Gradio keeps an upload under it, in a folder of its own."""
    if not path:
        return ""
    return path.replace("\\", "/").rsplit("/", 1)[-1]
