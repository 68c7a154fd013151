"""dlt sources, one per source system; `ingestion.pipelines.build_source` configures them."""
