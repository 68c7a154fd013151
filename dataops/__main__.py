"""Entry point for `python -m dataops`."""

import sys

from dataops.cli import main

sys.exit(main())
