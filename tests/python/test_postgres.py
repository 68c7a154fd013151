"""Portability: the same sandbox, loaded by dlt's postgres destination and built by
`dbt build --target postgres` on a real PostgreSQL server, stages exactly what DuckDB stages.

Each test gets a database of its own on the server (created with a unique name, dropped at the
end), so runs never see each other's data. The server is the one `make postgres-up` prepares
(or whatever DESTINATION__POSTGRES__CREDENTIALS__* point at); the test starts it when it is
installed but down. It skips, saying why, only when no server can be reached or started, and
fails instead when TRIBUTARY_REQUIRE_POSTGRES=1 (CI sets it: .ci/run starts the server).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg2
import pytest

from tests.python.conftest import BuiltWarehouse, Workspace, free_port, run_dbt
from tests.python.helpers import warehouse_count, warehouse_rows
from tributary import config
from tributary.resolution import step

ROOT = Path(__file__).resolve().parents[2]


def _connect(database: str) -> psycopg2.extensions.connection:
    credentials = config.postgres_credentials()
    return psycopg2.connect(
        host=credentials.host,
        port=credentials.port,
        user=credentials.username,
        password=credentials.password,
        dbname=database,
        connect_timeout=5,
    )


def _reachable() -> str | None:
    """None when the configured server answers, else why not."""
    try:
        _connect("postgres").close()
    except psycopg2.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The server's location; started (never installed) with `make postgres-up` if it is down."""
    location = config.postgres_location()
    problem = _reachable()
    if problem:
        started = subprocess.run(
            ["make", "--no-print-directory", "-s", "postgres-up", "PG_INSTALL=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        problem = _reachable()
        if problem:
            reason = (
                f"no PostgreSQL server: {location} is unreachable ({problem}) and "
                f"`make postgres-up` could not start one: "
                f"{(started.stdout + started.stderr).strip()[-500:]}"
            )
            if os.environ.get("TRIBUTARY_REQUIRE_POSTGRES") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
    return location


@pytest.fixture
def database(postgres_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database of the test's own; dlt and dbt both point at it; dropped at the end."""
    name = f"tributary_test_{uuid.uuid4().hex[:12]}"
    credentials = config.postgres_credentials()
    admin = _connect("postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'create database "{name}"')
        # The single parts, which both dlt and dbt's postgres target read (profiles.yml).
        for part, value in {
            "HOST": credentials.host,
            "PORT": credentials.port,
            "USERNAME": credentials.username,
            "PASSWORD": credentials.password,
            "DATABASE": name,
        }.items():
            monkeypatch.setenv(f"DESTINATION__POSTGRES__CREDENTIALS__{part}", str(value))
        monkeypatch.setenv("DBT_PROFILES_DIR", str(ROOT))
        monkeypatch.setenv("DBT_PROJECT_DIR", str(ROOT))
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def _run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env or dict(os.environ),
        capture_output=True,
        text=True,
        timeout=900,
    )


def _dbt(*args: str, target_dir: Path, workspace: Path) -> subprocess.CompletedProcess:
    """dbt on PostgreSQL (no DuckDB file is opened: `workspace` is only where it runs)."""
    warehouse = workspace / "tributary.duckdb"
    return run_dbt(*args, env=os.environ, target_dir=target_dir, warehouse=warehouse)


def _load(destination: str, *sources: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **extra_env)
    return _run(
        sys.executable, "-m", "tributary", "load", "--destination", destination, *sources, env=env
    )


def _pg_rows(database: str, sql: str) -> list[tuple]:
    with _connect(database) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    connection.close()
    return rows


def _pg_count(database: str, relation: str) -> int:
    return int(_pg_rows(database, f"select count(*) from {relation}")[0][0])


def _built_relations(target: Path, results: list[dict] | None = None) -> dict[str, str]:
    """unique_id -> schema.relation of every model, seed and snapshot the build made (its
    `results`, else those of the target's run_results.json)."""
    manifest = json.loads((target / "manifest.json").read_text())
    if results is None:
        results = json.loads((target / "run_results.json").read_text())["results"]
    built = {r["unique_id"] for r in results if r["status"] == "success"}
    return {
        uid: f"{node['schema']}.{node['alias']}"
        for uid, node in manifest["nodes"].items()
        if uid in built and node["resource_type"] in ("model", "seed", "snapshot")
    }


def test_the_sandbox_builds_on_postgres_as_on_duckdb(
    workspace: Workspace,
    built_sandbox: BuiltWarehouse,
    database: str,
    tmp_path: Path,
    report: Callable[[str], None],
) -> None:
    # The reference is the session's DuckDB build of the same test sandbox (conftest):
    # `workspace` is a copy of the sandbox it loaded, loaded here into PostgreSQL.
    assert built_sandbox.build.returncode == 0, built_sandbox.build.stdout[-4000:]
    duckdb_warehouse = built_sandbox.warehouse
    # dlt into PostgreSQL, every source and the audit log.
    loaded = _load("postgres")
    assert loaded.returncode == 0, loaded.stdout[-3000:] + loaded.stderr[-3000:]
    assert "audit.ingestion_runs in postgresql://" in " ".join(loaded.stdout.split())
    audit = _pg_rows(
        database,
        "select source_name, outcome, rows_loaded, rows_by_table::text, load_ids"
        " from audit.ingestion_runs order by started_at",
    )
    assert [(s, o) for s, o, *_ in audit] == [(s, "loaded") for s in config.SOURCE_NAMES]
    for _, _, rows, by_table, load_ids in audit:
        assert rows == sum(json.loads(by_table).values()) > 0
        assert len(load_ids) == 1

    # Raw rows and the audit row count match the DuckDB load, table for table.
    duck_audit = warehouse_rows(
        duckdb_warehouse,
        "select source_name, rows_loaded from audit.ingestion_runs order by started_at",
    )
    assert [(s, n) for s, _, n, *_ in audit] == duck_audit
    pg_columns = _pg_rows(
        database,
        "select column_name from information_schema.columns where table_schema = 'audit'"
        " and table_name = 'ingestion_runs' order by ordinal_position",
    )
    duck_columns = warehouse_rows(
        duckdb_warehouse,
        "select column_name from information_schema.columns where table_schema = 'audit'"
        " and table_name = 'ingestion_runs' order by ordinal_position",
    )
    assert pg_columns == duck_columns

    # The full build with its tests on PostgreSQL: dbt-postgres runs no Python models, so
    # `tributary dev build` runs the linkage of entity resolution beside dbt, between a first
    # dbt invocation (what the linkage reads) and a second (the rest).
    pg_target = tmp_path / "pg_target"
    pg_build = _run(
        sys.executable, "-m", "tributary", "dev", "build", "--target", "postgres",
        "--target-path", str(pg_target), "--", "--log-path", str(tmp_path / "pg_logs"),
    )  # fmt: skip
    assert pg_build.returncode == 0, pg_build.stdout[-6000:] + pg_build.stderr[-2000:]
    assert "the linkage runs beside dbt" in pg_build.stdout

    invocations = [
        json.loads(path.read_text())
        for path in (pg_target / step.FIRST_PART_DIR / "run_results.json",
                     pg_target / "run_results.json")
    ]  # fmt: skip
    results = [result for invocation in invocations for result in invocation["results"]]
    # exposures are listed too, as `no-op`: dbt builds nothing for a consumer
    statuses = {r["unique_id"]: r["status"] for r in results if r["unique_id"][:9] != "exposure."}
    # `warn`: tests configured to report, not fail (orders quarantined upstream, say)
    assert set(statuses.values()) <= {"pass", "success", "warn"}, {
        uid: status for uid, status in statuses.items() if status not in ("pass", "success", "warn")
    }
    # every node once: what the first invocation built, the second did not build again (the
    # on-run-end hooks, `operation.`, run in each)
    nodes = [
        r["unique_id"]
        for r in results
        if not r["unique_id"].startswith(("exposure.", "operation."))
    ]
    assert len(nodes) == len(set(nodes))
    # The dbt audit log on PostgreSQL: each invocation, node for node, with the rows the
    # adapter reports (PostgreSQL does, for seeds and tables).
    logged: dict[str, str] = {}
    for invocation in invocations:
        invocation_id = invocation["metadata"]["invocation_id"]
        nodes = [r for r in invocation["results"] if not r["unique_id"].startswith("operation.")]
        assert _pg_rows(
            database,
            "select command, status, nodes_total, nodes_failed from audit.dbt_runs"
            f" where invocation_id = '{invocation_id}'",
        ) == [("build", "success", len(nodes), 0)]
        # less the on-run-end hooks themselves (the audit log, the grants)
        logged_now = dict(
            _pg_rows(
                database,
                "select unique_id, status from audit.dbt_node_results"
                f" where invocation_id = '{invocation_id}'",
            )
        )
        assert logged_now == {r["unique_id"]: r["status"] for r in nodes}
        logged.update(logged_now)
    seeded = _pg_rows(
        database,
        "select rows_affected from audit.dbt_node_results"
        f" where invocation_id = '{invocations[0]['metadata']['invocation_id']}'"
        " and node_name = 'countries'",
    )
    assert seeded == [(_pg_count(database, "staging.countries"),)]

    relations = _built_relations(pg_target, results)
    # and the linkage's pairs, which the step beside dbt wrote where the model names them
    relations["linkage"] = ".".join(step.PAIRS_RELATION)
    staging = {uid: rel for uid, rel in relations.items() if rel.startswith("staging.stg_")}
    assert len(staging) >= 13

    vault = config.restricted_warehouse_path(duckdb_warehouse)
    counts = {
        rel: (
            _pg_count(database, rel),
            # on DuckDB the vault's schema is in its own database file
            warehouse_count(vault if rel.startswith("restricted.") else duckdb_warehouse, rel),
        )
        for rel in relations.values()
    }
    # Staging filters nothing on either warehouse: the same rows, model for model.
    staged = {rel: counts[rel] for rel in staging.values()}
    assert {rel: pg for rel, (pg, _) in staged.items()} == {
        rel: duck for rel, (_, duck) in staged.items()
    }
    # And every other relation the build made (seeds, intermediate, marts, snapshots) too.
    assert {rel: c for rel, c in counts.items() if c[0] != c[1]} == {}

    # Grants follow the access policy: every relation is readable by exactly the roles its
    # classification allows (seeds/governance/access_policy.csv), raw_* by none of them.
    expected = _policy_readers(pg_target, results)
    granted = _pg_select_grants(database)
    assert {rel: granted.get(rel, set()) for rel in expected} == expected
    assert expected["restricted.pii_customers"] == {"privacy_officer"}
    # the linkage's pairs, written beside dbt, are granted as the model's classification says
    pairs = ".".join(step.PAIRS_RELATION)
    assert granted.get(pairs) == expected["intermediate.int_customers__resolved"]
    assert "reporter" in expected["marts.fct_orders"]
    raw_grants = {rel: roles for rel, roles in granted.items() if rel.startswith("raw_")}
    assert raw_grants == {}

    tests = sum(uid.startswith(("test.", "unit_test.")) for uid in statuses)
    report(
        f"postgres: {len(relations)} relations ({len(staging)} staging) built, {tests} tests "
        f"passed, row counts equal to DuckDB's for all {len(counts)}"
    )

    # A failed run is in PostgreSQL's audit log too, with its reason.
    failed = _load("postgres", "reviews", SOURCES__REVIEWS__TOKEN="not-the-token")
    assert failed.returncode == 1
    outcome, message = _pg_rows(
        database,
        "select outcome, error_message from audit.ingestion_runs order by started_at desc limit 1",
    )[0]
    assert outcome == "failed"
    assert message

    # A failed dbt run is in PostgreSQL's audit log too, with the database's message.
    with _connect(database) as connection, connection.cursor() as cursor:
        cursor.execute("alter table raw_fx.rates rename to rates_withheld")
    connection.close()
    broken = _dbt("run", "--target", "postgres", "-s", "stg_fx__rates",
                  "--log-path", str(tmp_path / "pg_logs"),
                  target_dir=tmp_path / "pg_failed", workspace=tmp_path)  # fmt: skip
    assert broken.returncode == 1, broken.stdout[-3000:]
    ((status, failed_nodes),) = _pg_rows(
        database,
        "select status, nodes_failed from audit.dbt_runs order by started_at desc limit 1",
    )
    assert (status, failed_nodes) == ("failed", 1)
    (message,) = _pg_rows(
        database,
        "select message from audit.dbt_node_results where node_name = 'stg_fx__rates'"
        " and status = 'error'",
    )[0]
    assert "raw_fx.rates" in message


def _policy_readers(target: Path, results: list[dict]) -> dict[str, set[str]]:
    """schema.relation -> the roles the access policy lets read it, for every relation built."""
    with (ROOT / "seeds" / "governance" / "access_policy.csv").open() as policy_file:
        policy = list(csv.DictReader(policy_file))
    manifest = json.loads((target / "manifest.json").read_text())
    readers: dict[str, set[str]] = {}
    for uid, relation in _built_relations(target, results).items():
        classification = manifest["nodes"][uid]["config"]["meta"]["classification"]
        readers[relation] = {r["role"] for r in policy if r["classification"] == classification}
    return readers


def _pg_select_grants(database: str) -> dict[str, set[str]]:
    """schema.relation -> the roles granted SELECT on it (the owner's own privileges aside)."""
    granted: dict[str, set[str]] = {}
    for schema, table, grantee in _pg_rows(
        database,
        "select table_schema, table_name, grantee from information_schema.role_table_grants"
        " where privilege_type = 'SELECT' and grantee <> current_user",
    ):
        granted.setdefault(f"{schema}.{table}", set()).add(grantee)
    return granted


def test_an_unreachable_server_fails_the_load_and_says_why(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No server needed: nothing listens on the port, so the load and its audit row both fail,
    and the command says so instead of crashing."""
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS__HOST", "127.0.0.1")
    monkeypatch.setenv("DESTINATION__POSTGRES__CREDENTIALS__PORT", str(free_port()))

    run = _load("postgres", "crm")

    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    flat = " ".join(run.stdout.split())
    assert "crm failed:" in flat
    assert "audit row not written" in flat
