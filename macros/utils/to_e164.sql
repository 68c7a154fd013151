{#-
    A phone number as typed ("(415) 555-0123", "0151 234 5678", "0049.151...", "+44 7700 900123")
    to E.164 ("+14155550123"), given the calling code and trunk prefix of the country it belongs
    to (join the countries seed for them):

    - "+..." keeps its own country code; "00..." is the international prefix, read as "+";
    - otherwise the number is national: the trunk prefix ("0" in GB, DE, FR, ...) is dropped
      and the calling code put in front;
    - a NANP number typed with its leading "1" (11 digits, calling code 1) gets no second one.
    Null for an empty number, and for a national number of an unknown country.
-#}
{% macro to_e164(phone, calling_code, trunk_prefix) -%}
    {%- set digits = "regexp_replace(" ~ phone ~ ", '[^0-9]', '', 'g')" -%}
    case
        when nullif({{ digits }}, '') is null then null
        when trim({{ phone }}) like '+%' then '+' || {{ digits }}
        when {{ digits }} like '00%' then '+' || substring({{ digits }} from 3)
        when {{ calling_code }} = '1' and length({{ digits }}) = 11 and {{ digits }} like '1%'
            then '+' || {{ digits }}
        when {{ trunk_prefix }} is not null and {{ digits }} like {{ trunk_prefix }} || '%'
            then
                '+' || {{ calling_code }}
                || substring({{ digits }} from length({{ trunk_prefix }}) + 1)
        else '+' || {{ calling_code }} || {{ digits }}
    end
{%- endmacro %}
