"""The REST API served beside the chat app, on the same server:

- ``POST /api/v1/ask``: ``{"question": ..., "history": [...]}`` gives the JSON contract of
  ``ipskb ask --json``;
- ``GET /api/v1/sources``: the documents in the index, with their provenance;
- ``GET /healthz``: whether the index is open, for load balancers and monitoring;
- ``GET /api/v1/openapi.json`` (and ``/api/v1/docs``): the OpenAPI document.

Every error is a JSON object ``{"detail": "<what to fix>"}`` with a 4xx status: 413 for a
body over the size limit, 415 for a body that is not JSON, 422 for a request that does not
fit the schema or a question that cannot be asked; and 503 when the index is in a Chroma
server (IPSKB_CHROMA_URL) that does not answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from kb.errors import IndexServerError, KBError
from kb.knowledge import KnowledgeBase
from kb.present.api_models import (
    AnswerOut,
    AskRequest,
    Health,
    Problem,
    SourceOut,
    ask_request_model,
    history_turns,
)
from kb.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI, Request, Response

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
OPENAPI_URL = f"{PREFIX}/openapi.json"
# Room for a question at the limit and a long history of questions and answers, as JSON
# escapes can triple them; anything bigger is refused before it is read.
MAX_BODY_BYTES = 256 * 1024
ERRORS: dict[int | str, dict[str, Any]] = {
    411: {"model": Problem, "description": "The request has no Content-Length."},
    413: {"model": Problem, "description": "The request body is over the size limit."},
    415: {"model": Problem, "description": "The request body is not JSON."},
    422: {"model": Problem, "description": "The request does not fit the schema, or the "
          "question cannot be asked (empty once markup is removed, too long)."},
    503: {"model": Problem, "description": "The Chroma server holding the index does not "
          "answer; try again later."},
}


def create_api(kb: KnowledgeBase, settings: Settings) -> FastAPI:
    """A FastAPI app with the REST routes; the Gradio app is mounted on it by app.py."""
    from fastapi import FastAPI

    api = FastAPI(
        title="ipskb", version="1", openapi_url=OPENAPI_URL, docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        description="Cited answers about the U.S. Coast Guard International Port Security "
        "Program, quoted from its documents.",
    )
    _add_error_handling(api)
    _add_routes(api, kb, ask_request_model(settings))
    return api


def _add_routes(api: FastAPI, kb: KnowledgeBase, request_model: type[AskRequest]) -> None:
    # One question at a time: answering is CPU-bound, and the app's own queue runs beside it.
    lock = threading.Lock()

    def ask(body: AskRequest) -> dict[str, Any]:
        """Answer a question from the documents; every sentence of the answer is cited.
        `history`: the earlier questions (or question and answer pairs) for follow-ups."""
        from fastapi import HTTPException

        try:
            with lock:
                return kb.ask(body.question, history_turns(body.history)).to_json()
        except IndexServerError as exc:  # not the caller's fault: try again later
            raise HTTPException(status_code=503, detail=str(exc)) from exc
        except KBError as exc:  # a question the analyser refuses: the caller must change it
            raise HTTPException(status_code=422, detail=str(exc)) from exc

    def sources() -> list[SourceOut]:
        """Every document in the index, with provenance, status and passage count."""
        return [SourceOut.of(s.document, s.chunks) for s in kb.sources()]

    def health() -> Health:
        """The index generation being served and how many documents it holds; 503 when
        the Chroma server holding the index does not answer."""
        from fastapi import HTTPException

        try:
            kb.check()
        except IndexServerError as exc:
            raise HTTPException(status_code=503, detail=str(exc)) from exc
        return Health(status="ok", documents=len(kb.documents), index=kb.folder.name)

    # The schema with this server's length limit (annotations here are strings, which
    # FastAPI would look up among the module's names).
    ask.__annotations__["body"] = request_model
    api.post(f"{PREFIX}/ask", response_model=AnswerOut, responses=ERRORS,
             response_model_exclude_unset=True, summary="Ask a question")(ask)
    api.get(f"{PREFIX}/sources", response_model=list[SourceOut],
            summary="List the documents")(sources)
    api.get("/healthz", response_model=Health, summary="Health check",
            responses={503: ERRORS[503]})(health)
    _add_fallback(api)


def _add_fallback(api: FastAPI) -> None:
    """Anything else under the API's prefix is answered by the API (405 with the methods
    allowed, or 404), not by the Gradio app mounted beside it."""
    from fastapi import HTTPException, Request
    from starlette.routing import Match, Route

    routes = [r for r in api.routes if isinstance(r, Route) and r.path.startswith(PREFIX)]

    def fallback(request: Request) -> None:
        allowed = sorted({m for r in routes if r.matches(request.scope)[0] == Match.PARTIAL
                          for m in (r.methods or ())} - {"HEAD"})
        if allowed:
            raise HTTPException(405, f"use {' or '.join(allowed)} here",
                                headers={"Allow": ", ".join(allowed)})
        raise HTTPException(404, f"no such endpoint: {request.url.path}; see {OPENAPI_URL}")

    fallback.__annotations__["request"] = Request  # see `_add_routes`
    api.api_route(f"{PREFIX}/{{rest:path}}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                  include_in_schema=False)(fallback)


def _add_error_handling(api: FastAPI) -> None:
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        return JSONResponse(status_code=422, content={"detail": _describe(errors)})

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return JSONResponse(status_code=exc.status_code, content={"detail": str(exc.detail)},
                            headers=getattr(exc, "headers", None))

    api.add_exception_handler(RequestValidationError, invalid)
    api.add_exception_handler(StarletteHTTPException, http_error)
    api.middleware("http")(_limit_body)


async def _limit_body(request: Request,
                      call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Refuse an oversized or non-JSON body before reading it (only the API's routes:
    the Gradio app mounted beside them has its own limits)."""
    from fastapi.responses import JSONResponse

    if request.method != "POST" or not request.url.path.startswith(PREFIX):
        return await call_next(request)
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return JSONResponse(status_code=411, content={
            "detail": "send the body with a Content-Length header"})
    if int(length) > MAX_BODY_BYTES:
        return JSONResponse(status_code=413, content={
            "detail": f"the request body is {length} bytes; the limit is {MAX_BODY_BYTES}"})
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return JSONResponse(status_code=415, content={
            "detail": "send the question as JSON (Content-Type: application/json)"})
    return await call_next(request)


