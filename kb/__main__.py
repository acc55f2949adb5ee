"""`python -m kb` is the `ipskb` command; the `ipskb` script runs `run` too."""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn

from kb.present.cli import main

# Commands that only read: nothing is left to clean up once they return (the index is
# closed and its lease let go), so the process ends without tearing the interpreter down.
# That teardown (spaCy's, Chroma's and ONNX Runtime's objects) took 0.3 s of a 2 s cold
# `ipskb ask --json`, a wait for every script that asks one question per call.
READ_ONLY = frozenset({"ask", "search", "sources"})


def run() -> NoReturn:
    """The command line, then the process's end."""
    code = main()
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    if command in READ_ONLY:
        # Whatever is buffered is written first; os._exit writes nothing more.
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
