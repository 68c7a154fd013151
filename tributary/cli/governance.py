"""`tributary governance`: the contract check, the catalog, retention tiering and erasure.

check      fail with every breach of the meta contract (make governance)
catalog    write the governance catalog under reports/ (make catalog)
retention  move rows past retention to the Parquet cold archive (make retention)
erasure    honour every erasure request everywhere personal data lives (make erasure)
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from tributary import config, dbt
from tributary.cli.output import add_command, add_group, option, say
from tributary.errors import NotReadyError, TributaryError
from tributary.governance.bouncer import run_bouncer
from tributary.governance.manifest import Manifest, load_manifest
from tributary.governance.rules import manifest_breaches, warehouse_breaches
from tributary.governance.warehouse import Warehouse, WarehouseUnavailableError


def _manifest_path(args: argparse.Namespace) -> Path:
    """The manifest to read: dbt parses the project into the target folder first, unless
    --no-parse says that the one there is current."""
    project_dir: Path = args.project_dir.resolve()
    target_dir: Path = (args.target_path or project_dir / "target").resolve()
    if not args.no_parse:
        say(f"Parsing the dbt project in {project_dir} ...")
        dbt.parse(target_dir, project_dir)
    manifest_path = target_dir / "manifest.json"
    if not manifest_path.exists():
        raise NotReadyError(f"no manifest at {manifest_path}", "run without --no-parse")
    return manifest_path


def check(args: argparse.Namespace) -> None:
    project_dir: Path = args.project_dir.resolve()
    manifest_path = _manifest_path(args)
    manifest = load_manifest(manifest_path)
    say(f"Checking {len(manifest.resources)} models, seeds, snapshots and sources ...")

    tool_breaches, tool_checks = run_bouncer(project_dir, manifest_path.parent)
    own_breaches = manifest_breaches(manifest)

    content_line: str
    content_breaches = []
    if args.no_content:
        content_line = "content check skipped (--no-content): no warehouse values were sampled"
    else:
        warehouse_path = (args.warehouse or config.warehouse_path()).resolve()
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
        say(breach.line())
    say(
        f"Governance check: {len(breaches)} breach(es) in {len(manifest.resources)} nodes "
        f"({len(tool_breaches)} from dbt-bouncer's {tool_checks} checks, dbt-bouncer.yml; "
        f"{len(own_breaches)} from the project's rules, tributary/governance/rules.py; "
        f"{len(content_breaches)} from the warehouse); {content_line}."
    )
    if breaches:
        raise TributaryError(
            f"{len(breaches)} breach(es) of the governance contract",
            "fix each one as its line above says, then run `make governance` again",
        )


def catalog(args: argparse.Namespace) -> None:
    from tributary.governance.catalog import write_catalog

    target_dir = _manifest_path(args).parent
    written = write_catalog(target_dir, (args.output or config.reports_dir()).resolve())
    say(f"Catalog written: {', '.join(str(path) for path in written)}.")


def _today(args: argparse.Namespace) -> date:
    """The effective date: --today, else TRIBUTARY_TODAY, else the calendar's (tests pin it)."""
    text = args.today or os.environ.get("TRIBUTARY_TODAY")
    return date.fromisoformat(text) if text else date.today()


def _manifest_for(args: argparse.Namespace) -> Manifest:
    return load_manifest(_manifest_path(args))


def retention(args: argparse.Namespace) -> None:
    from tributary.governance import retention as tiering
    from tributary.governance.warehouse import open_for_governance

    if config.destination_name() != "duckdb":
        say("Retention tiering runs on the DuckDB warehouse; on PostgreSQL use its partitions "
             "(not done here): nothing tiered.")  # fmt: skip
        return
    today = _today(args)
    retention_plan = tiering.plan(_manifest_for(args))
    if args.only:
        unknown = set(args.only) - {p.relation for p in retention_plan.policies}
        if unknown:
            raise NotReadyError(
                f"not tiered: {', '.join(sorted(unknown))} (no retention declared)",
                "name relations that declare retention_days in their meta",
            )
        retention_plan.policies = [p for p in retention_plan.policies if p.relation in args.only]
    archive = config.archive_dir()
    say(f"Tiering {len(retention_plan.policies)} relations with a retention, as of {today} ...")
    for problem in retention_plan.undeclared:
        say(f"  not tiered: {problem}")
    with open_for_governance(config.warehouse_path()) as connection:
        results = tiering.apply_retention(connection, retention_plan, today, archive, say)
    moved = sum(r.rows_archived for r in results)
    files = sum(len(r.files) for r in results)
    say(
        f"Retention done: {moved:,} rows past retention archived in {files} Parquet files under "
        f"{archive}; {len(results)} relations checked, each logged in audit.governance_actions; "
        "history views <table>__history read hot and cold together."
    )
    if retention_plan.undeclared:
        raise TributaryError(
            f"{len(retention_plan.undeclared)} relation(s) declare retention_days without a "
            "field to date their rows",
            "declare meta.retention_date_field on each one listed above",
        )


