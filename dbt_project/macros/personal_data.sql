{#- Personal data in published marts (docs/privacy.md; docs/decisions.md D58-D62). -#}

{#- The published, pseudonymous key of a CRM customer: a keyed hash of the CRM id. The key is a secret derived
    from EMPATHY_LAKE_PII_KEY, written by the text step into the unpublished schema `text`, so the raw CRM id
    never leaves the build warehouse and nobody without the key can recompute the mapping. -#}
{% macro pseudonym(expr, prefix='cus_') -%}
    case when {{ expr }} is not null then
        '{{ prefix }}' || left({{ sha256_hex("(select salt from " ~ source('text', 'pseudonym_salt') ~ ") || '|' || " ~ expr) }}, 16)
    end
{%- endmacro %}

{#- The smallest group a published number may describe, from a dbt var. Vendors never go below 3 (Supermood,
    Humaans), so a smaller value is a configuration error that stops the build rather than a silently weaker
    guarantee. -#}
{% macro min_group_size(var_name) -%}
    {%- set n = var(var_name) | int -%}
    {%- if n < 3 -%}
        {{ exceptions.raise_compiler_error("var " ~ var_name ~ " must be at least 3, got " ~ n) }}
    {%- endif -%}
    {{ n }}
{%- endmacro %}

{#- The smallest group a workforce mart may publish (var workforce_min_headcount). -#}
{% macro workforce_min_headcount() -%}
    {{ min_group_size('workforce_min_headcount') }}
{%- endmacro %}

{#- Roll small groups up so no published cell of a workforce mart counts fewer than N units (employees, or
    requests), N = workforce_min_headcount(). `source`: a select, one row per unit; `partition_by`: dims never combined
    (the month); `levels`: the breakdown from the top down, a list of lists of dims, e.g. [['department'],
    ['team'], ['manager_id'], ['location', 'tenure_band']]; `parents`: what each level is combined within, for
    the reason ('month', 'department', 'team', ...).

    Bottom-up, per level: a group under N units is combined with the other small groups of its parent; when
    those together are still under N, the parent's smallest publishable group joins them (complementary), so
    the parent's total minus its visible groups never isolates a small group. A parent that is itself under N
    is combined one level up. Combined rows get 'Other (small groups)' for the level's dims and 'All' below,
    and `rollup_reason` says why; a partition (month) under N is not published at all. Every mart grouping
    this output by its dims therefore publishes cells of N or more units, and because rows are relabelled
    (never dropped) within a published partition, sums over cells equal the totals. -#}
{% macro rollup_small_groups(source, partition_by, levels, parents, unit='employees') -%}
    {%- set n = workforce_min_headcount() | trim | int -%}
    {%- set ns = namespace(sql='select *, null::string as rollup_reason from (' ~ source ~ ') as _units') -%}
    {%- for k in range(levels | length - 1, -1, -1) -%}
        {%- set parent = partition_by + (levels[:k] | sum(start=[])) -%}
        {%- set group = parent + levels[k] -%}
        {%- set below = levels[k + 1:] | sum(start=[]) -%}
        {%- set over_parent = 'over (partition by ' ~ parent | join(', ') ~ ')' if parent else 'over ()' -%}
        {%- set group_rank = "lpad(_n::string, 12, '0') || '|' || concat_ws('|', " ~ group | join(', ') ~ ")" -%}
        {%- set sized -%}
            select *, count(*) over (partition by {{ group | join(', ') }}) as _n from ({{ ns.sql }}) as _l{{ k }}
        {%- endset -%}
        {%- set flagged -%}
            select
                *,
                _n < {{ n }} or (
                    sum(case when _n < {{ n }} then 1 else 0 end) {{ over_parent }} between 1 and {{ n - 1 }}
                    and {{ group_rank }} = min(case when _n >= {{ n }} then {{ group_rank }} end) {{ over_parent }}
                ) as _combined
            from ({{ sized }}) as _s{{ k }}
        {%- endset -%}
        {%- set relabelled -%}
            select
                * except (_n, _combined, rollup_reason, {{ (levels[k] + below) | join(', ') }}),
                {%- for dim in levels[k] %}
                case when _combined then 'Other (small groups)' else {{ dim }} end as {{ dim }},
                {%- endfor %}
                {%- for dim in below %}
                case when _combined then 'All' else {{ dim }} end as {{ dim }},
                {%- endfor %}
                case
                    when _combined then 'groups under {{ n }} {{ unit }} combined within the {{ parents[k] | replace("'", "''") }}'
                    else rollup_reason
                end as rollup_reason
            from ({{ flagged }}) as _f{{ k }}
        {%- endset -%}
        {%- set ns.sql = relabelled -%}
    {%- endfor -%}
    {%- set over_partition = 'over (partition by ' ~ partition_by | join(', ') ~ ')' if partition_by else 'over ()' -%}
    select * except (_units_in_partition)
    from (select *, count(*) {{ over_partition }} as _units_in_partition from ({{ ns.sql }}) as _all)
    where _units_in_partition >= {{ n }}
{%- endmacro %}
