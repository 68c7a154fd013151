with

sales as (select * from {{ ref('quality_row_counts__sales') }}),

finance as (select * from {{ ref('quality_row_counts__finance') }}),

logistics as (select * from {{ ref('quality_row_counts__logistics') }}),

marketing as (select * from {{ ref('quality_row_counts__marketing') }}),

customer as (select * from {{ ref('quality_row_counts__customer') }}),

all_domains as (
    select * from sales
    union all
    select * from finance
    union all
    select * from logistics
    union all
    select * from marketing
    union all
    select * from customer
),

checked as (
    select
        *,
        -- what the run wrote and later loads have merged over (updates, re-delivered files)
        landing_rows - raw_rows - raw_rejected_rows as replaced_rows,
        raw_rows - staged_rows as rows_lost_to_staging,
        staged_rows - clean_rows - rejected_rows as rows_lost_in_validation,
        clean_rows - mart_rows as rows_lost_to_marts
    from all_domains
),

final as (
    select
        entity,
        source_name,
        run_id,
        loaded_at,
        landing_rows,
        raw_rows,
        raw_rejected_rows,
        replaced_rows,
        staged_rows,
        clean_rows,
        rejected_rows,
        mart_rows,
        rows_lost_to_staging,
        rows_lost_in_validation,
        rows_lost_to_marts,
        run_id is not null
        and replaced_rows >= 0
        and coalesce(rows_lost_to_staging, 0) = 0
        and coalesce(rows_lost_in_validation, 0) = 0
        and coalesce(rows_lost_to_marts, 0) = 0 as is_reconciled
    from checked
)

select * from final
