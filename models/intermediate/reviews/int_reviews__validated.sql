{#-
    One row per review that passes every rule of int_reviews__checked (rules and their order
    are documented there), in its latest version, with all its staged columns.
-#}
{{ quarantine_rows('int_reviews__checked', rejected=false) }}
