"""Ingestion: the dlt sources and pipelines that load raw data, and the ingestion audit."""
