-- One row per customer: what they bought, how long they have been with us, how they last felt and what is
-- still open, with flags for the follow-up list. customer_id is the pseudonymous key (macro pseudonym), never
-- the CRM id; names and e-mails never enter a mart.
with

lifecycle as (

    select * from {{ ref('int_customer_lifecycle') }}

),

tickets as (

    select * from {{ ref('stg_crm__tickets') }}
    where customer_id is not null

),

responses as (

    select * from {{ ref('stg_survey__customer_responses') }}
    where customer_id is not null

),

ticket_stats as (

    select
        customer_id,
        count(*) as tickets,
        count(*) filter (where resolved_at is null) as open_tickets,
        min(opened_at) filter (where resolved_at is null) as oldest_open_ticket_at,
        max(opened_at) as last_ticket_at
    from tickets
    group by customer_id

),

survey_stats as (

    select
        customer_id,
        max(responded_at) as last_response_at,
        {{ arg_max('score', 'responded_at') }} filter (where survey_type = 'NPS') as latest_nps_score,
        max(responded_at) filter (where survey_type = 'NPS') as latest_nps_at,
        {{ arg_max('score', 'responded_at') }} filter (where survey_type = 'CSAT') as latest_csat_score,
        max(responded_at) filter (where survey_type = 'CSAT') as latest_csat_at
    from responses
    group by customer_id

),

joined as (

    select
        {{ pseudonym('lifecycle.customer_id') }} as customer_id,
        lifecycle.segment,
        lifecycle.region,
        lifecycle.location,
        lifecycle.channel,
        lifecycle.signup_date,
        {{ date_diff('day', 'lifecycle.signup_date', 'coalesce(lifecycle.lost_date, lifecycle.as_of_date)') }}
            as tenure_days,
        lifecycle.churn_basis,
        lifecycle.is_lost,
        lifecycle.lost_date,
        lifecycle.lifetime_orders,
        lifecycle.lifetime_gross_revenue,
        lifecycle.lifetime_net_revenue,
        lifecycle.first_order_at,
        lifecycle.last_order_at,
        coalesce(ticket_stats.tickets, 0) as tickets,
        coalesce(ticket_stats.open_tickets, 0) as open_tickets,
        ticket_stats.oldest_open_ticket_at,
        -- Last time the customer reached us: a ticket or a survey answer.
        greatest(ticket_stats.last_ticket_at, survey_stats.last_response_at) as last_contact_at,
        survey_stats.latest_nps_score,
        survey_stats.latest_nps_at,
        survey_stats.latest_csat_score,
        survey_stats.latest_csat_at,
        lifecycle.as_of_date
    from lifecycle
    left join ticket_stats
        on lifecycle.customer_id = ticket_stats.customer_id
    left join survey_stats
        on lifecycle.customer_id = survey_stats.customer_id

),

flagged as (

    select
        *,
        -- A subscriber who never orders is not inactive: the flag is for customers judged by their orders.
        churn_basis = 'inactivity' and not is_lost
            and coalesce(last_order_at::date, signup_date) + interval {{ var('risk_inactive_days') }} day <= as_of_date
            as risk_inactive,
        coalesce(latest_nps_score <= {{ var('nps_detractor_max') }}, false) as risk_detractor,
        coalesce(latest_csat_score <= {{ var('csat_bottom_box_max') }}, false) as risk_low_csat,
        coalesce(
            oldest_open_ticket_at::date + interval {{ var('risk_open_ticket_days') }} day < as_of_date, false
        ) as risk_aging_ticket
    from joined

),

final as (

    select
        * except (as_of_date),
        not is_lost and (risk_inactive or risk_detractor or risk_low_csat or risk_aging_ticket) as at_risk,
        risk_inactive::int + risk_detractor::int + risk_low_csat::int + risk_aging_ticket::int as risk_flags,
        as_of_date
    from flagged

)

select * from final