def erasure(args: argparse.Namespace) -> None:
    from tributary.governance import erasure as forgetting
    from tributary.governance.warehouse import open_for_governance

    if config.destination_name() != "duckdb":
        raise TributaryError(
            "erasure runs on the DuckDB warehouse; on PostgreSQL it is not implemented yet, so "
            "nothing was erased",
            "erase on a DuckDB warehouse (TRIBUTARY_DESTINATION=duckdb)",
        )
    today = _today(args)
    erasure_plan = forgetting.plan(_manifest_for(args))
    for problem in erasure_plan.problems:
        say(f"  erasure meta problem: {problem}")
    say(f"Honouring erasure requests on {len(erasure_plan.targets)} declared tables, the vault "
         "and the archive ...")  # fmt: skip
    with open_for_governance(config.warehouse_path()) as connection:
        identity, results = forgetting.apply_erasure(
            connection, erasure_plan, today, config.archive_dir(), say
        )
    rows = sum(r.rows for r in results)
    say(
        f"Erasure done: {len(identity.customer_ids)} requests honoured ({len(identity.tokens)} "
        f"identifying tokens, {len(identity.contact_ids)} CRM contacts resolved to them; "
        f"{identity.requests_without_identity} known only by their account), {rows:,} rows "
        "deleted or anonymized; every action in audit.governance_actions."
    )
    if erasure_plan.problems:
        raise TributaryError(
            f"{len(erasure_plan.problems)} erasure declaration(s) in meta could not be used",
            "fix each problem listed above in the models' yml",
        )


# Where the manifest comes from, for every governance command.
MANIFEST_OPTIONS = (
    option("--project-dir", type=Path, default=config.project_dir(), help="the dbt project"),
    option("--target-path", type=Path, help="dbt's target folder (default: <project>/target)"),
    option("--no-parse", action="store_true", help="use the manifest there, without dbt parse"),
)
TODAY = option("--today", help="the effective date, YYYY-MM-DD (default: TRIBUTARY_TODAY or today)")


def register(commands: argparse._SubParsersAction) -> None:
    governance = add_group(
        commands, "governance", "the meta contract: check, catalog, retention, erasure"
    )
    add_command(
        governance,
        "check",
        check,
        "fail with every breach of the meta contract, one line each",
        "tributary governance check --no-content",
        *MANIFEST_OPTIONS,
        option("--warehouse", type=Path, help="DuckDB file to sample (default: the dev target's)"),
        option("--no-content", action="store_true", help="check the manifest only"),
    )
    add_command(
        governance,
        "catalog",
        catalog,
        "write the governance catalog (owners, classification, PII, retention, lineage)",
        "tributary governance catalog --output reports",
        *MANIFEST_OPTIONS,
        option("--output", type=Path, help="its folder (default: reports/)"),
    )
    add_command(
        governance,
        "retention",
        retention,
        "move rows past retention_days to the Parquet cold archive",
        "tributary governance retention --today 2026-11-02",
        *MANIFEST_OPTIONS,
        TODAY,
        option("--only", nargs="+", metavar="SCHEMA.TABLE", help="tier these relations only"),
    )
    add_command(
        governance,
        "erasure",
        erasure,
        "honour every erasure request: raw tables, vault, archive",
        "tributary governance erasure",
        *MANIFEST_OPTIONS,
        TODAY,
    )
