{#-
    The one-hot columns of ml_customer_features (country_<code>, device_<type>,
    segment_<name>, read from the model's contract, its yml):
    - every country of the countries seed and of dim_customers has its country_<code>
      column (the model fixes the list: this is what says a new country needs one);
    - on every row each one-hot column is 1 exactly when its attribute (country_code, device,
      segment) has its value, so each group sums to 1.
    Fails with one row per missing column, and per row and group that breaks the encoding.
-#}

{%- set groups = {'country': [], 'device': [], 'segment': []} -%}
{%- set attributes = {'country': 'country_code', 'device': 'device', 'segment': 'segment'} -%}
{%- if execute -%}
{%- for node in graph.nodes.values() if node.resource_type == 'model' -%}
{%- if node.name == 'ml_customer_features' -%}
{%- for column_name in node.columns if not column_name.endswith('_z') -%}
{%- for group, values in groups.items() -%}
{%- if column_name.startswith(group ~ '_') and column_name != attributes[group] -%}
{%- do values.append(column_name[group | length + 1:]) -%}
{%- endif -%}
{%- endfor -%}
{%- endfor -%}
{%- endif -%}
{%- endfor -%}
{%- for group, values in groups.items() if not values -%}
{{ exceptions.raise_compiler_error('ml_customer_features has no ' ~ group ~ '_ column') }}
{%- endfor -%}
{%- endif %}

with

features as (
    select * from {{ ref('ml_customer_features') }}
),

countries as (
    select country_code from {{ ref('countries') }}
    union
    select country_code from {{ ref('dim_customers') }}
    where country_code is not null
),

encoded_countries as (
    {%- for code in groups['country'] %}
    select '{{ code }}' as code
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

missing_columns as (
    select
        'missing country column' as problem,
        cast(null as {{ dbt.type_string() }}) as customer_key,
        cast(null as date) as as_of_date,
        countries.country_code as attribute_value
    from countries
    left join encoded_countries
        on lower(countries.country_code) = encoded_countries.code
    where encoded_countries.code is null
),

broken_rows as (
    {%- for group, values in groups.items() %}
    select
        'broken {{ group }} encoding' as problem,
        customer_key,
        as_of_date,
        cast({{ attributes[group] }} as {{ dbt.type_string() }}) as attribute_value
    from features
    -- each one-hot column against what it should be: any difference breaks the row
    where
        0
        {%- for value in values %}
        + abs(
            {{ group }}_{{ value }}
            - case when lower({{ attributes[group] }}) = '{{ value }}' then 1 else 0 end
        )
        {%- endfor %}
        > 0
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from missing_columns
union all
select * from broken_rows
