{#-
    The staged shop orders quarantined by int_orders__checked, each with the first rule it
    breaks (`rejection_rule`) and its staged columns unchanged. The lines and payments of these
    orders are quarantined too, as orphan_order (int_order_items__rejected,
    int_payments__rejected).
-#}
{{ quarantine_rows('int_orders__checked', rejected=true) }}
