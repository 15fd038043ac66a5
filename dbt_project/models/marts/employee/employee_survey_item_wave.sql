-- Every survey item per wave at org level only (item-level rows per team would add groups an attacker
-- could difference against the dimension marts). Scores are on the "higher is better" scale: reverse-scored
-- items are flipped; for other items mean_score is the plain mean answer.
with

answers as (

    select * from {{ ref('int_employee_survey_groups') }}
    where breakdown = 'org'

),

suppression as (

    select * from {{ ref('int_employee_survey_cell_suppression') }}

),

counted as (

    select
        wave,
        min(wave_month) as wave_month,
        question_id,
        any_value(question_text) as question_text,
        any_value(dimension) as dimension,
        breakdown,
        group_value,
        {{ survey_answer_counts() }}
    from answers
    group by wave, question_id, breakdown, group_value

),

joined as (

    {{ with_suppression('counted', 'item', 'c.question_id') }}

),

final as (

    select
        wave,
        wave_month,
        question_id,
        question_text,
        dimension,
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
