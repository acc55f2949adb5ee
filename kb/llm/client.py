"""A chat model behind a deadline.

The model is any LangChain chat model: from the settings (`init_chat_model`), or given
directly (the tests' fake models). Its text arrives through a worker thread, so that a
caller waits no longer than its deadline, whatever the endpoint or its client library does:
a refused connection, a server that accepts and never answers, a stream that stalls.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from kb.errors import ModelUnavailableError
from kb.settings import Settings

log = logging.getLogger(__name__)

# (role, text): "system", "human" or "ai", as LangChain's chat models take them.
Message = tuple[str, str]
_END = object()
# Sent by `check`: an answer of any kind shows that the endpoint works.
PING: list[Message] = [("human", "Reply with the single word OK.")]


@dataclass
class Check:
    """What `ChatClient.check` found: whether the endpoint answered, and how fast."""

    ok: bool
    detail: str
    seconds: float


class ChatClient:
    """Sends messages to one chat model; every call has a deadline (`time.monotonic()`)."""

    def __init__(self, model: Any, name: str, json_mode: str = "off") -> None:
        self.model = model
        self.name = name
        self.provider = name.split(":", 1)[0] if ":" in name else ""
        self.json_mode = json_mode  # "off", "json" or "schema" (Settings.llm_json_mode)

    @classmethod
    def from_settings(cls, settings: Settings) -> ChatClient:
        """The model `settings.llm` names, through LangChain's `init_chat_model`."""
        try:
            from langchain.chat_models import init_chat_model

            model = init_chat_model(settings.llm, **model_options(settings))
        except ImportError as exc:
            raise ModelUnavailableError(
                f"the language model {settings.llm!r} needs a package that is not installed "
                f"({exc.name})") from exc
        except (ValueError, TypeError) as exc:  # an unknown provider or a bad option
            raise ModelUnavailableError(f"cannot use the language model {settings.llm!r}: "
                                        f"{_first_line(exc)}") from exc
        log.info("language model %s at %s", settings.llm, settings.llm_base_url or "default")
        return cls(model, settings.llm, settings.llm_json_mode)

    def stream(self, messages: Sequence[Message], deadline: float,
               schema: dict[str, Any] | None = None) -> Iterator[str]:
        """The reply's text, piece by piece as it arrives; with `schema`, a JSON reply is
        asked of the server as far as its provider allows (see `Settings.llm_json_mode`).
        Raises ModelUnavailableError when the model fails, or has not finished by
        `deadline`."""
        pieces: queue.Queue[object] = queue.Queue()
        stop = threading.Event()
        model = self._bound(schema)
        worker = threading.Thread(target=self._produce,
                                  args=(model, list(messages), pieces, stop),
                                  name="ipskb-llm", daemon=True)
        worker.start()
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ModelUnavailableError("the language model did not finish in time")
                try:
                    item = pieces.get(timeout=left)
                except queue.Empty:
                    raise ModelUnavailableError(
                        "the language model did not finish in time") from None
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise ModelUnavailableError(
                        f"the language model failed: {_first_line(item)}") from item
                yield str(item)
        finally:
            stop.set()  # a worker still reading gives up at its next piece

    def complete(self, messages: Sequence[Message], deadline: float,
                 schema: dict[str, Any] | None = None) -> str:
        """The whole reply (see `stream`)."""
        return "".join(self.stream(messages, deadline, schema))

    def check(self, timeout: float) -> Check:
        """Whether the endpoint answers a one-word request within `timeout` seconds."""
        began = time.monotonic()
        try:
            reply = self.complete(PING, began + timeout)
        except ModelUnavailableError as exc:
            return Check(False, str(exc), time.monotonic() - began)
        said = " ".join(reply.split())[:60]
        return Check(True, f"{self.name} answered: {said!r}", time.monotonic() - began)

    def _bound(self, schema: dict[str, Any] | None) -> Any:
        """The model asked for JSON output, where its provider has a way to ask."""
        if schema is None or self.json_mode == "off":
            return self.model
        if self.provider == "openai":  # llama.cpp's server constrains output to "schema"
            return self.model.bind(response_format={
                "type": "json_object", **({"schema": schema} if self.json_mode == "schema"
                                          else {})})
        if self.provider == "ollama":
            return self.model.bind(format=schema if self.json_mode == "schema" else "json")
        return self.model

    @staticmethod
    def _produce(model: Any, messages: list[Message], pieces: queue.Queue[object],
                 stop: threading.Event) -> None:
        try:
            for chunk in model.stream(messages):
                if stop.is_set():
                    return
                text = _text(chunk.content)
                if text:
                    pieces.put(text)
            pieces.put(_END)
        except BaseException as exc:  # handed to the caller, who falls back
            # A reply cut at the token limit is still a reply: what arrived is checked.
            pieces.put(_END if type(exc).__name__ == "LengthFinishReasonError" else exc)


def model_options(settings: Settings) -> dict[str, Any]:
    """`init_chat_model` options for the provider the spec names. The key goes only to the
    model's client: it is never logged, and the settings print it masked."""
    provider = settings.llm.split(":", 1)[0] if ":" in settings.llm else ""
    key = settings.llm_api_key.get_secret_value()
    options: dict[str, Any] = {"temperature": settings.llm_temperature}
    if provider == "ollama":
        options["num_predict"] = settings.llm_max_tokens
        options["client_kwargs"] = {"timeout": settings.llm_timeout, **(
            {"headers": {"Authorization": f"Bearer {key}"}} if key else {})}
        if settings.llm_base_url:
            options["base_url"] = settings.llm_base_url
        return options
    options.update(max_tokens=settings.llm_max_tokens, timeout=settings.llm_timeout,
                   max_retries=0)
    if settings.llm_base_url:
        options["base_url"] = settings.llm_base_url
        if provider == "openai":
            # The client sends the limit as max_completion_tokens, which OpenAI-compatible
            # servers (llama.cpp's among them) ignore: they would write until the context
            # is full. They read max_tokens.
            options["extra_body"] = {"max_tokens": settings.llm_max_tokens}
    if key or (provider == "openai" and settings.llm_base_url):
        # A local OpenAI-compatible server wants no key, but the client insists on one.
        options["api_key"] = key or "none"
    return options


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return ""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
