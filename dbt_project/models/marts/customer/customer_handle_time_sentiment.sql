-- Handle time overlaid with how the customer felt about the same ticket. Until text sentiment exists the
-- feeling is the survey answered after the ticket (its tone: promoter/satisfied/easy = positive);
-- sentiment_source names what was used, so the overlay switches source without changing its meaning.
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

-- The latest survey answer about each ticket.
ticket_feeling as (

    select
        ticket_id,
        arg_max({{ survey_sentiment('survey_type', 'score') }}, responded_at) as sentiment
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
        ticket_feeling.sentiment
    from tickets
    left join ticket_feeling
        on tickets.ticket_id = ticket_feeling.ticket_id
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
        'survey_score' as sentiment_source,
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
