"""Bad input is kept with a reason or fails loudly; a killed load loses and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

from tests.python.conftest import Workspace
from tests.python.helpers import defects, warehouse_count, warehouse_rows
from tributary.cli.load import load_sources


def test_corrupted_csv_lines_are_kept_with_their_reason(workspace: Workspace) -> None:
    [result] = load_sources(["crm"], workspace.warehouse, progress=lambda _: None)

    assert result.outcome == "loaded"
    truth = defects(workspace.sandbox)
    rejected = warehouse_rows(
        workspace.warehouse,
        "select error_type, _source_file, raw_line from raw_crm.contacts_rejected",
    )
    assert len(rejected) == truth["crm.wrong_column_count"] + truth["crm.bad_encoding"]
    kinds = {kind for kind, _, _ in rejected}
    assert kinds <= {"TOO MANY COLUMNS", "MISSING COLUMNS", "INVALID ENCODING"}
    assert sum("ENCODING" in kind for kind in kinds) >= 1
    assert all(path.startswith("crm/contacts_") and line for _, path, line in rejected)


def test_a_truncated_gzip_fails_the_load_naming_the_file(workspace: Workspace) -> None:
    files = sorted(workspace.sandbox.clickstream_dir.rglob("*.jsonl.gz"))
    broken = files[len(files) // 2]
    whole = broken.read_bytes()
    broken.write_bytes(whole[: len(whole) // 2])

    [result] = load_sources(["web"], workspace.warehouse, progress=lambda _: None)

    assert result.outcome == "failed"
    assert str(broken.relative_to(workspace.sandbox.landing)) in result.error_message
    assert "cannot parse landing file" in result.error_message
    # Nothing of the run is half-loaded: not even the files before the broken one.
    assert warehouse_rows(
        workspace.warehouse,
        "select count(*) from information_schema.tables where table_schema = 'raw_web' "
        "and table_name = 'events'",
    ) == [(0,)]
    failed = warehouse_rows(
        workspace.warehouse, "select outcome, error_message from audit.ingestion_runs"
    )
    assert failed[0][0] == "failed" and broken.name in failed[0][1]

    # Once the file is delivered whole, everything loads, exactly once.
    broken.write_bytes(whole)
    [retry] = load_sources(["web"], workspace.warehouse, progress=lambda _: None)
    assert retry.outcome == "loaded"
    truth = defects(workspace.sandbox)
    assert warehouse_count(workspace.warehouse, "raw_web.events") == truth["web.events_written"]


def test_a_key_changing_type_fails_loudly(workspace: Workspace) -> None:
    load_sources(["telemetry"], workspace.warehouse, progress=lambda _: None)
    folder = workspace.sandbox.telemetry_dir / "date=2099-01-01"
    folder.mkdir()
    sample = pq.read_table(next(workspace.sandbox.telemetry_dir.rglob("*.parquet"))).slice(0, 5)
    as_text = sample.set_column(
        sample.schema.get_field_index("shipment_id"),
        "shipment_id",
        pa.array([f"S-{v}" for v in sample["shipment_id"].to_pylist()]),
    )
    pq.write_table(as_text, folder / "readings.parquet")
    before = warehouse_count(workspace.warehouse, "raw_telemetry.readings")

    [result] = load_sources(["telemetry"], workspace.warehouse, progress=lambda _: None)

    assert result.outcome == "failed"
    assert "shipment_id" in result.error_message
    assert warehouse_count(workspace.warehouse, "raw_telemetry.readings") == before


def test_a_load_killed_midway_and_run_again_loses_and_duplicates_nothing(
    workspace: Workspace,
) -> None:
    """Kill `load web` with SIGKILL at several moments of its run, then run it to the end."""
    command = [sys.executable, "-m", "tributary", "load", "web", "telemetry"]
    env = dict(os.environ)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    full_run = time.perf_counter() - started
    # Start over from an empty warehouse, now killing the load part-way, three times.
    for path in workspace.warehouse.parent.iterdir():
        subprocess.run(["rm", "-rf", str(path)], check=True)
    for fraction in (0.45, 0.65, 0.85):
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(full_run * fraction)
        process.send_signal(signal.SIGKILL)
        process.wait()
    finished = subprocess.run(command, env=env, capture_output=True, text=True)

    assert finished.returncode == 0, finished.stdout + finished.stderr
    truth = defects(workspace.sandbox)
    assert warehouse_count(workspace.warehouse, "raw_web.events") == truth["web.events_written"]
    assert (
        warehouse_count(workspace.warehouse, "raw_telemetry.readings")
        == (truth["telemetry.readings_written"])
    )
    # No landing file's rows twice: each file's row count is what the file holds.
    duplicated_files = warehouse_count(
        workspace.warehouse,
        "(select _source_file, count(distinct _dlt_load_id) as loads from raw_web.events "
        "group by 1 having loads > 1)",
    )
    assert duplicated_files == 0
