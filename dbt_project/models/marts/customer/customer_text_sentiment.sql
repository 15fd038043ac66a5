-- Per CRM customer: the sentiment of everything they wrote to us (survey comments, ticket text), overall and
-- over the recent window, and whether it is consistently negative enough to call them back.
-- "Recent" = the last var text_recent_days days up to as_of_date; "consistently negative" = at least
-- var follow_up_min_recent_texts scored recent texts of which >= var follow_up_min_negative_pct % negative.
with

texts as (

    select * from {{ ref('int_text_scored') }}
    where customer_id is not null

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_date') }}

),

flagged as (

    select
        texts.*,
        texts.occurred_at::date > as_of.as_of_date - {{ var('text_recent_days') }}
            and texts.occurred_at::date <= as_of.as_of_date as is_recent,
        as_of.as_of_date
    from texts
    cross join as_of

),

counted as (

    select
        customer_id,
        count(*) as texts,
        count(*) filter (where is_scored) as scored_texts,
        count(*) filter (where sentiment_label = 'positive') as positive_texts,
        count(*) filter (where sentiment_label = 'neutral') as neutral_texts,
        count(*) filter (where sentiment_label = 'negative') as negative_texts,
        max(occurred_at) as last_text_at,
        count(*) filter (where is_recent) as recent_texts,
        count(*) filter (where is_recent and is_scored) as recent_scored_texts,
        count(*) filter (where is_recent and sentiment_label = 'negative') as recent_negative_texts,
        max(occurred_at) filter (where sentiment_label = 'negative') as last_negative_at,
        any_value(as_of_date) as as_of_date
    from flagged
    group by customer_id

),

final as (

    select
        {{ pseudonym('counted.customer_id') }} as customer_id,
        coalesce(customers.segment, 'Unknown') as segment,
        coalesce(customers.region, 'Unknown') as region,
        coalesce(customers.location, 'Unknown') as location,
        coalesce(customers.channel, 'Unknown') as channel,
        counted.texts,
        counted.scored_texts,
        counted.positive_texts,
        counted.neutral_texts,
        counted.negative_texts,
        counted.last_text_at,
        counted.recent_texts,
        counted.recent_scored_texts,
        counted.recent_negative_texts,
        counted.last_negative_at,
        counted.as_of_date,
        {{ pct('counted.positive_texts - counted.negative_texts', 'counted.scored_texts') }} as sentiment_score,
        {{ pct('counted.recent_negative_texts', 'counted.recent_scored_texts') }} as recent_negative_pct,
        counted.recent_scored_texts >= {{ var('follow_up_min_recent_texts') }}
            and 100.0 * counted.recent_negative_texts
                >= {{ var('follow_up_min_negative_pct') }} * counted.recent_scored_texts as needs_follow_up
    from counted
    left join customers
        on counted.customer_id = customers.customer_id

)

select * from final
