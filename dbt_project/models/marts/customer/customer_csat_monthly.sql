with

answers as (

    select * from {{ ref('int_customer_responses_segmented') }}
    where survey_type = 'CSAT'

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
        count(*) filter (where score >= {{ var('csat_top_box_min') }}) as satisfied_responses,
        sum(score) as score_sum
    from answers
    group by month, segment, region, location, channel, touchpoint

),

final as (

    select
        *,
        {{ pct('satisfied_responses', 'responses') }} as csat_pct,
        case when responses > 0 then score_sum / responses end as csat_mean
    from counted

)

select * from final
