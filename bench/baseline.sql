-- The hand-written DuckDB baseline (issue 13; docs/performance.md, "The hand-written baseline"): one script
-- that reads the landing files the product reads and computes published marts with the product's
-- definitions (docs/kpi_definitions.md, dbt_project/models/marts/), written as one would write it by hand:
-- no dbt, no Dagster, no checks, no ledger. bench/baseline.py runs it with {landing} and {seeds} replaced by
-- folders and compares every table of schema `marts` it builds with the product's serving copy.
--
-- The demo's landing files are contract-shaped CSVs, read with their contract types. Where an entity arrives
-- in several files (orders and tickets: one per month) a key's row in the last file (by name) wins, as the
-- product's staging keeps the latest delivered version. The product's quarantine (bad values, duplicate keys
-- within a file) is not repeated: the equality check shows whether the data needed it.
-- KPI cut-offs are the product's dbt vars at their defaults (dbt_project/dbt_project.yml).

create schema if not exists src;
create schema if not exists marts;

-- Landing files -------------------------------------------------------------------------------------------

create table src.customers as
select * exclude (filename) from read_csv('{landing}/customers/*.csv', header = true, filename = true,
    union_by_name = true, columns = {
        'customer_id': 'varchar', 'customer_name': 'varchar', 'email': 'varchar', 'segment': 'varchar',
        'region': 'varchar', 'location': 'varchar', 'channel': 'varchar', 'signup_date': 'date',
        'status': 'varchar', 'churn_date': 'date'})
qualify row_number() over (partition by customer_id order by filename desc) = 1;

create table src.orders as
select * exclude (filename, refund_amount), coalesce(refund_amount, 0) as refund_amount,
    order_total - coalesce(refund_amount, 0) as net_amount,
    date_trunc('month', ordered_at)::date as order_month
from read_csv('{landing}/orders/*.csv', header = true, filename = true, union_by_name = true, columns = {
        'order_id': 'varchar', 'customer_id': 'varchar', 'ordered_at': 'timestamp', 'channel': 'varchar',
        'location': 'varchar', 'order_total': 'double', 'refund_amount': 'double', 'status': 'varchar'})
qualify row_number() over (partition by order_id order by filename desc) = 1;

create table src.tickets as
select * exclude (filename), date_trunc('month', opened_at)::date as opened_month
from read_csv('{landing}/tickets/*.csv', header = true, filename = true, union_by_name = true, columns = {
        'ticket_id': 'varchar', 'customer_id': 'varchar', 'channel': 'varchar', 'location': 'varchar',
        'category': 'varchar', 'opened_at': 'timestamp', 'first_reply_at': 'timestamp',
        'first_resolved_at': 'timestamp', 'resolved_at': 'timestamp', 'reopen_count': 'integer',
        'contacts': 'integer', 'agent_replies': 'integer', 'agent_id': 'varchar',
        'handle_time_minutes': 'double', 'text': 'varchar'})
qualify row_number() over (partition by ticket_id order by filename desc) = 1;

create table src.customer_responses as
select * exclude (filename, survey_type), upper(survey_type) as survey_type
from read_csv('{landing}/customer_responses/*.csv', header = true, filename = true, union_by_name = true,
    columns = {
        'response_id': 'varchar', 'customer_id': 'varchar', 'ticket_id': 'varchar', 'survey_type': 'varchar',
        'score': 'double', 'comment': 'varchar', 'touchpoint': 'varchar', 'location': 'varchar',
        'responded_at': 'timestamp'})
qualify row_number() over (partition by response_id order by filename desc) = 1;

create table src.employees as
select * exclude (filename, weekly_hours), coalesce(weekly_hours, 40) as weekly_hours
from read_csv('{landing}/employees/*.csv', header = true, filename = true, union_by_name = true, columns = {
        'employee_id': 'varchar', 'employee_name': 'varchar', 'team': 'varchar', 'department': 'varchar',
        'manager_id': 'varchar', 'location': 'varchar', 'region': 'varchar', 'job_level': 'varchar',
        'weekly_hours': 'double', 'hire_date': 'date', 'termination_date': 'date',
        'termination_type': 'varchar'})
qualify row_number() over (partition by employee_id order by filename desc) = 1;

create table src.absences as
select * exclude (filename) from read_csv('{landing}/absences/*.csv', header = true, filename = true,
    union_by_name = true, columns = {'absence_id': 'varchar', 'employee_id': 'varchar', 'start_date': 'date',
        'end_date': 'date', 'hours': 'double', 'reason': 'varchar'})
qualify row_number() over (partition by absence_id order by filename desc) = 1;

create table src.recognitions as
select * exclude (filename) from read_csv('{landing}/recognitions/*.csv', header = true, filename = true,
    union_by_name = true, columns = {'recognition_id': 'varchar', 'giver_employee_id': 'varchar',
        'receiver_employee_id': 'varchar', 'given_at': 'timestamp', 'recognition_type': 'varchar',
        'message': 'varchar'})
qualify row_number() over (partition by recognition_id order by filename desc) = 1;

create table src.internal_requests as
select * exclude (filename) from read_csv('{landing}/internal_requests/*.csv', header = true, filename = true,
    union_by_name = true, columns = {'request_id': 'varchar', 'requester_employee_id': 'varchar',
        'assignee_team': 'varchar', 'category': 'varchar', 'opened_at': 'timestamp', 'answered_at': 'timestamp'})
qualify row_number() over (partition by request_id order by filename desc) = 1;

create table src.employee_responses as
select * exclude (filename) from read_csv('{landing}/employee_responses/*.csv', header = true, filename = true,
    union_by_name = true, columns = {'response_id': 'varchar', 'respondent_id': 'varchar', 'survey_id': 'varchar',
        'team': 'varchar', 'location': 'varchar', 'tenure_band': 'varchar', 'question_id': 'varchar',
        'score': 'double', 'comment': 'varchar', 'responded_at': 'timestamp'})
qualify row_number() over (partition by response_id order by filename desc) = 1;

create table src.reviews as
select * exclude (filename), date_trunc('month', reviewed_at)::date as review_month
from read_csv('{landing}/reviews/*.csv', header = true, filename = true, union_by_name = true, columns = {
        'review_id': 'varchar', 'platform': 'varchar', 'rating': 'double', 'title': 'varchar', 'text': 'varchar',
        'location': 'varchar', 'recommended': 'boolean', 'reviewed_at': 'timestamp'})
qualify row_number() over (partition by review_id order by filename desc) = 1;

