"""`make monitor`: Elementary's models, the build with its monitors, the HTML report, alerts.

1. Elementary's own models (`dbt run --select package:elementary`), so that its tables exist
   before any run uploads into them;
2. `dbt source freshness` and `dbt build` with the monitors on (`elementary_enabled`); an
   anomaly is a warning, so the build goes on and every monitor runs;
3. `edr report` writes reports/elementary_report.html; when a Slack or Teams webhook is
   configured, one alert per incident goes to it (tributary/quality/alerts.py: the day, the
   tables, the observed value and the expected range, the owners; never twice).

The monitors' clock: the sandbox's "today" is fixed (its history ends on its own date, not on
the machine's), so Elementary is told that the run happens at the end of the sandbox's latest
business day (`custom_run_started_at`). Against real sources (no sandbox state, or
TRIBUTARY_MONITOR_CLOCK=now) the clock is the machine's.

edr runs its own dbt project; here it reads its settings from elementary/edr/config.yml (no
dbt deps, no tracking, no version check) through a home of its own under target/, and its
packages come from the project's packages folder (DBT_PACKAGES_FOLDER), never from dbt Hub.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tributary import config, dbt
from tributary.errors import NotReadyError
from tributary.quality import alerts, elementary

Say = Callable[[str], None]

# dbt_project.yml's backfill_days: the daily buckets each run checks.
DEFAULT_DETECTION_DAYS = 3


def monitoring_clock() -> str | None:
    """When Elementary should believe the run happens: the end of the sandbox's latest day."""
    if os.environ.get("TRIBUTARY_MONITOR_CLOCK", "").lower() == "now":
        return None
    explicit = os.environ.get("TRIBUTARY_MONITOR_CLOCK")
    if explicit:
        return dt.datetime.fromisoformat(explicit).isoformat()
    state_file = config.sandbox_layout().state_file
    if not state_file.exists():
        return None
    today = dt.date.fromisoformat(json.loads(state_file.read_text())["as_of"])
    # Midnight after the sandbox's today: today's daily bucket is complete and the latest.
    return dt.datetime.combine(today + dt.timedelta(days=1), dt.time()).isoformat()


def monitor_vars(
    detection_days: int | None = None, training_days: int | None = None
) -> dict[str, object]:
    """The dbt vars that switch the monitors on, with the monitoring clock; detection and
    training days override dbt_project.yml's backfill_days and days_back (which Elementary
    counts back from the end, detection days included)."""
    values: dict[str, object] = {"elementary_enabled": True}
    clock = monitoring_clock()
    if clock:
        values["custom_run_started_at"] = clock
    if detection_days:
        values["backfill_days"] = detection_days
    if training_days:
        values["days_back"] = training_days + (detection_days or DEFAULT_DETECTION_DAYS)
    return values


def dbt_vars_argument() -> list[str]:
    """`--vars=...` for a dbt command when monitoring is on, else nothing (Makefile helper)."""
    if not elementary.status().on:
        return []
    return ["--vars=" + json.dumps(monitor_vars(), separators=(",", ":"))]


@dataclass
class MonitorRun:
    seconds: float = 0.0
    steps: list[tuple[str, int, float]] = field(default_factory=list)
    flagged: list[dict[str, object]] = field(default_factory=list)
    tests: int = 0
    alerts: str = "no webhook configured (TRIBUTARY_SLACK_WEBHOOK or TRIBUTARY_TEAMS_WEBHOOK)"

    @property
    def failed_steps(self) -> list[str]:
        return [name for name, code, _ in self.steps if code != 0]


def _run(
    name: str,
    command: Sequence[str],
    env: dict[str, str],
    run: MonitorRun,
    say: Say,
    work_dir: Path,
) -> int:
    say(f"monitor: {name}: {' '.join(command[:3])} ...")
    started = time.perf_counter()
    log = work_dir / f"{name.replace(' ', '_')}.log"
    code = dbt.run(command[0], command[1:], env=env, log=log).returncode
    seconds = time.perf_counter() - started
    run.steps.append((name, code, seconds))
    outcome = "ok" if code == 0 else f"exit {code}"
    say(f"monitor: {name}: {outcome} in {seconds:.0f}s (log {log})")
    return code


