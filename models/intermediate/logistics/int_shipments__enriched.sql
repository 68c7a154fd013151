{#-
    One row per clean shipment (int_shipments__validated) with its delivery time and a summary
    of its cargo temperature from the clean telemetry readings (int_readings__validated) and
    the gaps in them (int_readings__gaps). Shipments without readings (shipped before the
    telemetry window, or delivered within the half hour) keep their row, with
    `has_telemetry` false and the temperature summary null.

    Cold chain is not a shipment attribute in the shop, so it is inferred from the readings:
    a shipment is cold chain when its median temperature is at most the cold-chain ceiling
    (var cold_chain_max_temperature_c, default 8 °C: the top of the 2-8 °C band of
    refrigerated goods). The median, not the mean, so that a few excursions cannot turn a
    refrigerated shipment into an ambient one. Refrigerated vans hold about 4 °C and ambient
    ones about 18 °C, far apart on both sides of 8 °C.

    An excursion reading is a reading above the shipment's ceiling: the cold-chain ceiling
    for cold-chain shipments, the ambient ceiling (var ambient_max_temperature_c, default
    25 °C: the "store below 25 °C" of ambient goods, the top of controlled room temperature)
    for the others.
-#}

-- A table: it aggregates every clean reading, and marts read it once per shipment.
{{ config(materialized='table') }}

{%- set cold_chain_max = var('cold_chain_max_temperature_c', 8) %}
{%- set ambient_max = var('ambient_max_temperature_c', 25) %}

with

validated_shipments as (
    select * from {{ ref('int_shipments__validated') }}
),

readings as (
    select * from {{ ref('int_readings__validated') }}
),

gaps as (
    select * from {{ ref('int_readings__gaps') }}
),

shipments as (
    select
        *,
        -- from leaving the warehouse to delivery; null while in transit
        {{ dbt.datediff('shipped_at', 'delivered_at', 'second') }}
            as delivery_seconds
    from validated_shipments
),

temperature_summary as (
    select
        shipment_id,
        count(*) as reading_count,
        min(recorded_at) as first_reading_at,
        max(recorded_at) as last_reading_at,
        min(temperature_c) as min_temperature_c,
        avg(temperature_c) as avg_temperature_c,
        max(temperature_c) as max_temperature_c,
        percentile_cont(0.5) within group (order by temperature_c) as median_temperature_c
    from readings
    group by shipment_id
),

classified as (
    select
        *,
        median_temperature_c <= {{ cold_chain_max }} as is_cold_chain,
        case
            when median_temperature_c <= {{ cold_chain_max }} then {{ cold_chain_max }}
            when median_temperature_c is not null then {{ ambient_max }}
        end as temperature_ceiling_c
    from temperature_summary
),

excursions as (
    select
        readings.shipment_id,
        count(*) as excursion_readings
    from readings
    inner join classified using (shipment_id)
    where readings.temperature_c > classified.temperature_ceiling_c
    group by readings.shipment_id
),

gap_summary as (
    select
        shipment_id,
        count(*) as gap_count,
        sum(missing_readings) as missing_readings
    from gaps
    group by shipment_id
),

joined as (
    select
        shipments.shipment_id,
        shipments.order_id,
        shipments.tracking_number,
        shipments.vehicle_id,
        shipments.carrier,
        shipments.status,
        shipments.ship_to_country_code,
        shipments.shipped_at,
        shipments.delivered_at,
        classified.first_reading_at,
        classified.last_reading_at,
        classified.min_temperature_c,
        classified.avg_temperature_c,
        classified.median_temperature_c,
        classified.max_temperature_c,
        classified.is_cold_chain,
        classified.temperature_ceiling_c,
        shipments._load_id,
        shipments._loaded_at,
        shipments.delivery_seconds / 3600.0 as delivery_hours,
        classified.shipment_id is not null as has_telemetry,
        coalesce(classified.reading_count, 0) as reading_count,
        coalesce(gap_summary.gap_count, 0) as gap_count,
        coalesce(gap_summary.missing_readings, 0) as missing_readings,
        -- null without telemetry: no readings is not the same as no excursion
        case
            when classified.shipment_id is not null
                then coalesce(excursions.excursion_readings, 0)
        end as excursion_readings,
        case
            when classified.shipment_id is not null
                then coalesce(excursions.excursion_readings, 0) > 0
        end as has_temperature_excursion
    from shipments
    left join classified using (shipment_id)
    left join excursions using (shipment_id)
    left join gap_summary using (shipment_id)
),

final as (
    select
        -- ids
        shipment_id,
        order_id,
        tracking_number,
        vehicle_id,

        -- attributes
        carrier,
        status,
        ship_to_country_code,

        -- delivery
        shipped_at,
        delivered_at,
        delivery_hours,

        -- telemetry coverage
        has_telemetry,
        reading_count,
        first_reading_at,
        last_reading_at,
        gap_count,
        missing_readings,

        -- cargo temperature (°C); null without telemetry
        min_temperature_c,
        avg_temperature_c,
        median_temperature_c,
        max_temperature_c,
        is_cold_chain,
        temperature_ceiling_c,
        excursion_readings,
        has_temperature_excursion,

        -- lineage: the load that last wrote the shipment
        _load_id,
        _loaded_at
    from joined
)

select * from final
