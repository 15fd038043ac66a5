-- Handle time overlaid with how the customer felt about the same ticket, after it was handled. The feeling is
-- the text sentiment of the comment left on the survey about the ticket where that comment was scored
-- (sentiment_source 'survey_comment'), otherwise the survey's score (its tone: promoter/satisfied/easy =
-- positive; 'survey_score'). The ticket's own text is the customer's first message, written before anyone
-- handled it: it says how bad the problem was, not how the service felt, so it is not used (D37).
-- sentiment_source is part of the grain, so the two sources can be read apart.
with

tickets as (

    select * from {{ ref('stg_crm__tickets') }}
    where handle_time_minutes is not null

),

responses as (

    select * from {{ ref('stg_survey__customer_responses') }}
    where ticket_id is not null

),

location_regions as (

    select * from {{ ref('int_location_regions') }}

),

-- The text sentiment of the latest scored comment left on a survey about each ticket.
comment_feeling as (

    select
        responses.ticket_id,
        {{ arg_max(label_tone('comments.sentiment_label'), 'responses.responded_at') }} as sentiment
    from responses
    inner join {{ ref('int_text_corpus') }} as comments
        on comments.text_kind = 'survey_comment'
        and comments.text_id = responses.response_id
    where comments.sentiment_label in ('positive', 'neutral', 'negative')
    group by responses.ticket_id

),

-- The latest survey answer about each ticket.
survey_feeling as (

    select
        ticket_id,
        {{ arg_max(survey_sentiment('survey_type', 'score'), 'responded_at') }} as sentiment
    from responses
    group by ticket_id

),

banded as (

    select
        tickets.opened_month as month,
        coalesce(tickets.channel, 'Unknown') as channel,
        coalesce(tickets.location, 'Unknown') as location,
        coalesce(location_regions.region, 'Unknown') as region,
        case
            when tickets.handle_time_minutes < 5 then '0-5 min'
            when tickets.handle_time_minutes < 10 then '5-10 min'
            when tickets.handle_time_minutes < 20 then '10-20 min'
            when tickets.handle_time_minutes < 40 then '20-40 min'
            else '40+ min'
        end as handle_time_band,
        tickets.handle_time_minutes,
        case when comment_feeling.ticket_id is not null then 'survey_comment' else 'survey_score' end
            as sentiment_source,
        coalesce(comment_feeling.sentiment, survey_feeling.sentiment) as sentiment
    from tickets
    left join comment_feeling
        on tickets.ticket_id = comment_feeling.ticket_id
    left join survey_feeling
        on tickets.ticket_id = survey_feeling.ticket_id
    left join location_regions
        on tickets.location = location_regions.location

),

counted as (

    select
        month,
        channel,
        region,
        location,
        handle_time_band,
        sentiment_source,
        count(*) as tickets,
        sum(handle_time_minutes) as handle_minutes_sum,
        count(sentiment) as scored_tickets,
        count(*) filter (where sentiment = 1) as positive_tickets,
        count(*) filter (where sentiment = 0) as neutral_tickets,
        count(*) filter (where sentiment = -1) as negative_tickets
    from banded
    group by all

),

final as (

    select
        *,
        {{ ratio('handle_minutes_sum', 'tickets') }} as handle_minutes_avg,
        {{ pct('positive_tickets - negative_tickets', 'scored_tickets') }} as sentiment_score,
        {{ pct('negative_tickets', 'scored_tickets') }} as negative_pct
    from counted

)

select * from final
