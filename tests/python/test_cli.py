"""The command line as a user runs it: `tributary ...` in a subprocess."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.python.conftest import BuiltWarehouse, Workspace
from tests.python.helpers import warehouse_count


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tributary", *args],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_generate_if_missing_keeps_the_sandbox(workspace: Workspace) -> None:
    state = workspace.sandbox.state_file.read_text()

    kept = run_cli("sandbox", "generate", "--if-missing")

    assert kept.returncode == 0, kept.stderr
    assert "already" in kept.stdout
    assert workspace.sandbox.state_file.read_text() == state


def test_load_prints_a_summary_and_fails_on_an_unknown_source(workspace: Workspace) -> None:
    loaded = run_cli("load", "crm", "fx")

    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "Ingestion summary" in loaded.stdout
    assert "raw_crm" in loaded.stdout and "raw_fx" in loaded.stdout
    assert "audit.ingestion_runs" in loaded.stdout

    unknown = run_cli("load", "erp")
    assert unknown.returncode == 2
    assert unknown.stderr.splitlines() == [
        "tributary load: error: unknown source(s): erp; choose from shop, crm, web, telemetry, "
        "fx, reviews."
    ]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_api_answers_until_stopped(workspace: Workspace, stop_signal: int) -> None:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tributary",
            "sandbox",
            "serve-api",
            "--port",
            str(workspace.api_port),
        ],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        latest = None
        for _ in range(100):
            try:
                url = f"http://127.0.0.1:{workspace.api_port}/v1/latest?symbols=USD"
                with urllib.request.urlopen(url, timeout=2) as response:
                    latest = json.loads(response.read())
                break
            except OSError:
                time.sleep(0.1)
        assert latest is not None and latest["base"] == "EUR" and "USD" in latest["rates"]
    finally:
        server.send_signal(stop_signal)
        out, _ = server.communicate(timeout=30)
    assert server.returncode == 0
    assert "stopped" in out


def test_summary_names_the_marts_and_their_rows(built_sandbox: BuiltWarehouse) -> None:
    summarized = subprocess.run(
        [sys.executable, "-m", "tributary", "summary", "--target-path", str(built_sandbox.target)],
        env=built_sandbox.env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert summarized.returncode == 0, summarized.stdout + summarized.stderr
    assert "dbt build in" in summarized.stdout
    orders = warehouse_count(built_sandbox.warehouse, "marts.fct_orders")
    # a table row: the relation, its type and its row count, whatever the table's borders
    assert re.search(rf"fct_orders\W+table\W+{orders:,}\b", summarized.stdout)


def test_summary_without_a_warehouse_says_what_to_run(workspace: Workspace) -> None:
    summarized = run_cli("summary", "--target-path", str(workspace.warehouse.parent))

    assert summarized.returncode == 2
    assert "make demo" in summarized.stderr
