{#-
    Masking of personal data, driven by metadata: a column's `pii_type` (its `meta` in the
    model's yml) says what it is, the `pii_masking_policy` seed says how that kind is masked.

    mask_pii(column): the masked value of `column`, a column of the current model's yml whose
    meta declares `pii: true` and a `pii_type`. Staging standardizes personal data in one CTE
    and masks it in the next, the model's last, whose select list masked_columns (below)
    writes from the yml: `{{ mask_pii('email') }} as email` for each personal column.

    The policy is read by the SQL, not at compile time (a scalar subquery on the seed), so
    that compiling needs no warehouse and a policy change applies on the next build. Every
    method keeps null as null and returns text:
      - hash     a salted SHA-256 of the value, in hex (salted_hash below): equal values keep
                 equal tokens, so joins, counts of distinct people and entity resolution
                 still work, but the value cannot be read back without the salt;
      - partial  a part that identifies no one (partial_mask below);
      - redact   the text '[redacted]';
    a missing or unknown method redacts: an incomplete policy hides too much, never too
    little. Only models outside the restricted vault call it; the vault keeps raw values.

    A column without pii meta is a compile error naming the model and the column, so that the
    yml stays the one place where personal data is declared.
-#}
{% macro mask_pii(column) -%}
    {%- set pii_type = tributary.pii_type_of(column) -%}
    {%- set value = 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    case (
        select masking_policy.masking_method
        from {{ ref('pii_masking_policy') }} as masking_policy
        where masking_policy.pii_type = '{{ pii_type }}'
    )
        when 'hash' then {{ tributary.salted_hash(value) }}
        when 'partial' then {{ tributary.partial_mask(value, pii_type) }}
        else {{ tributary.redact(value) }}
    end
{%- endmacro %}



{#-
    masked_columns(): the select list of a staging model's last CTE, every column the model's
    yml declares, in the yml's order: masked (mask_pii) where its meta declares personal data,
    as it is otherwise. The yml is then the one list of a model's columns and of which of them
    are personal, and no personal column can leave staging unmasked by being forgotten in a
    second list:

        masked as (
            select
                {{ masked_columns() }}
            from renamed
        )

    A unit test's node has no yml columns: there the columns are those its `expect` rows name
    (what it compares), masked where its overrides' unit_test_pii_types give a type (as
    mask_pii reads them). `*` where there are none: at parse time, in an analysis (the macro
    lint's harness; declared_yml_columns) and in a unit test whose `expect` is SQL.
-#}
{% macro masked_columns(indent=8) -%}
    {#- The masks read the policy seed: a dependency from parse time on, columns or not. -#}
    {%- do ref('pii_masking_policy') -%}
    {%- set names = [] -%}
    {%- set personal = [] -%}
    {%- if execute and model.resource_type == 'unit_test' -%}
        {%- for row in config.get('expected_rows') or [] -%}
            {%- for name in row if name not in names -%}
                {%- do names.append(name) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- do personal.extend(var('unit_test_pii_types', {}).keys()) -%}
    {%- else -%}
        {%- for name, column in tributary.declared_yml_columns('masked_columns').items() -%}
            {%- do names.append(name) -%}
            {%- set meta = {} -%}
            {%- do meta.update(column.get('meta') or {}) -%}
            {%- do meta.update((column.get('config') or {}).get('meta') or {}) -%}
            {%- if meta.get('pii') -%}
                {%- do personal.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not names -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for name in names -%}
        {%- do columns.append(
            tributary.mask_pii(name) ~ ' as ' ~ name if name in personal else name
        ) -%}
    {%- endfor -%}
    {{ return(columns | join(',\n' ~ ' ' * indent)) }}
{%- endmacro %}


{#-
    The pii_type that the current model's yml declares for `column`. A unit test compiles
    the model under its own node, which carries neither the model's columns nor the graph:
    there the types come from the unit test's `overrides: vars: {unit_test_pii_types:
    {column: type}}` (the only part of a unit test's definition that reaches the model).
-#}
{% macro pii_type_of(column) -%}
    {#- At parse time the yml is not attached to the node yet: any valid type will do. -#}
    {%- if not execute -%}
        {{ return('free_text') }}
    {%- endif -%}
    {%- if model.resource_type == 'unit_test' -%}
        {%- set declared_types = var('unit_test_pii_types', {}) -%}
        {%- if column not in declared_types -%}
            {{ exceptions.raise_compiler_error(
                "mask_pii: unit test " ~ model.name ~ " masks column '" ~ column ~ "' but "
                ~ "does not declare its type: map it to its pii_type in the unit test's "
                ~ "overrides, vars, unit_test_pii_types, as the model's yml declares it"
            ) }}
        {%- endif -%}
        {{ return(declared_types[column]) }}
    {%- endif -%}
    {%- set declared = model.columns.get(column) -%}
    {%- set meta = {} -%}
    {%- if declared -%}
        {%- do meta.update(declared.get('meta') or {}) -%}
        {%- do meta.update((declared.get('config') or {}).get('meta') or {}) -%}
    {%- endif -%}
    {%- if not meta.get('pii') or not meta.get('pii_type') -%}
        {{ exceptions.raise_compiler_error(
            "mask_pii: column '" ~ column ~ "' of " ~ model.name ~ " has no `pii: true` and "
            ~ "`pii_type` in its yml meta; declare it there, masking follows from it"
        ) }}
    {%- endif -%}
    {{ return(meta['pii_type']) }}
{%- endmacro %}


{#-
    The salt of the hashes, from the environment variable TRIBUTARY_PII_SALT. The sandbox's
    default is not a secret, and says so; a real deployment sets its own and keeps it out of
    git (the same value everywhere the tokens must join, or every token changes).
-#}
{% macro pii_salt() -%}
    {{- return(env_var('TRIBUTARY_PII_SALT', 'sandbox-salt-not-a-secret') | replace("'", "''")) -}}
{%- endmacro %}


{% macro salted_hash(value) -%}
    {{ tributary.sha256_hex(dbt.concat(["'" ~ tributary.pii_salt() ~ "'", value])) }}
{%- endmacro %}


{#- SHA-256 in lower-case hex: DuckDB's sha256(); PostgreSQL's on the UTF-8 bytes. -#}
{% macro sha256_hex(text) -%}
    {{ return(adapter.dispatch('sha256_hex', 'tributary')(text)) }}
{%- endmacro %}

{% macro duckdb__sha256_hex(text) -%}
    sha256({{ text }})
{%- endmacro %}

{% macro default__sha256_hex(text) -%}
    encode(sha256(convert_to({{ text }}, 'UTF8')), 'hex')
{%- endmacro %}


{#-
    The part of a value that identifies no one, by kind:
      email       the domain ('***@example.com')
      phone       the country prefix (first three characters of E.164: '+49***')
      name        the initial ('j***')
      address     the first two characters ('SW***' of a postcode)
      ip          the network of an IPv4 address ('203.0.0.0'); other texts are redacted
      birth_date  the year ('1990')
      payment     the last two characters ('**42')
      free_text   nothing: redacted
-#}
{% macro partial_mask(value, pii_type) -%}
    {%- if pii_type == 'email' -%}
        case when {{ value }} is not null then
            {{ dbt.concat(["'***@'", dbt.split_part(value, "'@'", 2)]) }}
        end
    {%- elif pii_type == 'phone' -%}
        case when {{ value }} is not null then {{ dbt.concat(['left(' ~ value ~ ', 3)', "'***'"]) }} end
    {%- elif pii_type == 'name' -%}
        case when {{ value }} is not null then {{ dbt.concat(['left(' ~ value ~ ', 1)', "'***'"]) }} end
    {%- elif pii_type == 'address' -%}
        case when {{ value }} is not null then {{ dbt.concat(['left(' ~ value ~ ', 2)', "'***'"]) }} end
    {%- elif pii_type == 'ip' -%}
        case
            when {{ value }} is null then null
            when {{ tributary.matches_pattern(value, '^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$') }}
                then {{ dbt.concat([
                    dbt.split_part(value, "'.'", 1), "'.'", dbt.split_part(value, "'.'", 2), "'.0.0'"
                ]) }}
            else '[redacted]'
        end
    {%- elif pii_type == 'birth_date' -%}
        left({{ value }}, 4)
    {%- elif pii_type == 'payment' -%}
        case when {{ value }} is not null then {{ dbt.concat(["'**'", dbt.right(value, '2')]) }} end
    {%- else -%}
        {{ tributary.redact(value) }}
    {%- endif -%}
{%- endmacro %}


{% macro redact(value) -%}
    case when {{ value }} is not null then '[redacted]' end
{%- endmacro %}


{#-
    Whether `text` matches the regular expression `pattern` (a literal, in the syntax both
    RE2 and PostgreSQL's AREs read: character classes, anchors, repetition counts).
-#}
{% macro matches_pattern(text, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'tributary')(text, pattern)) }}
{%- endmacro %}

{% macro duckdb__matches_pattern(text, pattern) -%}
    regexp_matches({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro default__matches_pattern(text, pattern) -%}
    ({{ text }} ~ '{{ pattern }}')
{%- endmacro %}
