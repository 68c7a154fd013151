"""The SQL that retention, erasure and the content check write, on names the yml may give them:
a schema, table or column with a space, a double quote, a reserved word or capitals is quoted
(tributary/sql.py), and a failure inside a transaction leaves the warehouse and the audit log
as they were, with the connection usable. Real DuckDB files, through the Python API: no dbt
project, no build, so each test runs in a second or two."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tributary import sql
from tributary.governance import actions, erasure, retention
from tributary.governance.warehouse import Warehouse, open_for_governance

TODAY = dt.date(2026, 11, 3)
ERASED = 7  # the customer who asked to be forgotten
ERASED_EMAIL = "ann.erased@example.com"

# Names as a yml may declare them: spaces and capitals, double quotes, reserved words (`select`,
# `order`), a hyphen.
SCHEMA = "Raw Shop"
ACCOUNTS = 'Customer "Accounts"'
CONTACTS = "select"
LINES = "Raw Lines"
PII_COLUMNS = ("E-Mail Address", 'Street "Name"', "order")


@pytest.fixture
def connection(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A warehouse (in a folder whose name has a quote: ATTACH's path is a literal) with the
    vault attached, as the governance commands open it."""
    warehouse = tmp_path / "it's here" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    duckdb.connect(str(warehouse)).close()
    with open_for_governance(warehouse) as governed:
        yield governed


def _create(connection: duckdb.DuckDBPyConnection, schema: str, table: str, columns: str) -> str:
    connection.execute(f"create schema if not exists {sql.identifier(schema)}")
    connection.execute(f"create table {sql.relation(schema, table)} ({columns})")
    return sql.relation(schema, table)


def _erasure_sources(connection: duckdb.DuckDBPyConnection) -> None:
    """One erasure request, the vault's record of its person, and three source tables (one per
    kind of match) with awkward names, each holding a row of the person and one of another."""
    _create(connection, "raw_shop", "erasure_requests", "request_id bigint, customer_id bigint")
    connection.execute("insert into raw_shop.erasure_requests values (1, ?)", [ERASED])
    connection.execute("create schema restricted.restricted")
    connection.execute(
        "create table restricted.restricted.pii_customers (customer_key varchar,"
        " source_system varchar, source_record_id varchar, email varchar, phone varchar)"
    )
    connection.execute(
        "insert into restricted.restricted.pii_customers values"
        " ('k7', 'shop', ?, ?, '+4930123456'), ('k8', 'shop', '8', 'bob@example.com', null)",
        [str(ERASED), ERASED_EMAIL],
    )
    pii = ", ".join(f"{sql.identifier(column)} varchar" for column in PII_COLUMNS)
    accounts = _create(connection, SCHEMA, ACCOUNTS, f"customer_id bigint, {pii}")
    connection.execute(
        f"insert into {accounts} values (?, ?, 'Main St', 'x'), (8, 'bob@example.com', 'Elm', 'y')",
        [ERASED, ERASED_EMAIL],
    )
    contacts = _create(
        connection,
        SCHEMA,
        CONTACTS,
        'contact_id varchar, email varchar, phone varchar, "Country Name" varchar',
    )
    connection.execute(
        f"insert into {contacts} values ('c1', ?, '030 123456', 'Germany'),"
        " ('c2', 'bob@example.com', null, 'Germany')",
        [ERASED_EMAIL.upper()],  # staging lower-cases emails before it masks them
    )
    # Staging's phone reference: phones are read in the country that `Country Name` names.
    _create(
        connection,
        "staging",
        "countries",
        "country_code varchar, calling_code varchar, trunk_prefix varchar",
    )
    _create(connection, "staging", "country_aliases", "alias varchar, country_code varchar")
    connection.execute("insert into staging.countries values ('DE', '49', '0')")
    connection.execute("insert into staging.country_aliases values ('germany', 'DE')")
    lines = _create(connection, SCHEMA, LINES, '"Raw ""Line""" varchar')
    connection.execute(
        f"insert into {lines} values (?), ('bob@example.com;Elm')", [f"{ERASED_EMAIL};Main St"]
    )


