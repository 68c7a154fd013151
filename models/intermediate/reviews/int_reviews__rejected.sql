{#-
    The staged reviews that int_reviews__validated leaves out, each with the first rule it
    breaks (rules and their order: int_reviews__checked).
-#}
{{ quarantine_rows('int_reviews__checked', rejected=true) }}
