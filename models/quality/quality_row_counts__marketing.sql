-- Rows of the marketing entities in every layer, per ingestion run (macro row_counts_by_load).
-- Events have no one-row-per-event mart: fct_sessions groups them into sessions.
{{ row_counts_by_load([
    {'entity': 'events', 'source': 'web', 'raw': 'events', 'audit_keys': ['events'],
     'staging': 'stg_web__events', 'clean': 'int_events__deduplicated',
     'rejected': 'int_events__rejected'},
]) }}
