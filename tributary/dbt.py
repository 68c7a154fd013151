"""The one runner for the project's command-line tools: dbt, edr (Elementary's CLI) and
dbt-bouncer, each the version pinned in requirements.txt and installed beside this Python.

dbt always runs in the project directory, with the project's profiles.yml unless
DBT_PROFILES_DIR says otherwise, so a command gives the same result from any folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tributary import config
from tributary.errors import NotReadyError, TributaryError


def executable(tool: str) -> str:
    """The tool installed beside this Python (the project's .venv), else the one on PATH."""
    beside = Path(sys.executable).parent / tool
    if beside.exists():
        return str(beside)
    found = shutil.which(tool)
    if found:
        return found
    raise NotReadyError(f"{tool} is not installed", "run `make setup` (installs requirements.txt)")


def environment(
    project_dir: Path | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment dbt runs in: this one, pointed at `project_dir` when given (a copy of
    the project has its own profiles.yml), else at the project with its profiles by default."""
    env = dict(os.environ)
    if project_dir is not None:
        env["DBT_PROJECT_DIR"] = env["DBT_PROFILES_DIR"] = str(project_dir)
    else:
        env.setdefault("DBT_PROFILES_DIR", str(config.project_dir()))
    env.update(extra or {})
    return env


def run(
    tool: str,
    args: Sequence[str],
    *,
    project_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    capture: bool = False,
    log: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `tool args` in the project directory and wait for it.

    Output streams through by default (people and CI want dbt's progress as it comes);
    `capture` keeps it in the result instead, `log` writes it to a file. `env` replaces the
    environment that `environment()` would give (a command that must set its own).
    """
    command = [executable(tool), *args]
    cwd = project_dir or config.project_dir()
    environ = dict(env) if env is not None else environment(project_dir)
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as handle:
            return subprocess.run(
                command, cwd=cwd, env=environ, stdout=handle, stderr=subprocess.STDOUT, text=True
            )
    return subprocess.run(command, cwd=cwd, env=environ, capture_output=capture, text=True)


def parse(target_path: Path, project_dir: Path | None = None) -> Path:
    """`dbt parse` into `target_path`, so that the manifest says what the yml says now; the
    manifest's path."""
    parsed = run(
        "dbt",
        ["parse", "--quiet", "--target-path", str(target_path)],
        project_dir=project_dir,
        capture=True,
    )
    if parsed.returncode != 0:
        last = (parsed.stdout + parsed.stderr).strip().splitlines()[-5:]
        raise TributaryError(
            f"dbt parse failed, so there is no manifest: {' '.join(last)}",
            "fix the project until `dbt parse` passes (make lint shows where)",
        )
    return target_path / "manifest.json"