def _erasure_plan() -> erasure.ErasurePlan:
    def target(
        table: str, match: str, action: str, option: str | None = None
    ) -> erasure.ErasureTarget:
        pii_columns = PII_COLUMNS if table == ACCOUNTS else ()
        return erasure.ErasureTarget(
            f"source shop.{table}", SCHEMA, table, match, action, pii_columns, option
        )

    return erasure.ErasurePlan(
        targets=[
            target(ACCOUNTS, "customer_id", "anonymize"),
            target(CONTACTS, "identity", "delete", "Country Name"),
            target(LINES, "text", "delete", 'Raw "Line"'),
        ]
    )


def test_erasure_quotes_every_name_that_meta_declares(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    _erasure_sources(connection)
    # The accounts table's cold archive, as an earlier retention run left it: in folders named
    # as the schema and the table, and logged (erasure removes files of runs never logged).
    month = tmp_path / "archive" / SCHEMA / ACCOUNTS / "archive_month=2020-01"
    archived = month / "earlier_0.parquet"
    month.mkdir(parents=True)
    connection.execute(
        f"copy {sql.relation(SCHEMA, ACCOUNTS)} to ? (format parquet)", [str(archived)]
    )
    actions.ensure_table(connection)
    actions.record(connection, actions.GovernanceAction("earlier", "archive", "...", TODAY, 2))

    _, results = erasure.apply_erasure(
        connection, _erasure_plan(), TODAY, tmp_path / "archive", progress=lambda _: None
    )

    rows = {result.relation: result.rows for result in results}
    assert rows == {
        f"{SCHEMA}.{ACCOUNTS}": 2,  # the hot row and the archived one
        f"{SCHEMA}.{CONTACTS}": 1,  # its email in capitals, its phone read as +4930123456
        f"{SCHEMA}.{LINES}": 1,
        "restricted.pii_customers": 1,
    }
    accounts = f"select * from {sql.relation(SCHEMA, ACCOUNTS)} order by customer_id"
    anonymized = [(ERASED, None, None, None), (8, "bob@example.com", "Elm", "y")]
    assert connection.execute(accounts).fetchall() == anonymized
    rewritten = connection.execute(
        "select * from read_parquet(?) order by customer_id", [str(archived)]
    ).fetchall()
    assert [row[:4] for row in rewritten] == anonymized
    contacts = connection.execute(f"select contact_id from {sql.relation(SCHEMA, CONTACTS)}")
    assert contacts.fetchall() == [("c2",)]
    lines = connection.execute(f"select * from {sql.relation(SCHEMA, LINES)}").fetchall()
    assert lines == [("bob@example.com;Elm",)]
    logged = connection.execute(
        "select relation, rows_affected from audit.governance_actions"
        " where action like 'erasure_%' order by relation"
    ).fetchall()
    assert logged == [
        (f"{SCHEMA}.{ACCOUNTS}", 1),
        (f"{SCHEMA}.{LINES}", 1),
        (f"{SCHEMA}.{CONTACTS}", 1),
        (f"archive:{SCHEMA}.{ACCOUNTS}", 1),
        ("restricted.pii_customers", 1),
    ]


def _audit_log_refusing(connection: duckdb.DuckDBPyConnection, relation: str) -> list[tuple]:
    """audit.governance_actions with an earlier run's row for `relation`, and one row per
    relation allowed: the action's own statements succeed, then its log row fails, inside its
    transaction. Returns the log's rows."""
    actions.ensure_table(connection)
    actions.record(connection, actions.GovernanceAction("earlier", "archive", relation, TODAY, 0))
    connection.execute("create unique index one_row_each on audit.governance_actions (relation)")
    return connection.execute("select * from audit.governance_actions").fetchall()


def test_a_failed_erasure_leaves_the_warehouse_and_the_log_unchanged(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    _create(connection, "raw_shop", "erasure_requests", "request_id bigint, customer_id bigint")
    connection.execute("insert into raw_shop.erasure_requests values (1, ?)", [ERASED])
    _create(connection, "raw_shop", "customers", "customer_id bigint, email varchar")
    connection.execute(
        "insert into raw_shop.customers values (?, 'a@x.org'), (8, 'b@x.org')", [ERASED]
    )
    before = connection.execute("select * from raw_shop.customers order by all").fetchall()
    logged = _audit_log_refusing(connection, "raw_shop.customers")
    target = erasure.ErasureTarget(
        "source shop.customers", "raw_shop", "customers", "customer_id", "anonymize", ("email",)
    )

    with pytest.raises(duckdb.ConstraintException):
        erasure.apply_erasure(
            connection, erasure.ErasurePlan([target]), TODAY, tmp_path / "archive", lambda _: None
        )

    # Read through the same connection: the transaction was rolled back, not left open.
    after = connection.execute("select * from raw_shop.customers order by all").fetchall()
    assert after == before
    assert connection.execute("select * from audit.governance_actions").fetchall() == logged


def _events(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str
) -> retention.RetentionPolicy:
    """A raw table, two of its three rows past a 30-day retention."""
    events = _create(connection, schema, table, '"Event Id" int, "Occurred At" date')
    connection.execute(
        f"insert into {events} values (1, date '2026-01-15'), (2, date '2026-02-20'),"
        " (3, date '2026-11-01')"
    )
    # the date field is an SQL expression: a name in it that needs quoting is quoted there
    return retention.RetentionPolicy("source web.events", schema, table, 30, '"Occurred At"')


def test_retention_quotes_every_name_that_meta_declares(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    policy = _events(connection, "Raw Web", 'Events "Hot"')
    archive = tmp_path / "archive"

    (result,) = retention.apply_retention(
        connection, retention.RetentionPlan([policy]), TODAY, archive, lambda _: None
    )

    assert (result.rows_archived, result.rows_kept, len(result.files)) == (2, 1, 2)
    hot = connection.execute(
        f'select "Event Id" from {sql.relation(policy.schema, policy.table)}'
    ).fetchall()
    assert hot == [(3,)]
    history = connection.execute(
        f'select "Event Id", archive_month from {retention.history_view(policy)} order by 1'
    ).fetchall()
    assert history == [(1, "2026-01"), (2, "2026-02"), (3, None)]
    logged = connection.execute("select relation, rows_affected from audit.governance_actions")
    assert logged.fetchall() == [('Raw Web.Events "Hot"', 2)]


def test_a_failed_retention_leaves_the_warehouse_the_log_and_the_archive_unchanged(
    connection: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    policy = _events(connection, "raw_web", "events")
    archive = tmp_path / "archive"
    logged = _audit_log_refusing(connection, policy.relation)

    with pytest.raises(duckdb.ConstraintException):
        retention.apply_retention(
            connection, retention.RetentionPlan([policy]), TODAY, archive, lambda _: None
        )

    hot = connection.execute(
        f'select "Event Id" from {sql.relation(policy.schema, policy.table)} order by 1'
    ).fetchall()
    assert hot == [(1,), (2,), (3,)]
    assert connection.execute("select * from audit.governance_actions").fetchall() == logged
    assert not list(archive.rglob("*.parquet"))


def test_the_content_check_samples_columns_with_awkward_names(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        table = _create(connection, 'Sales "EU"', "Order", '"Select" varchar, "E-Mail" varchar')
        connection.execute(f"insert into {table} values ('a', null), (null, 'b@x.org')")
    warehouse = Warehouse(path)
    try:
        assert warehouse.sample('Sales "EU"', "Order", "Select") == ["a"]
        assert warehouse.sample('Sales "EU"', "Order", "E-Mail") == ["b@x.org"]
    finally:
        warehouse.close()
