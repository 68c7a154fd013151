"""Whether Elementary (the monitoring layer) is on, and installing its dbt package.

The core build never needs a dbt package. Elementary's package and the dbt_utils it uses are
installed into the project's packages folder (`dbt_packages`, or TRIBUTARY_DBT_PACKAGES_PATH)
from one of two places:

- a local folder of package checkouts named by TRIBUTARY_PACKAGES_DIR, for machines without dbt
  Hub (air-gapped companies, CI runners): `$TRIBUTARY_PACKAGES_DIR/elementary` (Elementary's
  dbt package, dbt-data-reliability, at ELEMENTARY_VERSION) and `$TRIBUTARY_PACKAGES_DIR/dbt_utils`
  (dbt-utils, DBT_UTILS_VERSION or another 1.x). Checked and copied, never linked, so that the
  checkouts stay read-only;
- dbt Hub, only when asked (`make monitoring-deps HUB=1`): `dbt deps` of the small dependency
  project in `elementary/`, whose packages-install-path is the root's packages folder.

Monitoring is on when the package is installed at the version that the `elementary-data` CLI
(requirements.txt) matches. Nothing here reaches a network unless dbt Hub is asked for.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from tributary import config, dbt

# The dbt package and the CLI (`edr`, requirements.txt) must be the same version: edr's own dbt
# project reads the tables this package writes.
ELEMENTARY_VERSION = "0.25.1"
# Elementary's package asks for dbt_utils >=0.8.0,<2.0.0; 1.3.3 is the release tested here.
# dbt_utils's own dbt_project.yml carries no real version, so any 1.x checkout is accepted.
DBT_UTILS_VERSION = "1.3.3"
PACKAGES = ("elementary", "dbt_utils")
# Top-level parts of a checkout that dbt never reads: its own test projects and git history.
NOT_COPIED = {".git", ".github", "integration_tests"}

HOW_TO_TURN_ON = (
    "set TRIBUTARY_PACKAGES_DIR to a folder with checkouts of elementary "
    f"{ELEMENTARY_VERSION} and dbt_utils {DBT_UTILS_VERSION} (elementary/, dbt_utils/), or run "
    "`make monitoring-deps HUB=1` where dbt Hub is reachable (docs/quality.md)"
)


@dataclass(frozen=True)
class Status:
    """Whether monitoring is on, and the one line that says so."""

    on: bool
    line: str


def _project_file(package_dir: Path) -> dict:
    path = package_dir / "dbt_project.yml"
    return yaml.safe_load(path.read_text()) if path.exists() else {}


def installed_version(folder: Path | None = None) -> str | None:
    """The version of the Elementary package in `folder` (default: the packages folder)."""
    version = _project_file((folder or config.packages_dir()) / "elementary").get("version")
    return str(version) if version else None


def _has_dbt_utils(folder: Path) -> bool:
    return _project_file(folder / "dbt_utils").get("name") == "dbt_utils"


def status() -> Status:
    """On when the right Elementary and a dbt_utils are installed; never installs anything."""
    version = installed_version()
    where = config.packages_dir()
    if version == ELEMENTARY_VERSION and _has_dbt_utils(where):
        return Status(True, f"Monitoring is on: Elementary {version} is installed in {where}.")
    if version:
        return Status(
            False,
            f"Monitoring is off: Elementary {version} in {where} is not {ELEMENTARY_VERSION}, "
            f"the version of the edr CLI; to turn it on, {HOW_TO_TURN_ON}.",
        )
    return Status(
        False, f"Monitoring is off: Elementary is not installed; to turn it on, {HOW_TO_TURN_ON}."
    )


def local_packages_dir() -> Path | None:
    configured = os.environ.get("TRIBUTARY_PACKAGES_DIR")
    return Path(configured).expanduser().resolve() if configured else None


def check_local_packages(folder: Path) -> list[str]:
    """What is wrong with a folder of package checkouts (nothing: an empty list)."""
    problems = []
    version = installed_version(folder)
    if version is None:
        problems.append(f"no Elementary package at {folder / 'elementary'} (dbt_project.yml)")
    elif version != ELEMENTARY_VERSION:
        problems.append(
            f"{folder / 'elementary'} is Elementary {version}, not {ELEMENTARY_VERSION} "
            "(the version of the edr CLI in requirements.txt)"
        )
    if not _has_dbt_utils(folder):
        problems.append(f"no dbt_utils package at {folder / 'dbt_utils'} (dbt_project.yml)")
    return problems


def install_from_folder(folder: Path) -> Status:
    problems = check_local_packages(folder)
    if problems:
        return Status(
            False,
            f"Monitoring is off: TRIBUTARY_PACKAGES_DIR={folder} is not usable: "
            + "; ".join(problems)
            + ".",
        )
    target = config.packages_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in PACKAGES:
        destination = target / name
        if destination.is_symlink() or destination.is_file():
            destination.unlink()
        elif destination.exists():
            shutil.rmtree(destination)
        source = folder / name
        shutil.copytree(
            source,
            destination,
            ignore=lambda directory, names, top=source: (
                [n for n in names if n in NOT_COPIED] if Path(directory) == top else []
            ),
        )
    return Status(
        True,
        f"Monitoring is on: Elementary {ELEMENTARY_VERSION} and dbt_utils installed in {target} "
        f"from {folder}.",
    )


def install_from_hub() -> Status:
    """`dbt deps` of elementary/, the dependency project that names the hub packages."""
    env = dbt.environment(extra={"TRIBUTARY_DBT_PACKAGES_PATH": str(config.packages_dir())})
    run = dbt.run(
        "dbt",
        ["deps", "--project-dir", str(config.elementary_project_dir())],
        env=env,
        capture=True,
    )
    if run.returncode != 0:
        reason = (run.stdout + run.stderr).strip().splitlines()
        last = reason[-1] if reason else f"dbt deps exited {run.returncode}"
        return Status(False, f"Monitoring is off: dbt Hub did not answer ({last[:200]}).")
    now = status()
    return Status(now.on, now.line.replace("is installed in", "was installed from dbt Hub in"))


def ensure_installed(from_hub: bool = False) -> Status:
    """Install Elementary where it can come from, and say in one line whether it is on.

    Already installed at the right version: nothing to do. Else from TRIBUTARY_PACKAGES_DIR
    when set; else from dbt Hub when asked; else off, with how to turn it on.
    """
    current = status()
    if current.on:
        return current
    folder = local_packages_dir()
    if folder is not None:
        return install_from_folder(folder)
    if from_hub:
        return install_from_hub()
    return current
