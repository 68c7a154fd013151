"""dlt sources, one per source system. `build_source(name)` makes one from configuration."""
