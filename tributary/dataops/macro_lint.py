"""sqlfluff for the SQL inside macros and generic tests, which sqlfluff itself skips.

sqlfluff's dbt templater lints models, snapshots and singular tests as dbt compiles them, but it
skips every file of macro definitions ("Skipped file ... because it is a macro"), and the jinja
templater renders such a file to nothing. So each `{% macro %}` or `{% test %}` body is linted
as the body of an analysis of its own, in a scratch copy of the project:

- the analysis keeps the body byte for byte on the lines it has in the macro file (everything
  around it becomes a Jinja comment of as many lines), so a violation's line and position are
  those of the macro file;
- each argument is `set` to an example value: the macro's yml `config.meta.lint_example`
  (`{argument: value}`) where it gives one, else the argument's default, else the argument's
  name as an identifier (`{{ phone }}` renders `phone`), which suits most column arguments;
- a body that is an expression (most macros return one) is linted as `select <expression>`,
  a body that starts with a statement (`with` or `select` of generic tests, a macro's `create`
  DDL) as it is;
- a body that is only Jinja (an `adapter.dispatch` that returns another macro's result, a
  `generate_schema_name`) has no SQL of its own and is not linted; the summary counts those.

dbt compiles the analyses with the real project (its macros, vars and adapter), and sqlfluff
lints them with the project's `.sqlfluff`. The fixes are not applied automatically: fix the
macro file by hand (`make fix` says so).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from tributary import config, dbt
from tributary.errors import TributaryError

MACRO_DIRS = ("macros", "tests/generic")
# What dbt needs to compile the analyses: the project as it is, minus artefacts.
PROJECT_ITEMS = (
    "dbt_project.yml", "profiles.yml", ".sqlfluff", ".sqlfluffignore",
    "models", "macros", "seeds", "snapshots", "tests/generic",
)  # fmt: skip
HARNESS_DIR = "analyses/macro_lint"

BLOCK = re.compile(
    r"\{%-?\s*(?P<kind>macro|test)\s+(?P<name>\w+)\s*\((?P<args>.*?)\)\s*-?%\}"
    r"(?P<body>.*?)"
    r"\{%-?\s*end(?P=kind)\s*-?%\}",
    re.DOTALL,
)
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
STATEMENT = re.compile(r"^\s*(with|select|create|insert|grant)\b", re.IGNORECASE)


@dataclass(frozen=True)
class MacroBlock:
    """One `{% macro %}` or `{% test %}` definition in a file."""

    path: Path  # relative to the project
    kind: str
    name: str
    arguments: tuple[tuple[str, str | None], ...]  # (name, default as written, or None)
    start: int  # offset of the body in the file
    end: int  # offset just after the body

    @property
    def yml_name(self) -> str:
        """The name dbt gives it (a generic test `x` is the macro `test_x`)."""
        return f"test_{self.name}" if self.kind == "test" else self.name

    def body(self, text: str) -> str:
        return text[self.start : self.end]


def split_arguments(signature: str) -> tuple[tuple[str, str | None], ...]:
    """`model, column_name, min_value=none` -> (("model", None), ..., ("min_value", "none"))."""
    parts, depth, current = [], 0, ""
    for char in signature:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    arguments = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        name, _, default = part.partition("=")
        arguments.append((name.strip(), default.strip() if default else None))
    return tuple(arguments)


def find_blocks(path: Path, text: str) -> list[MacroBlock]:
    return [
        MacroBlock(
            path=path,
            kind=match["kind"],
            name=match["name"],
            arguments=split_arguments(match["args"]),
            start=match.start("body"),
            end=match.end("body"),
        )
        for match in BLOCK.finditer(text)
    ]


def has_sql(body: str) -> bool:
    return bool(JINJA.sub("", body).strip())


def lint_examples(project: Path) -> dict[str, dict[str, object]]:
    """`config.meta.lint_example` of every macro declared in a yml under the macro folders."""
    examples: dict[str, dict[str, object]] = {}
    for folder in MACRO_DIRS:
        for yml in sorted((project / folder).rglob("*.yml")):
            for macro in (yaml.safe_load(yml.read_text()) or {}).get("macros", []) or []:
                example = ((macro.get("config") or {}).get("meta") or {}).get("lint_example")
                if example:
                    examples[macro["name"]] = dict(example)
    return examples


def _jinja_literal(value: object) -> str:
    """A Python value from yml as a Jinja literal (JSON is valid Jinja for these types)."""
    return json.dumps(value)


def harness(block: MacroBlock, text: str, example: dict[str, object]) -> str:
    """The analysis that lints `block`: its body on its own lines, its arguments set."""
    before = text[: block.start].count("\n")
    sets = []
    for name, default in block.arguments:
        if name in example:
            value = _jinja_literal(example[name])
        elif default is not None and default != "none":
            value = default
        else:
            value = _jinja_literal(name)
        sets.append(f"{{%- set {name} = {value} -%}}")
    body = block.body(text)
    statement = STATEMENT.match(JINJA.sub("", body)) is not None
    # A statement is linted as it is; an expression as the select list of a query.
    # The comment strips the body's leading whitespace, as the tag's `-%}` does in real use;
    # the expression then starts on a line of its own, indented as a select list's first item
    # (a Jinja-printed line break, which no later whitespace control can strip).
    lead = "{#- -#}" if statement else 'select{{ "\\n    " }}{#- -#}'
    opening = "{#" + "\n" * before + "#}" + "".join(sets) + lead
    # The rendered analysis ends with one line break, as every SQL file of the project does.
    return opening + body.rstrip() + "\n"


def reported(found: dict, block: MacroBlock, text: str) -> bool:
    """Whether a violation in a harness is one of the macro's own.

    Dropped: layout findings (LT*) before the body, which are about the harness's own
    `select`; and indentation findings (LT02) on a line of nothing but Jinja tags, whose
    whitespace the tags' `-` strips, so the rendered SQL never has it."""
    code = found["code"]
    lines = text.splitlines()
    line_no, position = found["start_line_no"], found["start_line_pos"]
    offset = sum(len(line) + 1 for line in lines[: line_no - 1]) + position - 1
    if code.startswith("LT") and offset < block.start:
        return False
    jinja_only_line = 0 < line_no <= len(lines) and not JINJA.sub("", lines[line_no - 1]).strip()
    return not (code == "LT02" and jinja_only_line)


