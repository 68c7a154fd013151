"""The landing zone: CRM exports (CSV), clickstream (gzipped JSON lines), telemetry (Parquet).

Each source lists its files with dlt's `filesystem` resource (a local folder by default, any
fsspec URL such as `s3://bucket/landing` by configuration) and reads each file into one Arrow
table, so no row ever becomes a Python dict.

Each file is loaded once: the resource state remembers every file loaded and its modification
time, and that state is committed in the same load package as the rows. A file delivered again
with a new modification time is read again and *replaces* its earlier rows (merge on
`_source_file`), so neither a re-run nor a re-delivery duplicates anything.

Bad input:
- a CSV line that cannot be parsed (wrong number of columns, invalid UTF-8) is not dropped: it
  lands in `<table>_rejected` with the file, line number, error type and the raw line;
- a file that cannot be parsed at all (a truncated gzip, a corrupt Parquet footer) fails the load
  with `LandingFileError` naming the file, and nothing of that run is loaded.

A load killed at any moment and run again loses and duplicates nothing: the file list in the
state only moves with a completed package, and the (file, row) primary key deduplicates a job
that a resumed package copies twice.
"""

from __future__ import annotations

import gzip
import io
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import dlt
import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.json as pa_json
import pyarrow.parquet as pq
from dlt.common.schema.typing import TSchemaContract
from dlt.sources import DltResource
from dlt.sources.filesystem import FileItemDict, filesystem

MERGE_ON_FILE = {"disposition": "merge", "strategy": "delete-insert"}
# A row is identified by its file and its position there: a load package that dlt resumes after
# a crash may copy a file's rows into the staging table twice, and the primary key is what lets
# the merge keep one copy. The merge key replaces a re-delivered file's rows as a whole.
FILE_ROW_KEY = ["_source_file", "_source_row"]


class LandingFileError(RuntimeError):
    """A landing file that cannot be parsed at all."""


# A reader yields (table name or None for the resource's own table, Arrow table).
Reader = Callable[[FileItemDict], Iterator[tuple[str | None, pa.Table]]]


def _file_reader(name: str, read: Reader) -> Callable[[list[FileItemDict]], Iterator]:
    def read_new_files(page: list[FileItemDict]) -> Iterator:
        loaded: dict[str, str] = dlt.current.resource_state().setdefault("loaded_files", {})
        for item in sorted(page, key=lambda f: f["relative_path"]):
            modified = item["modification_date"].isoformat()
            if loaded.get(item["relative_path"]) == modified:
                continue
            try:
                for table_name, table in read(item):
                    with_lineage = _with_lineage(table, item)
                    yield (
                        dlt.mark.with_table_name(with_lineage, table_name)
                        if table_name
                        else with_lineage
                    )
            except LandingFileError:
                raise
            except (OSError, EOFError, zlib.error, pa.ArrowInvalid, duckdb.Error) as exc:
                raise LandingFileError(
                    f"{name}: cannot parse landing file {item['relative_path']}: {exc}"
                ) from exc
            loaded[item["relative_path"]] = modified

    read_new_files.__name__ = f"read_{name}"
    return read_new_files


def _with_lineage(table: pa.Table, item: FileItemDict) -> pa.Table:
    """Every raw row says which landing file brought it in, and where in the file it was."""
    rows = table.num_rows
    source_file = pa.repeat(pa.scalar(item["relative_path"], pa.string()), rows)
    modified = pa.repeat(pa.scalar(item["modification_date"], pa.timestamp("us", "UTC")), rows)
    position = pa.array(np.arange(rows, dtype=np.int64))
    return (
        table.append_column(pa.field("_source_file", pa.string(), nullable=False), source_file)
        .append_column(pa.field("_source_row", pa.int64(), nullable=False), position)
        .append_column(pa.field("_source_modified_at", modified.type, nullable=False), modified)
    )


def _local_path(item: FileItemDict, suffix: str) -> tuple[str, tempfile.TemporaryDirectory | None]:
    """A path DuckDB can open: the file itself when local, else a temporary copy."""
    if item["file_url"].startswith("file://"):
        return item.local_file_path, None
    folder = tempfile.TemporaryDirectory()
    path = Path(folder.name) / f"landing{suffix}"
    path.write_bytes(item.read_bytes())
    return str(path), folder


