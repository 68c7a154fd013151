-- Rows of the logistics entities in every layer, per ingestion run (macro row_counts_by_load).
-- Readings have no one-row-per-reading mart: fct_shipments summarizes them per shipment.
{{ row_counts_by_load([
    {'entity': 'shipments', 'source': 'shop', 'raw': 'shipments', 'audit_keys': ['shipments'],
     'staging': 'stg_shop__shipments', 'clean': 'int_shipments__validated',
     'rejected': 'int_shipments__rejected', 'mart': 'fct_shipments'},
    {'entity': 'readings', 'source': 'telemetry', 'raw': 'readings', 'audit_keys': ['readings'],
     'staging': 'stg_telemetry__readings', 'clean': 'int_readings__validated',
     'rejected': 'int_readings__rejected'},
]) }}
