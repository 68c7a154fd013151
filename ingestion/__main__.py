"""Entry point for `python -m ingestion`."""

import sys

from ingestion.cli import main

sys.exit(main())
