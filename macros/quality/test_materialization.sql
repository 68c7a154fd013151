{#-
    The project's own `test` materialization, so that Elementary can record every test's result
    and sample rows when its package is installed (monitoring on).

    Elementary ships this materialization in its package, but since dbt 1.8 a package may no
    longer override a built-in materialization by itself: dbt would ignore it and print a
    deprecation warning for every test. A materialization in the root project is allowed; this
    one hands over to Elementary's when the package is there, and to dbt's own when it is not,
    so that the core build never depends on the package.
-#}
{% materialization test, default %}
    {%- if elementary is defined -%}
        {{ return(elementary.materialization_test_default()) }}
    {%- else -%}
        {{ return(dbt.materialization_test_default()) }}
    {%- endif -%}
{% endmaterialization %}
