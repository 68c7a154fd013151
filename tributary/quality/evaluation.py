"""`make monitor-eval`: do the monitors alarm on trouble, and only on trouble? Measured.

On a sandbox and a warehouse of its own (nothing of the project's is touched):

1. generate a history; advance it by `normal_days` normal business days, then by one business
   day of each incident kind (`tributary sandbox next-day --anomaly KIND`, which records its
   days in the sandbox's ground_truth/anomalies.json); the late partition's step comes last,
   so that its files are still missing when the monitors run, as they would be that morning;
2. load it all and build the models the monitors watch (`dbt run`, no tests: the monitors
   are the subject here);
3. run the monitors once (`tributary quality monitor`), every new day under detection, each
   judged against the 14 days of history before the first new day;
4. read Elementary's results: which monitor flagged which day, and score them. An incident is
   caught when a monitor that should see it (INCIDENT_MONITORS) flagged one of its days; a
   false alarm is any monitor's flag on a normal day. Flags on an incident's days by other
   monitors are listed as its side effects (an outage also thins the day's payments).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tributary import dbt
from tributary.errors import TributaryError
from tributary.quality.findings import Finding, findings, monitor_count

Say = Callable[[str], None]

# The monitors (Elementary test, table, column: "" for a whole-table monitor) each incident
# must trip on its own days; a table is the model's or the source table's name, as Elementary
# records it.
Monitor = tuple[str, str, str]
INCIDENT_MONITORS: dict[str, frozenset[Monitor]] = {
    "volume": frozenset(
        {("volume_anomalies", table, "") for table in ("events", "fct_sessions", "fct_orders")}
    ),
    "freshness": frozenset(
        {("freshness_anomalies", table, "") for table in ("events", "fct_sessions")}
    ),
    "amounts": frozenset(
        {
            ("column_anomalies", "fct_orders", "amount_reporting"),
            ("column_anomalies", "fct_order_items", "line_amount_reporting"),
            ("column_anomalies", "fct_payments", "amount_reporting"),
        }
    ),
    "schema": frozenset({("schema_changes_from_baseline", "orders", "coupon_code")}),
    "shift": frozenset({("column_anomalies", "fct_orders", "channel")}),
    "late": frozenset({("volume_anomalies", table, "") for table in ("events", "fct_sessions")}),
}
# The incident whose step must come last: its files arrive only with the step after it.
LAST_KIND = "late"
TRAINING_DAYS = 14
# The models the monitors watch, with everything upstream of them.
MONITORED = "+fct_orders +fct_order_items +fct_payments +fct_sessions +fct_shipments +fct_reviews"
NOT_BUILT = ("resource_type:test", "resource_type:unit_test")


@dataclass
class IncidentResult:
    kind: str
    days: list[dt.date]
    caught_by: list[Finding] = field(default_factory=list)
    side_effects: list[Finding] = field(default_factory=list)

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)


@dataclass
class Evaluation:
    scale: float
    seed: int
    normal_days: list[dt.date]
    incidents: list[IncidentResult]
    false_alarms: list[Finding]
    monitors: int
    seconds: float = 0.0

    @property
    def missed(self) -> list[str]:
        return [incident.kind for incident in self.incidents if not incident.caught]

    @property
    def passed(self) -> bool:
        return not self.missed and not self.false_alarms

    def markdown(self) -> str:
        lines = [
            f"Monitoring evaluated at scale {self.scale:g}, seed {self.seed}: {self.monitors} "
            f"monitors, {len(self.normal_days)} normal days, {len(self.incidents)} incidents.",
            "",
            "| incident | days | caught on its day by | missed | also flagged on its days |",
            "|---|---|---|---|---|",
        ]
        for incident in self.incidents:
            lines.append(
                f"| {incident.kind} | {_days(incident.days)} | "
                f"{_labels(incident.caught_by)} | "
                f"{'no' if incident.caught else 'MISSED'} | "
                f"{_labels(incident.side_effects)} |"
            )
        lines.append(
            f"| normal | {_days(self.normal_days)} | - | - | "
            f"false alarms: {len(self.false_alarms)} |"
        )
        for finding in self.false_alarms:
            lines.append(f"\nFalse alarm: {finding.label()} on {finding.day}.")
        return "\n".join(lines) + "\n"


def _labels(found: list[Finding]) -> str:
    return ", ".join(sorted({finding.label() for finding in found})) or "-"


def _days(days: list[dt.date]) -> str:
    if not days:
        return "-"
    first, last = min(days), max(days)
    return f"{first}" if first == last else f"{first} to {last} ({len(days)})"


def _cli(args: list[str], env: Mapping[str, str], log: Path) -> None:
    """One `tributary` command, its output to `log`; a failure is the evaluation's."""
    command = [sys.executable, "-m", "tributary", *args]
    with log.open("a") as handle:
        handle.write(f"$ tributary {' '.join(args)}\n")
        handle.flush()
        done = subprocess.run(command, env=dict(env), stdout=handle, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise TributaryError(f"`tributary {' '.join(args)}` failed", f"read its log, {log}")


def _state_today(sandbox: Path) -> dt.date:
    return dt.date.fromisoformat(json.loads((sandbox / "state.json").read_text())["as_of"])


def score(
    normal_days: list[dt.date], incident_days: dict[str, list[dt.date]], found: list[Finding]
) -> tuple[list[IncidentResult], list[Finding]]:
    """Which incidents were caught on their days, and which findings fell on normal days."""
    incidents = [IncidentResult(kind, days) for kind, days in incident_days.items()]
    schema_incident = next((i for i in incidents if i.kind == "schema"), None)
    false_alarms = []
    for finding in found:
        if finding.on_run_day:  # a schema change: the schema incident's, or a false alarm
            expected = finding.watched in INCIDENT_MONITORS["schema"]
            if schema_incident is not None and expected:
                schema_incident.caught_by.append(finding)
            else:
                false_alarms.append(finding)
            continue
        if finding.day in normal_days:
            false_alarms.append(finding)
            continue
        for incident in incidents:
            if finding.day in incident.days:
                expected = finding.watched in INCIDENT_MONITORS[incident.kind]
                (incident.caught_by if expected else incident.side_effects).append(finding)
    return incidents, false_alarms


def evaluate(
    work_dir: Path,
    packages_dir: Path,
    say: Say,
    scale: float = 1.0,
    seed: int = 42,
    normal_days: int = 7,
    kinds: tuple[str, ...] = tuple(INCIDENT_MONITORS),
) -> Evaluation:
    """The whole of `make monitor-eval` in `work_dir`, from scratch; see the module's docstring."""
    started = time.perf_counter()
    # A run starts from nothing: an earlier run's warehouse would keep its raw rows and its
    # monitors' results (the sandbox, generated again, replaces itself).
    for earlier in ("warehouse", "target", "edr", "packages"):
        shutil.rmtree(work_dir / earlier, ignore_errors=True)
    work_dir.mkdir(parents=True, exist_ok=True)
    sandbox, warehouse = work_dir / "sandbox", work_dir / "warehouse" / "tributary.duckdb"
    log = work_dir / "evaluation.log"
    log.write_text("")
    env = dbt.environment(
        extra={
            "TRIBUTARY_SANDBOX_DIR": str(sandbox),
            "TRIBUTARY_WAREHOUSE_PATH": str(warehouse),
            "TRIBUTARY_DBT_PACKAGES_PATH": str(work_dir / "no_packages"),
            "DBT_TARGET_PATH": str(work_dir / "target"),
            "DBT_LOG_PATH": str(work_dir / "logs"),
        }
    )
    env.pop("TRIBUTARY_PACKAGES_DIR", None)  # the build runs without Elementary's hooks

    def step(message: str) -> None:
        say(f"  [{time.perf_counter() - started:6.0f}s] {message}")

    _cli(["sandbox", "generate", "--seed", str(seed), "--scale", str(scale)], env, log)
    history_end = _state_today(sandbox)
    step(f"generated a sandbox at scale {scale:g} (seed {seed}) up to {history_end}")
    for _ in range(normal_days):
        _cli(["sandbox", "next-day"], env, log)
    normal_end = _state_today(sandbox)
    normal = [
        history_end + dt.timedelta(days=n) for n in range(1, (normal_end - history_end).days + 1)
    ]
    step(f"{normal_days} normal business days: {_days(normal)}")
    ordered = sorted(kinds, key=lambda kind: kind == LAST_KIND)
    incident_days: dict[str, list[dt.date]] = {}
    for kind in ordered:
        before = _state_today(sandbox)
        _cli(["sandbox", "next-day", "--anomaly", kind], env, log)
        after = _state_today(sandbox)
        incident_days[kind] = [
            before + dt.timedelta(days=n) for n in range(1, (after - before).days + 1)
        ]
    step(f"one business day of each incident: {', '.join(ordered)}")
    _cli(["load"], env, log)
    step(f"loaded into {warehouse}")
    # Seeds and snapshots upstream too; no tests, no unit tests: the monitors are the subject.
    build = ["build", "--quiet", "--select", MONITORED, "--exclude", *NOT_BUILT]
    built = dbt.run("dbt", build, env=env, log=work_dir / "dbt_build.log")
    if built.returncode != 0:
        raise TributaryError(
            "the models the monitors watch did not build", f"read {work_dir / 'dbt_build.log'}"
        )
    step("built the monitored models and everything upstream of them")
    detection = (_state_today(sandbox) - history_end).days
    monitor_env = dict(
        env,
        TRIBUTARY_PACKAGES_DIR=str(packages_dir),
        TRIBUTARY_DBT_PACKAGES_PATH=str(work_dir / "packages"),
    )
    _cli(
        [
            "quality",
            "monitor",
            "--select",
            "tag:elementary-tests",
            "--detection-days",
            str(detection),
            "--training-days",
            str(TRAINING_DAYS),
            "--work-dir",
            str(work_dir / "edr"),
            "--report",
            str(work_dir / "elementary_report.html"),
        ],
        monitor_env,
        log,
    )
    step(f"ran the monitors over the {detection} new days")
    found = findings(warehouse, run_day=_state_today(sandbox))
    incidents, false_alarms = score(normal, incident_days, found)
    return Evaluation(
        scale=scale,
        seed=seed,
        normal_days=normal,
        incidents=incidents,
        false_alarms=false_alarms,
        monitors=monitor_count(warehouse),
        seconds=time.perf_counter() - started,
    )
