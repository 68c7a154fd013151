"""`python -m governance`: the contract check, the catalog, retention tiering and erasure.

check      fail with every breach of the meta contract (make governance)
catalog    write the governance catalog under reports/ (make catalog)
retention  move rows past retention to the Parquet cold archive (make retention)
erasure    honour every erasure request everywhere personal data lives (make erasure)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from governance.bouncer import BouncerError, run_bouncer
from governance.manifest import Manifest, load_manifest
from governance.rules import manifest_breaches, warehouse_breaches
from governance.warehouse import Warehouse, WarehouseUnavailableError
from ingestion.settings import archive_dir, destination_name, warehouse_path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def _say(message: str) -> None:
    print(message, flush=True)


def parse_project(project_dir: Path, target_dir: Path) -> None:
    """`dbt parse`, so that the manifest says what the yml says now."""
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(project_dir))
    run = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "parse",
            "--quiet",
            "--project-dir",
            str(project_dir),
            "--target-path",
            str(target_dir),
        ],
        cwd=project_dir,
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise SystemExit(
            f"dbt parse failed, so there is no manifest to check:\n{run.stdout}{run.stderr}"
        )


def default_warehouse(project_dir: Path) -> Path:
    """The dev target's DuckDB file, as profiles.yml finds it."""
    path = Path(os.environ.get("TRIBUTARY_WAREHOUSE_PATH", "warehouse/tributary.duckdb"))
    return path if path.is_absolute() else project_dir / path


def check(args: argparse.Namespace) -> int:
    project_dir: Path = args.project_dir.resolve()
    target_dir: Path = (args.target_path or project_dir / "target").resolve()
    if not args.no_parse:
        _say(f"Parsing the dbt project in {project_dir} ...")
        parse_project(project_dir, target_dir)
    manifest_path = target_dir / "manifest.json"
    if not manifest_path.exists():
        raise SystemExit(f"No manifest at {manifest_path}: run without --no-parse.")
    manifest = load_manifest(manifest_path)
    _say(f"Checking {len(manifest.resources)} models, seeds, snapshots and sources ...")

    try:
        tool_breaches, tool_checks = run_bouncer(project_dir, target_dir)
    except BouncerError as exc:
        raise SystemExit(f"The governance check could not run: {exc}") from exc
    own_breaches = manifest_breaches(manifest)

    content_line: str
    content_breaches = []
    if args.no_content:
        content_line = "content check skipped (--no-content): no warehouse values were sampled"
    else:
        warehouse_path = (args.warehouse or default_warehouse(project_dir)).resolve()
        try:
            warehouse = Warehouse(warehouse_path)
        except WarehouseUnavailableError as exc:
            content_line = (
                f"content check SKIPPED for lack of a warehouse ({exc}); build one "
                "(make demo) or pass --warehouse to sample column values"
            )
        else:
            try:
                report = warehouse_breaches(manifest, warehouse)
            finally:
                warehouse.close()
            content_breaches = report.breaches
            content_line = (
                f"content check on {warehouse_path}: {report.relations} relations, "
                f"{report.columns_sampled} string columns sampled; {len(report.not_built)} "
                f"nodes not in the warehouse, {len(report.restricted)} restricted skipped"
            )

    breaches = sorted(set(tool_breaches + own_breaches + content_breaches))
    for breach in breaches:
        _say(breach.line())
    _say(
        f"Governance check: {len(breaches)} breach(es) in {len(manifest.resources)} nodes "
        f"({len(tool_breaches)} from dbt-bouncer's {tool_checks} checks, dbt-bouncer.yml; "
        f"{len(own_breaches)} from the project's rules, governance/rules.py; "
        f"{len(content_breaches)} from the warehouse); {content_line}."
    )
    return 1 if breaches else 0


def catalog(args: argparse.Namespace) -> int:
    from governance.catalog import write_catalog

    project_dir: Path = args.project_dir.resolve()
    target_dir: Path = (args.target_path or project_dir / "target").resolve()
    if not args.no_parse:
        _say(f"Parsing the dbt project in {project_dir} ...")
        parse_project(project_dir, target_dir)
    written = write_catalog(target_dir, args.output.resolve())
    _say(f"Catalog written: {', '.join(str(path) for path in written)}.")
    return 0


def _today(args: argparse.Namespace) -> date:
    """The effective date: --today, else TRIBUTARY_TODAY, else the calendar's (tests pin it)."""
    text = args.today or os.environ.get("TRIBUTARY_TODAY")
    return date.fromisoformat(text) if text else date.today()


