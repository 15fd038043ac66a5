-- Every piece of feedback one CRM customer gave, in time order, marked negative or not: what the
-- customer_negative_run alert rule counts runs over. One survey answer is one event (a detractor NPS, a
-- CSAT at or below var csat_bottom_box_max, or a negative comment on it makes it negative: a comment is part
-- of its answer, not a second event); a ticket's scored text is one event (negative when its text is).
-- Texts that could not be scored never count either way.
with

responses as (

    select * from {{ ref('int_customer_responses_segmented') }}
    where customer_id is not null and survey_type in ('NPS', 'CSAT')

),

texts as (

    select * from {{ ref('int_text_scored') }}
    where customer_id is not null and text_kind in ('survey_comment', 'ticket')

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

survey_events as (

    select
        responses.customer_id,
        'survey_' || lower(responses.survey_type) as event_kind,
        responses.response_id as event_id,
        responses.responded_at as event_at,
        (responses.survey_type = 'NPS' and responses.score <= {{ var('nps_detractor_max') }})
            or (responses.survey_type = 'CSAT' and responses.score <= {{ var('csat_bottom_box_max') }})
            or coalesce(texts.sentiment_label = 'negative', false) as is_negative
    from responses
    left join texts
        on texts.text_kind = 'survey_comment' and texts.text_id = responses.response_id

),

ticket_events as (

    select
        customer_id,
        'ticket_text' as event_kind,
        text_id as event_id,
        occurred_at as event_at,
        sentiment_label = 'negative' as is_negative
    from texts
    where text_kind = 'ticket' and is_scored

),

events as (

    select * from survey_events
    union all
    select * from ticket_events

),

final as (

    select
        events.customer_id,
        coalesce(customers.location, 'Unknown') as location,
        events.event_kind,
        events.event_id,
        events.event_at,
        events.is_negative
    from events
    left join customers
        on events.customer_id = customers.customer_id

)

select * from final
