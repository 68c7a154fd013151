"""`audit.governance_actions`: one row per retention or erasure action, append-only.

What an auditor asks of each action: what was done (archive, erase, anonymize), to which
relation, how many rows, on which effective date ("today" as the command saw it), which files
it wrote or rewrote, and whether it completed. Written in the same transaction as the change it
records, so that a row here means the change happened.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from tributary.sql import create_table

# The columns in the order `record` gives them.
COLUMNS = (
    "action_id varchar not null, run_id varchar not null, action varchar not null,"
    " relation varchar not null, effective_date date not null, performed_at timestamptz not null,"
    " rows_affected bigint not null, outcome varchar not null, files varchar[], detail json"
)
DDL = create_table("audit", "governance_actions", COLUMNS)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class GovernanceAction:
    run_id: str
    action: str  # archive, erase, anonymize
    relation: str
    effective_date: date
    rows_affected: int
    outcome: str = "done"
    files: list[str] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    action_id: str = field(default_factory=new_id)
    performed_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def ensure_table(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(DDL)


def record(connection: duckdb.DuckDBPyConnection, action: GovernanceAction) -> None:
    """Append the action; the caller's transaction decides whether it stands."""
    connection.execute(
        "insert into audit.governance_actions values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            action.action_id,
            action.run_id,
            action.action,
            action.relation,
            action.effective_date,
            action.performed_at,
            action.rows_affected,
            action.outcome,
            action.files,
            json.dumps(action.detail, sort_keys=True, default=str),
        ],
    )


def recorded_run_ids(connection: duckdb.DuckDBPyConnection, action: str) -> set[str]:
    """The runs whose `action` committed (their files are part of the archive)."""
    rows = connection.execute(
        "select distinct run_id from audit.governance_actions where action = ?", [action]
    ).fetchall()
    return {row[0] for row in rows}
