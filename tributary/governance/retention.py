"""Retention and tiering: rows past their `retention_days` leave the hot warehouse for a Parquet
cold archive, and stay queryable through a view over hot and cold.

Which relations: those that keep rows from one run to the next, so that age means something:
the raw tables dlt loads (dbt sources), incremental models and snapshots. Table and view models
are rebuilt from those on every run and shrink with them. A relation is tiered when its meta
declares `retention_days` (DESIGN.md's contract) and `retention_date_field`, the SQL expression
of the date a row's age counts from (an event's time, a record's last update, a snapshot
version's end); one that declares the first without the second is reported, not skipped
silently.

For each relation, a run with effective date `today`:
  1. writes the rows whose date is before `today - retention_days` to
     `<archive>/<schema>/<table>/archive_month=YYYY-MM/<run_id>_<uuid>.parquet` (Hive
     partitions by the month of that date), and checks that the files hold exactly those rows;
  2. deletes them from the hot table and records the action in `audit.governance_actions`, in
     one transaction;
  3. (re)creates `<schema>.<table>__history`, the hot table and every archive file as one view.
A crash between 1 and 2 leaves files of a run that `audit.governance_actions` does not know:
the next run deletes them before it starts, so an archive never holds a row twice.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb

from tributary import sql
from tributary.errors import TributaryError
from tributary.governance import actions
from tributary.governance.manifest import Manifest

Progress = Callable[[str], None]

# Materializations whose rows outlive a run; sources (dlt's raw tables) always do.
PERSISTENT_MATERIALIZATIONS = ("incremental", "snapshot")
ARCHIVE_ACTION = "archive"


@dataclass(frozen=True)
class RetentionPolicy:
    label: str  # how the manifest names it: `source telemetry.readings`, `model fct_sessions`
    schema: str
    table: str
    retention_days: int
    # An SQL expression over the relation's columns, as the yml writes it (a column, or
    # `coalesce(delivered_at, shipped_at)`): used as written, so a name in it that needs
    # quoting is quoted there.
    date_field: str

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.table}"

    def cutoff(self, today: date) -> date:
        return today - timedelta(days=self.retention_days)


@dataclass
class RetentionPlan:
    policies: list[RetentionPolicy] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)  # retention_days without a date field


@dataclass(frozen=True)
class TierResult:
    policy: RetentionPolicy
    rows_archived: int
    rows_kept: int
    files: tuple[str, ...]


def plan(manifest: Manifest) -> RetentionPlan:
    """Every persistent relation with a retention, and those that cannot be tiered, and why."""
    result = RetentionPlan()
    for resource in sorted(manifest.resources.values(), key=lambda r: r.unique_id):
        persistent = resource.resource_type == "source" or (
            resource.materialized in PERSISTENT_MATERIALIZATIONS
        )
        days = resource.meta.get("retention_days")
        if not persistent or days is None:
            continue
        date_field = resource.meta.get("retention_date_field")
        if not date_field:
            result.undeclared.append(
                f"{resource.label}: retention_days {days} but no retention_date_field in its meta"
            )
            continue
        result.policies.append(
            RetentionPolicy(
                label=resource.label,
                schema=resource.schema,
                table=resource.identifier,
                retention_days=int(days),
                date_field=str(date_field),
            )
        )
    return result


def archive_dir(archive_root: Path, policy: RetentionPolicy) -> Path:
    return archive_root / policy.schema / policy.table


def history_view(policy: RetentionPolicy) -> str:
    return sql.relation(policy.schema, f"{policy.table}__history")


def _quoted(policy: RetentionPolicy) -> str:
    """The relation as SQL names it: its names come from yml, so each is quoted."""
    return sql.relation(policy.schema, policy.table)


def _files_of_run(directory: Path, run_id: str) -> list[Path]:
    return sorted(directory.glob(f"archive_month=*/{run_id}_*.parquet"))


def remove_uncommitted_files(
    connection: duckdb.DuckDBPyConnection, archive_root: Path, progress: Progress
) -> int:
    """Delete archive files of runs that never recorded their action (a crash midway)."""
    committed = actions.recorded_run_ids(connection, ARCHIVE_ACTION)
    removed = 0
    for path in sorted(archive_root.glob("*/*/archive_month=*/*.parquet")):
        run_id = path.name.split("_", 1)[0]
        if run_id not in committed:
            path.unlink()
            removed += 1
    if removed:
        progress(f"  removed {removed} archive file(s) of runs that did not complete")
    return removed


def _table_exists(connection: duckdb.DuckDBPyConnection, policy: RetentionPolicy) -> bool:
    return bool(
        connection.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = ? and table_name = ? and table_type = 'BASE TABLE'",
            [policy.schema, policy.table],
        ).fetchone()[0]
    )


def refresh_history_view(
    connection: duckdb.DuckDBPyConnection, policy: RetentionPolicy, archive_root: Path
) -> bool:
    """`<table>__history`: the hot rows and every archived one (`archive_month` null when hot).
    Only where an archive exists: without one, the hot table is the whole history."""
    directory = archive_dir(archive_root, policy)
    if not any(directory.glob("archive_month=*/*.parquet")):
        return False
    pattern = str((directory / "archive_month=*" / "*.parquet").resolve())
    # a view's definition takes no bind parameter: the path goes in as a literal
    connection.execute(
        f"create or replace view {history_view(policy)} as"
        f" select * from {_quoted(policy)}"
        f" union all by name"
        f" select * from read_parquet({sql.literal(pattern)}, hive_partitioning = true,"
        f" union_by_name = true)"
    )
    return True


def tier(
    connection: duckdb.DuckDBPyConnection,
    policy: RetentionPolicy,
    today: date,
    archive_root: Path,
    run_id: str,
) -> TierResult:
    """Move one relation's rows past retention to the archive (steps 1 to 3 above)."""
    cutoff = policy.cutoff(today)
    past = f"({policy.date_field}) < cast(? as date)"  # bound to the cutoff
    due = int(
        connection.execute(
            f"select count(*) from {_quoted(policy)} where {past}", [cutoff]
        ).fetchone()[0]
    )
    kept_before = int(connection.execute(f"select count(*) from {_quoted(policy)}").fetchone()[0])
    directory = archive_dir(archive_root, policy)
    files: list[Path] = []
    if due:
        directory.mkdir(parents=True, exist_ok=True)
        # COPY's target and options as literals: DuckDB binds a parameter there before the
        # query's (and fails on the mix), so only the cutoff is bound
        connection.execute(
            f"copy (select *, strftime(({policy.date_field}), '%Y-%m') as archive_month"
            f" from {_quoted(policy)} where {past})"
            f" to {sql.literal(str(directory.resolve()))} (format parquet,"
            f" partition_by (archive_month), append,"
            f" filename_pattern {sql.literal(run_id + '_{uuid}')})",
            [cutoff],
        )
        files = _files_of_run(directory, run_id)
        written = (
            int(
                connection.execute(
                    "select count(*) from read_parquet(?)", [[str(f) for f in files]]
                ).fetchone()[0]
            )
            if files
            else 0
        )
        if written != due:
            for path in files:
                path.unlink()
            raise TributaryError(
                f"{policy.relation}: the archive files hold {written} rows, not the {due} due, so"
                " nothing was deleted",
                "check the archive folder's disk and run `make retention` again",
            )
    try:
        with sql.transaction(connection):  # the deletion and its log row, or neither
            if due:
                connection.execute(f"delete from {_quoted(policy)} where {past}", [cutoff])
            actions.record(
                connection,
                actions.GovernanceAction(
                    run_id=run_id,
                    action=ARCHIVE_ACTION,
                    relation=policy.relation,
                    effective_date=today,
                    rows_affected=due,
                    files=[str(path.relative_to(archive_root)) for path in files],
                    detail={
                        "retention_days": policy.retention_days,
                        "retention_date_field": policy.date_field,
                        "cutoff": cutoff.isoformat(),
                        "rows_kept_hot": kept_before - due,
                    },
                ),
            )
    except BaseException:
        # rolled back: the rows are still hot, so their copies in the archive go
        for path in files:
            path.unlink()
        raise
    refresh_history_view(connection, policy, archive_root)
    return TierResult(policy, due, kept_before - due, tuple(str(f) for f in files))


def apply_retention(
    connection: duckdb.DuckDBPyConnection,
    retention: RetentionPlan,
    today: date,
    archive_root: Path,
    progress: Progress = print,
) -> list[TierResult]:
    """Tier every planned relation that exists in the warehouse; say what it did to each."""
    actions.ensure_table(connection)
    archive_root.mkdir(parents=True, exist_ok=True)
    remove_uncommitted_files(connection, archive_root, progress)
    run_id = actions.new_id().replace("-", "")
    results: list[TierResult] = []
    for policy in retention.policies:
        if not _table_exists(connection, policy):
            progress(f"  {policy.relation}: not in the warehouse, nothing to tier")
            continue
        result = tier(connection, policy, today, archive_root, run_id)
        results.append(result)
        progress(
            f"  {policy.relation}: {result.rows_archived:,} rows before "
            f"{policy.cutoff(today)} archived ({policy.retention_days} days), "
            f"{result.rows_kept:,} kept hot"
        )
    return results


def clear_archive(archive_root: Path) -> None:
    """Remove the whole cold archive (tests and `make clean`; never part of a run)."""
    if archive_root.exists():
        shutil.rmtree(archive_root)
