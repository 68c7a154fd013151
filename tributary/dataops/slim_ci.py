"""Slim CI: build and test only what a change touches, the way a pull-request job does.

Production is the warehouse that `make demo` builds from the main branch (the `dev` target,
`warehouse/tributary.duckdb`). `prod-manifest` records what production was built from: dbt
parses the project as committed on a git ref (main by default) and the manifest is kept under
`state/prod/` (gitignored: it is an artefact of a build, not source). `ci-changed` then runs
`dbt build --select state:modified+ --defer --state state/prod` on the `pr` target: the models
that differ from that manifest and everything downstream of them are built and tested in
`pr_`-prefixed schemas of the production warehouse, and every model they reference without
having changed is read from production's own relation instead of being rebuilt.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections import Counter
from pathlib import Path

import duckdb

from tributary import config, dbt
from tributary.errors import NotReadyError, TributaryError

DEFAULT_STATE_DIR = Path("state/prod")
PR_SCHEMA_PREFIX = "pr_"  # what generate_schema_name puts before every schema on the pr target


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True)


def _export_ref(ref: str, project_dir: Path, into: Path) -> str:
    """The files of `ref` (as committed, not the work tree) written under `into`; its commit."""
    resolved = _git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=project_dir)
    if resolved.returncode != 0:
        # A fresh clone of another branch has main only as origin/main.
        resolved = _git(
            "rev-parse", "--verify", "--quiet", f"origin/{ref}^{{commit}}", cwd=project_dir
        )
    if resolved.returncode != 0:
        raise NotReadyError(
            f"git ref {ref!r} is not a commit in {project_dir}",
            "set PROD_REF to the branch or commit that production was built from",
        )
    commit = resolved.stdout.decode().strip()
    archive = _git("archive", "--format=tar", commit, cwd=project_dir)
    if archive.returncode != 0:
        raise TributaryError(
            f"git archive {ref} failed: {archive.stderr.decode().strip()}",
            "check that the repository is readable (git status)",
        )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return commit


def prod_manifest(
    ref: str = "main",
    state_dir: Path = DEFAULT_STATE_DIR,
    target: str = "dev",
    project_dir: Path | None = None,
) -> Path:
    """Parse the project (default: this one) as committed on `ref` and keep its manifest in
    `state_dir`."""
    project_dir = project_dir or config.project_dir()
    state_dir = project_dir / state_dir
    with tempfile.TemporaryDirectory(prefix="tributary-prod-") as scratch:
        checkout = Path(scratch) / "project"
        print(f"Exporting {ref} into a scratch folder ...", flush=True)
        commit = _export_ref(ref, project_dir, checkout)
        print(f"Parsing the project at {ref} ({commit[:10]}) with dbt (target {target}) ...")
        parsed = Path(scratch) / "target"
        code = dbt.run(
            "dbt",
            ["parse", "--quiet", "--target", target, "--target-path", str(parsed),
             "--log-path", str(Path(scratch) / "logs")],
            project_dir=checkout,
        ).returncode  # fmt: skip
        if code != 0:
            raise TributaryError(
                f"dbt parse of {ref} failed (exit {code})", "see dbt's output above"
            )
        state_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(parsed / "manifest.json", state_dir / "manifest.json")
    provenance = {
        "ref": ref,
        "commit": commit,
        "target": target,
        "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    (state_dir / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    manifest = json.loads((state_dir / "manifest.json").read_text())
    models = sum(node["resource_type"] == "model" for node in manifest["nodes"].values())
    print(
        f"Production manifest saved: {state_dir / 'manifest.json'} ({models} models, {ref} at "
        f"{commit[:10]}, target {target}); `make ci-changed` builds what differs from it."
    )
    return state_dir / "manifest.json"


def drop_pr_schemas(warehouse: Path) -> list[str]:
    """Drop the relations an earlier slim CI run left, so that every run starts clean."""
    with duckdb.connect(str(warehouse)) as connection:
        schemas = [
            row[0]
            for row in connection.execute(
                "select schema_name from information_schema.schemata "
                "where catalog_name = current_database() and starts_with(schema_name, ?)"
                " order by schema_name",
                [PR_SCHEMA_PREFIX],
            ).fetchall()
        ]
        for schema in schemas:
            connection.execute(f'drop schema "{schema}" cascade')
    return schemas


def ci_changed(
    state_dir: Path = DEFAULT_STATE_DIR,
    target_path: Path = Path("target/pr"),
    project_dir: Path | None = None,
) -> int:
    """dbt build of state:modified+ on the pr target, deferring to the production manifest.
    The pr target builds in the production warehouse (profiles.yml, target pr)."""
    project_dir = project_dir or config.project_dir()
    state_dir = project_dir / state_dir
    target_path = project_dir / target_path
    if not (state_dir / "manifest.json").exists():
        raise NotReadyError(
            f"no production manifest at {state_dir / 'manifest.json'}",
            "run `make prod-manifest` (it parses main's code) after production was built "
            "(`make demo` on main)",
        )
    warehouse = config.warehouse_path()
    if not warehouse.exists():
        raise NotReadyError(
            f"no production warehouse at {warehouse} (slim CI reads the unchanged models from it)",
            "build it first (`make demo` on main)",
        )
    dropped = drop_pr_schemas(warehouse)
    if dropped:
        print(f"Dropped the previous slim CI run's schemas: {', '.join(dropped)}.")
    provenance_file = state_dir / "provenance.json"
    if provenance_file.exists():
        provenance = json.loads(provenance_file.read_text())
        print(f"Comparing with production: {provenance['ref']} at {provenance['commit'][:10]}.")
    print("Building state:modified+ on the pr target, deferring to production ...", flush=True)
    results_file = target_path / "run_results.json"
    results_file.unlink(missing_ok=True)
    code = dbt.run(
        "dbt",
        ["build", "--target", "pr", "--select", "state:modified+", "--defer",
         "--state", str(state_dir), "--target-path", str(target_path)],
        project_dir=project_dir,
    ).returncode  # fmt: skip
    print(summary(results_file, warehouse))
    return code


def summary(results_file: Path, warehouse: Path) -> str:
    """One line: what the slim CI build ran, with what outcome, and where its outputs are."""
    if not results_file.exists():
        return "Slim CI: dbt wrote no run results (see its output above)."
    results = json.loads(results_file.read_text())["results"]
    if not results:
        return "Slim CI: nothing differs from the production manifest; nothing was built."
    built = ("model.", "snapshot.", "seed.")
    models = sorted(
        r["unique_id"].split(".")[-1] for r in results if r["unique_id"].startswith(built)
    )
    tests = [r for r in results if r["unique_id"].startswith(("test.", "unit_test."))]
    statuses = Counter(r["status"] for r in results if not r["unique_id"].startswith("exposure."))
    outcome = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    return (
        f"Slim CI: built {len(models)} changed or downstream node(s) ({', '.join(models)}) and "
        f"ran {len(tests)} tests: {outcome}. Relations in the {PR_SCHEMA_PREFIX}* "
        f"schemas of {warehouse}; results in {results_file}."
    )
