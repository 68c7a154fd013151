{#-
    Every country the column holds has a CRM date format (the crm_date_formats macro): a
    country in no list would have its dates read as ISO only, and nearly every contact of it
    quarantined while the build stayed green. So a country without one fails the build with
    an error that names it and says where to add it; the test then has no rows to report.

        columns:
          - name: country_code
            data_tests: [has_crm_date_format]
-#}
{% test has_crm_date_format(model, column_name) %}

{%- set known_countries = [] -%}
{%- for country_codes in crm_date_formats().values() -%}
    {%- do known_countries.extend(country_codes) -%}
{%- endfor -%}

{%- set countries_without_format -%}
select
    {{ column_name }} as country_code,
    count(*) as contact_rows
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in ('{{ known_countries | join("', '") }}')
group by {{ column_name }}
{%- endset -%}

{%- if execute -%}
    {%- set found = run_query(countries_without_format) -%}
    {%- if found.rows | length > 0 -%}
        {%- set named = [] -%}
        {%- for row in found.rows -%}
            {%- do named.append(row[0] ~ ' (' ~ row[1] ~ ' rows)') -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            'CRM contacts from ' ~ named | join(', ') ~ ' have no date format: add the '
            ~ 'country to crm_date_formats in macros/utils/dates.sql with the format its '
            ~ 'sales team types dates in (ISO countries under %Y-%m-%d)'
        ) }}
    {%- endif -%}
{%- endif -%}

{{ countries_without_format }}

{% endtest %}
