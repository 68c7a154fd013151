"""Benchmark: entity resolution at a scale, its time and its precision and recall.

    python bench/resolution.py --scale 1

Generates a sandbox at the given scale in a temporary folder (or uses --sandbox), loads the
shop and the CRM, and runs `dbt build` of the resolution's lineage (+int_customers__resolved,
its tests included) into a fresh warehouse. Prints the linkage node's time (dbt's
run_results), the candidate pairs its blocking made, and the pairwise precision and recall of
the linkage and of the exact-match rules it replaced, on the same records, against the
generator's ground truth. Timings are noisy on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from sandbox.generator import generate
from tributary import config
from tributary.resolution.evaluation import old_rules_keys, pairwise_score, read_truth
from tributary.resolution.step import LINKAGE_MODEL

ROOT = Path(__file__).resolve().parents[1]


def run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise SystemExit(f"{' '.join(command[:4])} failed:\n" + "\n".join(tail))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sandbox", type=Path, help="use this sandbox instead of generating one")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tributary-bench-resolution-") as folder:
        work = Path(folder)
        sandbox = args.sandbox or work / "sandbox"
        if args.sandbox is None:
            print(f"Generating the sandbox at scale {args.scale} ...", flush=True)
            generate(sandbox, seed=args.seed, scale=args.scale, progress=lambda _: None)
        warehouse = work / "tributary.duckdb"
        env = dict(
            os.environ,
            TRIBUTARY_SANDBOX_DIR=str(sandbox),
            TRIBUTARY_WAREHOUSE_PATH=str(warehouse),
            DBT_PROFILES_DIR=str(ROOT),
            DBT_PROJECT_DIR=str(ROOT),
        )
        print("Loading the shop and the CRM ...", flush=True)
        run([sys.executable, "-m", "tributary", "load", "shop", "crm"], env)
        print("dbt build --select +int_customers__resolved ...", flush=True)
        started = time.monotonic()
        target = work / "target"
        run(
            [str(Path(sys.executable).parent / "dbt"), "build", "--select",
             "+int_customers__resolved", "--indirect-selection", "cautious",
             "--target-path", str(target), "--log-path", str(work / "logs")],
            env,
        )  # fmt: skip
        build_seconds = time.monotonic() - started
        results = json.loads((target / "run_results.json").read_text())["results"]
        [linkage] = [r for r in results if r["unique_id"].endswith(f".{LINKAGE_MODEL}")]
        truth = read_truth(sandbox / "ground_truth" / "identity.csv")
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            keys = connection.execute(
                "select source_record_key, customer_key from intermediate.int_customers__resolved"
            ).to_arrow_table()
            (pairs,) = connection.execute(
                f"select count(*) from intermediate.{LINKAGE_MODEL}"
            ).fetchone()
        vault = config.restricted_warehouse_path(warehouse)
        with duckdb.connect(str(vault), read_only=True) as connection:
            records = connection.execute(
                "select * from restricted.pii_customer_records"
            ).to_arrow_table()
        linked = pairwise_score(keys, truth)
        old = pairwise_score(old_rules_keys(records), truth)
        print(
            "\n| scale | records | pairs kept | linkage node (s) | build of the lineage (s) "
            "| precision | recall | old rules: precision | recall |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {args.scale:g} | {records.num_rows:,} | {pairs:,} | "
            f"{linkage['execution_time']:.1f} | {build_seconds:.0f} | {linked.precision:.4f} | "
            f"{linked.recall:.4f} | {old.precision:.4f} | {old.recall:.4f} |"
        )
        print(f"\nlinkage: {linked}\nold rules: {old}")
    print(f"Resolution benchmark done at scale {args.scale}: the table above (nothing kept).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