-- Seeds: published as they are (dbt_project/seeds, column types as in their yml).
create table marts.support_cost_assumptions as
select * from read_csv('{seeds}/support_cost_assumptions.csv', header = true, columns = {
    'channel': 'varchar', 'agent_cost_per_hour': 'double', 'cost_per_contact': 'double', 'note': 'varchar'});

-- Shared dimensions ---------------------------------------------------------------------------------------

-- A location's region: the most frequent one stated by customers and employees, ties by name.
create table src.location_regions as
select location, first(region order by mentions desc, region) as region
from (
    select location, region, count(*) as mentions
    from (select location, region from src.customers union all select location, region from src.employees)
    where location is not null and region is not null
    group by all
)
group by location;

create table src.as_of as
select greatest(
    (select max(greatest(signup_date, coalesce(churn_date, signup_date))) from src.customers),
    (select max(ordered_at)::date from src.orders),
    (select max(opened_at)::date from src.tickets),
    (select max(responded_at)::date from src.customer_responses)
) as as_of_date;

-- One row per customer: dimensions, lifetime orders, lost date (status where the CRM has one, else 180 days
-- without an order).
create table src.lifecycle as
with order_stats as (
    select customer_id, count(*) as lifetime_orders, sum(order_total) as gross, sum(net_amount) as net,
        min(ordered_at) as first_order_at, max(ordered_at) as last_order_at
    from src.orders
    where status is distinct from 'cancelled'
    group by customer_id
),
joined as (
    select c.*, s.lifetime_orders, s.gross, s.net, s.first_order_at, s.last_order_at,
        lr.region as location_region, a.as_of_date,
        (coalesce(s.last_order_at::date, c.signup_date) + to_days(180))::date as inactivity_lost_date
    from src.customers c
    cross join src.as_of a
    left join order_stats s using (customer_id)
    left join src.location_regions lr on c.location = lr.location
)
select
    customer_id,
    coalesce(segment, 'Unknown') as segment,
    coalesce(region, location_region, 'Unknown') as region,
    coalesce(location, 'Unknown') as location,
    coalesce(channel, 'Unknown') as channel,
    signup_date,
    date_trunc('month', signup_date)::date as signup_month,
    case when status is not null then 'status' else 'inactivity' end as churn_basis,
    case when status is not null then status = 'churned' else inactivity_lost_date <= as_of_date end as is_lost,
    as_of_date,
    coalesce(lifetime_orders, 0) as lifetime_orders,
    coalesce(gross, 0) as lifetime_gross_revenue,
    coalesce(net, 0) as lifetime_net_revenue,
    first_order_at,
    last_order_at,
    case
        when status is not null then case when status = 'churned' then churn_date end
        when inactivity_lost_date <= as_of_date then inactivity_lost_date
    end as lost_date
from joined;

create table src.responses as
select
    r.survey_type,
    r.score,
    date_trunc('month', r.responded_at)::date as month,
    coalesce(c.segment, 'Unknown') as segment,
    coalesce(lr.region, c.region, 'Unknown') as region,
    coalesce(r.location, c.location, 'Unknown') as location,
    coalesce(c.channel, 'Unknown') as channel,
    coalesce(r.touchpoint, 'Unknown') as touchpoint
from src.customer_responses r
left join src.customers c using (customer_id)
left join src.location_regions lr on coalesce(r.location, c.location) = lr.location;

-- Customer marts ------------------------------------------------------------------------------------------

create table marts.customer_nps_monthly as
select month, segment, region, location, channel, touchpoint,
    count(*) as responses,
    count(*) filter (where score >= 9) as promoters,
    count(*) filter (where score > 6 and score < 9) as passives,
    count(*) filter (where score <= 6) as detractors,
    case when count(*) > 0
        then 100.0 * (count(*) filter (where score >= 9) - count(*) filter (where score <= 6)) / count(*)
    end as nps
from src.responses
where survey_type = 'NPS'
group by all;

create table marts.customer_csat_monthly as
select month, segment, region, location, channel, touchpoint,
    count(*) as responses,
    count(*) filter (where score >= 4) as satisfied_responses,
    sum(score) as score_sum,
    100.0 * count(*) filter (where score >= 4) / count(*) as csat_pct,
    sum(score) / count(*) as csat_mean
from src.responses
where survey_type = 'CSAT'
group by all;

create table marts.customer_ces_monthly as
select month, segment, region, location, channel, touchpoint,
    count(*) as responses,
    count(*) filter (where score >= 5) as easy_responses,
    count(*) filter (where score <= 3) as difficult_responses,
    sum(score) as score_sum,
    1.0 * sum(score) / count(*) as ces_mean,
    100.0 * count(*) filter (where score >= 5) / count(*) as ces_easy_pct,
    100.0 * count(*) filter (where score <= 3) / count(*) as ces_difficult_pct
from src.responses
where survey_type = 'CES'
group by all;

create table marts.customer_orders_monthly as
with located as (
    select o.order_month as month,
        coalesce(l.segment, 'Unknown') as segment,
        coalesce(lr.region, l.region, 'Unknown') as region,
        coalesce(o.location, l.location, 'Unknown') as location,
        coalesce(o.channel, 'Unknown') as channel,
        o.status = 'cancelled' as cancelled,
        o.order_total, o.refund_amount, o.net_amount
    from src.orders o
    left join src.lifecycle l using (customer_id)
    left join src.location_regions lr on coalesce(o.location, l.location) = lr.location
),
counted as (
    select month, segment, region, location, channel,
        count(*) as orders_placed,
        count(*) filter (where cancelled) as cancelled_orders,
        count(*) filter (where not coalesce(cancelled, false)) as orders,
        coalesce(sum(order_total) filter (where not coalesce(cancelled, false)), 0) as gross_revenue,
        coalesce(sum(refund_amount) filter (where not coalesce(cancelled, false)), 0) as refunds,
        coalesce(sum(net_amount) filter (where not coalesce(cancelled, false)), 0) as net_revenue
    from located
    group by all
)
select *,
    case when orders > 0 then 1.0 * gross_revenue / orders end as aov,
    case when orders > 0 then 1.0 * net_revenue / orders end as aov_net
from counted;

