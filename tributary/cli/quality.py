"""`tributary quality`: data quality and monitoring (the report, Elementary), and
`tributary summary`, what the last dbt command built."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from rich.table import Table

from tributary import config
from tributary.cli.output import add_command, add_group, option, say, show
from tributary.errors import NotReadyError, TributaryError


def report(args: argparse.Namespace) -> None:
    from tributary.quality.summary import run_quality

    target = args.target_path or config.target_dir()
    work_dir = args.work_dir or config.target_dir("quality")
    written = args.report or config.reports_dir() / "quality.md"
    code, quality = run_quality(say, build_target=target, work_dir=work_dir, report=written)
    print(quality.markdown())
    verdict = "; ".join(quality.problems) if quality.problems else "nothing wrong found"
    say(f"Quality summary: {verdict}. Written to {written}.")
    if code:
        raise TributaryError(
            f"the quality report found {len(quality.problems)} problem(s): {verdict}",
            f"read {written} for the detail",
        )


def monitor(args: argparse.Namespace) -> None:
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
    if code:
        raise TributaryError(
            f"monitoring steps failed: {', '.join(run.failed_steps)}",
            "read their logs, named above",
        )


def evaluate(args: argparse.Namespace) -> None:
    from tributary.quality import elementary
    from tributary.quality.evaluation import evaluate as run_evaluation

    packages = elementary.local_packages_dir()
    if packages is None:
        raise NotReadyError(
            "the evaluation runs Elementary's monitors: TRIBUTARY_PACKAGES_DIR is not set",
            "point it at checkouts of Elementary's dbt package and dbt_utils (docs/quality.md)",
        )
    work_dir = (args.work_dir or config.target_dir("monitor-eval")).resolve()
    say(f"Evaluating the monitors in {work_dir} (its own sandbox and warehouse) ...")
    result = run_evaluation(
        work_dir, packages, say, scale=args.scale, seed=args.seed, normal_days=args.normal_days
    )
    written = args.report or config.reports_dir() / "monitor_eval.md"
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_text(result.markdown())
    print(result.markdown())
    say(
        f"Monitor evaluation done in {result.seconds:.0f}s: {len(result.incidents)} incidents, "
        f"{len(result.missed)} missed, {len(result.false_alarms)} false alarm(s) over "
        f"{len(result.normal_days)} normal days; table in {written}, logs in {work_dir}."
    )
    if not result.passed:
        raise TributaryError(
            f"the monitors missed {len(result.missed)} incident(s) and raised "
            f"{len(result.false_alarms)} false alarm(s)",
            f"read {written} and tune the monitors (docs/quality.md#how-the-monitors-are-tuned)",
        )


def install(args: argparse.Namespace) -> None:
    from tributary.quality import elementary

    state = elementary.ensure_installed(from_hub=args.hub)
    print(state.line, flush=True)  # one line, never wrapped
    if not state.on and not args.if_available:
        raise TributaryError(
            "Elementary could not be installed", "see the line above for how to turn it on"
        )


def dbt_vars(args: argparse.Namespace) -> None:
    from tributary.quality.monitor import dbt_vars_argument

    print(" ".join(dbt_vars_argument()))


def summary(args: argparse.Namespace) -> None:
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
    if run and any(status in ("error", "fail") for _, status in run.counts):
        raise TributaryError(
            "the last dbt command had failures or errors",
            f"see {target / 'run_results.json'} and the failing rows in the audit schema",
        )


def register(commands: argparse._SubParsersAction) -> None:
    quality = add_group(
        commands, "quality", "data quality and monitoring: the report, Elementary's monitors"
    )
    add_command(
        quality,
        "report",
        report,
        "freshness, tests, quarantine, row reconciliation and monitoring in one summary",
        "tributary quality report --report reports/quality.md",
        option("--target-path", type=Path, help="the last build's dbt target (target/)"),
        option(
            "--work-dir",
            type=Path,
            help="dbt target of this command's own freshness check and reconciliation build "
            "(target/quality)",
        ),
        option("--report", type=Path, help="the markdown written (reports/quality.md)"),
    )
    add_command(
        quality,
        "monitor",
        monitor,
        "Elementary: build with the monitors, the HTML report, alerts to a webhook",
        "tributary quality monitor --select fct_orders --detection-days 2",
        option(
            "--detection-days",
            type=int,
            help="daily buckets each monitor checks (default: the backfill_days var, 3)",
        ),
        option(
            "--training-days",
            type=int,
            help="daily buckets before those that each monitor learns from (default: days_back "
            "minus the detection days, 14)",
        ),
        option("--select", help="build only these nodes (dbt selector); the models must be built"),
        option("--work-dir", type=Path, help="logs and edr's files (target/edr)"),
        option("--report", type=Path, help="the HTML report (reports/elementary_report.html)"),
        option("--slack-webhook", default=os.environ.get("TRIBUTARY_SLACK_WEBHOOK") or None),
        option("--teams-webhook", default=os.environ.get("TRIBUTARY_TEAMS_WEBHOOK") or None),
    )
    add_command(
        quality,
        "evaluate",
        evaluate,
        "precision and recall of the monitors: normal days and one day of each incident, "
        "on a sandbox of its own",
        "TRIBUTARY_PACKAGES_DIR=../shared/dbt_packages tributary quality evaluate --scale 1",
        option("--scale", type=float, default=1.0, help="the sandbox's scale (1)"),
        option("--seed", type=int, default=42, help="the sandbox's seed (42)"),
        option("--normal-days", type=int, default=7, help="normal business days first (7)"),
        option(
            "--work-dir", type=Path, help="its sandbox, warehouse and logs (target/monitor-eval)"
        ),
        option("--report", type=Path, help="the table written (reports/monitor_eval.md)"),
    )
    add_command(
        quality,
        "install",
        install,
        "install Elementary's dbt package (from TRIBUTARY_PACKAGES_DIR, or dbt Hub with --hub) "
        "and say whether monitoring is on",
        "TRIBUTARY_PACKAGES_DIR=../shared/dbt_packages tributary quality install",
        option("--hub", action="store_true", help="install from dbt Hub (dbt deps)"),
        option("--if-available", action="store_true", help="exit 0 when monitoring stays off"),
    )
    add_command(
        quality,
        "dbt-vars",
        dbt_vars,
        "print dbt's --vars that switch the monitors on (nothing when monitoring is off)",
        "dbt build $(tributary quality dbt-vars)",
    )
    add_command(
        commands,
        "summary",
        summary,
        "what the last dbt command built, and the serving layers' row counts",
        "tributary summary --target-path target",
        option("--target-path", type=Path, help="dbt's target folder (target/)"),
    )
