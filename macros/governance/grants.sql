{#-
    apply_access_policy(results): grants every relation this run built to the roles that the
    `access_policy` seed allows for its classification (its `meta.classification`), and
    revokes grants the policy no longer allows. Called from `on-run-end`, when the seed is
    loaded and every relation exists.

    It goes through dbt's own grants machinery (`apply_grants` with the relation's grants
    config: a model's `grants` in yml are kept and the policy's roles added), so the diff
    against the grants in place, the revokes and the SQL are dbt's, per adapter. Each role
    also gets `usage` on the schemas of the relations it may read.

    DuckDB has no grants: there access is which database files a target attaches (the vault
    is its own file; profiles.yml), and this is a no-op. On PostgreSQL the raw_* schemas and
    `restricted` stay the runner's own, but for privacy_officer on the vault.
-#}
{% macro apply_access_policy(results) %}
    {%- if not execute or target.type == 'duckdb' -%}
        {{ return('') }}
    {%- endif -%}

    {%- set policy_node = graph.nodes.get('seed.tributary.access_policy') -%}
    {%- set policy_relation = adapter.get_relation(
        database=policy_node.database, schema=policy_node.schema, identifier=policy_node.alias
    ) -%}
    {%- if policy_relation is none -%}
        {{ log('Access policy: the access_policy seed is not loaded yet, no grants applied '
            ~ '(run `dbt seed --select access_policy`).', info=true) }}
        {{ return('') }}
    {%- endif -%}

    {%- set roles_by_classification = {} -%}
    {%- for row in run_query('select classification, role from ' ~ policy_relation).rows -%}
        {%- do roles_by_classification.setdefault(row[0], []).append(row[1]) -%}
    {%- endfor -%}

    {%- set usage_by_schema = {} -%}
    {%- set ns = namespace(granted=0) -%}
    {%- for result in results
        if result.node.resource_type in ('model', 'seed', 'snapshot')
        and result.status in ('success', 'pass')
        and result.node.config.materialized != 'ephemeral' -%}
        {%- set node = result.node -%}
        {%- set classification = (node.config.meta or {}).get('classification') -%}
        {%- set roles = roles_by_classification.get(classification, []) -%}
        {%- set configured = (node.config.grants or {}).get('select', []) -%}
        {%- set readers = (roles + ([configured] if configured is string else configured))
            | unique | list -%}
        {%- set relation = api.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias
        ) -%}
        {%- do apply_grants(relation, {'select': readers} if readers else {}, should_revoke=true) -%}
        {%- if not readers -%}
            {#- an empty config is a no-op in dbt: revoke what the policy no longer allows -#}
            {%- set current = adapter.standardize_grants_dict(run_query(get_show_grant_sql(relation))) -%}
            {%- if current -%}
                {%- do call_dcl_statements(get_dcl_statement_list(relation, current, get_revoke_sql)) -%}
            {%- endif -%}
        {%- endif -%}
        {%- for role in readers -%}
            {%- do usage_by_schema.setdefault(node.schema, []).append(role) -%}
        {%- endfor -%}
        {%- set ns.granted = ns.granted + 1 -%}
    {%- endfor -%}

    {%- for schema, roles in usage_by_schema.items() -%}
        {%- do run_query(
            'grant usage on schema ' ~ adapter.quote(schema) ~ ' to '
            ~ (roles | unique | map('string') | join(', '))
        ) -%}
    {%- endfor -%}
    {{ log('Access policy: grants of ' ~ ns.granted ~ ' relations follow the access_policy seed.', info=true) }}
{% endmacro %}
