{#-
    Every value of the column matches a regular expression, written to match the whole value
    (anchor it with ^ and $): fails with the values that do not. Nulls are not checked. The
    pattern is read by RE2 on DuckDB and by PostgreSQL's AREs: keep to what both know.

        data_tests:
          - matches_regex:
              arguments:
                pattern: '^[+][1-9][0-9]{7,14}$'
-#}
{% test matches_regex(model, column_name, pattern) %}

select {{ column_name }} as value_not_matching
from {{ model }}
where
    {{ column_name }} is not null
    and not {{ matches_pattern(column_name, pattern) }}

{% endtest %}
