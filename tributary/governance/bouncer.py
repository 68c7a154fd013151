"""dbt-bouncer, the maintained tool behind most of the contract (dbt-bouncer.yml): run it on the
manifest and turn its failures into breaches of the same shape as the project's own rules."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from tributary import dbt
from tributary.errors import TributaryError
from tributary.governance.contract import Breach

# What to do about each dbt-bouncer check's failure (its own message says what is wrong).
FIXES = {
    "check_model_has_meta_keys": "add the missing keys under config.meta",
    "check_source_has_meta_keys": "add the missing keys under the source's or table's config.meta",
    "check_seed_has_meta_keys": "add the missing keys under the seed's config.meta",
    "check_snapshot_has_meta_keys": "add the missing keys under the snapshot's config.meta",
    "check_model_access": "set config.access as DESIGN.md says for the layer",
    "check_model_contract_enforced_for_public_model": "set config.contract: {enforced: true} "
    "and a data_type on every column",
    "check_model_description_populated": "write a description of the model",
    "check_model_column_description_populated": "describe every column",
    "check_source_description_populated": "write a description of the source table",
    "check_seed_description_populated": "write a description of the seed",
    "check_snapshot_description_populated": "write a description of the snapshot",
}


class BouncerError(TributaryError):
    """dbt-bouncer could not run (as opposed to: it ran and found breaches)."""


def _label(unique_id: str) -> str:
    kind, _, rest = unique_id.partition(".")
    name = rest.split(".", 1)[1] if "." in rest else rest
    return f"{kind} {name}"


def run_bouncer(project_dir: Path, target_dir: Path) -> tuple[list[Breach], int]:
    """Breaches dbt-bouncer finds in `target_dir`/manifest.json, and how many checks it ran."""
    config = project_dir / "dbt-bouncer.yml"
    with tempfile.TemporaryDirectory() as scratch:
        # dbt-bouncer reads the artefacts folder from its config: point a copy at target_dir.
        text = config.read_text().replace(
            "dbt_artifacts_dir: target", f"dbt_artifacts_dir: {target_dir.resolve()}"
        )
        scratch_config = Path(scratch) / "dbt-bouncer.yml"
        scratch_config.write_text(text)
        output = Path(scratch) / "results.json"
        run = dbt.run(
            "dbt-bouncer",
            ["run", "--config-file", str(scratch_config), "--output-file", str(output)],
            project_dir=project_dir,
            capture=True,
        )
        if run.returncode not in (0, 1) or not output.exists():
            last = (run.stdout + run.stderr).strip().splitlines()[-3:]
            raise BouncerError(
                f"the governance check could not run dbt-bouncer (exit {run.returncode}: "
                f"{' '.join(last)[-500:]})",
                "check dbt-bouncer.yml against the dbt-bouncer version in requirements.txt",
            )
        results = json.loads(output.read_text())
    breaches = []
    for result in results:
        if result.get("outcome") != "failed":
            continue
        check = result["check_run_id"].split(":")[0]
        message = result.get("failure_message", "").strip()
        fix = FIXES.get(check, "see the dbt-bouncer check's documentation")
        breaches.append(Breach(_label(result["unique_id"]), check, f"{message} -> {fix}"))
    return breaches, len(results)
