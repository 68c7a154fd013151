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
from pathlib import Path

import duckdb

from tributary.errors import TributaryError
from tributary.quality.findings import Finding, findings
from tributary.sql import create_table, relation, transaction

SENT = ("audit", "monitor_alerts")
SENT_COLUMNS = (
    "day date, monitor varchar, table_name varchar, column_name varchar, "
    "dimension_value varchar, sent_at timestamp"
)
LOOK_CLOSER = "tributary quality report; the Elementary report: {report}"


def line(finding: Finding) -> str:
    """A line of an alert: the monitor and what it looked at, the value against the range (or
    what changed), the owner."""
    if finding.observed is None:
        what = finding.description
    else:
        what = (
            f"observed {_number(finding.observed)}, expected "
            f"{_number(finding.expected_min)} to {_number(finding.expected_max)}"
        )
    return f"- {finding.label()}: {what} (owner: {finding.owners or 'none declared'})"


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def incidents(found: list[Finding]) -> dict[dt.date, list[Finding]]:
    by_day: dict[dt.date, list[Finding]] = {}
    for finding in found:
        by_day.setdefault(finding.day, []).append(finding)
    return by_day


def message(day: dt.date, day_findings: list[Finding], report: Path) -> str:
    tables = sorted({f"{finding.schema}.{finding.table}" for finding in day_findings})
    return "\n".join(
        [
            f"Tributary monitoring: an incident on {day} "
            f"({len(day_findings)} monitor(s) on {', '.join(tables)})",
            *[line(finding) for finding in day_findings],
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
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except OSError as error:  # refused, unreachable, timed out, or an HTTP error status
        # Not recorded as sent, so the next run tries this incident again.
        raise TributaryError(
            f"the alert webhook did not take the message: {error}",
            "check TRIBUTARY_SLACK_WEBHOOK or TRIBUTARY_TEAMS_WEBHOOK, then run the monitors again",
        ) from error


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
