"""Governance as code: the `meta` contract of DESIGN.md checked against the dbt manifest and the
warehouse (`python -m governance check`), and the governance catalog written from the manifest
(`python -m governance catalog`)."""
