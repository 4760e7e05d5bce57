"""``python -m auditor``: the command line without the desktop app."""

import sys

from auditor.cli import main

sys.exit(main())
