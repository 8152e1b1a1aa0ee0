"""``python -m tools.kbimport <source> [--force] [--root DIR]``."""

import sys

from .cli import main

sys.exit(main())
