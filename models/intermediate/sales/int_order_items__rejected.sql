{#-
    The staged order lines quarantined by int_order_items__checked, each with the first rule it
    breaks (`rejection_rule`) and its staged columns. A line of a rejected order is rejected
    too, as orphan_order, with its order's own rule in `order_rejection_rule`.
-#}
{{ quarantine_rows('int_order_items__checked', rejected=true) }}
