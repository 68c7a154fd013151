{#-
    The staged payment attempts quarantined by int_payments__checked, each with the first rule
    it breaks (`rejection_rule`) and its staged columns. A payment of a rejected order is
    rejected too, as orphan_order, with its order's own rule in `order_rejection_rule`.
-#}
{{ quarantine_rows('int_payments__checked', rejected=true) }}
