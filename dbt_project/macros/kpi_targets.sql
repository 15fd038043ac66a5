{#- A KPI against its target (seed kpi_targets), direction-aware: 'on target' at or beyond it, 'close to
    target' within close_margin short of it, else 'off target'; NULL without a value, a target or a direction
    (docs/kpi_definitions.md, "Targets and benchmarks (s12)"). -#}
{% macro target_status(value, target, margin, higher_is_better) -%}
    case
        when {{ value }} is null or {{ target }} is null or {{ higher_is_better }} is null then null
        when {{ higher_is_better }} and {{ value }} >= {{ target }} then 'on target'
        when not {{ higher_is_better }} and {{ value }} <= {{ target }} then 'on target'
        when {{ higher_is_better }} and {{ value }} >= {{ target }} - {{ margin }} then 'close to target'
        when not {{ higher_is_better }} and {{ value }} <= {{ target }} + {{ margin }} then 'close to target'
        else 'off target'
    end
{%- endmacro %}
