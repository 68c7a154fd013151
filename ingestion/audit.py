"""`audit.ingestion_runs`: one row per source per load, whatever its outcome.

Written by the ingestion command after dlt has released the warehouse (one writer at a time),
so that an auditor can see every load: what ran, when, for how long, how many rows per table,
which dlt load ids it produced, and why it failed when it did.

The row goes where the load went: into the DuckDB warehouse file, or, on PostgreSQL, through
the pipeline's own dlt SQL client (the same credentials and connection settings as the load),
with the same columns in PostgreSQL's types.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from tributary.sql import create_table

if TYPE_CHECKING:
    import dlt

# One column list for DuckDB and PostgreSQL, in the order `_values` gives them: {double} is
# `double precision` in PostgreSQL, which has no `double`; json in both (PostgreSQL's `jsonb`
# would reorder the keys).
COLUMNS = (
    "run_id varchar not null, pipeline_name varchar not null, source_name varchar not null,"
    " dataset_name varchar not null, started_at timestamptz not null,"
    " finished_at timestamptz not null, duration_seconds {double} not null,"
    " outcome varchar not null, rows_loaded bigint not null, rows_by_table json,"
    " load_ids varchar[], error_message varchar"
)
DDL = create_table("audit", "ingestion_runs", COLUMNS.format(double="double"))
POSTGRES_DDL = create_table("audit", "ingestion_runs", COLUMNS.format(double="double precision"))


@dataclass
class LoadResult:
    """What one source's load did."""

    run_id: str
    pipeline_name: str
    source_name: str
    dataset_name: str
    started_at: datetime
    finished_at: datetime
    outcome: str  # loaded | no_new_data | failed
    rows_by_table: dict[str, int] = field(default_factory=dict)
    load_ids: list[str] = field(default_factory=list)
    error_message: str | None = None

    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def rows_loaded(self) -> int:
        return sum(self.rows_by_table.values())


def record(warehouse: Path, result: LoadResult, pipeline: dlt.Pipeline | None = None) -> None:
    """Append `result` to `audit.ingestion_runs`: in the DuckDB file `warehouse`, or through
    `pipeline`'s SQL client when the pipeline loads into another destination (PostgreSQL)."""
    if pipeline is not None and pipeline.destination.destination_name != "duckdb":
        _record_through(pipeline, result)
        return
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(DDL)
        connection.execute(
            "insert into audit.ingestion_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _values(result),
        )


def _values(result: LoadResult) -> list[Any]:
    return [
        result.run_id,
        result.pipeline_name,
        result.source_name,
        result.dataset_name,
        result.started_at,
        result.finished_at,
        result.duration_seconds,
        result.outcome,
        result.rows_loaded,
        json.dumps(result.rows_by_table),
        result.load_ids,
        result.error_message,
    ]


def _record_through(pipeline: dlt.Pipeline, result: LoadResult) -> None:
    """One insert in one transaction, over the connection dlt itself would use. The pipeline
    need not have loaded anything: a run that failed before reaching the destination is
    recorded too (the SQL client works without a schema)."""
    with pipeline.sql_client() as client, client.begin_transaction():
        client.execute_sql(POSTGRES_DDL)
        client.execute_sql(
            "insert into audit.ingestion_runs values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s,"
            " %s, %s)",
            *_values(result),
        )
