{#-
    The staged clickstream events that int_events__deduplicated leaves out, each with the first
    rule it breaks (rules and their order: int_events__checked). Duplicates are most of them.
-#}

-- A table although small: as a view every query would re-run the window over all events.
{{ config(materialized='table') }}

{{ quarantine_rows('int_events__checked', rejected=true) }}
