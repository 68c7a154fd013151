"""The one error style of every command: what went wrong, and what to do about it.

Areas raise these; the command line prints each as one line and exits non-zero. Anything else
that escapes is a bug, and keeps its traceback.
"""

from __future__ import annotations


class TributaryError(Exception):
    """A failure the user can act on. Exit code 1: the work ran and did not succeed."""

    exit_code = 1

    def __init__(self, problem: str, fix: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem.rstrip(". ")
        self.fix = fix.rstrip(". ") if fix else None

    def line(self) -> str:
        """`problem; fix`, on one line whatever the problem's text held."""
        text = f"{self.problem}; {self.fix}" if self.fix else self.problem
        return " ".join(text.split()) + "."


class NotReadyError(TributaryError):
    """Something has to exist or be run first (a sandbox, a warehouse, a package). Exit 2:
    nothing was done."""

    exit_code = 2
