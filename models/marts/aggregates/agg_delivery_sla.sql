{#-
    One row per ISO week of shipping x carrier x ship-to country (grain: week_start,
    carrier, ship_to_country_code), from fct_shipments: volumes, delivery performance against
    the delivery SLA and the cargo-temperature record.

    - A shipment belongs to the week it shipped in (week_start: the Monday, UTC dates), so a
      week's figures settle as its shipments are delivered: in_transit_count says how many
      are still out, and the delivery-time statistics cover the delivered ones only.
    - on_time_rate: shipments delivered within the SLA (fct_shipments.is_on_time, var
      delivery_sla_hours) / shipments delivered.
    - Delivery hours: mean, median and 90th percentile (percentile_cont, interpolated) of the
      delivered shipments.
    - Temperature: monitored shipments are those with telemetry; the excursion rate is the
      share of them with a reading above their ceiling; cold-chain shipments and their
      excursions separately, as they matter most. Shipments without telemetry (before the
      telemetry window) count in neither numerator nor denominator.
    - The first and last weeks of the shipment history are flagged `is_partial_week`.
    A rate with nothing to divide by is null.
-#}

with

shipments as (
    select * from {{ ref('fct_shipments') }}
),

weekly_shipments as (
    select
        *,
        cast({{ dbt.date_trunc('week', 'shipped_date') }} as date) as week_start
    from shipments
),

history as (
    select
        min(shipped_date) as first_date,
        max(shipped_date) as last_date
    from shipments
),

weekly as (
    select
        week_start,
        carrier,
        ship_to_country_code,
        count(*) as shipment_count,
        sum(case when is_delivered then 1 else 0 end) as delivered_count,
        sum(case when is_delivered then 0 else 1 end) as in_transit_count,
        sum(case when is_on_time then 1 else 0 end) as on_time_count,
        max(delivery_sla_hours) as delivery_sla_hours,
        avg(delivery_hours) as avg_delivery_hours,
        percentile_cont(0.5) within group (order by delivery_hours) as median_delivery_hours,
        percentile_cont(0.9) within group (order by delivery_hours) as p90_delivery_hours,
        sum(case when has_telemetry then 1 else 0 end) as monitored_shipment_count,
        sum(case when has_temperature_excursion then 1 else 0 end) as excursion_shipment_count,
        sum(case when is_cold_chain then 1 else 0 end) as cold_chain_shipment_count,
        sum(case when is_cold_chain and has_temperature_excursion then 1 else 0 end)
            as cold_chain_excursion_shipment_count
    from weekly_shipments
    group by week_start, carrier, ship_to_country_code
),

final as (
    select
        -- the group
        cast(weekly.week_start as date) as week_start,
        cast(weekly.carrier as varchar) as carrier,
        cast(weekly.ship_to_country_code as varchar) as ship_to_country_code,
        (
            weekly.week_start < history.first_date
            or {{ dbt.dateadd('day', 6, 'weekly.week_start') }} > history.last_date
        ) as is_partial_week,

        -- volumes
        cast(weekly.shipment_count as integer) as shipment_count,
        cast(weekly.delivered_count as integer) as delivered_count,
        cast(weekly.in_transit_count as integer) as in_transit_count,

        -- delivery against the SLA
        cast(weekly.delivery_sla_hours as integer) as delivery_sla_hours,
        cast(weekly.on_time_count as integer) as on_time_count,
        cast(
            weekly.on_time_count * 1.0 / nullif(weekly.delivered_count, 0) as numeric(18, 6)
        ) as on_time_rate,
        cast(weekly.avg_delivery_hours as double precision) as avg_delivery_hours,
        cast(weekly.median_delivery_hours as double precision) as median_delivery_hours,
        cast(weekly.p90_delivery_hours as double precision) as p90_delivery_hours,

        -- cargo temperature
        cast(weekly.monitored_shipment_count as integer) as monitored_shipment_count,
        cast(weekly.excursion_shipment_count as integer) as excursion_shipment_count,
        cast(
            weekly.excursion_shipment_count * 1.0 / nullif(weekly.monitored_shipment_count, 0)
            as numeric(18, 6)
        ) as excursion_rate,
        cast(weekly.cold_chain_shipment_count as integer) as cold_chain_shipment_count,
        cast(weekly.cold_chain_excursion_shipment_count as integer)
            as cold_chain_excursion_shipment_count,
        cast(
            weekly.cold_chain_excursion_shipment_count * 1.0
            / nullif(weekly.cold_chain_shipment_count, 0)
            as numeric(18, 6)
        ) as cold_chain_excursion_rate
    from weekly
    cross join history
)

select * from final
