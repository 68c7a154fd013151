{#-
    One row per shipment that passes every rule of int_shipments__checked (rules and their
    order are documented there), with all its staged columns.
-#}
{{ quarantine_rows('int_shipments__checked', rejected=false) }}
