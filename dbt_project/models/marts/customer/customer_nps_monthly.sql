with

answers as (

    select * from {{ ref('int_customer_responses_segmented') }}
    where survey_type = 'NPS'

),

banded as (

    select
        month,
        segment,
        region,
        location,
        channel,
        touchpoint,
        {{ nps_band('score') }} as band
    from answers

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
        count(*) filter (where band = 'promoter') as promoters,
        count(*) filter (where band = 'passive') as passives,
        count(*) filter (where band = 'detractor') as detractors
    from banded
    group by month, segment, region, location, channel, touchpoint

),

final as (

    select
        *,
        {{ nps_from_counts('promoters', 'detractors', 'responses') }} as nps
    from counted

)

select * from final
