{#-
    One row per staged order line that passes every validation rule of int_order_items__checked:
    its order is a clean order (int_orders__validated), its quantity is positive, its product is
    in the catalogue. Staged columns unchanged. Staged lines = these + int_order_items__rejected.
-#}
{{ quarantine_rows('int_order_items__checked', rejected=false) }}
