"""Running the project's dbt as a subprocess, the way a developer does, with its output shown."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def dbt_executable() -> str:
    """The dbt beside this Python (the project's .venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


def run_dbt(args: Sequence[str], project_dir: Path = ROOT) -> int:
    """dbt with the repository's profiles.yml (or the project copy's own); returns its exit code.

    Output streams straight through: these commands are run by people and CI, who need dbt's
    progress lines as they come."""
    env = dict(os.environ)
    env["DBT_PROFILES_DIR"] = str(project_dir)
    env["DBT_PROJECT_DIR"] = str(project_dir)
    return subprocess.run([dbt_executable(), *args], cwd=project_dir, env=env).returncode
