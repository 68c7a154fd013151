{#-
    Every standardized feature (<feature>_z) has mean 0 and sample standard deviation 1 over
    the training window (is_label_complete rows), where its statistics come from; a feature
    that is constant there has all its z at 0. A z is null exactly where its raw value is.
    Fails with one row per _z column that breaks this, with its numbers.

    The _z columns are read from the model's contract (its yml, enforced against the SQL), so
    that a feature added later is checked without editing this test.
-#}

{%- set tolerance = 0.000001 -%}
{%- set z_columns = [] -%}
{%- if execute -%}
{%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
{%- if node.name == 'ml_customer_features' -%}
{%- for column_name in node.columns if column_name.endswith('_z') -%}
{%- do z_columns.append(column_name) -%}
{%- endfor -%}
{%- endif -%}
{%- endfor -%}
{%- if not z_columns -%}
{{ exceptions.raise_compiler_error('ml_customer_features declares no _z column') }}
{%- endif -%}
{%- endif %}

with

features as (
    select * from {{ ref('ml_customer_features') }}
),

z_statistics as (
    {%- for z_column in z_columns %}
    select
        '{{ z_column }}' as column_name,
        avg(case when is_label_complete then {{ z_column }} end) as training_mean,
        stddev_samp(case when is_label_complete then {{ z_column }} end) as training_stddev,
        sum(
            case when ({{ z_column }} is null) != ({{ z_column[:-2] }} is null) then 1 else 0 end
        ) as null_mismatch_count
    from features
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select *
from z_statistics
where
    abs(training_mean) > {{ tolerance }}
    or (
        abs(training_stddev - 1) > {{ tolerance }}
        and abs(training_stddev) > {{ tolerance }}
    )
    or null_mismatch_count > 0
