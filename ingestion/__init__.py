"""Tributary ingestion: the sandbox retailer and the dlt pipelines that load it into DuckDB."""
