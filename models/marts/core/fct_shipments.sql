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

{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='shipment_id',
        on_schema_change='append_new_columns'
    )
}}

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
    left join previous_summaries
        on shipments_to_build.shipment_id = previous_summaries.shipment_id
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
    left join order_keys
        on shipments_to_build.order_id = order_keys.order_id
),

final as (
    select
        -- ids
        cast(joined.shipment_id as bigint) as shipment_id,
        cast(joined.order_id as bigint) as order_id,
        cast(joined.customer_key as varchar) as customer_key,
        cast(joined.tracking_number as varchar) as tracking_number,
        cast(joined.vehicle_id as varchar) as vehicle_id,

        -- attributes
        cast(joined.carrier as varchar) as carrier,
        cast(joined.status as varchar) as status,
        cast(joined.ship_to_country_code as varchar) as ship_to_country_code,

        -- delivery
        cast(joined.shipped_at as timestamp) as shipped_at,
        cast(joined.shipped_at as date) as shipped_date,
        cast(joined.delivered_at as timestamp) as delivered_at,
        cast(joined.delivered_at as date) as delivered_date,
        cast(joined.delivery_hours as double precision) as delivery_hours,
        joined.delivered_at is not null as is_delivered,

        -- delivery promise (var delivery_sla_hours)
        cast({{ sla_hours }} as integer) as delivery_sla_hours,
        cast(joined.delivery_due_at as timestamp) as delivery_due_at,
        case
            when joined.delivered_at is not null
                then joined.delivered_at <= joined.delivery_due_at
        end as is_on_time,

        -- telemetry coverage
        cast(telemetry.has_telemetry as boolean) as has_telemetry,
        cast(telemetry.reading_count as integer) as reading_count,
        cast(telemetry.first_reading_at as timestamp) as first_reading_at,
        cast(telemetry.last_reading_at as timestamp) as last_reading_at,
        cast(telemetry.gap_count as integer) as gap_count,
        cast(telemetry.missing_readings as integer) as missing_readings,

        -- cargo temperature (°C); null without telemetry
        cast(telemetry.min_temperature_c as double precision) as min_temperature_c,
        -- rounded to 6 decimals (through numeric: PostgreSQL has no round(double, n)): a
        -- mean of doubles can differ in its last bits from one build of
        -- int_shipments__enriched to the next (parallel summation order), and a shipment
        -- not rebuilt would then differ from a full refresh
        cast(
            cast(telemetry.avg_temperature_c as numeric(18, 6)) as double precision
        ) as avg_temperature_c,
        cast(telemetry.median_temperature_c as double precision) as median_temperature_c,
        cast(telemetry.max_temperature_c as double precision) as max_temperature_c,
        cast(telemetry.is_cold_chain as boolean) as is_cold_chain,
        cast(telemetry.temperature_ceiling_c as double precision) as temperature_ceiling_c,
        cast(telemetry.excursion_readings as integer) as excursion_readings,
        cast(telemetry.has_temperature_excursion as boolean) as has_temperature_excursion,

        -- lineage: the load that last wrote the shipment
        cast(joined._load_id as varchar) as _load_id,
        cast(joined._loaded_at as timestamp) as _loaded_at
    from joined
    inner join telemetry
        on joined.shipment_id = telemetry.shipment_id
)

select * from final
