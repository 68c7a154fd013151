-- Rows of the sales entities in every layer, per ingestion run (macro row_counts_by_load).
{{ row_counts_by_load([
    {'entity': 'orders', 'source': 'shop', 'raw': 'orders', 'audit_keys': ['orders'],
     'staging': 'stg_shop__orders', 'clean': 'int_orders__validated',
     'rejected': 'int_orders__rejected', 'mart': 'fct_orders'},
    {'entity': 'order_items', 'source': 'shop', 'raw': 'order_items',
     'audit_keys': ['order_items'], 'staging': 'stg_shop__order_items',
     'clean': 'int_order_items__validated', 'rejected': 'int_order_items__rejected',
     'mart': 'fct_order_items'},
    {'entity': 'products', 'source': 'shop', 'raw': 'products', 'audit_keys': ['products'],
     'staging': 'stg_shop__products'},
]) }}
