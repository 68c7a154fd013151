{#-
    One row per clean shipment (grain: shipment_id, as int_shipments__enriched): carrier,
    destination, delivery time against the delivery promise, and the cargo-temperature summary
    of the van's telemetry; plus the person it went to (`customer_key` of its order,
    int_orders__keyed: every staged order, as a clean shipment may belong to a rejected one).

    Delivery promise: the shop records none (no promised date in its shipments or orders), so
    the SLA is a project var, `delivery_sla_hours` (48 by default, in
    dbt_project.yml, which says why). `delivery_due_at` is shipped_at plus the SLA; `is_on_time` is
    null while in transit. A changed SLA applies to rows as they are rebuilt: run a full
    refresh after changing it.

    Incremental (merge on shipment_id). A run rebuilds the shipments
      - loaded since the last run (`_loaded_at` after the latest here: new shipments, status
        changes such as a delivery),
      - with a telemetry reading loaded since then: a new reading changes the temperature
        summary; any reading, clean or quarantined, can open or close a gap,
      - shipped in the last `incremental_lookback_days` (a project var) before the latest
        shipment here, for readings and deliveries that arrive late.

    Retention: telemetry readings are kept 180 days, shipments 7 years. Once a shipment's
    readings are purged, int_shipments__enriched has no temperature summary for it any more;
    the summary this table recorded must survive. Readings are only ever purged, never
    withdrawn, so when a rebuilt shipment has fewer clean readings upstream than this table
    recorded (none at all after a full purge), the recorded summary (every telemetry column)
    is kept. Until readings are purged this changes nothing, and the table equals a full
    refresh; after a purge, a full refresh would lose those summaries.
-#}

{{ config(materialized='incremental', unique_key='shipment_id') }}

{%- set sla_hours = var('delivery_sla_hours') %}
{#- The shipment's temperature summary: kept together, from one source or the other. #}
{%- set telemetry_columns = [
    'has_telemetry',
    'reading_count',
    'first_reading_at',
    'last_reading_at',
    'gap_count',
    'missing_readings',
    'min_temperature_c',
    'avg_temperature_c',
    'median_temperature_c',
    'max_temperature_c',
    'is_cold_chain',
    'temperature_ceiling_c',
    'excursion_readings',
    'has_temperature_excursion',
] %}

with

shipments as (
    select * from {{ ref('int_shipments__enriched') }}
),

-- read by incremental runs only (shipments with new readings)
readings as (  -- noqa: ST03
    select * from {{ ref('int_readings__checked') }}
),

order_keys as (
    select * from {{ ref('int_orders__keyed') }}
),

{% if is_incremental() %}
-- every staged reading (int_readings__checked), clean or quarantined, loaded since the last run;
-- the watermark is the latest shipment load here, which precedes this table's last build, so
-- every reading loaded after that build is caught (a few earlier ones again, harmlessly)
shipments_with_new_readings as (
    select distinct shipment_id
    from readings
    where _loaded_at > (select max(_loaded_at) from {{ this }})
),

previous_summaries as (
    select * from {{ this }}
),

{% endif %}
shipments_to_build as (
    select shipments.*
    from shipments
    {%- if is_incremental() %}
    where
        shipments._loaded_at > (select max(_loaded_at) from {{ this }})
        or shipments.shipped_at >= (
            select
                {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(shipped_at)') }}
            from {{ this }}
        )
        or shipments.shipment_id in (select shipment_id from shipments_with_new_readings)
    {%- endif %}
),

-- the temperature summary: upstream's, or the one recorded here once readings were purged
telemetry as (
    select
        {%- for column in telemetry_columns %}
        {%- if is_incremental() %}
        case
            when previous_summaries.reading_count > shipments_to_build.reading_count
                then previous_summaries.{{ column }}
            else shipments_to_build.{{ column }}
        end as {{ column }},
        {%- else %}
        shipments_to_build.{{ column }},
        {%- endif %}
        {%- endfor %}
        shipments_to_build.shipment_id
    from shipments_to_build
    {%- if is_incremental() %}
    left join previous_summaries using (shipment_id)
    {%- endif %}
),

joined as (
    select
        shipments_to_build.shipment_id,
        shipments_to_build.order_id,
        order_keys.customer_key,
        shipments_to_build.tracking_number,
        shipments_to_build.vehicle_id,
        shipments_to_build.carrier,
        shipments_to_build.status,
        shipments_to_build.ship_to_country_code,
        shipments_to_build.shipped_at,
        shipments_to_build.delivered_at,
        shipments_to_build.delivery_hours,
        {{ dbt.dateadd('hour', sla_hours, 'shipments_to_build.shipped_at') }}
            as delivery_due_at,
        shipments_to_build._load_id,
        shipments_to_build._loaded_at
    from shipments_to_build
    left join order_keys using (order_id)
),

-- the delivery against its promise (var delivery_sla_hours), and the temperature summary
measured as (
    select
        joined.*,
        cast(joined.shipped_at as date) as shipped_date,
        cast(joined.delivered_at as date) as delivered_date,
        joined.delivered_at is not null as is_delivered,
        {{ sla_hours }} as delivery_sla_hours,
        case
            when joined.delivered_at is not null
                then joined.delivered_at <= joined.delivery_due_at
        end as is_on_time,
        {%- for column in telemetry_columns if column != 'avg_temperature_c' %}
        telemetry.{{ column }},
        {%- endfor %}
        -- rounded to 6 decimals (through numeric: PostgreSQL has no round(double, n)): a
        -- mean of doubles can differ in its last bits from one build of
        -- int_shipments__enriched to the next (parallel summation order), and a shipment
        -- not rebuilt would then differ from a full refresh
        cast(telemetry.avg_temperature_c as numeric(18, 6)) as avg_temperature_c
    from joined
    inner join telemetry using (shipment_id)
),

final as (
    select
        {{ contract_columns() }}
    from measured
)

select * from final
