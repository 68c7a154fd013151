"""The linkage as a step beside dbt, for a warehouse whose dbt adapter runs no Python models.

On DuckDB, `dbt build` runs the linkage itself: int_customer_pairs__scored is a dbt Python
model. dbt-postgres (like dbt-spark in session mode) runs SQL only, so there the build runs in
three steps (`tributary dev build --target postgres`): dbt builds the linkage's input and
everything it needs (`+pii_customer_records`); this step reads those records, runs the same
linkage (tributary/resolution/linkage.py, with the seed the model's yml configures) and writes
the pairs where dbt would have, as the relation the model names; then dbt builds the rest,
which refs that relation as on DuckDB. The model stays one node in the docs, lineage and
slim CI on every warehouse; only who runs it differs.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import yaml

from tributary import config, dbt
from tributary.errors import NotReadyError, TributaryError
from tributary.resolution.linkage import LinkageRun, LinkageSettings, link

LINKAGE_MODEL = "int_customer_pairs__scored"
LINKAGE_INPUT = "pii_customer_records"
PAIRS_RELATION = ("intermediate", LINKAGE_MODEL)
RECORDS_RELATION = ("restricted", LINKAGE_INPUT)
# The adapters whose dbt runs Python models in this project's setup (in-process).
RUNS_PYTHON_MODELS = ("duckdb",)
# The first part of a build beside the linkage: what the linkage reads, and the access policy
# its pairs are granted by; its artefacts go under the target path, in FIRST_PART_DIR.
FIRST_PART = (f"+{LINKAGE_INPUT}", "access_policy")
FIRST_PART_DIR = "before_linkage"
POSTGRES_TYPES = {
    pa.string(): "text",
    pa.large_string(): "text",
    pa.float64(): "double precision",
    pa.bool_(): "boolean",
}


def adapter_of(target: str) -> str:
    """The adapter type of a target of the project's profiles.yml."""
    profiles = yaml.safe_load((config.project_dir() / "profiles.yml").read_text())
    outputs = profiles["tributary"]["outputs"]
    if target not in outputs:
        raise NotReadyError(
            f"profiles.yml has no target {target!r}", f"choose one of {', '.join(outputs)}"
        )
    return str(outputs[target]["type"])


def build(
    target: str, target_path: Path, extra_args: Sequence[str], say: Callable[[str], None]
) -> list[subprocess.CompletedProcess[str]]:
    """`dbt build` on `target`: one invocation where the adapter runs Python models, else the
    three steps of the module's docstring. Returns each dbt invocation; stops at a failure."""
    common = ["--target", target, *extra_args]
    if adapter_of(target) in RUNS_PYTHON_MODELS:
        return [dbt.run("dbt", ["build", *common, "--target-path", str(target_path)])]
    say(f"Build on {target}: its adapter runs no Python models; the linkage runs beside dbt.")
    # cautious: a test with a parent outside this part waits for the part that builds it
    first_part = [*common, "--target-path", str(target_path / FIRST_PART_DIR)]
    first = dbt.run(
        "dbt", ["build", *first_part, "--select", *FIRST_PART, "--indirect-selection", "cautious"]
    )
    if first.returncode != 0:
        return [first]
    run = link_on_postgres(linkage_node(target_path / FIRST_PART_DIR / "manifest.json"))
    say(f"{run.summary()}; written to {'.'.join(PAIRS_RELATION)}, charts in reports/resolution/.")
    rest = dbt.run(
        "dbt",
        [
            "build",
            *common,
            "--target-path",
            str(target_path),
            "--exclude",
            *FIRST_PART,
            f"{LINKAGE_MODEL},resource_type:model",
            "--indirect-selection",
            "cautious",
        ],
    )
    return [first, rest]


@dataclass(frozen=True)
class LinkageNode:
    """What the project's manifest says of the linkage model: its settings (the yml's
    config), its classification, and the access-policy seed's relation (for its grants)."""

    settings: LinkageSettings
    classification: str
    access_policy: str


def linkage_node(manifest: Path) -> LinkageNode:
    """The linkage model as a manifest of the project describes it."""
    nodes = json.loads(manifest.read_text())["nodes"]
    by_name = {node["name"]: node for node in nodes.values()}
    if LINKAGE_MODEL not in by_name or "access_policy" not in by_name:
        raise TributaryError(f"{manifest} has no model {LINKAGE_MODEL}", "run `dbt parse` first")
    model, policy = by_name[LINKAGE_MODEL], by_name["access_policy"]
    return LinkageNode(
        settings=LinkageSettings(
            seed=int(model["config"]["linkage_seed"]),
            keep_above_probability=float(model["config"]["keep_above_probability"]),
            reports_dir=config.reports_dir() / "resolution",
        ),
        classification=model["config"]["meta"]["classification"],
        access_policy=f"{policy['schema']}.{policy['alias']}",
    )


def link_on_postgres(node: LinkageNode) -> LinkageRun:
    """Read the records from the PostgreSQL warehouse, link them, write the pairs back, granted
    to the roles the access policy allows for the model's classification (what dbt's
    on-run-end hook does for the relations dbt builds)."""
    import psycopg2
    from psycopg2.extras import execute_values

    credentials = config.postgres_credentials()
    connection = psycopg2.connect(
        host=credentials.host,
        port=credentials.port,
        user=credentials.username,
        password=credentials.password,
        dbname=credentials.database,
    )
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(f"select * from {'.'.join(RECORDS_RELATION)}")
            columns = [column.name for column in cursor.description]
            rows = cursor.fetchall()
            records = pa.Table.from_pylist([dict(zip(columns, row, strict=True)) for row in rows])
            run = link(records, node.settings)
            schema, table = PAIRS_RELATION
            definition = ", ".join(
                f'"{field.name}" {POSTGRES_TYPES[field.type]}' for field in run.pairs.schema
            )
            # one transaction: the next build sees the old pairs or the new, never half
            cursor.execute(f"create schema if not exists {schema}")
            cursor.execute(f"drop table if exists {schema}.{table}")
            cursor.execute(f"create table {schema}.{table} ({definition})")
            execute_values(
                cursor,
                f"insert into {schema}.{table} values %s",
                [tuple(row.values()) for row in run.pairs.to_pylist()],
            )
            cursor.execute(
                f"select role from {node.access_policy} where classification = %s",
                [node.classification],
            )
            for (role,) in cursor.fetchall():
                cursor.execute(f'grant usage on schema {schema} to "{role}"')
                cursor.execute(f'grant select on {schema}.{table} to "{role}"')
    except psycopg2.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise TributaryError(
            f"the linkage step on {config.postgres_location()} failed: {first_line}",
            "check that the first part of the build made restricted.pii_customer_records",
        ) from exc
    finally:
        connection.close()
    return run