create table marts.customer_support_monthly as
with costs as (select * from marts.support_cost_assumptions),
measured as (
    select
        t.opened_month as month,
        coalesce(l.segment, 'Unknown') as segment,
        coalesce(lr.region, l.region, 'Unknown') as region,
        coalesce(t.location, l.location, 'Unknown') as location,
        coalesce(t.channel, 'Unknown') as channel,
        coalesce(t.category, 'Unknown') as category,
        date_diff('second', t.opened_at, t.first_reply_at) / 60.0 as first_reply_minutes,
        date_diff('second', t.opened_at, t.first_resolved_at) / 60.0 / 60.0 as first_resolution_hours,
        date_diff('second', t.opened_at, t.resolved_at) / 60.0 / 60.0 as full_resolution_hours,
        t.first_resolved_at is not null as is_resolved,
        t.resolved_at is not null as is_fully_resolved,
        coalesce(t.reopen_count, 0) as reopens,
        coalesce(t.contacts, 1) as contacts,
        t.handle_time_minutes,
        coalesce(t.contacts, 1) = 1 and coalesce(t.reopen_count, 0) = 0 as resolved_first_time,
        coalesce(t.handle_time_minutes, 0) / 60.0
            * coalesce(c.agent_cost_per_hour, d.agent_cost_per_hour, 0)
            + coalesce(t.contacts, 1) * coalesce(c.cost_per_contact, d.cost_per_contact, 0) as support_cost
    from src.tickets t
    cross join (select * from costs where channel = 'default') d
    left join costs c on t.channel = c.channel
    left join src.lifecycle l on t.customer_id = l.customer_id
    left join src.location_regions lr on coalesce(t.location, l.location) = lr.location
),
counted as (
    select month, segment, region, location, channel, category,
        count(*) as tickets,
        count(first_reply_minutes) as replied_tickets,
        coalesce(sum(first_reply_minutes), 0) as first_reply_minutes_sum,
        count(*) filter (where is_resolved) as resolved_tickets,
        coalesce(sum(first_resolution_hours), 0) as first_resolution_hours_sum,
        count(*) filter (where is_fully_resolved) as fully_resolved_tickets,
        coalesce(sum(full_resolution_hours), 0) as full_resolution_hours_sum,
        count(*) filter (where is_resolved and resolved_first_time) as first_contact_resolved_tickets,
        count(*) filter (where reopens > 0) as reopened_tickets,
        sum(reopens) as reopens,
        sum(contacts) as contacts,
        count(handle_time_minutes) as handled_tickets,
        coalesce(sum(handle_time_minutes), 0) as handle_minutes_sum,
        coalesce(sum(contacts) filter (where handle_time_minutes is not null), 0) as handled_contacts,
        sum(support_cost) as support_cost
    from measured
    group by all
)
select *,
    case when replied_tickets > 0 then 1.0 * first_reply_minutes_sum / replied_tickets end
        as first_reply_minutes_avg,
    case when resolved_tickets > 0 then 1.0 * first_resolution_hours_sum / resolved_tickets end
        as first_resolution_hours_avg,
    case when fully_resolved_tickets > 0 then 1.0 * full_resolution_hours_sum / fully_resolved_tickets end
        as full_resolution_hours_avg,
    case when resolved_tickets > 0 then 100.0 * first_contact_resolved_tickets / resolved_tickets end as fcr_pct,
    case when resolved_tickets > 0 then 100.0 * reopened_tickets / resolved_tickets end as reopen_pct,
    case when handled_contacts > 0 then 1.0 * handle_minutes_sum / handled_contacts end as aht_minutes,
    case when handled_tickets > 0 then 1.0 * handle_minutes_sum / handled_tickets end as handle_minutes_per_ticket,
    case when contacts > 0 then 1.0 * support_cost / contacts end as cost_per_interaction,
    case when tickets > 0 then 1.0 * support_cost / tickets end as cost_per_ticket
from counted;

-- Customers at the start of each month, new, lost; churn and retention of those the month started with.
create table marts.customer_retention_monthly as
with months as (
    select unnest(generate_series(
        (select min(signup_month) from src.lifecycle),
        (select date_trunc('month', as_of_date)::date from src.as_of),
        interval 1 month))::date as month
),
events as (
    select segment, region, location, channel, signup_month as month, 1 as new_c, 0 as lost_c, 0 as lost_new
    from src.lifecycle
    union all
    select segment, region, location, channel, date_trunc('month', lost_date)::date, 0, 1,
        (date_trunc('month', lost_date)::date = signup_month)::int
    from src.lifecycle
    where lost_date is not null
),
monthly as (
    select segment, region, location, channel, month,
        sum(new_c) as new_customers, sum(lost_c) as lost_customers, sum(lost_new) as lost_new_customers
    from events
    group by all
),
running as (
    select m.month, g.segment, g.region, g.location, g.channel,
        coalesce(e.new_customers, 0) as new_customers,
        coalesce(e.lost_customers, 0) as lost_customers,
        coalesce(e.lost_new_customers, 0) as lost_new_customers,
        coalesce(sum(coalesce(e.new_customers, 0) - coalesce(e.lost_customers, 0)) over (
            partition by g.segment, g.region, g.location, g.channel order by m.month
            rows between unbounded preceding and 1 preceding), 0) as customers_at_start
    from (select distinct segment, region, location, channel from src.lifecycle) g
    cross join months m
    left join monthly e using (segment, region, location, channel, month)
)
select month, segment, region, location, channel, customers_at_start, new_customers, lost_customers,
    lost_customers - lost_new_customers as lost_from_start,
    customers_at_start + new_customers - lost_customers as customers_at_end,
    case when customers_at_start > 0
        then 100.0 * (lost_customers - lost_new_customers) / customers_at_start end as churn_pct,
    case when customers_at_start > 0
        then 100.0 * (customers_at_start - (lost_customers - lost_new_customers)) / customers_at_start
    end as retention_pct
from running
where customers_at_start + new_customers + lost_customers > 0;

create table marts.customer_churn_summary as
select segment, region, location, channel, churn_basis,
    count(*) as customers,
    count(*) filter (where is_lost) as lost_customers,
    count(*) filter (where not is_lost) as active_customers,
    max(as_of_date) as as_of_date,
    100.0 * count(*) filter (where is_lost) / count(*) as churn_pct
from src.lifecycle
group by all;

