{#-
    One row per gap in a shipment's telemetry: two consecutive readings of the shipment more
    than one reading interval plus a tolerance apart, i.e. the device was offline for a while
    (vars telemetry_reading_interval_minutes, default 30: devices report every 30 minutes;
    telemetry_gap_tolerance_minutes, default 15: half an interval of clock jitter before a
    late reading counts as missing).

    Devices only report while their van carries the shipment, so two consecutive readings of a
    shipment are always within its transit. Every staged reading counts, glitching ones
    included: a reading with an impossible value still proves the device was online. Silence
    before a shipment's first reading or after its last is not a gap here: telemetry covers a
    limited window, and a shipment's first slot is the first half hour after it shipped.

    missing_readings is the number of reporting slots between the two readings:
    round(gap_minutes / interval) - 1.
-#}

-- A table: a window over all readings, while the result is a few hundred rows.
{{ config(materialized='table') }}

{%- set interval_minutes = var('telemetry_reading_interval_minutes', 30) %}
{%- set tolerance_minutes = var('telemetry_gap_tolerance_minutes', 15) %}

with

readings as (
    select * from {{ ref('stg_telemetry__readings') }}
),

sequenced as (
    select
        shipment_id,
        device_id,
        reading_id,
        recorded_at,
        lead(reading_id) over (
            partition by shipment_id order by recorded_at, reading_id
        ) as next_reading_id,
        lead(recorded_at) over (
            partition by shipment_id order by recorded_at, reading_id
        ) as next_recorded_at,
        lead(_load_id) over (
            partition by shipment_id order by recorded_at, reading_id
        ) as next_load_id,
        lead(_loaded_at) over (
            partition by shipment_id order by recorded_at, reading_id
        ) as next_loaded_at
    from readings
),

intervals as (
    select
        *,
        {{ dbt.datediff('recorded_at', 'next_recorded_at', 'minute') }}
            as gap_minutes
    from sequenced
    where next_recorded_at is not null
),

final as (
    select
        -- ids: a gap is known by the last reading before it
        reading_id as gap_id,
        shipment_id,
        device_id,
        reading_id as reading_id_before,
        next_reading_id as reading_id_after,

        -- the gap
        recorded_at as gap_started_at,
        next_recorded_at as gap_ended_at,
        gap_minutes,
        cast(round(gap_minutes * 1.0 / {{ interval_minutes }}) as integer) - 1
            as missing_readings,

        -- lineage: the load that brought the reading after the gap, which revealed it
        next_load_id as _load_id,
        next_loaded_at as _loaded_at
    from intervals
    where gap_minutes > {{ interval_minutes }} + {{ tolerance_minutes }}
)

select * from final
