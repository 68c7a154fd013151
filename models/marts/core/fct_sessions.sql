{#-
    One row per clickstream session (grain: session_id, as int_sessions__summarized and
    int_events__sessionized define it), with the person it belongs to as `customer_key`.

    - customer_key: looked up in the protected key map int_customers__keyed (by the
      session's stitched customer_id); null for a visitor whose device never logged in.
    - landing_page_path: the path of the session's first page without its query string: a
      search query ('/search?q=...') is text the visitor typed, so it stays out of the mart.
    - Incremental (merge on session_id). What a new load can change is not limited to the
      sessions it brings events to: a late event that falls before a session's first event
      gives the session a new session_id (a hash of the anonymous id and its first event), one
      that bridges two sessions merges them under the first one's id, one that opens an
      earlier session renumbers every later session of its device, and a first login stitches
      the customer onto every earlier session of the device. All of these stay within one
      anonymous id, so a run re-reads EVERY session of each anonymous id that has a session
      loaded since the last run (`_load_id` greater than the latest in this table) or started
      in the last `incremental_lookback_days` (a project var) before the latest session here,
      the window in which late events arrive. The pre-hook deletes this table's sessions of
      those same anonymous ids whose session_id no longer exists upstream (the ids a late
      event merged away or replaced); the merge then writes the current ones. The result is
      what a full refresh builds.
-#}

{{
    config(
        materialized='incremental',
        unique_key='session_id',
        pre_hook="
            {% if is_incremental() %}
            -- sessions of the re-read devices that no longer exist upstream (merged away or
            -- re-keyed by a late event); the same devices as `reread_devices` below
            delete from {{ this }}
            where
                anonymous_id in (
                    select anonymous_id
                    from {{ ref('int_sessions__summarized') }}
                    where
                        _load_id > (select max(_load_id) from {{ this }})
                        or started_at >= (
                            select {{ dbt.dateadd(
                                'day', -var('incremental_lookback_days'), 'max(started_at)'
                            ) }}
                            from {{ this }}
                        )
                )
                and session_id not in (
                    select session_id from {{ ref('int_sessions__summarized') }}
                )
            {% endif %}
        "
    )
}}

with

sessions as (
    select * from {{ ref('int_sessions__summarized') }}
),

customers as (
    select
        customer_id,
        customer_key
    from {{ ref('int_customers__keyed') }}
),

{% if is_incremental() %}
-- devices (anonymous ids) with a session loaded since the last run or started in the
-- lookback window: all their sessions are rebuilt (see the header for why)
reread_devices as (
    select distinct anonymous_id
    from sessions
    where
        _load_id > (select max(_load_id) from {{ this }})
        or started_at >= (
            select
                {{ dbt.dateadd('day', -var('incremental_lookback_days'), 'max(started_at)') }}
            from {{ this }}
        )
),

{% endif %}
sessions_to_build as (
    select sessions.*
    from sessions
    {%- if is_incremental() %}
    inner join reread_devices using (anonymous_id)
    {%- endif %}
),

joined as (
    select
        sessions_to_build.*,
        customers.customer_key,
        cast(sessions_to_build.started_at as date) as session_date,
        {{ dbt.split_part('sessions_to_build.first_page_url', "'?'", 1) }} as landing_page_path
    from sessions_to_build
    left join customers using (customer_id)
),

final as (
    select
        {{ contract_columns() }}
    from joined
)

select * from final
