-- Support KPIs per month the ticket was opened, customer segment, region, location, contact channel and
-- category: sums and counts for every duration and rate, so any grouping re-aggregates exactly.
with

tickets as (

    select * from {{ ref('stg_crm__tickets') }}

),

lifecycle as (

    select * from {{ ref('int_customer_lifecycle') }}

),

location_regions as (

    select * from {{ ref('int_location_regions') }}

),

costs as (

    select * from {{ ref('support_cost_assumptions') }}

),

default_cost as (

    select * from costs where channel = 'default'

),

measured as (

    select
        tickets.opened_month as month,
        coalesce(lifecycle.segment, 'Unknown') as segment,
        coalesce(location_regions.region, lifecycle.region, 'Unknown') as region,
        coalesce(tickets.location, lifecycle.location, 'Unknown') as location,
        coalesce(tickets.channel, 'Unknown') as channel,
        coalesce(tickets.category, 'Unknown') as category,
        {{ minutes_between('tickets.opened_at', 'tickets.first_reply_at') }} as first_reply_minutes,
        {{ minutes_between('tickets.opened_at', 'tickets.first_resolved_at') }} / 60.0::double as first_resolution_hours,
        {{ minutes_between('tickets.opened_at', 'tickets.resolved_at') }} / 60.0::double as full_resolution_hours,
        tickets.first_resolved_at is not null as is_resolved,
        tickets.resolved_at is not null as is_fully_resolved,
        coalesce(tickets.reopen_count, 0) as reopens,
        coalesce(tickets.contacts, 1) as contacts,
        tickets.handle_time_minutes,
        {{ resolved_first_time('tickets.contacts', 'tickets.agent_replies', 'tickets.reopen_count') }}
            as resolved_first_time,
        coalesce(tickets.handle_time_minutes, 0) / 60.0::double
            * coalesce(costs.agent_cost_per_hour, default_cost.agent_cost_per_hour, 0)
            + coalesce(tickets.contacts, 1) * coalesce(costs.cost_per_contact, default_cost.cost_per_contact, 0)
            as support_cost
    from tickets
    cross join default_cost
    left join costs
        on tickets.channel = costs.channel
    left join lifecycle
        on tickets.customer_id = lifecycle.customer_id
    left join location_regions
        on coalesce(tickets.location, lifecycle.location) = location_regions.location

),

counted as (

    select
        month,
        segment,
        region,
        location,
        channel,
        category,
        count(*) as tickets,
        count(first_reply_minutes) as replied_tickets,
        coalesce(sum(first_reply_minutes), 0) as first_reply_minutes_sum,
        count(*) filter (where is_resolved) as resolved_tickets,
        coalesce(sum(first_resolution_hours), 0) as first_resolution_hours_sum,
        count(*) filter (where is_fully_resolved) as fully_resolved_tickets,
        coalesce(sum(full_resolution_hours), 0) as full_resolution_hours_sum,
        count(*) filter (where is_resolved and resolved_first_time) as first_contact_resolved_tickets,
        count(*) filter (where reopens > 0) as reopened_tickets,
        cast(sum(reopens) as bigint) as reopens,
        cast(sum(contacts) as bigint) as contacts,
        count(handle_time_minutes) as handled_tickets,
        coalesce(sum(handle_time_minutes), 0) as handle_minutes_sum,
        cast(coalesce(sum(contacts) filter (where handle_time_minutes is not null), 0) as bigint) as handled_contacts,
        sum(support_cost) as support_cost
    from measured
    group by all

),

final as (

    select
        *,
        {{ ratio('first_reply_minutes_sum', 'replied_tickets') }} as first_reply_minutes_avg,
        {{ ratio('first_resolution_hours_sum', 'resolved_tickets') }} as first_resolution_hours_avg,
        {{ ratio('full_resolution_hours_sum', 'fully_resolved_tickets') }} as full_resolution_hours_avg,
        {{ pct('first_contact_resolved_tickets', 'resolved_tickets') }} as fcr_pct,
        {{ pct('reopened_tickets', 'resolved_tickets') }} as reopen_pct,
        {{ ratio('handle_minutes_sum', 'handled_contacts') }} as aht_minutes,
        {{ ratio('handle_minutes_sum', 'handled_tickets') }} as handle_minutes_per_ticket,
        {{ ratio('support_cost', 'contacts') }} as cost_per_interaction,
        {{ ratio('support_cost', 'tickets') }} as cost_per_ticket
    from counted

)

select * from final
