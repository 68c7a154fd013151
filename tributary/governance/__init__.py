"""Governance as code: the `meta` contract of DESIGN.md checked against the dbt manifest and the
warehouse, the governance catalog, retention tiering and erasure (`tributary governance`)."""
