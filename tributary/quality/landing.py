"""The landing files' own row counts, for the reconciliation of landing files with raw.

Each file is read here, independently of the loader: the data lines after the header of a CRM
CSV export (a line the loader rejects is still a line of the file), the non-empty lines of a
gzipped JSON-lines clickstream file, the row count in a telemetry Parquet file's metadata. The
counts replace `audit.quality_landing_files`, which the dbt model
quality_landing_file_reconciliation compares with the raw rows of each file.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from tributary import config

# (entity, glob below the landing root, counter): the layout the file sources read.
Counter = Callable[[bytes], int]


def _csv_data_lines(content: bytes) -> int:
    lines = [line for line in content.split(b"\n") if line.strip()]
    return max(len(lines) - 1, 0)  # the header is not a row


def _json_lines(content: bytes) -> int:
    return sum(1 for line in gzip.decompress(content).split(b"\n") if line.strip())


LAYOUT: tuple[tuple[str, str, Counter | None], ...] = (
    ("contacts", "crm/*.csv", _csv_data_lines),
    ("events", "clickstream/**/*.jsonl.gz", _json_lines),
    ("readings", "telemetry/**/*.parquet", None),  # Parquet: the footer says how many rows
)


@dataclass(frozen=True)
class LandingFile:
    landing_path: str
    entity: str
    file_rows: int
    modified_at: dt.datetime


def count_landing_files(landing_url: str | None = None) -> list[LandingFile]:
    """Every landing file of the file sources, with its own row count."""
    fs, root = fsspec.core.url_to_fs(landing_url or config.landing_url())
    root = root.rstrip("/")
    counted = []
    for entity, pattern, counter in LAYOUT:
        for path in sorted(fs.glob(f"{root}/{pattern}")):
            relative = path[len(root) + 1 :]
            if counter is None:
                with fs.open(path, "rb") as handle:
                    rows = pq.ParquetFile(handle).metadata.num_rows
            else:
                rows = counter(fs.cat_file(path))
            modified = fs.modified(path)
            if modified.tzinfo is None:  # fsspec's local files: naive UTC on some versions
                modified = modified.replace(tzinfo=dt.UTC)
            counted.append(LandingFile(relative, entity, rows, modified))
    return counted


def write_counts(warehouse: Path, files: list[LandingFile]) -> None:
    """Replace audit.quality_landing_files with these counts (DuckDB warehouse)."""
    now = dt.datetime.now(dt.UTC)
    table = pa.table(
        {
            "landing_path": pa.array([f.landing_path for f in files], pa.string()),
            "entity": pa.array([f.entity for f in files], pa.string()),
            "file_rows": pa.array([f.file_rows for f in files], pa.int64()),
            "modified_at": pa.array([f.modified_at for f in files], pa.timestamp("us", "UTC")),
            "counted_at": pa.array([now] * len(files), pa.timestamp("us", "UTC")),
        }
    )
    with duckdb.connect(str(warehouse)) as connection:
        connection.register("counted", table)
        connection.execute("create schema if not exists audit")
        connection.execute(
            "create or replace table audit.quality_landing_files as select * from counted"
        )