def _manifest_for(args: argparse.Namespace) -> Manifest:
    project_dir: Path = args.project_dir.resolve()
    target_dir: Path = (args.target_path or project_dir / "target").resolve()
    if not args.no_parse:
        parse_project(project_dir, target_dir)
    return load_manifest(target_dir / "manifest.json")


def retention(args: argparse.Namespace) -> int:
    from governance import retention as tiering
    from governance.warehouse import open_for_governance

    if destination_name() != "duckdb":
        _say("Retention tiering runs on the DuckDB warehouse; on PostgreSQL use its partitions "
             "(not done here): nothing tiered.")  # fmt: skip
        return 0
    today = _today(args)
    retention_plan = tiering.plan(_manifest_for(args))
    if args.only:
        unknown = set(args.only) - {p.relation for p in retention_plan.policies}
        if unknown:
            _say(f"Not tiered relations: {', '.join(sorted(unknown))} (no retention declared).")
            return 2
        retention_plan.policies = [p for p in retention_plan.policies if p.relation in args.only]
    archive = archive_dir()
    _say(f"Tiering {len(retention_plan.policies)} relations with a retention, as of {today} ...")
    for problem in retention_plan.undeclared:
        _say(f"  not tiered: {problem}")
    with open_for_governance(warehouse_path()) as connection:
        results = tiering.apply_retention(connection, retention_plan, today, archive, _say)
    moved = sum(r.rows_archived for r in results)
    files = sum(len(r.files) for r in results)
    _say(
        f"Retention done: {moved:,} rows past retention archived in {files} Parquet files under "
        f"{archive}; {len(results)} relations checked, each logged in audit.governance_actions; "
        "history views <table>__history read hot and cold together."
    )
    return 1 if retention_plan.undeclared else 0


def erasure(args: argparse.Namespace) -> int:
    from governance import erasure as forgetting
    from governance.warehouse import open_for_governance

    if destination_name() != "duckdb":
        _say("Erasure runs on the DuckDB warehouse; on PostgreSQL it is not implemented yet: "
             "nothing erased.")  # fmt: skip
        return 1
    today = _today(args)
    erasure_plan = forgetting.plan(_manifest_for(args))
    for problem in erasure_plan.problems:
        _say(f"  erasure meta problem: {problem}")
    _say(f"Honouring erasure requests on {len(erasure_plan.targets)} declared tables, the vault "
         "and the archive ...")  # fmt: skip
    with open_for_governance(warehouse_path()) as connection:
        identity, results = forgetting.apply_erasure(
            connection, erasure_plan, today, archive_dir(), _say
        )
    rows = sum(r.rows for r in results)
    _say(
        f"Erasure done: {len(identity.customer_ids)} requests honoured ({len(identity.tokens)} "
        f"identifying tokens, {len(identity.contact_ids)} CRM contacts resolved to them; "
        f"{identity.requests_without_identity} known only by their account), {rows:,} rows "
        "deleted or anonymized; every action in audit.governance_actions."
    )
    return 1 if erasure_plan.problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m governance", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def common(command: argparse.ArgumentParser) -> None:
        command.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
        command.add_argument(
            "--target-path", type=Path, help="dbt's target folder (default: <project>/target)"
        )
        command.add_argument(
            "--no-parse", action="store_true", help="use the manifest there, without dbt parse"
        )

    check_command = commands.add_parser("check", help="fail with every breach of the contract")
    common(check_command)
    check_command.add_argument(
        "--warehouse", type=Path, help="DuckDB file to sample (default: the dev target's)"
    )
    check_command.add_argument(
        "--no-content", action="store_true", help="check the manifest only; sample no values"
    )
    check_command.set_defaults(handler=check)

    catalog_command = commands.add_parser("catalog", help="write the governance catalog")
    common(catalog_command)
    catalog_command.add_argument("--output", type=Path, default=PROJECT_DIR / "reports")
    catalog_command.set_defaults(handler=catalog)

    for name, handler, summary in (
        ("retention", retention, "move rows past retention_days to the Parquet cold archive"),
        ("erasure", erasure, "honour every erasure request: raw tables, vault, archive"),
    ):
        command = commands.add_parser(name, help=summary)
        common(command)
        command.add_argument(
            "--today", help="the effective date, YYYY-MM-DD (default: TRIBUTARY_TODAY or today)"
        )
        command.set_defaults(handler=handler)
        if name == "retention":
            command.add_argument(
                "--only", nargs="+", metavar="SCHEMA.TABLE", help="tier these relations only"
            )

    args = parser.parse_args(argv)
    return int(args.handler(args))
