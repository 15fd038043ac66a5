-- Engagement, well-being, manager empathy, presenteeism (and every other dimension of the question bank)
-- per survey wave and reporting group, with the anonymity threshold applied: a suppressed group keeps its
-- row, with suppressed = true, the reason, and every number NULL.
with

answers as (

    select * from {{ ref('int_employee_survey_groups') }}

),

suppression as (

    select * from {{ ref('int_employee_survey_cell_suppression') }}

),

counted as (

    select
        wave,
        min(wave_month) as wave_month,
        breakdown,
        group_value,
        dimension,
        {{ survey_answer_counts() }},
        count(*) filter (where is_unfavourable) as unfavourable_answers
    from answers
    group by wave, breakdown, group_value, dimension

),

joined as (

    {{ with_suppression('counted', 'dimension', "coalesce(c.dimension, 'unassigned')") }}

),

final as (

    select
        wave,
        wave_month,
        breakdown,
        group_value,
        dimension,
        suppressed,
        suppression_reason,
        {{ unless_suppressed('respondents') }} as respondents,
        {{ unless_suppressed('answers') }} as answers,
        {{ unless_suppressed('score_sum') }} as score_sum,
        {{ unless_suppressed('favourable_answers') }} as favourable_answers,
        {{ unless_suppressed('unfavourable_answers') }} as unfavourable_answers,
        {{ unless_suppressed(ratio('score_sum', 'answers')) }} as mean_score,
        {{ unless_suppressed(pct('favourable_answers', 'answers')) }} as favourable_pct,
        {{ unless_suppressed(pct('unfavourable_answers', 'answers')) }} as unfavourable_pct
    from joined

)

select * from final
