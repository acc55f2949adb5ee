"""`python -m kb` is the `ipskb` command."""

import sys

from kb.present.cli import main

sys.exit(main())