def edr_environment(base: dict[str, str], work_dir: Path) -> dict[str, str]:
    """edr's environment: a home with the project's edr settings, the project's packages."""
    home = (work_dir / "home").resolve()
    (home / ".edr").mkdir(parents=True, exist_ok=True)
    shutil.copy(config.elementary_project_dir() / "edr" / "config.yml", home / ".edr")
    bin_dir = str(Path(sys.executable).parent)
    return dict(
        base,
        HOME=str(home),
        PATH=bin_dir + os.pathsep + base.get("PATH", ""),
        DBT_PACKAGES_FOLDER=str(config.packages_dir()),
        EDR_INTERNAL_TARGET_PATH=str((work_dir / "internal").resolve()),
    )


def flagged_tests(warehouse: Path, since: dt.datetime) -> tuple[int, list[dict[str, object]]]:
    """The Elementary tests that ran since `since`, and those that did not pass."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            """
            select test_type, test_sub_type, schema_name, table_name, column_name, status,
                test_results_description, test_short_name
            from elementary.elementary_test_results
            where detected_at >= ? and test_type in ('anomaly_detection', 'schema_change')
            order by status desc, table_name, test_short_name, column_name
            """,
            [since.replace(tzinfo=None)],
        ).fetchall()
    names = ("type", "sub_type", "schema", "table", "column", "status", "description", "test")
    results = [dict(zip(names, row, strict=True)) for row in rows]
    return len(results), [r for r in results if r["status"] != "pass"]


def run_monitor(
    say: Say,
    detection_days: int | None = None,
    training_days: int | None = None,
    slack_webhook: str | None = None,
    teams_webhook: str | None = None,
    select: str | None = None,
    work_dir: Path | None = None,
    report: Path | None = None,
) -> tuple[int, MonitorRun]:
    """The whole of `make monitor`. `select` narrows the build to some nodes (the models must
    then be built already); by default everything is built and tested. Logs and edr's files go
    to `work_dir` (default target/edr), the HTML report to `report` (default
    reports/elementary_report.html)."""
    work_dir = work_dir or config.target_dir("edr")
    report = report or config.reports_dir() / "elementary_report.html"
    started_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    started = time.perf_counter()
    run = MonitorRun()
    state = elementary.ensure_installed()
    if not state.on:
        raise NotReadyError(state.line)
    print(state.line, flush=True)  # one line, never wrapped
    warehouse = config.warehouse_path().resolve()
    env = dbt.environment(extra={"TRIBUTARY_WAREHOUSE_PATH": str(warehouse)})
    variables = json.dumps(monitor_vars(detection_days, training_days))
    clock = monitoring_clock()
    say(
        "monitor: the monitors' clock: "
        + (f"{clock} (the end of the sandbox's latest day)" if clock else "now")
    )

    def step(name: str, command: list[str], environment: dict[str, str] = env) -> int:
        return _run(name, command, environment, run, say, work_dir)

    step("elementary models", ["dbt", "run", "--select", "package:elementary"])
    step("source freshness", ["dbt", "source", "freshness", "--vars", variables])
    selection = ["--select", select] if select else []
    step("build with monitors", ["dbt", "build", "--vars", variables, *selection])

    edr_env = edr_environment(env, work_dir)
    common = [
        "--project-dir",
        str(config.project_dir()),
        "--profiles-dir",
        env["DBT_PROFILES_DIR"],
        "--target-path",
        str(work_dir.resolve()),
        # Failing rows stay in the audit schema; the report and alerts may travel further
        # than the warehouse's access rules, so they carry no sample rows (no personal data).
        "--disable-samples",
        "true",
    ]
    report.parent.mkdir(parents=True, exist_ok=True)
    file_path = ["--file-path", str(report.resolve()), "--open-browser", "false"]
    step("edr report", ["edr", "report", *common, *file_path], edr_env)
    webhook = slack_webhook or teams_webhook
    if webhook:
        run_day = dt.date.fromisoformat(clock[:10]) - dt.timedelta(days=1) if clock else None
        sent = alerts.send_new_incidents(warehouse, webhook, run_day or dt.date.today(), report)
        kind = "Slack" if slack_webhook else "Teams"
        run.alerts = f"{sent} new incident(s) sent to the {kind} webhook (one message each)"
    run.tests, run.flagged = flagged_tests(warehouse, started_at)
    run.seconds = time.perf_counter() - started
    return (1 if run.failed_steps else 0), run
