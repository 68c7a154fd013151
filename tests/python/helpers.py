"""Reading what landed, for assertions: the warehouse, the shop database, the ground truth."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import duckdb

from tributary.config import SandboxLayout


def warehouse_count(warehouse: Path, table: str, where: str = "true") -> int:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return int(connection.execute(f"select count(*) from {table} where {where}").fetchone()[0])


def warehouse_rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def shop_rows(layout: SandboxLayout, sql: str) -> list[tuple]:
    with sqlite3.connect(layout.shop_db) as connection:
        return connection.execute(sql).fetchall()


def api_rows(layout: SandboxLayout, sql: str) -> list[tuple]:
    with sqlite3.connect(layout.api_db) as connection:
        return connection.execute(sql).fetchall()


def defects(layout: SandboxLayout) -> dict[str, int]:
    return json.loads((layout.ground_truth / "defects.json").read_text())
