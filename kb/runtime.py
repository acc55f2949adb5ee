"""Process-wide environment the project sets itself: offline model hubs, no telemetry, and
no torch where it is not needed."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "GRADIO_ANALYTICS_ENABLED": "False",
}
# Held while torch is hidden, and by whoever imports torch on purpose (the encoder export),
# so that a thread exporting never sees the hidden torch of a thread loading spaCy.
TORCH_IMPORT = threading.Lock()


def configure_runtime() -> None:
    """Force offline, telemetry-free operation; called before any heavy library is imported."""
    for key, value in _ENV.items():
        os.environ[key] = value


@contextmanager
def torch_hidden() -> Iterator[None]:
    """Within the block, ``import torch`` fails unless torch is loaded already. thinc,
    spaCy's backend, imports torch whenever it is installed (seconds of a cold start, and
    half a gigabyte); the small English pipeline never uses it."""
    with TORCH_IMPORT:
        if "torch" in sys.modules:
            yield
            return
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes the import fail
        try:
            yield
        finally:
            if "torch" in sys.modules and sys.modules["torch"] is None:
                del sys.modules["torch"]
