"""`python -m kb` is the `ipskb` command."""

import sys

from kb.cli import main

sys.exit(main())
