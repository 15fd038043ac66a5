{#- KPI formulas, one definition each (docs/kpi_definitions.md). Ratios are always computed from counts and
    are NULL, never an error or 0, when the denominator is 0. -#}

{% macro pct(numerator, denominator) -%}
    case when {{ denominator }} > 0 then 100.0 * ({{ numerator }}) / ({{ denominator }}) end
{%- endmacro %}

{% macro nps_from_counts(promoters, detractors, responses) -%}
    {{ pct(promoters ~ ' - ' ~ detractors, responses) }}
{%- endmacro %}

{% macro nps_band(score) -%}
    case
        when {{ score }} >= {{ var('nps_promoter_min') }} then 'promoter'
        when {{ score }} <= {{ var('nps_detractor_max') }} then 'detractor'
        else 'passive'
    end
{%- endmacro %}
