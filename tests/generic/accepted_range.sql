{#-
    Every value of the column lies within a range: fails with the rows outside it (nulls are
    not checked; a not_null test says whether they are allowed). Either bound may be left out.

        data_tests:
          - accepted_range:
              arguments:
                min_value: 1
                max_value: 5
                inclusive: true    # the default; false excludes the bounds themselves
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error(
        "accepted_range on " ~ model ~ "." ~ column_name ~ ": give min_value, max_value or both"
    ) }}
{%- endif -%}

{%- set below = '<' if inclusive else '<=' -%}
{%- set above = '>' if inclusive else '>=' %}

with

outside as (
    select {{ column_name }} as value_outside_range
    from {{ model }}
    where
        {{ column_name }} is not null
        and (
            false
            {%- if min_value is not none %}
            or {{ column_name }} {{ below }} {{ min_value }}
            {%- endif %}
            {%- if max_value is not none %}
            or {{ column_name }} {{ above }} {{ max_value }}
            {%- endif %}
        )
)

select value_outside_range
from outside

{% endtest %}
