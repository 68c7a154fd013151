{#-
    Text as people type it, made comparable.

    fold_accents(text): the text with the accents taken off its letters ('Müller' -> 'Muller',
    'Satō' -> 'Sato', 'Iñigo' -> 'Inigo'); case, and every other character, unchanged.
    normalize_name(text): a name reduced to what survives retyping: accents folded, lower case,
    and only the letters a-z kept ('  Dupré ' -> 'dupre', "O'Brien" -> 'obrien',
    'de Vries' -> 'devries', 'Groß' -> 'gro'). Null stays null.

    DuckDB: strip_accents. PostgreSQL (and the default): translate() with the character list
    below, so that no extension (unaccent) has to be installed. The list is every letter of
    Latin-1 Supplement and Latin Extended-A (U+00C0-U+017F) that Unicode decomposes (NFKD) into
    an ASCII letter plus combining marks, mapped to that letter: the same result as DuckDB's
    strip_accents and as the sandbox's own ascii_fold on those letters (checked when the list
    was written). Letters that do not decompose ('ß', 'ø', 'æ', 'ł', 'đ') are left as they are;
    normalize_name then drops them on both sides of a comparison, as ascii_fold does.
-#}
{% macro fold_accents(text) -%}
    {{ return(adapter.dispatch('fold_accents', 'tributary')(text)) }}
{%- endmacro %}

{% macro duckdb__fold_accents(text) -%}
    strip_accents({{ text }})
{%- endmacro %}

{% macro default__fold_accents(text) -%}
    {%- set letters = [
        ('A', 'ÀÁÂÃÄÅĀĂĄ'), ('a', 'àáâãäåāăą'),
        ('C', 'ÇĆĈĊČ'), ('c', 'çćĉċč'),
        ('D', 'Ď'), ('d', 'ď'),
        ('E', 'ÈÉÊËĒĔĖĘĚ'), ('e', 'èéêëēĕėęě'),
        ('G', 'ĜĞĠĢ'), ('g', 'ĝğġģ'),
        ('H', 'Ĥ'), ('h', 'ĥ'),
        ('I', 'ÌÍÎÏĨĪĬĮİ'), ('i', 'ìíîïĩīĭį'),
        ('J', 'Ĵ'), ('j', 'ĵ'),
        ('K', 'Ķ'), ('k', 'ķ'),
        ('L', 'ĹĻĽ'), ('l', 'ĺļľ'),
        ('N', 'ÑŃŅŇ'), ('n', 'ñńņň'),
        ('O', 'ÒÓÔÕÖŌŎŐ'), ('o', 'òóôõöōŏő'),
        ('R', 'ŔŖŘ'), ('r', 'ŕŗř'),
        ('S', 'ŚŜŞŠ'), ('s', 'śŝşš'),
        ('T', 'ŢŤ'), ('t', 'ţť'),
        ('U', 'ÙÚÛÜŨŪŬŮŰŲ'), ('u', 'ùúûüũūŭůűų'),
        ('W', 'Ŵ'), ('w', 'ŵ'),
        ('Y', 'ÝŶŸ'), ('y', 'ýÿŷ'),
        ('Z', 'ŹŻŽ'), ('z', 'źżž'),
    ] -%}
    {%- set ns = namespace(accented='', plain='') -%}
    {%- for plain, accented in letters -%}
        {%- set ns.accented = ns.accented ~ accented -%}
        {%- set ns.plain = ns.plain ~ plain * (accented | length) -%}
    {%- endfor -%}
    translate({{ text }}, '{{ ns.accented }}', '{{ ns.plain }}')
{%- endmacro %}

{% macro normalize_name(text) -%}
    {#- Fold before lower(): lower() leaves non-ASCII letters alone under the C locale. -#}
    regexp_replace(lower({{ fold_accents(text) }}), '[^a-z]', '', 'g')
{%- endmacro %}

{#-
    normalize_postcode(text): a postcode reduced to its upper-case letters and digits
    ('sw1a 1aa' -> 'SW1A1AA', '75-001' -> '75001'), empty as null: one form for every way
    of typing it.
-#}
{% macro normalize_postcode(text) -%}
    nullif(regexp_replace(upper(trim({{ text }})), '[^A-Z0-9]', '', 'g'), '')
{%- endmacro %}
