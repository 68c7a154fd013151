"""`tributary load`: the dlt pipelines, with the sandbox API started where a source reads it."""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from rich.table import Table

from ingestion import pipelines
from ingestion.audit import LoadResult
from tributary import config
from tributary.cli.output import add_command, option, say, show
from tributary.errors import NotReadyError, TributaryError


def _listening(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


@contextlib.contextmanager
def sandbox_api_for(names: Sequence[str]) -> Iterator[None]:
    """The sandbox API, running while `names` load, when one of them reads it and nothing
    listens on its port yet (a `tributary sandbox serve-api` of your own is used as it is)."""
    port = config.sandbox_api_port()
    needed = any(pipelines.points_at_sandbox_api(name) for name in names)
    if not needed or _listening(config.SANDBOX_API_HOST, port):
        yield
        return
    from sandbox.api import ApiBehaviour, start_api_server

    behaviour = ApiBehaviour(token=config.sandbox_api_token())
    with start_api_server(config.sandbox_layout().api_db, behaviour, config.SANDBOX_API_HOST, port):
        yield


def load_sources(
    names: Sequence[str], warehouse: Path, progress: Callable[[str], None] = print
) -> list[LoadResult]:
    """Load `names` one after another into `warehouse` (the sandbox API up where needed)."""
    with sandbox_api_for(names):
        return pipelines.load(list(names), warehouse, progress)


def load(args: argparse.Namespace) -> None:
    names = args.sources or list(config.SOURCE_NAMES)
    unknown = sorted(set(names) - set(config.SOURCE_NAMES))
    if unknown:
        raise NotReadyError(
            f"unknown source(s): {', '.join(unknown)}",
            f"choose from {', '.join(config.SOURCE_NAMES)}",
        )
    if args.destination:
        os.environ["TRIBUTARY_DESTINATION"] = args.destination
    config.destination_name()  # an unknown destination fails here, before anything loads
    warehouse = config.warehouse_path()
    location = config.destination_location()
    started = time.perf_counter()
    say(f"Loading {', '.join(names)} into {location} ...")
    results = load_sources(names, warehouse, progress=say)
    print_summary(results, time.perf_counter() - started)
    failed = [r for r in results if r.outcome == "failed"]
    for result in failed:
        say(f"{result.source_name} failed: {result.error_message}")
    if config.destination_name() == "postgres":
        _warn_if_dbt_looks_elsewhere()
    say(f"Run log: audit.ingestion_runs in {location}.")
    if failed:
        names = ", ".join(r.source_name for r in failed)
        raise TributaryError(
            f"{len(failed)} of {len(results)} source(s) failed to load: {names}",
            "read each one's reason above (and in audit.ingestion_runs), fix it, load again",
        )


def _warn_if_dbt_looks_elsewhere() -> None:
    """dlt's credentials may come from a URL or .dlt/secrets.toml, which dbt cannot read; say so
    when dbt's postgres target would build in another database than the one just loaded."""
    credentials = config.postgres_credentials()
    loaded = {
        "host": str(credentials.host),
        "port": str(credentials.port),
        "username": str(credentials.username),
        "database": str(credentials.database),
    }
    seen = config.postgres_seen_by_dbt()
    if loaded != seen:
        say(
            "Warning: dbt's postgres target reads DESTINATION__POSTGRES__CREDENTIALS__HOST, "
            "__PORT, __USERNAME, __PASSWORD and __DATABASE and would connect to "
            f"postgresql://{seen['username']}@{seen['host']}:{seen['port']}/{seen['database']}; "
            "set them to the database loaded here."
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
    show(table)
    total = sum(r.rows_loaded for r in results)
    say(f"Loaded {total:,} rows from {len(results)} source(s) in {seconds:.1f}s.")


def register(commands: argparse._SubParsersAction) -> None:
    add_command(
        commands,
        "load",
        load,
        "load sources into the warehouse with dlt (all six by default)",
        "tributary load shop crm",
        option("sources", nargs="*", metavar="SOURCE", help=", ".join(config.SOURCE_NAMES)),
        option(
            "--destination",
            choices=config.DESTINATIONS,
            help="where dlt loads (default: TRIBUTARY_DESTINATION, else duckdb)",
        ),
    )
