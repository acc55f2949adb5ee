"""The ipskb chat app comes next; until then use `ipskb ask` (interactive) or `ipskb ask --json`."""

from __future__ import annotations

import sys


def main() -> int:
    print("The chat app is not built yet. Ask from the terminal: .venv/bin/ipskb ask",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
