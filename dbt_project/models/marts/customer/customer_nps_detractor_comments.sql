-- Every NPS detractor who left a comment, with where it happened, for the drill-down "why do they not
-- recommend us?". No customer key: the page shows what was said and where, not who said it.
with

answers as (

    select * from {{ ref('int_customer_responses_segmented') }}
    where survey_type = 'NPS'

),

final as (

    select
        response_id,
        month,
        responded_at,
        score,
        comment,
        segment,
        region,
        location,
        channel,
        touchpoint,
        ticket_id
    from answers
    where score <= {{ var('nps_detractor_max') }}
        and nullif(trim(comment), '') is not null

)

select * from final
