-- The unit × month panel every initiative is evaluated on (docs/impact.md, D84): one row per unit_type ×
-- unit × month × kpi with the KPI's value and n, the observations behind it. KPI names are the
-- impact_kpis seed's (the one list, with each KPI's direction); a business's own outcome (outcome_measures)
-- is unit_type 'custom' under its metric name. Values are recomputed from the published marts' counts
-- (same formulas, summed over their segment/channel/... rows), so a KPI here is the KPI the dashboard shows:
-- - location: customer survey, churn, repeat purchase, support and review KPIs; the employee survey KPIs of
--   location groups that are published (suppressed cells are NULL in the marts and stay out);
-- - team: the employee survey KPIs of published team groups, and absence and voluntary turnover of teams
--   the workforce roll-up publishes (groups combined as 'Other (small groups)' stay out);
-- - agent: ticket KPIs by the handling agent, and the CSAT of answers about the agent's tickets.
with

csat as (
    select 'location' as unit_type, location as unit, month, 'csat_pct' as kpi,
        {{ pct('sum(satisfied_responses)', 'sum(responses)') }} as value, sum(responses) as n
    from {{ ref('customer_csat_monthly') }}
    group by location, month
),

nps as (
    select 'location', location, month, 'nps',
        {{ nps_from_counts('sum(promoters)', 'sum(detractors)', 'sum(responses)') }}, sum(responses)
    from {{ ref('customer_nps_monthly') }}
    group by location, month
),

ces as (
    select 'location', location, month, 'ces_mean',
        {{ ratio('sum(score_sum)', 'sum(responses)') }}, sum(responses)
    from {{ ref('customer_ces_monthly') }}
    group by location, month
),

churn as (
    select 'location', location, month, 'churn_rate',
        {{ pct('sum(lost_from_start)', 'sum(customers_at_start)') }}, sum(customers_at_start)
    from {{ ref('customer_retention_monthly') }}
    group by location, month
),

repeat_purchase as (
    select 'location', location, month, 'repeat_purchase_rate',
        {{ pct('sum(repeat_buyers)', 'sum(buyers)') }}, sum(buyers)
    from {{ ref('customer_repeat_purchase_monthly') }}
    group by location, month
),

support as (
    select location, month,
        sum(resolved_tickets) as resolved_tickets,
        sum(first_contact_resolved_tickets) as first_contact_resolved_tickets,
        sum(reopened_tickets) as reopened_tickets,
        sum(handle_minutes_sum) as handle_minutes_sum,
        sum(handled_tickets) as handled_tickets
    from {{ ref('customer_support_monthly') }}
    group by location, month
),

support_kpis as (
    select 'location', location, month, 'fcr_pct',
        {{ pct('first_contact_resolved_tickets', 'resolved_tickets') }}, resolved_tickets
    from support
    union all
    select 'location', location, month, 'reopen_rate',
        {{ pct('reopened_tickets', 'resolved_tickets') }}, resolved_tickets
    from support
    union all
    select 'location', location, month, 'handle_time_minutes',
        {{ ratio('handle_minutes_sum', 'handled_tickets') }}, handled_tickets
    from support
),

reviews as (
    select 'location', location, month, 'review_rating',
        {{ ratio('sum(rating_sum)', 'sum(reviews)') }}, sum(reviews)
    from {{ ref('brand_reviews_monthly') }}
    group by location, month
    union all
    select 'location', location, month, 'review_sentiment',
        {{ pct('sum(positive_texts - negative_texts)', 'sum(scored_texts)') }}, sum(scored_texts)
    from {{ ref('brand_sentiment_monthly') }}
    where source = 'review'
    group by location, month
),

-- Agents: the same counts as customer_support_monthly, by the agent who handled the ticket.
tickets as (
    select agent_id, opened_month as month,
        first_resolved_at is not null as is_resolved,
        coalesce(reopen_count, 0) > 0 as is_reopened,
        handle_time_minutes
    from {{ ref('stg_crm__tickets') }}
    where agent_id is not null
),

agent_kpis as (
    select 'agent', agent_id, month, 'reopen_rate',
        {{ pct('count(*) filter (where is_resolved and is_reopened)', 'count(*) filter (where is_resolved)') }},
        count(*) filter (where is_resolved)
    from tickets
    group by agent_id, month
    union all
    select 'agent', agent_id, month, 'handle_time_minutes',
        {{ ratio('sum(handle_time_minutes)', 'count(handle_time_minutes)') }}, count(handle_time_minutes)
    from tickets
    group by agent_id, month
),

agent_csat as (
    select 'agent', tickets.agent_id, tickets.opened_month, 'csat_pct',
        {{ pct('count(*) filter (where answers.score >= ' ~ var('csat_top_box_min') ~ ')', 'count(*)') }},
        count(*)
    from {{ ref('int_customer_responses_segmented') }} as answers
    inner join {{ ref('stg_crm__tickets') }} as tickets
        on answers.ticket_id = tickets.ticket_id
    where answers.survey_type = 'CSAT' and tickets.agent_id is not null
    group by tickets.agent_id, tickets.opened_month
),

-- Employee survey: published cells only (the marts hold NULL where a cell is suppressed).
survey as (
    select breakdown as unit_type, group_value as unit, wave_month as month, 'enps' as kpi,
        enps as value, responses as n
    from {{ ref('employee_enps_wave') }}
    where breakdown in ('team', 'location') and not suppressed and enps is not null
    union all
    select breakdown, group_value, wave_month,
        case dimension when 'engagement' then 'engagement' else 'manager_empathy_index' end,
        mean_score, answers
    from {{ ref('employee_survey_dimension_wave') }}
    where breakdown in ('team', 'location') and dimension in ('engagement', 'manager_empathy')
        and not suppressed and mean_score is not null
),

-- Workforce: teams the roll-up publishes as themselves.
absence as (
    select 'team', team, month, 'absence_rate_pct',
        {{ pct('sum(employees_absent)', 'sum(employees)') }}, sum(employees)
    from {{ ref('employee_absence_monthly') }}
    where team not in ('Other (small groups)', 'All')
    group by team, month
),

turnover as (
    select 'team', team, month, 'voluntary_turnover_pct',
        {{ pct('sum(voluntary_separations)', 'sum(avg_headcount)') }}, sum(employees)
    from {{ ref('employee_headcount_monthly') }}
    where team not in ('Other (small groups)', 'All')
    group by team, month
),

custom as (
    select 'custom', unit, month, metric, value, 1
    from {{ ref('stg_program__outcome_measures') }}
),

unioned as (
    select * from csat
    union all select * from nps
    union all select * from ces
    union all select * from churn
    union all select * from repeat_purchase
    union all select * from support_kpis
    union all select * from reviews
    union all select * from agent_kpis
    union all select * from agent_csat
    union all select * from survey
    union all select * from absence
    union all select * from turnover
    union all select * from custom
),

final as (
    select
        unit_type,
        cast(unit as {{ dbt.type_string() }}) as unit,
        date_trunc('month', month)::date as month,
        kpi,
        value::double as value,
        n::double as n
    from unioned
    where value is not null and unit is not null and unit not in ('Unknown', 'All')
)

select * from final
