"""The README keeps its promises: short, and every link, `make` target and `tributary` command it
names is real; so is every link, target and command of the manual (docs/) and of the other
READMEs. Reads files and builds the command line's parser only: no sandbox, no build.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from tests.python.conftest import ROOT
from tributary.cli import parser

README = ROOT / "README.md"
README_MAX_LINES = 250  # issue 13: a newcomer reads it in five minutes; the manual is docs/
MANUAL = [
    README,
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "bench" / "README.md",
    ROOT / "tests" / "python" / "README.md",
]

FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_SPAN = re.compile(r"`([^`]+)`")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
MAKE = re.compile(r"(?:^|[\s`(])make[ \t]+([a-z][\w-]*)")
# `tributary` as a command (not tributary/, tributary.cli, a user in a URL), and what follows
# it on its line up to a comment, a pipe or the end of the code span.
TRIBUTARY = re.compile(r"(?:^|[\s`(/])tributary(?=\s|$)([^\n`#|;&]*)")
# <group>, [--option], ..., or a metavar in capitals (KIND, SCHEMA.TABLE, YYYY-MM-DD)
PLACEHOLDER = re.compile(r"[<\[]|\.\.\.|…|^[A-Z][A-Z0-9_.-]*$")


def prose(text: str) -> str:
    """The text without its fenced code blocks (a link or heading there is not one)."""
    return FENCE.sub("", text)


def code(text: str) -> list[str]:
    """Every fenced block and inline code span: where commands are written."""
    # a shell comment in a block is prose
    blocks = [re.sub(r"(^|\s)#.*", r"\1", match.group(0)) for match in FENCE.finditer(text)]
    # a code span may wrap across lines; it reads as one line
    return blocks + [" ".join(span.split()) for span in CODE_SPAN.findall(prose(text))]


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(prose(markdown.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(markdown: Path) -> list[str]:
    """Each relative link of `markdown` whose file, or heading, does not exist."""
    broken = []
    for target in LINK.findall(prose(markdown.read_text())):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check
            continue
        path, _, anchor = target.partition("#")
        linked = (markdown.parent / path).resolve() if path else markdown
        if not linked.exists():
            broken.append(f"{target}: no file {linked}")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    return broken


def makefile_targets(makefile: Path = ROOT / "Makefile") -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*):", makefile.read_text(), re.MULTILINE))


def make_targets_named(markdown: Path) -> set[str]:
    return {target for snippet in code(markdown.read_text()) for target in MAKE.findall(snippet)}


def tributary_commands(markdown: Path) -> set[tuple[str, ...]]:
    """The argument lists of every `tributary ...` written in code; the bare name is not a
    command. A placeholder (<group>, [--option], ...) ends what can be checked: the words
    before it, with --help."""
    commands = set()
    for snippet in code(markdown.read_text()):
        for rest in TRIBUTARY.findall(snippet):
            words = shlex.split(rest.replace("\\", " "))
            for index, word in enumerate(words):
                if PLACEHOLDER.search(word):
                    # --option VALUE: the option goes with its value
                    option = index > 0 and words[index - 1].startswith("-")
                    before = words[: index - 1 if option else index]
                    words = [*before, "--help"]
                    break
            if words:
                commands.add(tuple(words))
    return commands


def parse_error(words: tuple[str, ...]) -> str | None:
    """Why `tributary words` does not parse, or None when it does (--help exits 0)."""
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            parser().parse_args(list(words))
    except SystemExit as exit:
        if exit.code not in (0, None):
            return errors.getvalue().strip().splitlines()[-1]
    return None


def test_the_readme_is_short() -> None:
    lines = len(README.read_text().splitlines())
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines, more than {README_MAX_LINES}: move the detail to docs/"
    )


@pytest.mark.parametrize("markdown", MANUAL, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_points_at_a_file_and_heading(markdown: Path) -> None:
    assert broken_links(markdown) == []


@pytest.mark.parametrize("markdown", MANUAL, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_make_target_named_exists(markdown: Path) -> None:
    missing = make_targets_named(markdown) - makefile_targets()
    assert not missing, f"not targets of the Makefile: {sorted(missing)}"


@pytest.mark.parametrize("markdown", MANUAL, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_tributary_command_named_parses(markdown: Path) -> None:
    failures = {
        " ".join(words): error
        for words in sorted(tributary_commands(markdown))
        if (error := parse_error(words))
    }
    assert not failures, f"commands that `tributary` does not accept: {failures}"


def test_the_readme_names_commands_at_all() -> None:
    """The checks above find what they check: an empty find would pass anything."""
    assert {"demo", "test", "docs", "governance"} <= make_targets_named(README)
    assert ("load", "shop", "crm") in tributary_commands(README)
    assert "docs/configuration.md" in LINK.findall(README.read_text())


def test_the_checks_catch_what_they_should(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## A heading: with `code`\n")
    page.write_text(
        "# Page\n\n"
        "[fine](other.md#a-heading-with-code) [here](#page) [web](https://example.com)\n"
        "[gone](missing.md) [no heading](other.md#nowhere)\n\n"
        "```\n[in a code block](not-a-link.md)\nmake demo\nmake no-such-target\n"
        "tributary load shop   # a comment, not tributary lint\ntributary lode\n```\n\n"
        "Prose that would make sense, `tributary governance retention [--today DAY]`,\n"
        "`tributary sandbox generate --scale many`, `tributary/config.py`, `tributary`,\n"
        "`tributary <group> --help`, `tributary sandbox next-day --anomaly KIND`, `tributary\n"
        "load --destination postgres`, `postgresql://tributary:secret@host/tributary`.\n"
    )
    assert broken_links(page) == [
        f"missing.md: no file {tmp_path / 'missing.md'}",
        "other.md#nowhere: no heading #nowhere in other.md",
    ]
    assert make_targets_named(page) - makefile_targets() == {"no-such-target"}
    commands = tributary_commands(page)
    assert commands == {
        ("load", "shop"),
        ("lode",),
        ("governance", "retention", "--help"),
        ("sandbox", "generate", "--scale", "many"),
        ("--help",),
        ("sandbox", "next-day", "--help"),
        ("load", "--destination", "postgres"),
    }
    assert {words for words in commands if parse_error(words)} == {
        ("lode",),
        ("sandbox", "generate", "--scale", "many"),
    }