# Names pydantic gives the members of a union (a history item is a question or a pair).
_STR_MEMBERS = {"str", "constrained-str"}
_UNION_MEMBERS = {*_STR_MEMBERS, "Exchange"}
_MESSAGES = {"string_pattern_mismatch": "must contain more than spaces"}


def _describe(errors: Any) -> str:
    """Validation errors as one sentence: "question: String should have at most 1000
    characters"; for a union, only the errors of the member the input was meant as."""
    errors = list(errors or [])
    for e in errors:
        if e.get("type") == "json_invalid":
            why = (e.get("ctx") or {}).get("error", "")
            return f"the body is not valid JSON ({why})" if why else "the body is not valid JSON"
    meant = _meant_members(errors)
    parts = []
    for e in errors:
        loc = tuple(e.get("loc", ()))
        tag = next((i for i, x in enumerate(loc) if x in _UNION_MEMBERS), None)
        if tag is not None and meant.get(loc[:tag]) != _member(loc[tag]):
            continue
        where = ".".join(str(x) for x in loc if x != "body" and x not in _UNION_MEMBERS)
        message = _MESSAGES.get(e.get("type", ""), e.get("msg", "invalid"))
        parts.append(f"{where or 'body'}: {message}")
    return "; ".join(parts) or "the request is not valid"


def _member(tag: object) -> str:
    return "str" if tag in _STR_MEMBERS else "object"


def _meant_members(errors: list[dict[str, Any]]) -> dict[tuple[Any, ...], str]:
    """For each union value in error: "object" if it was sent as a JSON object, else "str"."""
    meant: dict[tuple[Any, ...], str] = {}
    for e in errors:
        loc = tuple(e.get("loc", ()))
        for i, x in enumerate(loc):
            if x in _UNION_MEMBERS:
                if _member(x) == "object" and isinstance(e.get("input"), dict):
                    meant[loc[:i]] = "object"
                meant.setdefault(loc[:i], "str")
                break
    return meant
