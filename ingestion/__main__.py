"""`python -m ingestion ...`: the old command line, kept for one release. It says where each
command moved and runs it there, as a new process (ingestion never imports the command line
above it)."""

import os
import sys

MOVED = {
    "generate": ["sandbox", "generate"],
    "next-day": ["sandbox", "next-day"],
    "serve-api": ["sandbox", "serve-api"],
    "load": ["load"],
    "summary": ["summary"],
    "quality": ["quality", "report"],
    "monitor": ["quality", "monitor"],
    "monitoring-deps": ["quality", "install"],
    "monitoring-vars": ["quality", "dbt-vars"],
}

old = sys.argv[1] if len(sys.argv) > 1 else ""
if old not in MOVED:
    print(
        "`python -m ingestion` moved to the `tributary` command line; run `tributary --help`.",
        file=sys.stderr,
    )
    sys.exit(2)
new = [*MOVED[old], *sys.argv[2:]]
print(f"`python -m ingestion {old}` moved: running `tributary {' '.join(new)}`.", file=sys.stderr)
os.execv(sys.executable, [sys.executable, "-m", "tributary", *new])
