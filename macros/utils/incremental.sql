{#-
    The incremental rule of the marts, as a where clause: the rows loaded since the last run
    (`loaded_at_column` after the latest in {{ this }}), plus those whose business date falls
    within the last `incremental_lookback_days` (a project var, which says why) before the
    latest one in {{ this }}. Only inside `{% if is_incremental() %}`; the columns are the
    model's own, unqualified.

        where {{ loaded_since_last_run_or_recent('order_date') }}
-#}
{% macro loaded_since_last_run_or_recent(business_date_column, loaded_at_column='_loaded_at') -%}
    {%- set latest_date = 'max(' ~ business_date_column ~ ')' -%}
    {{ loaded_at_column }} > (select max({{ loaded_at_column }}) from {{ this }})
    or {{ business_date_column }} >= (
        select {{ dbt.dateadd('day', -var('incremental_lookback_days'), latest_date) }}
        from {{ this }}
    )
{%- endmacro %}
