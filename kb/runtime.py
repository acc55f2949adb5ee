"""Process-wide environment the project sets itself: offline model hubs, no telemetry."""

from __future__ import annotations

import os

_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "GRADIO_ANALYTICS_ENABLED": "False",
}


def configure_runtime() -> None:
    """Force offline, telemetry-free operation; called before any heavy library is imported."""
    for key, value in _ENV.items():
        os.environ[key] = value
