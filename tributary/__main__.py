"""`python -m tributary`: the same command line as the `tributary` console script."""

import sys

from tributary.cli import main

sys.exit(main())
