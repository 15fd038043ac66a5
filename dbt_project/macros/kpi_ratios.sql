{#- KPI formulas, one definition each (docs/kpi_definitions.md). Ratios are always computed from counts and
    are NULL, never an error or 0, when the denominator is 0. -#}

{% macro pct(numerator, denominator) -%}
    case when {{ denominator }} > 0 then 100.0::double * ({{ numerator }}) / ({{ denominator }}) end
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

{% macro ratio(numerator, denominator) -%}
    case when {{ denominator }} > 0 then 1.0::double * ({{ numerator }}) / ({{ denominator }}) end
{%- endmacro %}

{#- A survey answer as a tone, -1 / 0 / 1, whatever its scale: NPS promoter / passive / detractor, CSAT
    top box / middle / bottom box, CES easy / middle / difficult (cut-offs are the project's vars). -#}
{% macro survey_sentiment(survey_type, score) -%}
    case
        when {{ survey_type }} = 'NPS' then
            case when {{ score }} >= {{ var('nps_promoter_min') }} then 1
                 when {{ score }} <= {{ var('nps_detractor_max') }} then -1 else 0 end
        when {{ survey_type }} = 'CSAT' then
            case when {{ score }} >= {{ var('csat_top_box_min') }} then 1
                 when {{ score }} <= {{ var('csat_bottom_box_max') }} then -1 else 0 end
        when {{ survey_type }} = 'CES' then
            case when {{ score }} >= {{ var('ces_easy_min') }} then 1
                 when {{ score }} <= {{ var('ces_difficult_max') }} then -1 else 0 end
    end
{%- endmacro %}

{#- Minutes between two timestamps (fractional); NULL when either is missing. -#}
{% macro minutes_between(start, finish) -%}
    ({{ date_diff('second', start, finish) }} / 60.0::double)
{%- endmacro %}
