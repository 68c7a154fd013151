"""`python -m ingestion`: generate the sandbox, advance it a day, load sources, serve its API,
summarize what a build made."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ingestion import settings
from ingestion.audit import LoadResult
from ingestion.sandbox.anomalies import DESCRIPTIONS, KINDS

console = Console(highlight=False)


def say(message: str) -> None:
    console.print(message)


def cmd_generate(args: argparse.Namespace) -> int:
    from ingestion.sandbox.generator import generate

    layout = settings.sandbox_layout()
    if args.if_missing and layout.state_file.exists():
        say(f"Sandbox already at {layout.root} (use `generate` without --if-missing to rebuild).")
        return 0
    started = time.perf_counter()
    say(f"Generating the sandbox (seed {args.seed}, scale {args.scale}) into {layout.root} ...")
    state = generate(layout.root, seed=args.seed, scale=args.scale, as_of=args.as_of, progress=say)
    say(
        f"Generated the sandbox up to {state.as_of} in {time.perf_counter() - started:.1f}s: "
        f"shop database {layout.shop_db}, landing zone {layout.landing}, "
        f"ground truth {layout.ground_truth}."
    )
    return 0


def cmd_next_day(args: argparse.Namespace) -> int:
    from ingestion.sandbox.generator import next_day

    layout = settings.sandbox_layout()
    for _ in range(args.days):
        started = time.perf_counter()
        state = next_day(layout.root, progress=say, anomaly=args.anomaly)
        say(f"Advanced the sandbox to {state.as_of} in {time.perf_counter() - started:.1f}s.")
    injected = (
        f" with the {args.anomaly!r} anomaly (recorded in {layout.ground_truth / 'anomalies.json'})"
        if args.anomaly
        else ""
    )
    say(
        f"Sources under {layout.root} changed{injected}; run `python -m ingestion load` to load "
        "them."
    )
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from ingestion.pipelines import load

    names = args.sources or list(settings.SOURCE_NAMES)
    unknown = sorted(set(names) - set(settings.SOURCE_NAMES))
    if unknown:
        say(f"[red]Unknown source(s): {', '.join(unknown)}[/red]")
        return 2
    if args.destination:
        os.environ["TRIBUTARY_DESTINATION"] = args.destination
    try:
        settings.destination_name()
    except ValueError as exc:
        say(f"[red]{exc}[/red]")
        return 2
    warehouse = settings.warehouse_path()
    location = settings.destination_location()
    started = time.perf_counter()
    say(f"Loading {', '.join(names)} into {location} ...")
    results = load(names, warehouse, progress=say)
    print_summary(results, time.perf_counter() - started)
    failed = [r for r in results if r.outcome == "failed"]
    for result in failed:
        say(f"[red]{result.source_name} failed:[/red] {result.error_message}")
    if settings.destination_name() == "postgres":
        _warn_if_dbt_looks_elsewhere()
    say(f"Run log: audit.ingestion_runs in {location}.")
    return 1 if failed else 0


def _warn_if_dbt_looks_elsewhere() -> None:
    """dlt's credentials may come from a URL or .dlt/secrets.toml, which dbt cannot read; say so
    when dbt's postgres target would build in another database than the one just loaded."""
    credentials = settings.postgres_credentials()
    loaded = {
        "host": str(credentials.host),
        "port": str(credentials.port),
        "username": str(credentials.username),
        "database": str(credentials.database),
    }
    seen = settings.postgres_seen_by_dbt()
    if loaded != seen:
        say(
            "[yellow]dbt's postgres target reads DESTINATION__POSTGRES__CREDENTIALS__HOST, "
            "__PORT, __USERNAME, __PASSWORD and __DATABASE and would connect to "
            f"postgresql://{seen['username']}@{seen['host']}:{seen['port']}/{seen['database']}; "
            "set them to the database loaded here.[/yellow]"
        )


