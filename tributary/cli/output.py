"""How every command speaks: progress lines, tables, and the one-line failure."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from tributary.errors import TributaryError

# Tables only: a line of text is printed as it is (no markup, never wrapped).
console = Console(highlight=False, soft_wrap=True)


def say(message: str) -> None:
    """A progress or summary line, printed at once (logs and CI show it as it comes)."""
    print(message, flush=True)


def show(table: Table) -> None:
    console.print(table)


def fail(command: str, error: TributaryError) -> int:
    """Print `error` as one line on stderr and return its exit code."""
    print(f"tributary {command}: error: {error.line()}", file=sys.stderr, flush=True)
    return error.exit_code


@dataclass(frozen=True)
class Option:
    """One argument of a command, as argparse's add_argument takes it."""

    flags: tuple[str, ...]
    settings: dict[str, Any]


def option(*flags: str, **settings: Any) -> Option:
    return Option(flags, settings)


def add_command(
    commands: argparse._SubParsersAction,
    name: str,
    run: Callable[[argparse.Namespace], None],
    summary: str,
    example: str,
    *options: Option,
) -> argparse.ArgumentParser:
    """The sub-command `name`, which `run` carries out; its --help ends with `example`."""
    command = commands.add_parser(
        name,
        help=summary,
        description=summary[:1].upper() + summary[1:] + ".",
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for each in options:
        command.add_argument(*each.flags, **each.settings)
    command.set_defaults(run=run)
    return command


def add_group(
    commands: argparse._SubParsersAction, name: str, summary: str
) -> argparse._SubParsersAction:
    """A command that only holds sub-commands (`tributary sandbox ...`)."""
    description = summary[:1].upper() + summary[1:] + "."
    group = commands.add_parser(name, help=summary, description=description)
    return group.add_subparsers(dest=f"{name}_command", required=True, metavar="COMMAND")