# New columns evolve (a field that appears mid-period is a new column); a column changing type
# fails the load (a key turning from integer to text is a bug upstream, not data).
CONTRACT: TSchemaContract = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}


def landing_resource(
    bucket_url: str, source: str, glob: str, table: str, read: Reader
) -> DltResource:
    """The files matching `glob` below the landing zone, each read once into `table`."""
    files = filesystem(bucket_url=bucket_url, file_glob=glob, files_per_page=500)
    return (files | dlt.transformer(_file_reader(source, read), name=table)).apply_hints(
        write_disposition=MERGE_ON_FILE,
        merge_key="_source_file",
        primary_key=FILE_ROW_KEY,
        schema_contract=CONTRACT,
    )


# ---------------------------------------------------------------- CRM contact exports


def read_crm_export(item: FileItemDict) -> Iterator[tuple[str | None, pa.Table]]:
    """Every field as text (dates come in three formats; staging parses them), and every line
    DuckDB's CSV reader rejects kept with its reason in `contacts_rejected`."""
    path, folder = _local_path(item, ".csv")
    try:
        with duckdb.connect() as connection:
            contacts = connection.execute(
                "select * from read_csv(?, header = true, all_varchar = true, strict_mode = true,"
                " store_rejects = true, rejects_table = 'rejects', rejects_scan = 'scans')",
                [path],
            ).to_arrow_table()
            rejected = connection.execute(
                """
                select
                    line as line_number,
                    string_agg(distinct error_type, '; ' order by error_type) as error_type,
                    string_agg(error_message, '; ' order by column_idx) as error_message,
                    any_value(csv_line) as raw_line
                from rejects
                group by line
                order by line
                """
            ).to_arrow_table()
    finally:
        if folder:
            folder.cleanup()
    yield None, contacts
    if rejected.num_rows:
        yield "contacts_rejected", rejected


@dlt.source(name="crm")
def crm_source(bucket_url: str = dlt.config.value) -> DltResource:
    """Daily CRM contact exports: `contacts` and `contacts_rejected`."""
    return landing_resource(bucket_url, "crm", "crm/*.csv", "contacts", read_crm_export)


# ---------------------------------------------------------------- clickstream

# The fields every event has, typed; any other field (one that appears mid-period) is inferred
# and becomes a new column. Timestamps stay text: their offsets differ by client.
EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("event_type", pa.string()),
        ("event_timestamp", pa.string()),
        ("anonymous_id", pa.string()),
        ("user_id", pa.int64()),
        ("device_type", pa.string()),
        ("app_version", pa.string()),
        ("page_url", pa.string()),
        ("product_id", pa.int64()),
        ("order_id", pa.int64()),
    ]
)


def read_events(item: FileItemDict) -> Iterator[tuple[str | None, pa.Table]]:
    data = gzip.decompress(item.read_bytes())
    if not data.strip():
        return
    options = pa_json.ParseOptions(explicit_schema=EVENT_SCHEMA, unexpected_field_behavior="infer")
    yield None, pa_json.read_json(io.BytesIO(data), parse_options=options)


@dlt.source(name="web")
def web_source(bucket_url: str = dlt.config.value) -> DltResource:
    """Clickstream events, as delivered: duplicates and late events included."""
    return landing_resource(bucket_url, "web", "clickstream/**/*.jsonl.gz", "events", read_events)


# ---------------------------------------------------------------- delivery telemetry


def read_readings(item: FileItemDict) -> Iterator[tuple[str | None, pa.Table]]:
    yield None, pq.read_table(io.BytesIO(item.read_bytes()))


@dlt.source(name="telemetry")
def telemetry_source(bucket_url: str = dlt.config.value) -> DltResource:
    """Sensor readings per shipment, impossible values and all (cleansing is dbt's job)."""
    return landing_resource(
        bucket_url, "telemetry", "telemetry/**/*.parquet", "readings", read_readings
    )
