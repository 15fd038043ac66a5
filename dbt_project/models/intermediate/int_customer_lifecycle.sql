-- One row per customer: the dimensions every customer mart reports under, lifetime order figures, and
-- when (if ever) the customer was lost. Lost means the subscription ended where the CRM has a status,
-- otherwise no order for var churn_inactivity_days (docs/kpi_definitions.md, "Retention and churn").
-- A table, not a view: six marts and its tests read it, and a view would recompute it for each.
{{ config(materialized='table') }}
with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

orders as (

    select * from {{ ref('stg_crm__orders') }}
    where status is distinct from 'cancelled'

),

location_regions as (

    select * from {{ ref('int_location_regions') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_dates') }} where domain = 'customers'

),

order_stats as (

    select
        customer_id,
        count(*) as lifetime_orders,
        sum(order_total) as lifetime_gross_revenue,
        sum(net_amount) as lifetime_net_revenue,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at
    from orders
    group by customer_id

),

joined as (

    select
        customers.customer_id,
        coalesce(customers.segment, 'Unknown') as segment,
        coalesce(customers.region, location_regions.region, 'Unknown') as region,
        coalesce(customers.location, 'Unknown') as location,
        coalesce(customers.channel, 'Unknown') as channel,
        customers.signup_date,
        customers.status,
        customers.churn_date,
        coalesce(order_stats.lifetime_orders, 0) as lifetime_orders,
        coalesce(order_stats.lifetime_gross_revenue, 0) as lifetime_gross_revenue,
        coalesce(order_stats.lifetime_net_revenue, 0) as lifetime_net_revenue,
        order_stats.first_order_at,
        order_stats.last_order_at,
        -- Without a status, a customer is lost the day their inactivity window runs out (counted from
        -- signup when they never ordered), provided that day has come.
        (coalesce(order_stats.last_order_at::date, customers.signup_date)
            + interval {{ var('churn_inactivity_days') }} day)::date as inactivity_lost_date,
        as_of.as_of_date
    from customers
    cross join as_of
    left join order_stats
        on customers.customer_id = order_stats.customer_id
    left join location_regions
        on customers.location = location_regions.location

),

final as (

    select
        customer_id,
        segment,
        region,
        location,
        channel,
        signup_date,
        date_trunc('month', signup_date)::date as signup_month,
        case when status is not null then 'status' else 'inactivity' end as churn_basis,
        case
            when status is not null then status = 'churned'
            else inactivity_lost_date <= as_of_date
        end as is_lost,
        case
            when status is not null then case when status = 'churned' then churn_date end
            when inactivity_lost_date <= as_of_date then inactivity_lost_date
        end as lost_date,
        lifetime_orders,
        lifetime_gross_revenue,
        lifetime_net_revenue,
        first_order_at,
        last_order_at,
        as_of_date
    from joined

)

select * from final
