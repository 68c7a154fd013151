{#-
    The staged shipments that int_shipments__validated leaves out, each with the first rule it
    breaks (rules and their order: int_shipments__checked).
-#}
{{ quarantine_rows('int_shipments__checked', rejected=true) }}
