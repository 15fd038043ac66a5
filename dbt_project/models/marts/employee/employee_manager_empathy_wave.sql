-- Manager empathy indicators (active listening, open communication, responsiveness to needs, recognition
-- and appreciation, constructive feedback: the question bank's 'manager_empathy' items) per wave, for the
-- org, each team and each manager (a manager's group is the union of the teams they lead). Suppression is
-- the same per-group decision as every other survey mart.
with

answers as (

    select * from {{ ref('int_employee_survey_groups') }}
    where dimension = 'manager_empathy' and breakdown in ('org', 'team', 'manager')

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
        question_id,
        any_value(question_text) as indicator,
        {{ survey_answer_counts() }}
    from answers
    group by wave, breakdown, group_value, question_id

),

joined as (

    {{ with_suppression('counted', 'item', 'c.question_id') }}

),

final as (

    select
        wave,
        wave_month,
        breakdown,
        group_value,
        question_id,
        indicator,
        suppressed,
        suppression_reason,
        {{ unless_suppressed('respondents') }} as respondents,
        {{ unless_suppressed('answers') }} as answers,
        {{ unless_suppressed('score_sum') }} as score_sum,
        {{ unless_suppressed('favourable_answers') }} as favourable_answers,
        {{ unless_suppressed(ratio('score_sum', 'answers')) }} as mean_score,
        {{ unless_suppressed(pct('favourable_answers', 'answers')) }} as favourable_pct
    from joined

)

select * from final