create table marts.customer_conversion_monthly as
with located as (
    select date_trunc('month', l.created_at)::date as month,
        coalesce(l.segment, 'Unknown') as segment,
        coalesce(lr.region, 'Unknown') as region,
        coalesce(l.location, 'Unknown') as location,
        coalesce(l.channel, 'Unknown') as channel,
        l.status,
        date_diff('second', l.created_at, l.converted_at) / 60.0 / 1440.0 as days_to_convert
    from read_csv('{landing}/leads/*.csv', header = true, filename = true, union_by_name = true, columns = {
            'lead_id': 'varchar', 'created_at': 'timestamp', 'channel': 'varchar', 'location': 'varchar',
            'segment': 'varchar', 'status': 'varchar', 'converted_at': 'timestamp', 'customer_id': 'varchar'}) l
    left join src.location_regions lr on l.location = lr.location
    qualify row_number() over (partition by l.lead_id order by l.filename desc) = 1
),
counted as (
    select month, segment, region, location, channel,
        count(*) as leads,
        count(*) filter (where status = 'converted') as converted_leads,
        count(*) filter (where status = 'lost') as lost_leads,
        count(*) filter (where status = 'open') as open_leads,
        coalesce(sum(days_to_convert) filter (where status = 'converted'), 0) as days_to_convert_sum
    from located
    group by all
)
select *,
    100.0 * converted_leads / leads as conversion_pct,
    case when converted_leads > 0 then 1.0 * days_to_convert_sum / converted_leads end as days_to_convert_avg
from counted;

-- Repeat purchase rate over the trailing 12 months ending with each month.
create table marts.customer_repeat_purchase_monthly as
with kept as (select * from src.orders where status is distinct from 'cancelled'),
per_customer as (
    select customer_id, (order_month + to_months(k))::date as month, count(*) as orders
    from kept, range(0, 12) as offsets(k)
    where (order_month + to_months(k))::date <= (select date_trunc('month', as_of_date)::date from src.as_of)
    group by all
),
counted as (
    select p.month,
        coalesce(l.segment, 'Unknown') as segment,
        coalesce(l.region, 'Unknown') as region,
        coalesce(l.location, 'Unknown') as location,
        coalesce(l.channel, 'Unknown') as channel,
        count(*) as buyers,
        count(*) filter (where p.orders >= 2) as repeat_buyers,
        sum(p.orders) as orders
    from per_customer p
    left join src.lifecycle l using (customer_id)
    group by all
)
select *, 12 as window_months,
    (month - to_months(11))::date as window_start_month,
    (month - to_months(11))::date >= (select min(order_month) from kept) as window_complete,
    100.0 * repeat_buyers / buyers as repeat_purchase_pct
from counted;

-- Historical and predictive CLTV (AOV x orders per year x expected lifespan, capped at 10 years; margin 1.0).
create table marts.customer_value_summary as
with observed as (select min(first_order_at)::date as observed_from from src.lifecycle),
counted as (
    select segment, region, location, channel,
        count(*) as customers,
        count(*) filter (where lifetime_orders > 0) as buyers,
        sum(lifetime_orders) as orders,
        sum(lifetime_gross_revenue) as gross_revenue,
        sum(lifetime_net_revenue) as net_revenue,
        sum(greatest(0, date_diff('day', greatest(signup_date, observed_from), coalesce(lost_date, as_of_date)))
            / 365.25) as customer_years,
        count(*) filter (where is_lost and lost_date >= observed_from) as lost_customers_observed
    from src.lifecycle, observed
    group by all
),
rates as (
    select *,
        1.0 * net_revenue / customers as historical_cltv,
        case when orders > 0 then 1.0 * net_revenue / orders end as aov_net,
        case when customer_years > 0 then 1.0 * orders / customer_years end as orders_per_customer_year,
        case when customer_years > 0 then 1.0 * lost_customers_observed / customer_years end as annual_churn_rate
    from counted
)
select *,
    case when customer_years > 0 then least(coalesce(1.0 / nullif(annual_churn_rate, 0), 10), 10) end
        as expected_lifespan_years,
    aov_net * orders_per_customer_year * least(coalesce(1.0 / nullif(annual_churn_rate, 0), 10), 10) * 1.0
        as predictive_cltv
from rates;

-- Repeat purchase over the whole history up to the customers' as-of date (CRM customers and orders only).
create table marts.customer_repeat_purchase_to_date as
with customers_as_of as (
    select greatest(
        (select max(greatest(signup_date, coalesce(churn_date, signup_date))) from src.customers),
        (select max(ordered_at)::date from src.orders)) as as_of_date
),
per_customer as (
    select customer_id, count(*) as orders, min(ordered_at)::date as first_order_date,
        max(ordered_at)::date as last_order_date
    from src.orders, customers_as_of
    where status is distinct from 'cancelled' and ordered_at::date <= as_of_date
    group by customer_id
),
counted as (
    select coalesce(l.segment, 'Unknown') as segment, coalesce(l.region, 'Unknown') as region,
        coalesce(l.location, 'Unknown') as location, coalesce(l.channel, 'Unknown') as channel,
        count(*) as buyers, count(*) filter (where p.orders >= 2) as repeat_buyers, sum(p.orders) as orders,
        min(p.first_order_date) as first_order_date, max(p.last_order_date) as last_order_date
    from per_customer p
    left join src.lifecycle l using (customer_id)
    group by all
)
select counted.*, (select min(first_order_date) from per_customer) as period_start, as_of_date as period_end,
    case when buyers > 0 then 100.0 * repeat_buyers / buyers end as repeat_purchase_pct
from counted, customers_as_of;

-- Support per agent, month and ticket location; the agent is the keyed hash of the CRM id ({salt}: derived
-- from the PII key, as the product derives it).
create table marts.customer_support_agent_monthly as
with agent_tickets as (select * from src.tickets where agent_id is not null),
ticket_counts as (
    select opened_month as month, agent_id, coalesce(location, 'Unknown') as location,
        count(*) as tickets,
        count(*) filter (where first_resolved_at is not null) as resolved_tickets,
        count(*) filter (where first_resolved_at is not null and coalesce(contacts, 1) = 1
            and coalesce(reopen_count, 0) = 0) as first_contact_resolved_tickets,
        count(handle_time_minutes) as handled_tickets,
        coalesce(sum(handle_time_minutes), 0) as handle_minutes_sum
    from agent_tickets
    group by all
),
csat_counts as (
    select t.opened_month as month, t.agent_id, coalesce(t.location, 'Unknown') as location,
        count(*) as csat_responses, count(*) filter (where r.score >= 4) as satisfied_responses
    from src.customer_responses r
    join agent_tickets t using (ticket_id)
    where r.survey_type = 'CSAT' and r.score is not null
    group by all
)
select tc.month, 'agt_' || left(sha256('{salt}' || '|' || tc.agent_id), 16) as agent, tc.location,
    'Customer Support' as team, tc.tickets, tc.resolved_tickets, tc.first_contact_resolved_tickets,
    case when tc.resolved_tickets > 0 then 100.0 * tc.first_contact_resolved_tickets / tc.resolved_tickets end
        as fcr_pct,
    tc.handled_tickets, tc.handle_minutes_sum,
    case when tc.handled_tickets > 0 then 1.0 * tc.handle_minutes_sum / tc.handled_tickets end
        as handle_minutes_per_ticket,
    coalesce(cc.csat_responses, 0) as csat_responses, coalesce(cc.satisfied_responses, 0) as satisfied_responses,
    case when cc.csat_responses > 0 then 100.0 * cc.satisfied_responses / cc.csat_responses end as csat_pct
