{#-
    Every staged telemetry reading once (one row per row of stg_telemetry__readings), with its
    temperature in °C and the first rule it breaks (`rejection_rule`, null when the reading is
    clean; the rules, in the order they are checked, are documented on that column in
    _logistics__models.yml). int_readings__validated and int_readings__rejected are the two
    sides of the label (macro quarantine_rows).

    Temperature: firmware 1.x reports °F and 2.x °C, and every reading says which in
    `temperature_unit` ('F' or 'C' after staging). The unit is trusted, not the firmware
    version: it is what the device says it measured in. A reading in any other unit has no
    temperature_c. A missing measurement (null temperature, position or battery) is a value not
    sent, not an impossible one: it breaks no rule and stays null.

    A view: it is only read by the two tables above, once each per build.
-#}

{%- set min_plausible_c = var('min_plausible_temperature_c', -50) %}
{%- set max_plausible_c = var('max_plausible_temperature_c', 70) %}

with

readings as (
    select * from {{ ref('stg_telemetry__readings') }}
),

converted as (
    select
        *,
        case
            when temperature_unit = 'C' then temperature_reported
            when temperature_unit = 'F' then {{ fahrenheit_to_celsius('temperature_reported') }}
        end as temperature_c
    from readings
),

validated as (
    select
        *,
        case
            when temperature_unit is null or temperature_unit not in ('C', 'F')
                then 'unknown_temperature_unit'
            when temperature_c not between {{ min_plausible_c }} and {{ max_plausible_c }}
                then 'impossible_temperature'
            when latitude < -90 or latitude > 90 then 'latitude_out_of_range'
            when longitude < -180 or longitude > 180 then 'longitude_out_of_range'
            when battery_pct < 0 or battery_pct > 100 then 'battery_out_of_range'
            when not {{ is_key_of('shipment_id', 'stg_shop__shipments') }} then 'orphan_shipment'
        end as rejection_rule
    from converted
),

final as (
    select
        {{ declared_columns() }}
    from validated
)

select * from final
