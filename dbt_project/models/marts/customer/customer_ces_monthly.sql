-- Customer Effort Score, CES 2.0: "[Company] made it easy to handle my issue", 1-7, 7 = very easy
-- (the landing contract fixes the direction; a legacy 1-5 "effort" scale is rescaled by its mapping).
with

answers as (

    select * from {{ ref('int_customer_responses_segmented') }}
    where survey_type = 'CES'

),

counted as (

    select
        month,
        segment,
        region,
        location,
        channel,
        touchpoint,
        count(*) as responses,
        count(*) filter (where score >= {{ var('ces_easy_min') }}) as easy_responses,
        count(*) filter (where score <= {{ var('ces_difficult_max') }}) as difficult_responses,
        sum(score) as score_sum
    from answers
    group by month, segment, region, location, channel, touchpoint

),

final as (

    select
        *,
        {{ ratio('score_sum', 'responses') }} as ces_mean,
        {{ pct('easy_responses', 'responses') }} as ces_easy_pct,
        {{ pct('difficult_responses', 'responses') }} as ces_difficult_pct
    from counted

)

select * from final