from ticket_counts tc
left join csat_counts cc using (month, agent_id, location);

-- One row per customer (pseudonymous key): orders, tenure, open tickets, latest answers, follow-up flags.
create table marts.customer_360 as
with ticket_stats as (
    select customer_id, count(*) as tickets, count(*) filter (where resolved_at is null) as open_tickets,
        min(opened_at) filter (where resolved_at is null) as oldest_open_ticket_at, max(opened_at) as last_ticket_at
    from src.tickets where customer_id is not null group by customer_id
),
survey_stats as (
    select customer_id, max(responded_at) as last_response_at,
        arg_max(score, responded_at) filter (where survey_type = 'NPS') as latest_nps_score,
        max(responded_at) filter (where survey_type = 'NPS') as latest_nps_at,
        arg_max(score, responded_at) filter (where survey_type = 'CSAT') as latest_csat_score,
        max(responded_at) filter (where survey_type = 'CSAT') as latest_csat_at
    from src.customer_responses where customer_id is not null group by customer_id
),
flagged as (
    select 'cus_' || left(sha256('{salt}' || '|' || l.customer_id), 16) as customer_id,
        l.segment, l.region, l.location, l.channel, l.signup_date,
        date_diff('day', l.signup_date, coalesce(l.lost_date, l.as_of_date)) as tenure_days,
        l.churn_basis, l.is_lost, l.lost_date, l.lifetime_orders, l.lifetime_gross_revenue,
        l.lifetime_net_revenue, l.first_order_at, l.last_order_at,
        coalesce(t.tickets, 0) as tickets, coalesce(t.open_tickets, 0) as open_tickets, t.oldest_open_ticket_at,
        greatest(t.last_ticket_at, s.last_response_at) as last_contact_at,
        s.latest_nps_score, s.latest_nps_at, s.latest_csat_score, s.latest_csat_at,
        l.churn_basis = 'inactivity' and not l.is_lost
            and coalesce(l.last_order_at::date, l.signup_date) + to_days(90) <= l.as_of_date as risk_inactive,
        coalesce(s.latest_nps_score <= 6, false) as risk_detractor,
        coalesce(s.latest_csat_score <= 2, false) as risk_low_csat,
        coalesce(t.oldest_open_ticket_at::date + to_days(7) < l.as_of_date, false) as risk_aging_ticket,
        l.as_of_date
    from src.lifecycle l
    left join ticket_stats t using (customer_id)
    left join survey_stats s using (customer_id)
)
select * exclude (as_of_date),
    not is_lost and (risk_inactive or risk_detractor or risk_low_csat or risk_aging_ticket) as at_risk,
    risk_inactive::int + risk_detractor::int + risk_low_csat::int + risk_aging_ticket::int as risk_flags,
    as_of_date
from flagged;

-- Brand marts ---------------------------------------------------------------------------------------------

-- Star ratings per month x platform x location: mean, 4-5 share, whole-star distribution, recommend share.
create table marts.brand_reviews_monthly as
with counted as (
    select review_month as month, coalesce(platform, 'Unknown') as platform,
        coalesce(location, 'Unknown') as location,
        count(*) as reviews, sum(rating) as rating_sum,
        count(*) filter (where rating >= 4) as top_box_reviews,
        count(*) filter (where rating <= 2) as bottom_box_reviews,
        count(*) filter (where round(rating) = 1) as rating_1_reviews,
        count(*) filter (where round(rating) = 2) as rating_2_reviews,
        count(*) filter (where round(rating) = 3) as rating_3_reviews,
        count(*) filter (where round(rating) = 4) as rating_4_reviews,
        count(*) filter (where round(rating) = 5) as rating_5_reviews,
        count(recommended) as recommend_answers,
        count(*) filter (where recommended) as recommended_reviews
    from src.reviews
    group by all
)
select *,
    case when reviews > 0 then 1.0 * rating_sum / reviews end as rating_mean,
    case when reviews > 0 then 100.0 * top_box_reviews / reviews end as top_box_pct,
    case when recommend_answers > 0 then 100.0 * recommended_reviews / recommend_answers end as recommended_pct
from counted;

-- Employee marts ------------------------------------------------------------------------------------------

create table src.employee_as_of as
select max(latest) as as_of_date from (
    select max(greatest(hire_date, coalesce(termination_date, hire_date))) as latest from src.employees
    union all
    select max(start_date) from src.absences
    union all
    select max(given_at)::date from src.recognitions
    union all
    select max(opened_at)::date from src.internal_requests
    union all
    select max(responded_at)::date from src.employee_responses
);

create table marts.employee_survey_settings as select 5 as min_respondents;

-- Managers shown by role and team ("Manager 2, Customer Support"), never by their HRIS id.
create table src.manager_labels as
select ids.manager_id,
    'Manager' || case when count(*) over (partition by m.team) > 1
        then ' ' || row_number() over (partition by m.team order by ids.manager_id) else '' end
    || ', ' || coalesce(m.team, 'another organisation') as manager_label
from (select distinct manager_id from src.employees where manager_id is not null) ids
left join src.employees m on ids.manager_id = m.employee_id;

-- One row per employee and month employed on at least one day.
create table src.employee_months as
with months as (
    select e.*, unnest(generate_series(date_trunc('month', e.hire_date),
        date_trunc('month', least(coalesce(e.termination_date, a.as_of_date), a.as_of_date)),
        interval 1 month))::date as month
    from src.employees e cross join src.employee_as_of a
    where e.hire_date <= a.as_of_date
)
select
    employee_id,
    month,
    -- Hours usually worked in the month: weekly hours spread over the days employed (both ends inclusive).
    weekly_hours * (date_diff('day', greatest(month, hire_date),
        least(last_day(month), coalesce(termination_date, last_day(month)))) + 1) / 7.0 as usual_hours,
    coalesce(department, team, 'Unknown') as department,
    coalesce(team, 'Unknown') as team,
    coalesce(location, 'Unknown') as location,
    coalesce(ml.manager_label, 'Unknown') as manager_id,
    coalesce(job_level, 'Unknown') as job_level,
    case
        when date_diff('day', hire_date, greatest(month, hire_date)) < 365.25 then '<1y'
        when date_diff('day', hire_date, greatest(month, hire_date)) < 3 * 365.25 then '1-3y'
        when date_diff('day', hire_date, greatest(month, hire_date)) < 5 * 365.25 then '3-5y'
        else '5y+'
    end as tenure_band,
    hire_date < month and (termination_date is null or termination_date >= month) as at_start,
    termination_date is null or termination_date > last_day(month) as at_end,
    date_trunc('month', hire_date) = month as hired,
    coalesce(date_trunc('month', termination_date) = month, false) as separated,
    termination_type
