{#-
    One row per clickstream event: the first arrival of every event_id that passes the rules
    of int_events__checked. Everything else is in int_events__rejected.
-#}

-- A table: a million rows behind a window over all events, read by sessionization and tests;
-- as a view every reader would repeat the staging parse and the deduplication.
{{ config(materialized='table') }}

{{ quarantine_rows('int_events__checked', rejected=false) }}
