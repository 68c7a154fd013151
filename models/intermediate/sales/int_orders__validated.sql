{#-
    One row per staged shop order that passes every validation rule of int_orders__checked
    (a known customer, a known currency with an exchange rate on the order's date): the staged
    columns unchanged, plus `order_date`, the UTC day the order is converted at. Staged orders =
    these + int_orders__rejected.
-#}
{{ quarantine_rows('int_orders__checked', rejected=false) }}
