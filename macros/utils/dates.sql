{#-
    Dates typed as text.

    parse_date_text(text, format): the date that the text expression `text` spells in `format`,
    or null when it spells none: an empty text, a text in another format, or an impossible date
    such as '31/02/1990' or '00.00.0000'. It never fails, so that a model can try several
    formats and quarantine the rows that match none.

    `format` is a literal in strptime notation, the notation the sources document:
    %Y a four-digit year, %m a month and %d a day of one or two digits; every other character
    is itself (e.g. '%m/%d/%Y', '%d.%m.%Y', '%Y-%m-%d'). No other directive is supported.

    DuckDB: try_strptime, which returns null instead of failing.
    PostgreSQL (and the default): to_date raises an error on a text it cannot read and there is
    no try_ form, so the text is first checked against a regular expression built from the
    format, then its month and day against the calendar (leap years included); only a text
    that passes both reaches to_date. A CASE evaluates its branches in order, which is what
    keeps to_date away from the bad texts.
-#}
{% macro parse_date_text(text, format) -%}
    {{ return(adapter.dispatch('parse_date_text', 'tributary')(text, format)) }}
{%- endmacro %}

{% macro duckdb__parse_date_text(text, format) -%}
    cast(try_strptime({{ text }}, '{{ format }}') as date)
{%- endmacro %}

{% macro default__parse_date_text(text, format) -%}
    {%- set parts = {'%Y': '[0-9]{4}', '%m': '[0-9]{1,2}', '%d': '[0-9]{1,2}'} -%}
    {%- set to_date_parts = {'%Y': 'YYYY', '%m': 'MM', '%d': 'DD'} -%}
    {#- Split the format into its directives and literal characters. -#}
    {%- set tokens = [] -%}
    {%- set state = {'skip': false} -%}
    {%- for char in format -%}
        {%- if state.skip -%}
            {%- do state.update({'skip': false}) -%}
        {%- elif char == '%' -%}
            {%- do tokens.append(format[loop.index0:loop.index0 + 2]) -%}
            {%- do state.update({'skip': true}) -%}
        {%- else -%}
            {%- do tokens.append(char) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- One anchored regular expression for the whole text, one per directive capturing it. -#}
    {%- set ns = namespace(pattern='', to_date_format='', captures={}) -%}
    {%- for token in tokens -%}
        {%- if token in parts -%}
            {%- set ns.to_date_format = ns.to_date_format ~ to_date_parts[token] -%}
        {%- elif token.startswith('%') -%}
            {{ exceptions.raise_compiler_error("parse_date_text: unsupported directive " ~ token) }}
        {%- else -%}
            {%- set ns.to_date_format = ns.to_date_format ~ token -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for wanted in ['%Y', '%m', '%d'] -%}
        {%- set ns.pattern = '' -%}
        {%- for token in tokens -%}
            {%- if token == wanted -%}
                {%- set ns.pattern = ns.pattern ~ '(' ~ parts[token] ~ ')' -%}
            {%- elif token in parts -%}
                {%- set ns.pattern = ns.pattern ~ parts[token] -%}
            {%- elif token in '.^$*+?()[]{}|\\' -%}
                {%- set ns.pattern = ns.pattern ~ '\\' ~ token -%}
            {%- else -%}
                {%- set ns.pattern = ns.pattern ~ token -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do ns.captures.update({wanted: '^' ~ ns.pattern ~ '$'}) -%}
    {%- endfor -%}
    {%- set year = "cast(substring(" ~ text ~ " from '" ~ ns.captures['%Y'] ~ "') as integer)" -%}
    {%- set month = "cast(substring(" ~ text ~ " from '" ~ ns.captures['%m'] ~ "') as integer)" -%}
    {%- set day = "cast(substring(" ~ text ~ " from '" ~ ns.captures['%d'] ~ "') as integer)" -%}
    case
        when {{ text }} ~ '{{ ns.captures["%Y"] }}' then
            case
                when
                    {{ year }} >= 1
                    and {{ month }} between 1 and 12
                    and {{ day }} between 1 and
                    case
                        when {{ month }} = 2
                            then
                                case
                                    when
                                        ({{ year }} % 4 = 0 and {{ year }} % 100 != 0)
                                        or {{ year }} % 400 = 0 then 29
                                    else 28
                                end
                        -- 31, 30 alternating, restarting in August: 31 - (month - 1) % 7 % 2
                        else 31 - ({{ month }} - 1) % 7 % 2
                    end
                    then to_date({{ text }}, '{{ ns.to_date_format }}')
            end
    end
{%- endmacro %}

{#-
    parse_local_date_text(text, country_code, formats_by_country): the date that `text` spells
    in ISO (yyyy-mm-dd, what systems write) or else in the format of its country, given as
    {format: [country codes]} (e.g. {'%m/%d/%Y': ['US'], '%d.%m.%Y': ['DE']}); null when it
    spells neither. The country is what tells 03/04/1990 in the US (March 4th) from the same
    text in GB (3 April). A country in no list reads ISO only.
-#}
{% macro parse_local_date_text(text, country_code, formats_by_country) -%}
    coalesce(
        {{ parse_date_text(text, '%Y-%m-%d') }},
        case
            {%- for date_format, country_codes in formats_by_country.items() %}
            when {{ country_code }} in ('{{ country_codes | join("', '") }}')
                then {{ parse_date_text(text, date_format) }}
            {%- endfor %}
        end
    )
{%- endmacro %}

{#-
    crm_date_formats(): how each country's sales team types dates in the CRM, as
    parse_local_date_text wants them ({format: [country codes]}); systems write ISO
    everywhere, and the countries under '%Y-%m-%d' type ISO too. Every country the CRM
    exports from must be in a list: a country in none fails the build (the
    has_crm_date_format test on stg_crm__contacts), because its dates would all be read as
    ISO and its contacts quarantined. One place for staging (birth dates, parsed before they
    are masked), intermediate (creation dates) and that test.
-#}
{% macro crm_date_formats() -%}
    {{ return({
        '%m/%d/%Y': ['US'],
        '%d.%m.%Y': ['DE'],
        '%d/%m/%Y': ['GB', 'FR', 'ES', 'IT', 'BR'],
        '%Y-%m-%d': ['JP', 'NL'],
    }) }}
{%- endmacro %}

{#-
    Birth dates as people type them, checked field by field: a bad birth date costs the record
    its birth date, never the record itself.

    plausible_birth_date(parsed): the parsed date when a living customer can have been born
    on it (from 1900 to today), else null.
    birth_date_issue(text, parsed): why a typed birth date is not kept, null when it is (or
    when none was typed): 'impossible' (shaped like a date, but no such day: 30 February,
    month 13), 'unparseable' (not a date at all: 'n/a'), 'implausible' (before 1900 or in
    the future).
    swapped_day_and_month(date_value): the date with its day and month exchanged (1990-03-12
    for 1990-12-03), null when that is no date or the same date: what a date typed in the
    other one of the day-first and month-first orders reads as.
-#}
{% macro plausible_birth_date(parsed) -%}
    case
        when {{ parsed }} between cast('1900-01-01' as date) and current_date then {{ parsed }}
    end
{%- endmacro %}

{% macro birth_date_issue(text, parsed) -%}
    case
        when {{ text }} is null then null
        when
            {{ parsed }} is null
            and {{ matches_pattern(text, '^[0-9]{1,4}[^0-9][0-9]{1,2}[^0-9][0-9]{1,4}$') }}
            then 'impossible'
        when {{ parsed }} is null then 'unparseable'
        when {{ plausible_birth_date(parsed) }} is null then 'implausible'
    end
{%- endmacro %}

{% macro swapped_day_and_month(date_value) -%}
    {%- set day = 'cast(extract(day from ' ~ date_value ~ ') as integer)' -%}
    {%- set month = 'cast(extract(month from ' ~ date_value ~ ') as integer)' -%}
    {%- set year = 'cast(extract(year from ' ~ date_value ~ ') as integer)' -%}
    case
        when {{ day }} <= 12 and {{ day }} != {{ month }}
            then make_date({{ year }}, {{ day }}, {{ month }})
    end
{%- endmacro %}
