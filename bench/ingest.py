"""Benchmark: each source's dlt load against DuckDB reading the same data directly.

    python bench/ingest.py --scale 1

Generates a sandbox at the given scale in a temporary folder (or uses --sandbox), then for each
source, in the same process: a dlt load into a fresh DuckDB file, and the baseline, DuckDB
itself reading the same landing files into a table (read_csv, read_json, read_parquet, or the
SQLite file attached). Prints rows per second for both and their ratio. Timings are noisy on a
shared machine: compare ratios from one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

import duckdb

from sandbox.generator import generate
from tributary.cli.load import load_sources
from tributary.config import SOURCE_NAMES, SandboxLayout

SHOP_TABLES = (
    "customers",
    "products",
    "orders",
    "order_items",
    "payments",
    "shipments",
    "erasure_requests",
)


def load_sqlite_extension(connection: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Load DuckDB's SQLite scanner from the `duckdb-extension-sqlite` wheel, offline.

    The wheel ships the binary as `sqlite.duckdb_extension`; DuckDB derives the entry point from
    the file name, so it is loaded from a copy named after the extension's real name.
    """
    spec = find_spec("duckdb_extension_sqlite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("duckdb-extension-sqlite is not installed (see requirements.txt)")
    package = Path(next(iter(spec.submodule_search_locations)))
    binary = next(package.glob(f"extensions/v{duckdb.__version__}/*.duckdb_extension"))
    target = folder / "sqlite_scanner.duckdb_extension"
    shutil.copyfile(binary, target)
    connection.execute(f"load '{target}'")


def baseline(source: str, layout: SandboxLayout, work: Path) -> tuple[int, float]:
    """Rows read and seconds taken by DuckDB reading the source's data directly."""
    landing = layout.landing
    with duckdb.connect(str(work / f"baseline_{source}.duckdb")) as connection:
        started = time.perf_counter()
        if source == "crm":
            statements = [
                f"create table t as select * from read_csv('{landing}/crm/*.csv', header = true, "
                "all_varchar = true, store_rejects = true)"
            ]
        elif source == "web":
            statements = [
                f"create table t as select * from read_json('{landing}/clickstream/**/*.jsonl.gz',"
                " format = 'newline_delimited', union_by_name = true)"
            ]
        elif source == "telemetry":
            statements = [
                f"create table t as select * from read_parquet('{landing}/telemetry/**/*.parquet')"
            ]
        else:
            load_sqlite_extension(connection, work)
            database = layout.shop_db if source == "shop" else layout.api_db
            tables = (
                SHOP_TABLES
                if source == "shop"
                else ("fx_rates",)
                if source == "fx"
                else ("reviews",)
            )
            started = time.perf_counter()
            connection.execute(f"attach '{database}' as src (type sqlite, read_only)")
            statements = [f"create table {t} as select * from src.{t}" for t in tables]
        for statement in statements:
            connection.execute(statement)
        seconds = time.perf_counter() - started
        tables = [
            row[0]
            for row in connection.execute(
                "select table_name from duckdb_tables() where database_name = current_database()"
            ).fetchall()
        ]
        rows = sum(
            connection.execute(f"select count(*) from {table}").fetchone()[0] for table in tables
        )
    return rows, seconds


def baseline_in_subprocess(source: str, root: Path, work: Path) -> tuple[int, float]:
    """Run the baseline in a fresh interpreter: DuckDB's SQLite scanner bundles its own SQLite,
    which crashes a process where Python's sqlite3 (used by dlt's sql_database) is loaded."""
    command = [sys.executable, __file__, "--baseline", source, "--sandbox", str(root)]
    command += ["--work", str(work)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
    return int(output[-2]), float(output[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sandbox", type=Path, help="use this sandbox instead of generating one")
    parser.add_argument("--baseline", choices=SOURCE_NAMES, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        rows, seconds = baseline(args.baseline, SandboxLayout(args.sandbox), args.work)
        print(rows, seconds)
        return 0

    with tempfile.TemporaryDirectory(prefix="tributary-bench-") as temp:
        work = Path(temp)
        root = args.sandbox or work / "sandbox"
        if not args.sandbox:
            print(f"Generating a sandbox at scale {args.scale} ...")
            started = time.perf_counter()
            generate(root, seed=args.seed, scale=args.scale, progress=lambda _: None)
            print(f"  generated in {time.perf_counter() - started:.1f}s")
        os.environ["TRIBUTARY_SANDBOX_DIR"] = str(root)
        warehouse = work / "warehouse" / "bench.duckdb"
        os.environ["TRIBUTARY_WAREHOUSE_PATH"] = str(warehouse)
        lines = []
        for source in SOURCE_NAMES:
            [result] = load_sources([source], warehouse, progress=lambda _: None)
            if result.outcome != "loaded":
                print(f"{source}: load {result.outcome}: {result.error_message}")
                return 1
            rows, seconds = baseline_in_subprocess(source, root, work)
            dlt_rate = result.rows_loaded / result.duration_seconds
            duck_rate = rows / seconds
            lines.append(
                f"| {source:<9} | {result.rows_loaded:>10,} | {result.duration_seconds:>7.2f} | "
                f"{dlt_rate:>11,.0f} | {rows:>10,} | {seconds:>7.2f} | {duck_rate:>11,.0f} | "
                f"{duck_rate / dlt_rate:>6.1f}x |"
            )
        print(f"\nScale {args.scale}, seed {args.seed}, DuckDB {duckdb.__version__}:\n")
        print(
            "| source | dlt rows | dlt (s) | dlt rows/s | duckdb rows | duckdb (s) "
            "| duckdb rows/s | duckdb/dlt |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for line in lines:
            print(line)
        print("\nBenchmark done: dlt loads vs DuckDB direct reads of the same data, same run.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
