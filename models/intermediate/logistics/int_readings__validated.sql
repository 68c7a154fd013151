{#-
    One row per telemetry reading that passes every rule of int_readings__checked (rules and
    their order are documented there), with its cargo temperature in °C (`temperature_c`,
    converted from °F for firmware 1.x). The readings marts and shipment summaries read.
-#}

-- A table: 0.6 million readings a month at scale 1, read by every shipment summary; as a view
-- each read would redo the unit conversion, the rules and the join to the shipments.
{{ config(materialized='table') }}

{{ quarantine_rows('int_readings__checked', rejected=false) }}