def print_summary(results: Sequence[LoadResult], seconds: float) -> None:
    table = Table(title="Ingestion summary")
    for column in ("source", "dataset", "table", "rows", "seconds", "outcome"):
        table.add_column(column, justify="right" if column in ("rows", "seconds") else "left")
    for result in results:
        tables = sorted(result.rows_by_table.items()) or [("-", 0)]
        for index, (name, rows) in enumerate(tables):
            first = index == 0
            table.add_row(
                result.source_name if first else "",
                result.dataset_name if first else "",
                name,
                f"{rows:,}",
                f"{result.duration_seconds:.1f}" if first else "",
                result.outcome if first else "",
            )
    console.print(table)
    total = sum(r.rows_loaded for r in results)
    say(f"Loaded {total:,} rows from {len(results)} source(s) in {seconds:.1f}s.")


def cmd_serve_api(args: argparse.Namespace) -> int:
    from ingestion.sandbox.api import ApiBehaviour, serve_forever

    layout = settings.sandbox_layout()
    if not layout.api_db.exists():
        say(f"[red]No sandbox API store at {layout.api_db}: run `generate` first.[/red]")
        return 2
    behaviour = ApiBehaviour(
        token=settings.sandbox_api_token(),
        rate_limit_per_second=args.rate_limit,
        error_rate=args.error_rate,
    )
    # Stop cleanly on Ctrl-C and on SIGTERM (what a supervisor or CI sends), even where the
    # shell that started us in the background set SIGINT to be ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    say(f"Serving the sandbox API on http://{args.host}:{args.port} (Ctrl-C stops) ...")
    serve_forever(layout.api_db, behaviour, args.host, args.port)
    say("Sandbox API stopped.")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from ingestion.build_summary import last_dbt_run, serving_tables

    warehouse = settings.warehouse_path()
    run = last_dbt_run(args.target_path)
    say(run.line() if run else f"No dbt run results in {args.target_path}.")
    if not warehouse.exists():
        say(f"[red]No warehouse at {warehouse}: run `make demo` first.[/red]")
        return 2
    table = Table(title=f"Serving layers of {warehouse}")
    for column in ("schema", "relation", "type", "rows"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    relations = serving_tables(warehouse)
    for schema, name, kind, rows in relations:
        table.add_row(schema, name, kind, f"{rows:,}")
    console.print(table)
    say(
        f"{len(relations)} relations in the serving schemas; every node's result is in "
        f"{args.target_path / 'run_results.json'}, failing test rows in the audit schema."
    )
    return 1 if run and any(s in ("error", "fail") for _, s in run.counts) else 0


def cmd_monitoring_deps(args: argparse.Namespace) -> int:
    from ingestion.quality import elementary

    state = elementary.ensure_installed(from_hub=args.hub)
    print(state.line, flush=True)  # one line, never wrapped
    return 0 if state.on or args.if_available else 1


def cmd_monitoring_vars(args: argparse.Namespace) -> int:
    from ingestion.quality.monitor import dbt_vars_argument

    print(" ".join(dbt_vars_argument()))
    return 0


def cmd_monitor(args: argparse.Namespace) -> int:
    from ingestion.quality.monitor import run_monitor

    code, run = run_monitor(
        say,
        detection_days=args.detection_days,
        training_days=args.training_days,
        slack_webhook=args.slack_webhook,
        teams_webhook=args.teams_webhook,
        select=args.select,
        work_dir=args.work_dir,
        report=args.report,
    )
    if code == 2:
        return code
    for test in run.flagged:
        description = " ".join(str(test["description"] or "").split())
        column = f".{test['column']}" if test["column"] else ""
        where = f"{test['schema']}.{test['table']}{column}".lower()
        print(f"  {test['status']}: {test['test']} on {where}: {description}", flush=True)
    failed = f"; steps that failed: {', '.join(run.failed_steps)}" if run.failed_steps else ""
    say(
        f"Monitoring done in {run.seconds:.0f}s: {run.tests} Elementary monitors ran, "
        f"{len(run.flagged)} flagged; report {args.report}; alerts {run.alerts}{failed}."
    )
    return code


def cmd_quality(args: argparse.Namespace) -> int:
    from ingestion.quality.summary import run_quality

    code, quality = run_quality(
        say, build_target=args.target_path, work_dir=args.work_dir, report=args.report
    )
    print(quality.markdown())
    verdict = "; ".join(quality.problems) if quality.problems else "nothing wrong found"
    say(f"Quality summary: {verdict}. Written to {args.report}.")
    return code


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m ingestion", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a fresh sandbox (replaces one there)")
    generate.add_argument("--seed", type=int, default=42)
    generate.add_argument("--scale", type=float, default=1.0, help="1 = 5,000 customers")
    generate.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 10, 30),
        help="the sandbox's 'today' (a business day)",
    )
    generate.add_argument("--if-missing", action="store_true", help="keep an existing sandbox")
    generate.set_defaults(run=cmd_generate)

    next_day = commands.add_parser("next-day", help="advance the sandbox by one business day")
    next_day.add_argument("--days", type=int, default=1, help="business days to advance")
    next_day.add_argument(
        "--anomaly",
        choices=KINDS,
        help="inject trouble into the new days for monitoring to catch: "
        + "; ".join(f"{kind}: {DESCRIPTIONS[kind]}" for kind in KINDS),
    )
    next_day.set_defaults(run=cmd_next_day)

    load = commands.add_parser("load", help="load sources into the warehouse with dlt")
    load.add_argument("sources", nargs="*", metavar="SOURCE", help=", ".join(settings.SOURCE_NAMES))
    load.add_argument(
        "--destination",
        choices=settings.DESTINATIONS,
        help="where dlt loads (default: TRIBUTARY_DESTINATION, else duckdb)",
    )
    load.set_defaults(run=cmd_load)

    serve = commands.add_parser("serve-api", help="serve the sandbox FX and reviews API")
    serve.add_argument("--host", default=settings.SANDBOX_API_HOST)
    serve.add_argument("--port", type=int, default=settings.sandbox_api_port())
    serve.add_argument("--rate-limit", type=float, default=10.0, help="requests per second")
    serve.add_argument("--error-rate", type=float, default=0.02, help="share answered 500")
    serve.set_defaults(run=cmd_serve_api)

    summary = commands.add_parser(
        "summary", help="what the last dbt command built, and the marts' row counts"
    )
    summary.add_argument("--target-path", type=Path, default=Path("target"))
    summary.set_defaults(run=cmd_summary)

    deps = commands.add_parser(
        "monitoring-deps",
        help="install Elementary's dbt package from TRIBUTARY_PACKAGES_DIR (or dbt Hub with "
        "--hub) and say whether monitoring is on",
    )
    deps.add_argument("--hub", action="store_true", help="install from dbt Hub (dbt deps)")
    deps.add_argument(
        "--if-available", action="store_true", help="exit 0 when monitoring stays off"
    )
    deps.set_defaults(run=cmd_monitoring_deps)

    monitor_vars = commands.add_parser(
        "monitoring-vars", help="print dbt's --vars that switch the monitors on (nothing if off)"
    )
    monitor_vars.set_defaults(run=cmd_monitoring_vars)

    monitor = commands.add_parser(
        "monitor", help="Elementary: build with the monitors, the HTML report, alerts"
    )
    monitor.add_argument(
        "--detection-days",
        type=int,
        help="daily buckets each monitor checks (default: the backfill_days var, 3)",
    )
    monitor.add_argument(
        "--training-days",
        type=int,
        help="daily buckets before those that each monitor learns from (default: days_back "
        "minus the detection days, 11)",
    )
    monitor.add_argument(
        "--select", help="build only these nodes (dbt selector); the models must be built"
    )
    monitor.add_argument(
        "--work-dir", type=Path, default=Path("target") / "edr", help="logs and edr's files"
    )
    monitor.add_argument("--report", type=Path, default=Path("reports") / "elementary_report.html")
    monitor.add_argument(
        "--slack-webhook", default=os.environ.get("TRIBUTARY_SLACK_WEBHOOK") or None
    )
    monitor.add_argument(
        "--teams-webhook", default=os.environ.get("TRIBUTARY_TEAMS_WEBHOOK") or None
    )
    monitor.set_defaults(run=cmd_monitor)

    quality = commands.add_parser(
        "quality",
        help="freshness, tests, quarantine, row reconciliation and monitoring in one summary",
    )
    quality.add_argument(
        "--target-path", type=Path, default=Path("target"), help="the last build's dbt target"
    )
    quality.add_argument(
        "--work-dir",
        type=Path,
        default=Path("target") / "quality",
        help="dbt target of this command's own freshness check and reconciliation build",
    )
    quality.add_argument("--report", type=Path, default=Path("reports") / "quality.md")
    quality.set_defaults(run=cmd_quality)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