from months
left join src.manager_labels ml using (manager_id);

-- Small groups rolled up (docs/privacy.md): no published cell of a workforce mart counts fewer than 5 units.
-- A unit's breakdown is the list `d` (top level first) within `part` (the month, or NULL: one partition).
-- One level at a time, bottom-up: a group (d[1:k_end]) under 5 is combined with the other small groups of
-- its parent (d[1:k_parent]); when those together stay under 5, the parent's smallest publishable group
-- joins them, so the parent's total minus its visible groups never isolates a small group. Combined rows
-- get 'Other (small groups)' at the level and 'All' below, and the reason.
create macro rollup_level(tbl, k_parent, k_end, reason) as table
with sized as (
    select *, count(*) over (partition by part, d[1:k_end]) as n,
        lpad(n::varchar, 12, '0') || '|' || concat_ws('|', part, array_to_string(d[1:k_end], '|')) as rank
    from query_table(tbl)
),
flagged as (
    select *, n < 5 or (
        count(*) filter (where n < 5) over (partition by part, d[1:k_parent]) between 1 and 4
        and rank = min(case when n >= 5 then rank end) over (partition by part, d[1:k_parent])
    ) as combined
    from sized
)
select * exclude (n, rank, combined, d, rollup_reason),
    case when combined then list_concat(d[1:k_parent],
        list_transform(range(k_parent, k_end), lambda x: 'Other (small groups)'),
        list_transform(range(k_end, len(d)), lambda x: 'All')) else d end as d,
    case when combined then reason else rollup_reason end as rollup_reason
from flagged;

create macro rollup_published(tbl) as table
select * from query_table(tbl) qualify count(*) over (partition by part) >= 5;

create table src.rolled as
select * exclude (department, team, manager_id, location, tenure_band, job_level), month as part,
    [department, team, manager_id, location, tenure_band] as d, null::varchar as rollup_reason
from src.employee_months;
create or replace table src.rolled as
from rollup_level('src.rolled', 3, 5, 'groups under 5 employees combined within the manager''s group');
create or replace table src.rolled as
from rollup_level('src.rolled', 2, 3, 'groups under 5 employees combined within the team');
create or replace table src.rolled as
from rollup_level('src.rolled', 1, 2, 'groups under 5 employees combined within the department');
create or replace table src.rolled as
from rollup_level('src.rolled', 0, 1, 'groups under 5 employees combined within the month');

create table src.employee_months_published as
select * exclude (part, d), d[1] as department, d[2] as team, d[3] as manager_id, d[4] as location,
    d[5] as tenure_band
from rollup_published('src.rolled');

create table marts.employee_headcount_monthly as
with counted as (
    select month, department, team, location, manager_id, tenure_band,
        count(*) as employees,
        count(*) filter (where at_start) as headcount_start,
        count(*) filter (where at_end) as headcount_end,
        count(*) filter (where hired) as hires,
        count(*) filter (where separated) as separations,
        count(*) filter (where separated and termination_type = 'voluntary') as voluntary_separations,
        count(*) filter (where separated and termination_type = 'involuntary') as involuntary_separations,
        count(*) filter (where at_start and at_end) as retained_employees,
        max(rollup_reason) as rollup_reason
    from src.employee_months_published
    group by all
)
select *,
    (headcount_start + headcount_end) / 2.0 as avg_headcount,
    case when (headcount_start + headcount_end) / 2.0 > 0
        then 100.0 * separations / ((headcount_start + headcount_end) / 2.0) end as turnover_pct,
    case when (headcount_start + headcount_end) / 2.0 > 0
        then 100.0 * voluntary_separations / ((headcount_start + headcount_end) / 2.0) end
        as voluntary_turnover_pct,
    case when (headcount_start + headcount_end) / 2.0 > 0
        then 100.0 * involuntary_separations / ((headcount_start + headcount_end) / 2.0) end
        as involuntary_turnover_pct,
    case when headcount_start > 0 then 100.0 * retained_employees / headcount_start end as retention_pct
from counted;

create table marts.employee_absence_monthly as
with absences as (
    select employee_id, date_trunc('month', start_date)::date as month, count(*) as spells, sum(hours) as hours
    from src.absences
    where reason <> 'vacation'
    group by all
),
counted as (
    select month, department, team, location, manager_id, tenure_band,
        count(*) as employees,
        count(*) filter (where coalesce(a.spells, 0) > 0) as employees_absent,
        sum(coalesce(a.spells, 0)) as absence_spells,
        sum(coalesce(a.hours, 0)) as absence_hours,
        sum(usual_hours) as usual_hours,
        max(rollup_reason) as rollup_reason
    from src.employee_months_published m
    left join absences a using (employee_id, month)
    group by all
)
select *,
    100.0 * employees_absent / employees as absence_rate_pct,
    case when usual_hours > 0 then 100.0 * absence_hours / usual_hours end as lost_worktime_pct
from counted;

create table marts.employee_recognition_monthly as
with received as (
    select receiver_employee_id as employee_id, date_trunc('month', given_at)::date as month,
        count(*) as recognitions,
        count(*) filter (where recognition_type = 'peer') as peer,
        count(*) filter (where recognition_type = 'manager') as manager,
        count(*) filter (where recognition_type = 'award') as award
    from src.recognitions
    group by all
),
counted as (
    select month, department, team, location, manager_id, tenure_band,
        count(*) as employees,
        count(*) filter (where coalesce(r.recognitions, 0) > 0) as recognised_employees,
        sum(coalesce(r.recognitions, 0)) as recognitions,
        sum(coalesce(r.peer, 0)) as peer_recognitions,
        sum(coalesce(r.manager, 0)) as manager_recognitions,
        sum(coalesce(r.award, 0)) as award_recognitions,
        sum(coalesce(r.recognitions - r.peer - r.manager - r.award, 0)) as untyped_recognitions,
        max(rollup_reason) as rollup_reason
    from src.employee_months_published m
    left join received r using (employee_id, month)
    group by all
)
select *,
    1.0 * recognitions / employees as recognitions_per_employee,
    100.0 * recognised_employees / employees as recognised_pct
