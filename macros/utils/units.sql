{#-
    Units of measurement.

    fahrenheit_to_celsius(column): the temperature in degrees Celsius of `column`, a temperature
    in degrees Fahrenheit: (°F - 32) × 5 / 9, so 32 °F -> 0 °C and 212 °F -> 100 °C. Null stays
    null. Not rounded: the subtraction comes first and the division last, which keeps whole
    results such as 0 and 100 exact in floating point; round for display in the marts.
    Plain arithmetic, the same on every warehouse.
-#}
{% macro fahrenheit_to_celsius(column) -%}
    (({{ column }} - 32) * 5.0 / 9.0)
{%- endmacro %}
