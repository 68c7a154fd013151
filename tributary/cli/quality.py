"""`tributary quality`: data quality and monitoring (the report, Elementary), and
`tributary summary`, what the last dbt command built."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.table import Table

from tributary import config
from tributary.cli.output import add_command, add_group, say, show
from tributary.errors import NotReadyError


def report(args: argparse.Namespace) -> int:
    from tributary.quality.summary import run_quality

    target = args.target_path or config.target_dir()
    work_dir = args.work_dir or config.target_dir("quality")
    written = args.report or config.reports_dir() / "quality.md"
    code, quality = run_quality(say, build_target=target, work_dir=work_dir, report=written)
    print(quality.markdown())
    verdict = "; ".join(quality.problems) if quality.problems else "nothing wrong found"
    say(f"Quality summary: {verdict}. Written to {written}.")
    return code


def monitor(args: argparse.Namespace) -> int:
    from tributary.quality.monitor import run_monitor

    written = args.report or config.reports_dir() / "elementary_report.html"
    code, run = run_monitor(
        say,
        detection_days=args.detection_days,
        training_days=args.training_days,
        slack_webhook=args.slack_webhook,
        teams_webhook=args.teams_webhook,
        select=args.select,
        work_dir=args.work_dir,
        report=written,
    )
    for test in run.flagged:
        description = " ".join(str(test["description"] or "").split())
        column = f".{test['column']}" if test["column"] else ""
        where = f"{test['schema']}.{test['table']}{column}".lower()
        print(f"  {test['status']}: {test['test']} on {where}: {description}", flush=True)
    failed = f"; steps that failed: {', '.join(run.failed_steps)}" if run.failed_steps else ""
    say(
        f"Monitoring done in {run.seconds:.0f}s: {run.tests} Elementary monitors ran, "
        f"{len(run.flagged)} flagged; report {written}; alerts {run.alerts}{failed}."
    )
    return code


def install(args: argparse.Namespace) -> int:
    from tributary.quality import elementary

    state = elementary.ensure_installed(from_hub=args.hub)
    print(state.line, flush=True)  # one line, never wrapped
    return 0 if state.on or args.if_available else 1


def dbt_vars(args: argparse.Namespace) -> int:
    from tributary.quality.monitor import dbt_vars_argument

    print(" ".join(dbt_vars_argument()))
    return 0


def summary(args: argparse.Namespace) -> int:
    from tributary.quality.build_summary import last_dbt_run, serving_tables

    target = args.target_path or config.target_dir()
    warehouse = config.warehouse_path()
    run = last_dbt_run(target)
    say(run.line() if run else f"No dbt run results in {target}.")
    if not warehouse.exists():
        raise NotReadyError(f"no warehouse at {warehouse}", "run `make demo` first")
    table = Table(title=f"Serving layers of {warehouse}")
    for column in ("schema", "relation", "type", "rows"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    relations = serving_tables(warehouse)
    for schema, name, kind, rows in relations:
        table.add_row(schema, name, kind, f"{rows:,}")
    show(table)
    say(
        f"{len(relations)} relations in the serving schemas; every node's result is in "
        f"{target / 'run_results.json'}, failing test rows in the audit schema."
    )
    return 1 if run and any(s in ("error", "fail") for _, s in run.counts) else 0


def register(commands: argparse._SubParsersAction) -> None:
    quality = add_group(
        commands, "quality", "data quality and monitoring: the report, Elementary's monitors"
    )

    command = add_command(
        quality,
        "report",
        "freshness, tests, quarantine, row reconciliation and monitoring in one summary",
        "tributary quality report --report reports/quality.md",
    )
    command.add_argument("--target-path", type=Path, help="the last build's dbt target (target/)")
    command.add_argument(
        "--work-dir",
        type=Path,
        help="dbt target of this command's own freshness check and reconciliation build "
        "(target/quality)",
    )
    command.add_argument("--report", type=Path, help="the markdown written (reports/quality.md)")
    command.set_defaults(run=report)

    command = add_command(
        quality,
        "monitor",
        "Elementary: build with the monitors, the HTML report, alerts to a webhook",
        "tributary quality monitor --select fct_orders --detection-days 2",
    )
    command.add_argument(
        "--detection-days",
        type=int,
        help="daily buckets each monitor checks (default: the backfill_days var, 3)",
    )
    command.add_argument(
        "--training-days",
        type=int,
        help="daily buckets before those that each monitor learns from (default: days_back "
        "minus the detection days, 11)",
    )
    command.add_argument(
        "--select", help="build only these nodes (dbt selector); the models must be built"
    )
    command.add_argument("--work-dir", type=Path, help="logs and edr's files (target/edr)")
    command.add_argument(
        "--report", type=Path, help="the HTML report (reports/elementary_report.html)"
    )
    command.add_argument(
        "--slack-webhook", default=os.environ.get("TRIBUTARY_SLACK_WEBHOOK") or None
    )
    command.add_argument(
        "--teams-webhook", default=os.environ.get("TRIBUTARY_TEAMS_WEBHOOK") or None
    )
    command.set_defaults(run=monitor)

    command = add_command(
        quality,
        "install",
        "install Elementary's dbt package (from TRIBUTARY_PACKAGES_DIR, or dbt Hub with --hub) "
        "and say whether monitoring is on",
        "TRIBUTARY_PACKAGES_DIR=../shared/dbt_packages tributary quality install",
    )
    command.add_argument("--hub", action="store_true", help="install from dbt Hub (dbt deps)")
    command.add_argument(
        "--if-available", action="store_true", help="exit 0 when monitoring stays off"
    )
    command.set_defaults(run=install)

    command = add_command(
        quality,
        "dbt-vars",
        "print dbt's --vars that switch the monitors on (nothing when monitoring is off)",
        "dbt build $(tributary quality dbt-vars)",
    )
    command.set_defaults(run=dbt_vars)

    command = add_command(
        commands,
        "summary",
        "what the last dbt command built, and the serving layers' row counts",
        "tributary summary --target-path target",
    )
    command.add_argument("--target-path", type=Path, help="dbt's target folder (target/)")
    command.set_defaults(run=summary)