from counted;

-- EAP use, organisation level only, in the published workforce's months; fewer than 5 users in a month is withheld
-- (NULL) with the reason.
create table marts.employee_eap_monthly as
with uses as (
    select date_trunc('month', used_on)::date as month, count(*) as eap_uses,
        count(distinct employee_id) as eap_users
    from (
        select * from read_csv('{landing}/eap_usage/*.csv', header = true, filename = true, union_by_name = true,
            columns = {'usage_id': 'varchar', 'employee_id': 'varchar', 'used_on': 'date', 'service_type': 'varchar'})
        qualify row_number() over (partition by usage_id order by filename desc) = 1
    )
    group by all
),
joined as (
    select coalesce(h.month, u.month) as month, coalesce(h.employees, 0) as employees,
        coalesce(u.eap_uses, 0) as eap_uses, coalesce(u.eap_users, 0) as eap_users
    from (select month, count(*) as employees from src.employee_months_published group by month) h
    full outer join uses u using (month)
),
suppressed as (
    select month, employees, eap_users between 1 and 4 as withheld,
        case when not withheld then eap_uses end as eap_uses,
        case when not withheld then eap_users end as eap_users,
        case when withheld then 'fewer than 5 users' end as suppression_reason
    from joined
)
select month, employees, eap_uses, eap_users, suppression_reason,
    case when employees > 0 then 100.0 * eap_users / employees end as eap_utilisation_pct
from suppressed;

-- Snapshot attrition as of the employee "today", small groups rolled up over department, team, location+level.
create table src.rolled_workers as
select coalesce(e.termination_date <= a.as_of_date, false) as separated, e.termination_type, a.as_of_date,
    null::date as part,
    [coalesce(e.department, e.team, 'Unknown'), coalesce(e.team, 'Unknown'), coalesce(e.location, 'Unknown'),
        coalesce(e.job_level, 'Unknown')] as d,
    null::varchar as rollup_reason
from src.employees e cross join src.employee_as_of a
where e.hire_date <= a.as_of_date;
create or replace table src.rolled_workers as
from rollup_level('src.rolled_workers', 2, 4, 'groups under 5 employees combined within the team');
create or replace table src.rolled_workers as
from rollup_level('src.rolled_workers', 1, 2, 'groups under 5 employees combined within the department');
create or replace table src.rolled_workers as
from rollup_level('src.rolled_workers', 0, 1, 'groups under 5 employees combined within the organisation');

create table marts.employee_turnover_summary as
with counted as (
    select d[1] as department, d[2] as team, d[3] as location, d[4] as job_level,
        count(*) as employees,
        count(*) filter (where separated) as separations,
        count(*) filter (where separated and termination_type = 'voluntary') as voluntary_separations,
        count(*) filter (where separated and termination_type = 'involuntary') as involuntary_separations,
        count(*) filter (where not separated) as active_employees,
        max(as_of_date) as as_of_date,
        max(rollup_reason) as rollup_reason
    from rollup_published('src.rolled_workers')
    group by all
)
select *, 100.0 * separations / employees as attrition_pct from counted;

-- Internal responsiveness per month opened x assignee team x category; small groups of requests rolled up.
create table src.rolled_requests as
select opened_at, answered_at is not null as answered,
    date_diff('second', opened_at, answered_at) / 3600.0 as hours_to_answer,
    date_trunc('month', opened_at)::date as part,
    [assignee_team, coalesce(category, 'Unknown')] as d,
    null::varchar as rollup_reason
from src.internal_requests;
create or replace table src.rolled_requests as
from rollup_level('src.rolled_requests', 1, 2, 'groups under 5 requests combined within the assignee team');
create or replace table src.rolled_requests as
from rollup_level('src.rolled_requests', 0, 1, 'groups under 5 requests combined within the month');

create table marts.employee_internal_responsiveness_monthly as
with counted as (
    select part as month, d[1] as assignee_team, d[2] as category,
        count(*) as requests,
        count(*) filter (where answered) as answered_requests,
        count(*) filter (where not answered) as unanswered_requests,
        sum(hours_to_answer) as hours_to_answer_sum,
        median(hours_to_answer) as median_hours_to_answer,
        max(rollup_reason) as rollup_reason
    from rollup_published('src.rolled_requests')
    group by all
)
select *,
    case when answered_requests > 0 then 1.0 * hours_to_answer_sum / answered_requests end as mean_hours_to_answer,
    100.0 * answered_requests / requests as answered_pct
from counted;

-- Turnover cost per month x department x job level: separations priced by the editable assumptions seed.
create table src.rolled_leavers as
select separated, termination_type, job_level as priced_job_level, month as part, [department, job_level] as d,
    null::varchar as rollup_reason
from src.employee_months;
create or replace table src.rolled_leavers as
from rollup_level('src.rolled_leavers', 1, 2, 'groups under 5 employees combined within the department');
create or replace table src.rolled_leavers as
from rollup_level('src.rolled_leavers', 0, 1, 'groups under 5 employees combined within the month');

create table marts.employee_turnover_cost_monthly as
with assumptions as (
    select * from read_csv('{seeds}/employee_turnover_cost_assumptions.csv', header = true)
),
counted as (
    select part as month, d[1] as department, d[2] as job_level,
        count(*) as separations,
        count(*) filter (where termination_type = 'voluntary') as voluntary_separations,
        count(*) filter (where termination_type = 'involuntary') as involuntary_separations,
        avg(coalesce(a.recruiting_cost, dflt.recruiting_cost)) as recruiting_cost_per_separation,
        avg(coalesce(a.onboarding_cost, dflt.onboarding_cost)) as onboarding_cost_per_separation,
        avg(coalesce(a.lost_productivity_cost, dflt.lost_productivity_cost)) as lost_productivity_cost_per_separation,
        bool_or(a.job_level is null) as priced_by_default,
        max(rollup_reason) as rollup_reason
    from rollup_published('src.rolled_leavers') e
    left join assumptions a on e.priced_job_level = a.job_level
    left join assumptions dflt on dflt.job_level = 'default'
    where separated
    group by all
)
select *,
    recruiting_cost_per_separation + onboarding_cost_per_separation + lost_productivity_cost_per_separation
        as cost_per_separation,
    separations * (recruiting_cost_per_separation + onboarding_cost_per_separation
        + lost_productivity_cost_per_separation) as turnover_cost
from counted;

