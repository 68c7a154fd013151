"""The linkage step of entity resolution, as a dbt Python model: Splink scores the candidate
pairs of customer records (tributary/resolution/linkage.py says how), trained afresh on each
build with a fixed seed, so that the same records give the same scores.

It reads the vault's readable records (pii_customer_records) and writes out only record keys,
the match weight and probability, and each comparison's deciding level: no personal value
leaves the restricted zone. Its charts and the trained model go to reports/resolution/.
"""

from __future__ import annotations


def model(dbt, session):
    from tributary import config
    from tributary.resolution.linkage import LinkageSettings, link

    dbt.config(materialized="table")
    records = dbt.ref("pii_customer_records").to_arrow_table()
    run = link(
        records,
        LinkageSettings(
            seed=int(dbt.config.get("linkage_seed")),
            keep_above_probability=float(dbt.config.get("keep_above_probability")),
            reports_dir=config.reports_dir() / "resolution",
        ),
    )
    # shown in dbt's log beside the node
    print(f"{run.summary()}; charts in reports/resolution/")
    return run.pairs
