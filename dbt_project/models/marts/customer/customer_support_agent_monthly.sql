-- Support per agent and month, for a support lead: tickets, first contact resolution, handle time and the CSAT
-- of answers about the agent's tickets, each with the count it rests on. The agent is a pseudonymous key (a
-- keyed hash of the CRM agent id, like customers'): agents are employees, and no published mart carries an
-- employee id (docs/privacy.md). One row per month × agent × location of the tickets (the customer's location),
-- so a location manager reads exactly their location's tickets and answers, never another location's. The CRM
-- links an agent to no HRIS employee or team: every agent belongs to the support team named by the var
-- `support_team` (docs/decisions.md D266), the row scope of that team's manager.
with

tickets as (

    select * from {{ ref('stg_crm__tickets') }}
    where agent_id is not null

),

answers as (

    select * from {{ ref('stg_survey__customer_responses') }}
    where survey_type = 'CSAT' and ticket_id is not null and score is not null

),

measured as (

    select
        opened_month as month,
        agent_id,
        coalesce(location, 'Unknown') as location,
        first_resolved_at is not null as is_resolved,
        {{ resolved_first_time('contacts', 'agent_replies', 'reopen_count') }} as resolved_first_time,
        handle_time_minutes
    from tickets

),

ticket_counts as (

    select
        month,
        agent_id,
        location,
        count(*) as tickets,
        count(*) filter (where is_resolved) as resolved_tickets,
        count(*) filter (where is_resolved and resolved_first_time) as first_contact_resolved_tickets,
        count(handle_time_minutes) as handled_tickets,
        coalesce(sum(handle_time_minutes), 0) as handle_minutes_sum
    from measured
    group by month, agent_id, location

),

csat_counts as (

    select
        tickets.opened_month as month,
        tickets.agent_id,
        coalesce(tickets.location, 'Unknown') as location,
        count(*) as csat_responses,
        count(*) filter (where answers.score >= {{ var('csat_top_box_min') }}) as satisfied_responses
    from answers
    inner join tickets
        on answers.ticket_id = tickets.ticket_id
    group by tickets.opened_month, tickets.agent_id, coalesce(tickets.location, 'Unknown')

),

final as (

    select
        ticket_counts.month,
        {{ pseudonym('ticket_counts.agent_id', 'agt_') }} as agent,
        ticket_counts.location,
        '{{ var("support_team") }}' as team,
        ticket_counts.tickets,
        ticket_counts.resolved_tickets,
        ticket_counts.first_contact_resolved_tickets,
        {{ pct('ticket_counts.first_contact_resolved_tickets', 'ticket_counts.resolved_tickets') }} as fcr_pct,
        ticket_counts.handled_tickets,
        ticket_counts.handle_minutes_sum,
        {{ ratio('ticket_counts.handle_minutes_sum', 'ticket_counts.handled_tickets') }} as handle_minutes_per_ticket,
        coalesce(csat_counts.csat_responses, 0) as csat_responses,
        coalesce(csat_counts.satisfied_responses, 0) as satisfied_responses,
        {{ pct('csat_counts.satisfied_responses', 'csat_counts.csat_responses') }} as csat_pct
    from ticket_counts
    left join csat_counts
        on ticket_counts.month = csat_counts.month and ticket_counts.agent_id = csat_counts.agent_id
            and ticket_counts.location = csat_counts.location

)

select * from final
