-- Customers at start, new, lost and at end of every month, per customer segment, region, location and
-- acquisition channel. Counted from events (signups and losses) and running sums, so the cost follows
-- customers + months, not customers x months.
with

lifecycle as (

    select * from {{ ref('int_customer_lifecycle') }}

),

as_of as (

    select date_trunc('month', as_of_date)::date as as_of_month from {{ ref('int_as_of_dates') }} where domain = 'customers'

),

months as (

    select month::date as month
    from (
        select {{ unnest_list(generate_series('first_month', 'as_of_month', 'interval 1 month')) }} as month
        from (select min(signup_month) as first_month from lifecycle), as_of
    ) as series

),

events as (

    select segment, region, location, channel, signup_month as month,
        1 as new_customers, 0 as lost_customers, 0 as lost_new_customers
    from lifecycle
    union all
    -- A customer lost in their signup month was never among those at the start of a month.
    select segment, region, location, channel, date_trunc('month', lost_date)::date,
        0, 1, (date_trunc('month', lost_date)::date = signup_month)::int
    from lifecycle
    where lost_date is not null

),

monthly_events as (

    select segment, region, location, channel, month,
        cast(sum(new_customers) as bigint) as new_customers,
        cast(sum(lost_customers) as bigint) as lost_customers,
        cast(sum(lost_new_customers) as bigint) as lost_new_customers
    from events
    group by all

),

groups as (

    select distinct segment, region, location, channel from lifecycle

),

filled as (

    select
        months.month,
        groups.segment,
        groups.region,
        groups.location,
        groups.channel,
        coalesce(monthly_events.new_customers, 0) as new_customers,
        coalesce(monthly_events.lost_customers, 0) as lost_customers,
        coalesce(monthly_events.lost_new_customers, 0) as lost_new_customers
    from groups
    cross join months
    left join monthly_events
        on monthly_events.segment = groups.segment
        and monthly_events.region = groups.region
        and monthly_events.location = groups.location
        and monthly_events.channel = groups.channel
        and monthly_events.month = months.month

),

running as (

    select
        *,
        cast(coalesce(sum(new_customers - lost_customers) over (
            partition by segment, region, location, channel
            order by month
            rows between unbounded preceding and 1 preceding
        ), 0) as bigint) as customers_at_start
    from filled

),

final as (

    select
        month,
        segment,
        region,
        location,
        channel,
        customers_at_start,
        new_customers,
        lost_customers,
        lost_customers - lost_new_customers as lost_from_start,
        customers_at_start + new_customers - lost_customers as customers_at_end,
        -- Churn and retention describe the customers the month started with, so both stay in 0..100 and
        -- add up to 100; a customer who joins and leaves within the month is in neither (docs/decisions.md).
        {{ pct('lost_customers - lost_new_customers', 'customers_at_start') }} as churn_pct,
        {{ pct('customers_at_start - (lost_customers - lost_new_customers)', 'customers_at_start') }}
            as retention_pct
    from running
    -- A group's months before its first customer carry nothing.
    where customers_at_start + new_customers + lost_customers > 0

)

select * from final
