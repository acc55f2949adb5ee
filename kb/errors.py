"""The library's errors. Only the CLI and the app turn them into messages for people."""

from __future__ import annotations


class KBError(Exception):
    """Base of every error ipskb raises on purpose; its text is fit to show a user."""


class LoadError(KBError):
    """A source file could not be read (corrupt, encrypted, empty, binary, bad encoding)."""


class ModelError(KBError):
    """The embedding model is missing or its weights do not match the pinned hash."""


class IndexMissingError(KBError):
    """No index has been built yet."""


class IndexMismatchError(KBError):
    """The index was built with other settings (model, chunking) and must be rebuilt."""


class QuestionError(KBError):
    """The question cannot be answered as given (empty, too long)."""


class IngestLockedError(KBError):
    """Another ingest holds the index's writer lock."""


class IndexServerError(KBError):
    """The Chroma server holding the index (IPSKB_CHROMA_URL) cannot be reached."""


class ModelUnavailableError(KBError):
    """The language model endpoint did not give an answer in time (down, slow, refused)."""
