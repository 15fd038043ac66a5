-- The call-back list: customers whose recent texts are consistently negative (customer_text_sentiment
-- decides, with the vars it names), most negative and most recent first. For the CRM team, not the
-- public dashboard: it holds customer keys, never the texts.
with

customers as (

    select * from {{ ref('customer_text_sentiment') }}
    where needs_follow_up

),

final as (

    select
        customer_id,
        segment,
        region,
        location,
        channel,
        recent_scored_texts,
        recent_negative_texts,
        recent_negative_pct,
        last_negative_at,
        as_of_date
    from customers

)

select * from final
