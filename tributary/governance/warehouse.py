"""What the built warehouse holds, for the content half of the check: each relation's columns and
a sample of its string values (read-only: the check never writes to the warehouse); and the
warehouse opened for writing, with the vault attached, for retention and erasure."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tributary import sql
from tributary.config import restricted_warehouse_path
from tributary.errors import NotReadyError

# Values sampled per string column: enough to see what a column holds, few enough that the
# whole project is sampled in seconds. The first rows of a scan, not a random sample, so that
# the same warehouse always gives the same answer.
SAMPLE_SIZE = 500

STRING_TYPES = ("VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR")


class WarehouseUnavailableError(Exception):
    """The warehouse cannot be read (missing, or locked by a running build)."""


@dataclass(frozen=True)
class WarehouseColumn:
    name: str
    data_type: str

    @property
    def is_string(self) -> bool:
        return self.data_type.upper().split("(")[0] in STRING_TYPES


class Warehouse:
    """A DuckDB warehouse file opened read-only."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise WarehouseUnavailableError(f"no warehouse at {path}")
        try:
            self._connection = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:  # a dbt build holding the write lock, say
            raise WarehouseUnavailableError(f"{path} cannot be opened: {exc}") from exc
        self.path = path
        rows = self._connection.execute(
            "select table_schema, table_name, column_name, data_type"
            " from information_schema.columns order by table_schema, table_name, ordinal_position"
        ).fetchall()
        self._columns: dict[tuple[str, str], list[WarehouseColumn]] = {}
        for schema, table, column, data_type in rows:
            self._columns.setdefault((schema.lower(), table.lower()), []).append(
                WarehouseColumn(column, data_type)
            )

    def columns(self, schema: str, table: str) -> list[WarehouseColumn] | None:
        """The relation's columns, or None when the warehouse has no such relation."""
        return self._columns.get((schema.lower(), table.lower()))

    def sample(self, schema: str, table: str, column: str) -> list[str]:
        """Up to SAMPLE_SIZE non-null values of the column, as text (names as the catalog
        spells them: each is quoted)."""
        name = sql.identifier(column)
        rows = self._connection.execute(
            f"select cast({name} as varchar) from {sql.relation(schema, table)}"
            f" where {name} is not null limit ?",
            [SAMPLE_SIZE],
        ).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        self._connection.close()


@contextlib.contextmanager
def open_for_governance(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse for writing, with the vault's file attached as `restricted` (as the
    runner's dbt targets attach it): retention and erasure change both."""
    if not warehouse.exists():
        raise NotReadyError(f"no warehouse at {warehouse}", "load and build first (make demo)")
    connection = duckdb.connect(str(warehouse))
    try:
        vault = restricted_warehouse_path(warehouse)
        # ATTACH takes no bind parameter: the path goes in as a literal
        connection.execute(f"attach {sql.literal(str(vault))} as restricted")
        yield connection
    finally:
        connection.close()
