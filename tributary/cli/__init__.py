"""`tributary`: the one command line of the project, one sub-command group per area.

Every command ends with a line saying what it did and where its outputs are; every failure is
one line on stderr saying what went wrong and what to run, with a non-zero exit code: 1 when
the work ran and failed, 2 when something had to exist first and nothing was done.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from tributary import config
from tributary.cli import dev, governance, load, output, quality, sandbox
from tributary.errors import TributaryError

AREAS = (sandbox, load, quality, governance, dev)

EPILOG = """examples:
  tributary sandbox generate --scale 0.1     a small sandbox retailer
  tributary load                             load its six sources into the warehouse
  tributary governance check                 every breach of the meta contract
  tributary quality report                   freshness, tests, quarantine, reconciliation

`make help` lists the Makefile's targets, which run these (make demo runs the whole chain)."""


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="tributary",
        description="Tributary: a governed data platform in one repository.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for area in AREAS:
        area.register(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    # dlt reads .dlt/config.toml from the folder it runs in: the project's, from any folder.
    os.environ.setdefault("DLT_PROJECT_DIR", str(config.project_dir()))
    args = parser().parse_args(argv)
    name = " ".join(
        str(value)
        for key, value in vars(args).items()
        if key == "command" or key.endswith("_command")
    )
    try:
        args.run(args)  # a command that fails raises; one that returns succeeded
        return 0
    except TributaryError as error:
        return output.fail(name, error)
    except KeyboardInterrupt:
        print(f"tributary {name}: interrupted.", file=sys.stderr)
        return 130
