{#- Employee survey helpers (docs/kpi_definitions.md, Employee; docs/decisions.md D23-D27, D53-D57). -#}

{#- The confidentiality threshold N (min_group_size, macros/personal_data.sql). -#}
{% macro survey_min_respondents() -%}
    {{ min_group_size('survey_min_respondents') }}
{%- endmacro %}

{#- A survey answer on the "higher is better" scale: reverse-scored items are flipped within their scale. -#}
{% macro survey_flipped_score(score, scale_min, scale_max, reverse_scored) -%}
    case when coalesce({{ reverse_scored }}, false) then {{ scale_min }} + {{ scale_max }} - {{ score }} else {{ score }} end
{%- endmacro %}

{#- Tenure in whole-year bands, as the sample survey tool reports it. -#}
{% macro tenure_band(hire_date, on_date) -%}
    case
        when {{ date_diff('day', hire_date, on_date) }} < 365.25 then '<1y'
        when {{ date_diff('day', hire_date, on_date) }} < 3 * 365.25 then '1-3y'
        when {{ date_diff('day', hire_date, on_date) }} < 5 * 365.25 then '3-5y'
        else '5y+'
    end
{%- endmacro %}

{#- A published survey number: the value, or NULL when its cell is suppressed (never 0). -#}
{% macro unless_suppressed(expression) -%}
    case when not suppressed then {{ expression }} end
{%- endmacro %}

{#- What every survey mart counts per group: respondents, answers, their score sum (on the "higher is
    better" scale) and favourable answers, so means and % favourable are computed one way everywhere. -#}
{% macro survey_answer_counts() -%}
        count(distinct respondent_id) as respondents,
        count(*) as answers,
        sum(scored) as score_sum,
        count(*) filter (where is_favourable) as favourable_answers
{%- endmacro %}

{#- A survey mart's counted rows with their cell's one suppression decision (int_employee_survey_cell_suppression,
    imported by the model as `suppression`): the cell is one measure (`measure_kind` 'dimension' or 'item',
    `measure` an expression over `counted` as c) in one group of one wave, so every mart hides it alike. The reason
    is text even when no cell of the wave is suppressed (the Python model then gives an all-NULL column, D774). -#}
{% macro with_suppression(counted, measure_kind, measure) -%}
    select c.*, s.suppressed, cast(s.suppression_reason as {{ dbt.type_string() }}) as suppression_reason
    from {{ counted }} as c
    inner join suppression as s
        on c.wave = s.wave and c.breakdown = s.breakdown and c.group_value = s.group_value
        and s.measure_kind = '{{ measure_kind }}' and s.measure = {{ measure }}
{%- endmacro %}
