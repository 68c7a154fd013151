"""What the monitors flagged, read once from Elementary's results: each monitor's latest result
(`elementary.elementary_test_results`) with its flagged daily buckets (`test_result_rows`: the
day, the observed value, the expected range). The alerts (alerts.py) and the monitors'
evaluation (evaluation.py) both read them here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

MONITOR_TYPES = "('anomaly_detection', 'schema_change')"

# Each monitor's latest result that did not pass, with its buckets and its owners; a schema
# change has no bucket, its test description says what changed.
FLAGGED_SQL = f"""
with latest as (
    select
        id, test_short_name, test_type, lower(schema_name) as schema_name,
        lower(table_name) as table_name, lower(coalesce(column_name, '')) as column_name,
        status, owners, test_results_description,
        row_number() over (partition by test_unique_id order by detected_at desc) as run_rank
    from elementary.elementary_test_results
    where test_type in {MONITOR_TYPES}
)
select
    latest.test_short_name, latest.test_type, latest.schema_name, latest.table_name,
    latest.column_name, latest.owners, latest.test_results_description, rows.result_row
from latest
left join elementary.test_result_rows as rows
    on rows.elementary_test_results_id = latest.id
where latest.run_rank = 1 and latest.status != 'pass'
"""


@dataclass(frozen=True)
class Finding:
    """One monitor's flag on one day. A schema change has no daily bucket: it is dated the
    run's day (`on_run_day`)."""

    day: dt.date
    on_run_day: bool
    monitor: str  # the Elementary test: volume_anomalies, schema_changes_from_baseline, ...
    schema: str
    table: str
    column: str  # "" for a whole-table monitor
    dimension_value: str
    observed: float | None
    expected_min: float | None
    expected_max: float | None
    owners: str
    description: str

    @property
    def watched(self) -> tuple[str, str, str]:
        """(monitor, table, column): which monitor this is, whatever its day."""
        return (self.monitor, self.table, self.column)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What makes it one finding: its day, its monitor and what that monitor looked at."""
        relation = f"{self.schema}.{self.table}"
        return (self.day.isoformat(), self.monitor, relation, self.column, self.dimension_value)

    def label(self) -> str:
        where = f"{self.schema}.{self.table}" + (f".{self.column}" if self.column else "")
        return f"{self.monitor} on {where}" + (
            f" [{self.dimension_value}]" if self.dimension_value else ""
        )


def _owners(raw: str | None) -> str:
    try:
        owners = json.loads(raw or "[]")
    except json.JSONDecodeError:
        return str(raw or "")
    return ", ".join(str(owner) for owner in owners) if isinstance(owners, list) else str(owners)


def findings(warehouse: Path, run_day: dt.date) -> list[Finding]:
    """Every flagged (monitor, day) of the monitors' latest results, sorted."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(FLAGGED_SQL).fetchall()
    found: list[Finding] = []
    for test, test_type, schema, table, column, owners, description, result_row in rows:
        common = dict(
            monitor=test,
            schema=schema,
            table=table,
            column=column,
            owners=_owners(owners),
            description=" ".join(str(description or "").split()),
        )
        if test_type == "schema_change" or result_row is None:
            found.append(
                Finding(
                    day=run_day,
                    on_run_day=True,
                    dimension_value="",
                    observed=None,
                    expected_min=None,
                    expected_max=None,
                    **common,
                )
            )
            continue
        bucket = json.loads(result_row)
        if not bucket.get("is_anomalous"):
            continue
        found.append(
            Finding(
                day=dt.date.fromisoformat(str(bucket["bucket_start"])[:10]),
                on_run_day=False,
                dimension_value=str(bucket.get("dimension_value") or ""),
                observed=bucket.get("metric_value"),
                expected_min=bucket.get("min_metric_value"),
                expected_max=bucket.get("max_metric_value"),
                **common,
            )
        )
    return sorted(found, key=lambda finding: finding.key)


def monitor_count(warehouse: Path) -> int:
    """How many monitors have a result."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return int(
            connection.execute(
                "select count(distinct test_unique_id) from elementary.elementary_test_results "
                f"where test_type in {MONITOR_TYPES}"
            ).fetchone()[0]
        )
