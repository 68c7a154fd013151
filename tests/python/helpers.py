"""Reading what landed, for assertions: the warehouse, the shop database, the ground truth;
and what a test needs from the machine (Elementary's packages)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import duckdb
import pytest

from tributary.config import SandboxLayout
from tributary.quality import elementary


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


def packages_or_skip() -> Path:
    """The folder of Elementary's and dbt_utils' dbt packages; without it the test skips, saying
    why, unless TRIBUTARY_REQUIRE_ELEMENTARY=1 (CI sets it where ../shared has the packages),
    where it fails instead."""
    give_up = pytest.fail if os.environ.get("TRIBUTARY_REQUIRE_ELEMENTARY") == "1" else pytest.skip
    folder = elementary.local_packages_dir()
    if folder is None:
        give_up(
            "TRIBUTARY_PACKAGES_DIR is not set: Elementary's catching of the anomalies needs "
            "checkouts of its dbt package and dbt_utils (docs/quality.md)"
        )
    problems = elementary.check_local_packages(folder)
    if problems:
        give_up(f"TRIBUTARY_PACKAGES_DIR={folder} is not usable: {'; '.join(problems)}")
    return folder