def harness_name(block: MacroBlock) -> str:
    stem = "__".join(block.path.with_suffix("").parts)
    return f"{stem}__{block.name}.sql"


@dataclass(frozen=True)
class Violation:
    path: Path
    macro: str
    line: int
    position: int
    code: str
    description: str

    def line_text(self) -> str:
        where = f"{self.path}:{self.line}:{self.position}"
        return f"{where}: {self.code} {self.description} (macro {self.macro})"


def macro_files(project: Path, paths: Sequence[Path]) -> list[Path]:
    if paths:
        wanted = [p.resolve() for p in paths]
        return sorted(
            p.relative_to(project) if p.is_relative_to(project) else p
            for p in wanted
            if p.suffix == ".sql"
        )
    return sorted(
        path.relative_to(project)
        for folder in MACRO_DIRS
        for path in (project / folder).rglob("*.sql")
    )


def copy_project(project: Path, into: Path) -> None:
    for item in PROJECT_ITEMS:
        source = project / item
        if source.is_dir():
            shutil.copytree(source, into / item)
        elif source.exists():
            shutil.copyfile(source, into / item)


def lint(
    project: Path | None = None, paths: Sequence[Path] = ()
) -> tuple[list[Violation], dict[str, int]]:
    """Lint every macro body of `paths` (default: every macro file) of `project` (default: this
    project); violations and counts."""
    project = project or config.project_dir()
    files = macro_files(project, paths)
    examples = lint_examples(project)
    counts = {"files": len(files), "linted": 0, "jinja_only": 0}
    violations: list[Violation] = []
    with tempfile.TemporaryDirectory(prefix="tributary-macro-lint-") as scratch:
        copy = Path(scratch)
        copy_project(project, copy)
        # One render per body, with its example arguments: sqlfluff's extra variants would
        # render loops and branches with values no caller passes.
        settings = copy / ".sqlfluff"
        settings.write_text(
            settings.read_text().replace(
                "[sqlfluff]\n", "[sqlfluff]\nrender_variant_limit = 1\n", 1
            )
        )
        (copy / HARNESS_DIR).mkdir(parents=True)
        origin: dict[str, MacroBlock] = {}
        for path in files:
            text = (project / path).read_text()
            for block in find_blocks(path, text):
                if not has_sql(block.body(text)):
                    counts["jinja_only"] += 1
                    continue
                name = harness_name(block)
                (copy / HARNESS_DIR / name).write_text(
                    harness(block, text, examples.get(block.yml_name, {}))
                )
                origin[name] = block
        counts["linted"] = len(origin)
        if not origin:
            return violations, counts
        run = dbt.run(
            "sqlfluff",
            ["lint", HARNESS_DIR, "--format", "json", "--disable-progress-bar", "--processes", "2"],
            project_dir=copy,
            capture=True,
        )
        try:
            reports = json.loads(run.stdout)
        except json.JSONDecodeError as exc:
            last = run.stderr.strip().splitlines()[-1:] or ["no output"]
            raise TributaryError(
                f"sqlfluff gave no report on the macros (exit {run.returncode}: {last[0]})",
                "run `make lint` to see sqlfluff's own output",
            ) from exc
        for report in reports:
            block = origin[Path(report["filepath"]).name]
            text = (project / block.path).read_text()
            for found in report["violations"]:
                if not reported(found, block, text):
                    continue
                violations.append(
                    Violation(
                        path=block.path,
                        macro=block.name,
                        line=found["start_line_no"],
                        position=found["start_line_pos"],
                        code=found["code"],
                        description=found["description"],
                    )
                )
        unlinted = set(origin) - {Path(r["filepath"]).name for r in reports}
        for name in sorted(unlinted):
            block = origin[name]
            violations.append(
                Violation(block.path, block.name, 1, 1, "SKIP", "sqlfluff did not lint this body")
            )
    return sorted(violations, key=lambda v: (str(v.path), v.line, v.position)), counts


def lint_and_report(paths: Sequence[Path] = ()) -> int:
    """Lint and print every violation and a summary line; the number of violations."""
    print("Linting the SQL inside macros and generic tests with sqlfluff ...", flush=True)
    violations, counts = lint(paths=paths)
    for violation in violations:
        print(violation.line_text())
    verdict = f"{len(violations)} violation(s)" if violations else "no violations"
    print(
        f"Macro lint: {counts['linted']} macro bodies in {counts['files']} file(s) linted as "
        f"analyses ({counts['jinja_only']} Jinja-only bodies have no SQL to lint): {verdict}."
    )
    return len(violations)


def iter_blocks(project: Path | None = None) -> Iterator[MacroBlock]:
    """Every macro and generic test definition of the project (for tests and tooling)."""
    project = project or config.project_dir()
    for path in macro_files(project, ()):
        yield from find_blocks(path, (project / path).read_text())
