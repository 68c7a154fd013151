"""Shared fixtures: a small generated sandbox and a fresh warehouse per test.

Everything is real: the generator writes files and a SQLite database, dlt loads them into a
DuckDB file, and the sandbox API runs as an HTTP server on a free port.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingestion.sandbox.generator import generate
from ingestion.settings import SandboxLayout

TEST_SCALE = 0.05  # 250 customers, 2,500 orders, ~50,000 events: seconds, not minutes
TEST_SEED = 7


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def pristine_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated once per session; tests copy it before changing anything."""
    root = tmp_path_factory.mktemp("pristine") / "sandbox"
    generate(root, seed=TEST_SEED, scale=TEST_SCALE, progress=lambda _: None)
    return root


@dataclass
class Workspace:
    """A sandbox and a warehouse of one test's own, wired through the environment."""

    sandbox: SandboxLayout
    warehouse: Path
    api_port: int


@pytest.fixture
def workspace(
    pristine_sandbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Workspace]:
    sandbox = tmp_path / "sandbox"
    shutil.copytree(pristine_sandbox, sandbox)
    warehouse = tmp_path / "warehouse" / "tributary.duckdb"
    port = free_port()
    monkeypatch.setenv("TRIBUTARY_SANDBOX_DIR", str(sandbox))
    monkeypatch.setenv("TRIBUTARY_WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("TRIBUTARY_SANDBOX_API_PORT", str(port))
    monkeypatch.setenv("SOURCES__FX__BASE_URL", f"http://127.0.0.1:{port}/v1/")
    monkeypatch.setenv("SOURCES__REVIEWS__BASE_URL", f"http://127.0.0.1:{port}/")
    # Retries stay real but short, so a test of 429s and 500s takes seconds.
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0.05")
    monkeypatch.setenv("RUNTIME__REQUEST_MAX_RETRY_DELAY", "1")
    yield Workspace(SandboxLayout(sandbox), warehouse, port)
