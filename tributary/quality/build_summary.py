"""What the last dbt command did and what the warehouse now serves, for the end of `make demo`.

dbt's own summary line counts nodes; a person who ran the demo wants to know which marts exist,
how many rows they hold, and where to find the details. This reads dbt's `run_results.json`
and the warehouse (read-only) and prints both.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

# The serving layers: what analysts, BI and the churn model read (DESIGN.md schemas).
SERVING_SCHEMAS = ("marts", "ml", "snapshots")


@dataclass(frozen=True)
class DbtRun:
    """The outcome of one dbt invocation, counted by node type and status."""

    command: str
    elapsed_seconds: float
    counts: Counter[tuple[str, str]]

    def line(self) -> str:
        by_type: dict[str, Counter[str]] = {}
        for (node_type, status), count in self.counts.items():
            by_type.setdefault(node_type, Counter())[status] += count
        parts = [
            f"{sum(statuses.values())} {node_type}s ("
            + ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
            + ")"
            for node_type, statuses in sorted(by_type.items())
        ]
        return f"dbt {self.command} in {self.elapsed_seconds:.0f}s: " + "; ".join(parts)


def last_dbt_run(target_path: Path) -> DbtRun | None:
    results_file = target_path / "run_results.json"
    if not results_file.exists():
        return None
    results = json.loads(results_file.read_text())
    counts: Counter[tuple[str, str]] = Counter(
        (result["unique_id"].split(".")[0], result["status"]) for result in results["results"]
    )
    command = results.get("args", {}).get("which", "command")
    return DbtRun(command, float(results.get("elapsed_time", 0.0)), counts)


def serving_tables(warehouse: Path) -> list[tuple[str, str, str, int]]:
    """(schema, relation, type, rows) of every relation in the serving schemas."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        relations = connection.execute(
            f"""
            select table_schema, table_name, table_type
            from information_schema.tables
            where table_schema in ({", ".join("?" for _ in SERVING_SCHEMAS)})
            order by table_schema, table_name
            """,
            list(SERVING_SCHEMAS),
        ).fetchall()
        return [
            (
                schema,
                name,
                "view" if kind == "VIEW" else "table",
                int(connection.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]),
            )
            for schema, name, kind in relations
        ]
