"""dbt reads what dlt loaded: source tests pass and every source is fresh after a load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.pipelines import load
from ingestion.settings import SOURCE_NAMES
from tests.python.conftest import Workspace

ROOT = Path(__file__).resolve().parents[2]


def dbt(*args: str, target_dir: Path) -> subprocess.CompletedProcess:
    """Run the project's dbt on the test's warehouse (TRIBUTARY_WAREHOUSE_PATH is set)."""
    env = dict(os.environ, DBT_PROFILES_DIR=str(ROOT), DBT_PROJECT_DIR=str(ROOT))
    command = [str(Path(sys.executable).parent / "dbt"), *args, "--target-path", str(target_dir)]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.fixture
def loaded(workspace: Workspace) -> Workspace:
    results = load(list(SOURCE_NAMES), workspace.warehouse, progress=lambda _: None)
    assert all(r.outcome == "loaded" for r in results), [r.error_message for r in results]
    return workspace


def test_source_tests_pass_on_loaded_data(loaded: Workspace, tmp_path: Path) -> None:
    run = dbt("build", "--select", "source:*", "--log-path", str(tmp_path), target_dir=tmp_path)

    assert run.returncode == 0, run.stdout[-4000:]
    results = json.loads((tmp_path / "run_results.json").read_text())["results"]
    assert len(results) >= 50  # every source table carries tests
    assert {r["status"] for r in results} == {"pass"}


def test_every_source_is_fresh_after_a_load(loaded: Workspace, tmp_path: Path) -> None:
    run = dbt("source", "freshness", "--log-path", str(tmp_path), target_dir=tmp_path)

    assert run.returncode == 0, run.stdout[-4000:]
    sources = json.loads((tmp_path / "sources.json").read_text())["results"]
    checked = {r["unique_id"].split(".")[2] for r in sources}
    assert checked == set(SOURCE_NAMES)
    assert {r["status"] for r in sources} == {"pass"}
