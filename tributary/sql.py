"""SQL that Python writes for DuckDB (and PostgreSQL): names quoted, values bound, and
transactions that leave nothing half-done.

Names that come from the project's yml or the warehouse's catalog (a schema, a table, a column)
may hold a space, a quote, a reserved word or capitals: each goes through `identifier`, never
straight into an f-string. A value goes in as a bind parameter (`?`) wherever DuckDB takes one;
`literal` is for the places where it does not, or not reliably: ATTACH's path, a file that a
view's definition reads, COPY's target and options (a parameter there is bound before the
query's, so the two cannot mix).

This module is the bottom layer: it imports none of the project's code.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import duckdb


def identifier(name: str) -> str:
    """`name` as a quoted identifier: in double quotes, each double quote doubled (SQL's rule,
    DuckDB's and PostgreSQL's). Quoted, a name is read as written, capitals included."""
    return '"' + name.replace('"', '""') + '"'


def relation(*parts: str) -> str:
    """A qualified name, every part quoted: `"raw_shop"."orders"` for ("raw_shop", "orders")."""
    return ".".join(identifier(part) for part in parts)


def literal(value: str) -> str:
    """`value` as a string literal: in single quotes, each single quote doubled. Only where a
    bind parameter cannot go."""
    return "'" + value.replace("'", "''") + "'"


@contextlib.contextmanager
def transaction(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All the statements of the block, or none: commit when the block ends, roll back when it
    raises (and raise on). A connection that failed in a transaction is usable again after."""
    connection.execute("begin transaction")
    try:
        yield
        connection.execute("commit")
    except BaseException:
        # A commit that failed has ended the transaction itself: nothing is left to roll back.
        with contextlib.suppress(duckdb.TransactionException):
            connection.execute("rollback")
        raise


def create_table(schema: str, table: str, columns: str) -> str:
    """The schema and the table, each unless it exists, as one script; `columns` are the
    table's column definitions in SQL (`name type [not null], ...`)."""
    return (
        f"create schema if not exists {identifier(schema)};\n"
        f"create table if not exists {relation(schema, table)} ({columns});\n"
    )
