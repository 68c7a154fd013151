-- Rows of the finance entities in every layer, per ingestion run (macro row_counts_by_load).
{{ row_counts_by_load([
    {'entity': 'payments', 'source': 'shop', 'raw': 'payments', 'audit_keys': ['payments'],
     'staging': 'stg_shop__payments', 'clean': 'int_payments__validated',
     'rejected': 'int_payments__rejected', 'mart': 'fct_payments'},
    {'entity': 'fx_rates', 'source': 'fx', 'raw': 'rates', 'audit_keys': ['rates'],
     'staging': 'stg_fx__rates'},
]) }}
