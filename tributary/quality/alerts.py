"""Alerts people act on: one message per incident, naming what is wrong, when, by how much, and
whose it is.

`edr monitor` sends a message per failing test and per run: every monitor that sees the same
outage alerts on its own, the warnings that some dbt tests raise on every run come again each
time, and a message carries the run's clock, never the day that was anomalous. Here an incident
is a day: the monitors that flagged that day (or, for a schema change, the run's day) make one
message, each line naming the table, the observed value, the expected range and the owner
(Elementary's `owners`, the model's `meta.owner`), ending with the commands to look closer. Only
the monitors alert (anomaly and schema-change tests); the dbt tests' warnings are the quality
report's. What was sent is recorded in `audit.monitor_alerts`, so that the next runs, whose
detection window still holds the day, do not send it again; a monitor that newly flags a day
already alerted on sends that day's message again, with every line.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tributary.sql import create_table, relation, transaction

SENT = ("audit", "monitor_alerts")
SENT_COLUMNS = (
    "day date, monitor varchar, table_name varchar, column_name varchar, "
    "dimension_value varchar, sent_at timestamp"
)
LOOK_CLOSER = "tributary quality report; the Elementary report: {report}"

# Each monitor's latest result with its flagged buckets (the day, the value, the range) and its
# owners; a schema change has no bucket, its test description says what changed.
FLAGGED_SQL = """
with latest as (
    select
        id, test_short_name, test_type, lower(schema_name) as schema_name,
        lower(table_name) as table_name, lower(coalesce(column_name, '')) as column_name,
        status, owners, test_results_description, detected_at,
        row_number() over (partition by test_unique_id order by detected_at desc) as run_rank
    from elementary.elementary_test_results
    where test_type in ('anomaly_detection', 'schema_change')
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
    """One monitor's flag on one day: what a line of an alert says."""

    day: dt.date
    monitor: str
    table: str  # schema.table
    column: str
    dimension_value: str
    observed: float | None
    expected_min: float | None
    expected_max: float | None
    owners: str
    description: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.day.isoformat(), self.monitor, self.table, self.column, self.dimension_value)

    def line(self) -> str:
        where = self.table + (f".{self.column}" if self.column else "")
        where += f" [{self.dimension_value}]" if self.dimension_value else ""
        if self.observed is None:
            what = self.description
        else:
            what = (
                f"observed {_number(self.observed)}, expected "
                f"{_number(self.expected_min)} to {_number(self.expected_max)}"
            )
        return f"- {self.monitor} on {where}: {what} (owner: {self.owners or 'none declared'})"


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _owners(raw: str | None) -> str:
    try:
        owners = json.loads(raw or "[]")
    except json.JSONDecodeError:
        return str(raw or "")
    return ", ".join(str(owner) for owner in owners) if isinstance(owners, list) else str(owners)


def findings(warehouse: Path, run_day: dt.date) -> list[Finding]:
    """Every flagged (monitor, day) of the monitors' latest results."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(FLAGGED_SQL).fetchall()
    found: list[Finding] = []
    for test, test_type, schema, table, column, owners, description, result_row in rows:
        common = dict(
            monitor=test,
            table=f"{schema}.{table}",
            column=column,
            owners=_owners(owners),
            description=" ".join(str(description or "").split()),
        )
        if test_type == "schema_change" or result_row is None:
            found.append(
                Finding(
                    run_day,
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
                dimension_value=str(bucket.get("dimension_value") or ""),
                observed=bucket.get("metric_value"),
                expected_min=bucket.get("min_metric_value"),
                expected_max=bucket.get("max_metric_value"),
                **common,
            )
        )
    return sorted(found, key=lambda finding: finding.key)


def incidents(found: list[Finding]) -> dict[dt.date, list[Finding]]:
    by_day: dict[dt.date, list[Finding]] = {}
    for finding in found:
        by_day.setdefault(finding.day, []).append(finding)
    return by_day


def message(day: dt.date, day_findings: list[Finding], report: Path) -> str:
    tables = sorted({finding.table for finding in day_findings})
    return "\n".join(
        [
            f"Tributary monitoring: an incident on {day} "
            f"({len(day_findings)} monitor(s) on {', '.join(tables)})",
            *[finding.line() for finding in day_findings],
            "Look closer: " + LOOK_CLOSER.format(report=report),
        ]
    )


def _already_sent(connection: duckdb.DuckDBPyConnection) -> set[tuple[str, ...]]:
    connection.execute(create_table(*SENT, SENT_COLUMNS))
    rows = connection.execute(
        f"select day, monitor, table_name, column_name, dimension_value from {relation(*SENT)}"
    ).fetchall()
    return {(str(day), *rest) for day, *rest in rows}


def post(webhook: str, text: str) -> None:
    """One message to a Slack or Teams incoming webhook (both take `{"text": ...}`)."""
    request = urllib.request.Request(
        webhook,
        data=json.dumps({"text": text}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def send_new_incidents(warehouse: Path, webhook: str, run_day: dt.date, report: Path) -> int:
    """Send one message per incident with a flag not sent before; returns the messages sent."""
    by_day = incidents(findings(warehouse, run_day))
    with duckdb.connect(str(warehouse)) as connection:
        sent = _already_sent(connection)
        messages = 0
        for day, day_findings in sorted(by_day.items()):
            new = [finding for finding in day_findings if finding.key not in sent]
            if not new:
                continue
            post(webhook, message(day, day_findings, report))
            messages += 1
            with transaction(connection):
                connection.executemany(
                    f"insert into {relation(*SENT)} values (?, ?, ?, ?, ?, now())",
                    [finding.key for finding in new],
                )
    return messages