-- The other seeds, published as they are.
create table marts.alert_owners as select * from read_csv('{seeds}/alert_owners.csv', header = true);
create table marts.alert_rules as select * from read_csv('{seeds}/alert_rules.csv', header = true);
create table marts.empathy_language as select * from read_csv('{seeds}/empathy_language.csv', header = true);
create table marts.employee_turnover_cost_assumptions as
select * from read_csv('{seeds}/employee_turnover_cost_assumptions.csv', header = true);
create table marts.kpi_benchmarks as select * from read_csv('{seeds}/kpi_benchmarks.csv', header = true);
create table marts.kpi_targets as
select * from read_csv('{seeds}/kpi_targets.csv', header = true, columns = {
    'kpi': 'varchar', 'scope': 'varchar', 'scope_value': 'varchar', 'target': 'double', 'close_margin': 'double'});
create table marts.impact_kpis as select * from read_csv('{seeds}/impact_kpis.csv', header = true);
create table marts.roi_planning_assumptions as
select * from read_csv('{seeds}/roi_planning_assumptions.csv', header = true);
create table marts.text_themes as select * from read_csv('{seeds}/text_themes.csv', header = true);

-- Every editable ROI assumption, one row each, from the seeds and the CLTV margin (1.0).
create table marts.roi_assumptions as
with turnover as (
    select job_level, recruiting_cost + onboarding_cost + lost_productivity_cost as cost_per_leaver
    from marts.employee_turnover_cost_assumptions
),
support as (select channel, agent_cost_per_hour / 60.0 as cost_per_minute from marts.support_cost_assumptions)
select 'gross_margin' as assumption, 'Gross margin on customer revenue (1 counts all revenue as profit)' as label,
    1.0::double as value, 0.75::double as low, 1.0::double as high, 'share of revenue' as unit,
    'dbt var cltv_gross_margin (dbt_project.yml), the margin of the customer lifetime value' as source
union all
select 'cost_per_leaver', 'Cost of replacing one employee who leaves',
    max(cost_per_leaver) filter (where job_level = 'default'), min(cost_per_leaver), max(cost_per_leaver),
    'per leaver', 'seed employee_turnover_cost_assumptions: recruiting + onboarding + lost productivity; the default '
        || 'row, ranging over the job levels'
from turnover
union all
select 'cost_per_support_minute', 'Cost of one minute of a support agent''s time',
    max(cost_per_minute) filter (where channel = 'default'), min(cost_per_minute), max(cost_per_minute),
    'per minute', 'seed support_cost_assumptions: agent cost per hour / 60; the default row, ranging over the channels'
from support
union all
select assumption, label, value, low, high, unit, 'seed roi_planning_assumptions: ' || source
from marts.roi_planning_assumptions;

-- Whether churn and staff turnover come from a snapshot export (all losses dated to at most one month).
create table marts.kpi_snapshot_sources as
with losses as (
    select 'churn_pct' as kpi, month, sum(lost_customers) as losses from marts.customer_retention_monthly group by all
    union all
    select 'turnover_pct', month, sum(separations) from marts.employee_headcount_monthly group by all
)
select k.kpi, coalesce(sum(l.losses), 0)::bigint as losses,
    count(distinct l.month) filter (where l.losses > 0)::bigint as months_with_losses,
    coalesce(sum(l.losses), 0) > 0 and count(distinct l.month) filter (where l.losses > 0) <= 1 as is_snapshot
from (values ('churn_pct'), ('turnover_pct')) as k(kpi)
left join losses l using (kpi)
group by k.kpi;

-- Employee survey answers, scored through the question bank, with the respondent's reporting groups. Location
-- and manager are the TEAM's (its most frequent survey location in the wave, the most frequent manager of its
-- workers, one in the team first), so every such group is a union of whole teams. bench/baseline_python.py
-- decides which cells may be shown (src.survey_cells); bench/baseline_after.sql then builds the survey marts.
create table src.survey_questions as
select * exclude (filename) from read_csv('{landing}/survey_questions/*.csv', header = true, filename = true,
    union_by_name = true, columns = {'question_id': 'varchar', 'audience': 'varchar', 'question_text': 'varchar',
        'dimension': 'varchar', 'scale_min': 'bigint', 'scale_max': 'bigint', 'favourable_min': 'bigint',
        'reverse_scored': 'boolean'})
qualify row_number() over (partition by question_id order by filename desc) = 1;

create table src.survey_answers as
with scored as (
    select a.response_id, a.respondent_id,
        coalesce(a.survey_id, strftime(date_trunc('month', a.responded_at), '%Y-%m')) as wave,
        date_trunc('month', a.responded_at)::date as response_month,
        coalesce(a.team, 'Unknown') as team, coalesce(a.location, 'Unknown') as location,
        coalesce(a.tenure_band, 'Unknown') as tenure_band, a.question_id, q.question_text, q.dimension,
        q.scale_min, q.scale_max, a.score,
        case when coalesce(q.reverse_scored, false) then q.scale_min + q.scale_max - a.score else a.score end
            as scored,
        coalesce(q.favourable_min, q.scale_max - 1) as favourable_min
    from src.employee_responses a
    join src.survey_questions q on a.question_id = q.question_id and q.audience = 'employee'
),
team_locations as (
    select wave, team, first(location order by respondents desc, location) as team_location
    from (select wave, team, location, count(distinct respondent_id) as respondents from scored group by all)
    group by all
),
team_managers as (
    select e.team, e.manager_id, count(*) as workers, bool_or(m.team = e.team) as manager_in_team
    from src.employees e
    left join src.employees m on e.manager_id = m.employee_id
    where e.manager_id is not null
    group by all
),
team_manager as (
    select team, first(manager_id order by manager_in_team desc, workers desc, manager_id) as manager_id
    from team_managers group by team
)
select s.*, min(s.response_month) over (partition by s.wave) as wave_month,
    s.scored >= s.favourable_min as is_favourable,
    s.scored <= s.scale_min + s.scale_max - s.favourable_min as is_unfavourable,
    l.team_location, coalesce(ml.manager_label, 'Unknown') as team_manager
from scored s
left join team_locations l using (wave, team)
left join team_manager tm using (team)
left join src.manager_labels ml on tm.manager_id = ml.manager_id;

-- Every answer once per published reporting group of its wave: the org and the one-way breakdowns.
create table src.survey_groups as
select *, 'org' as breakdown, 'All' as group_value from src.survey_answers
union all select *, 'team', team from src.survey_answers
union all select *, 'location', team_location from src.survey_answers
union all select *, 'manager', team_manager from src.survey_answers
union all select *, 'tenure_band', tenure_band from src.survey_answers;
