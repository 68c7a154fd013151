"""`make quality`: one summary of the warehouse's health, on the terminal and in a file.

It counts the landing files itself (tributary/quality/landing.py), runs `dbt source freshness`
and builds the quality models with their tests (the row reconciliation; in target/quality so
that the last full build's run_results.json stays), then summarizes: freshness per source,
the tests of the last build and of the reconciliation, the rows quarantined by rule, the
reconciliation per entity and per landing file, and whether Elementary is on. Reads the DuckDB
warehouse (the dev target).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tributary import config, dbt
from tributary.errors import NotReadyError
from tributary.quality import elementary, landing

Say = Callable[[str], None]


@dataclass
class Section:
    title: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Quality:
    sections: list[Section] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        parts = ["# Data quality", ""]
        for section in self.sections:
            parts += [f"## {section.title}", "", *section.lines, ""]
        verdict = "; ".join(self.problems) if self.problems else "nothing wrong found"
        parts += ["## Verdict", "", verdict, ""]
        return "\n".join(parts)


def _dbt(args: list[str], work_dir: Path, say: Say) -> int:
    say(f"quality: dbt {' '.join(args)} ...")
    return dbt.run("dbt", [*args, "--target-path", str(work_dir), "--quiet"]).returncode


def _table(header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    def cell(value: object) -> str:
        if isinstance(value, int):
            return f"{value:,}"
        return "" if value is None else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def freshness_section(quality: Quality, work_dir: Path) -> None:
    section = Section("Freshness (dbt source freshness)")
    sources_file = work_dir / "sources.json"
    if not sources_file.exists():
        section.lines.append("No freshness results: `dbt source freshness` did not run.")
        quality.problems.append("no freshness results")
        quality.sections.append(section)
        return
    worst: dict[str, tuple[int, str, float]] = {}
    rank = {"pass": 0, "warn": 1, "error": 2, "runtime error": 3}
    for result in json.loads(sources_file.read_text())["results"]:
        source = result["unique_id"].split(".")[2]
        status = result["status"]
        age = float(result.get("max_loaded_at_time_ago_in_s") or 0) / 3600
        current = worst.get(source)
        if current is None or rank.get(status, 3) > current[0]:
            worst[source] = (rank.get(status, 3), status, age)
    rows = [(source, status, f"{age:.1f} h") for source, (_, status, age) in sorted(worst.items())]
    section.lines += _table(("source", "worst table status", "its last load"), rows)
    stale = [source for source, (level, _, _) in worst.items() if level >= 2]
    if stale:
        quality.problems.append(f"stale or unreadable sources: {', '.join(sorted(stale))}")
    quality.sections.append(section)


def _test_counts(results_file: Path) -> tuple[Counter[str], list[str]]:
    counts: Counter[str] = Counter()
    not_passed = []
    for result in json.loads(results_file.read_text())["results"]:
        kind = result["unique_id"].split(".")[0]
        if kind not in ("test", "unit_test"):
            continue
        counts[result["status"]] += 1
        if result["status"] != "pass":
            not_passed.append(f"{result['status']}: {result['unique_id'].split('.')[-2]}")
    return counts, not_passed


def tests_section(quality: Quality, build_target: Path, work_dir: Path) -> None:
    section = Section("Tests")
    for label, results_file in (
        (f"last build ({build_target / 'run_results.json'})", build_target / "run_results.json"),
        ("row reconciliation (make quality)", work_dir / "run_results.json"),
    ):
        if not results_file.exists():
            section.lines.append(f"- {label}: no run results.")
            continue
        counts, not_passed = _test_counts(results_file)
        summary = ", ".join(f"{n:,} {status}" for status, n in sorted(counts.items())) or "none"
        section.lines.append(f"- {label}: {summary}")
        section.lines += [f"  - {line}" for line in not_passed[:20]]
        if len(not_passed) > 20:
            section.lines.append(f"  - ... and {len(not_passed) - 20} more")
        failing = counts["fail"] + counts["error"]
        if failing:
            quality.problems.append(f"{failing} test(s) failed or errored in the {label}")
    quality.sections.append(section)


def _relations(connection: duckdb.DuckDBPyConnection, schema: str, like: str) -> list[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_name like ? order by table_name",
        [schema, like],
    ).fetchall()
    return [row[0] for row in rows]


def rejected_section(quality: Quality, connection: duckdb.DuckDBPyConnection) -> None:
    section = Section("Rows quarantined, by rule")
    rows = []
    for name in _relations(connection, "intermediate", "int_%__rejected"):
        entity = name.removeprefix("int_").removesuffix("__rejected")
        rows += [
            (entity, rule, count)
            for rule, count in connection.execute(
                f'select rejection_rule, count(*) from intermediate."{name}" '
                "group by rejection_rule order by rejection_rule"
            ).fetchall()
        ]
    if _relations(connection, "raw_crm", "contacts_rejected"):
        rows += [
            ("contacts (unparseable lines, loader)", error, count)
            for error, count in connection.execute(
                "select error_type, count(*) from raw_crm.contacts_rejected group by 1 order by 1"
            ).fetchall()
        ]
    if _relations(connection, "intermediate", "int_contacts__deduplicated"):
        # field-level quarantine: the field is nulled, the row stays (and still resolves)
        rows += [
            ("contacts (birth date nulled, contact kept)", issue, count)
            for issue, count in connection.execute(
                "select birth_date_issue, count(*) from intermediate.int_contacts__deduplicated"
                " where birth_date_issue is not null group by 1 order by 1"
            ).fetchall()
        ]
    section.lines += _table(("entity", "rule", "rows"), rows) if rows else ["Nothing rejected."]
    quality.sections.append(section)


def reconciliation_section(quality: Quality, connection: duckdb.DuckDBPyConnection) -> None:
    section = Section("Row reconciliation: landing -> raw -> staging -> clean + rejected -> marts")
    if not _relations(connection, "audit", "quality_row_reconciliation"):
        section.lines.append("audit.quality_row_reconciliation is missing: the build failed.")
        quality.problems.append("no row reconciliation")
        quality.sections.append(section)
        return
    rows = connection.execute(
        """
        select entity, count(*) as runs, sum(landing_rows), sum(raw_rows + raw_rejected_rows),
            sum(replaced_rows), sum(staged_rows), sum(clean_rows), sum(rejected_rows),
            sum(mart_rows), count(*) filter (where not is_reconciled)
        from audit.quality_row_reconciliation
        group by entity order by entity
        """
    ).fetchall()
    header = (
        "entity",
        "loads",
        "landing",
        "raw",
        "replaced later",
        "staged",
        "clean",
        "rejected",
        "mart",
        "loads not reconciled",
    )
    section.lines += _table(header, rows)
    broken = sum(int(row[-1]) for row in rows)
    if broken:
        quality.problems.append(f"{broken} entity load(s) not reconciled")
    files = connection.execute(
        "select entity, status, count(*), sum(file_rows), sum(raw_rows) "
        "from audit.quality_landing_file_reconciliation group by all order by 1, 2"
    ).fetchall()
    section.lines += ["", "Landing files, by their own row counts:", ""]
    section.lines += _table(("entity", "status", "files", "file rows", "raw rows"), files)
    differ = sum(int(row[2]) for row in files if row[1] == "rows_differ")
    if differ:
        quality.problems.append(f"{differ} landing file(s) whose rows differ from raw")
    quality.sections.append(section)


def elementary_section(quality: Quality, connection: duckdb.DuckDBPyConnection) -> None:
    section = Section("Elementary (anomaly monitoring)")
    state = elementary.status()
    section.lines.append(state.line)
    if state.on and _relations(connection, "elementary", "elementary_test_results"):
        latest = connection.execute(
            """
            select status, count(*) from elementary.elementary_test_results
            where test_type in ('anomaly_detection', 'schema_change')
                and invocation_id = (
                    select invocation_id from elementary.elementary_test_results
                    where test_type in ('anomaly_detection', 'schema_change')
                    order by detected_at desc limit 1
                )
            group by status order by status
            """
        ).fetchall()
        if latest:
            counts = ", ".join(f"{n} {status}" for status, n in latest)
            section.lines.append(
                f"Last monitored build: {counts} (details: `make monitor`, "
                "reports/elementary_report.html)."
            )
    quality.sections.append(section)


def run_quality(
    say: Say,
    build_target: Path,
    work_dir: Path,
    report: Path,
) -> tuple[int, Quality]:
    """The whole of `make quality`: `build_target` holds the last full build's run results,
    `work_dir` this command's own dbt runs, `report` the markdown written."""
    started = time.perf_counter()
    warehouse = config.warehouse_path()
    quality = Quality()
    if not warehouse.exists():
        raise NotReadyError(f"no warehouse at {warehouse}", "run `make demo` first")
    files = landing.count_landing_files()
    landing.write_counts(warehouse, files)
    say(f"quality: counted {len(files):,} landing files ({sum(f.file_rows for f in files):,} rows)")
    _dbt(["source", "freshness"], work_dir, say)
    _dbt(["build", "--select", "quality"], work_dir, say)
    freshness_section(quality, work_dir)
    tests_section(quality, build_target, work_dir)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rejected_section(quality, connection)
        reconciliation_section(quality, connection)
        elementary_section(quality, connection)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(quality.markdown())
    say(f"quality: done in {time.perf_counter() - started:.0f}s")
    return (1 if quality.problems else 0), quality
