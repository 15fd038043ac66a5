-- Repeat purchase rate over a trailing window of var repeat_window_months ending with each month:
-- customers with 2+ orders in the window / customers with 1+ order in it. Each order month is fanned out
-- to the windows that contain it (months x window length rows), never customers x all months.
with

orders as (

    select * from {{ ref('stg_crm__orders') }}
    where status is distinct from 'cancelled'

),

lifecycle as (

    select * from {{ ref('int_customer_lifecycle') }}

),

as_of as (

    select date_trunc('month', as_of_date)::date as as_of_month from {{ ref('int_as_of_dates') }} where domain = 'customers'

),

first_order_month as (

    select min(order_month) as first_month from orders

),

customer_months as (

    select customer_id, order_month, count(*) as orders
    from orders
    group by customer_id, order_month

),

windows as (

    select
        customer_months.customer_id,
        (customer_months.order_month + offsets.k * interval 1 month)::date as month,
        customer_months.orders
    from customer_months
    cross join (select {{ unnest_list(generate_series(0, var('repeat_window_months') - 1)) }} as k) as offsets

),

per_customer as (

    select windows.customer_id, windows.month, cast(sum(windows.orders) as bigint) as orders
    from windows
    cross join as_of
    where windows.month <= as_of.as_of_month
    group by windows.customer_id, windows.month

),

counted as (

    select
        per_customer.month,
        coalesce(lifecycle.segment, 'Unknown') as segment,
        coalesce(lifecycle.region, 'Unknown') as region,
        coalesce(lifecycle.location, 'Unknown') as location,
        coalesce(lifecycle.channel, 'Unknown') as channel,
        count(*) as buyers,
        count(*) filter (where per_customer.orders >= 2) as repeat_buyers,
        cast(sum(per_customer.orders) as bigint) as orders
    from per_customer
    left join lifecycle
        on per_customer.customer_id = lifecycle.customer_id
    group by all

),

final as (

    select
        counted.*,
        {{ var('repeat_window_months') }} as window_months,
        (counted.month - interval {{ var('repeat_window_months') - 1 }} month)::date as window_start_month,
        -- A window reaching back before the first order in the data sees only part of its months.
        (counted.month - interval {{ var('repeat_window_months') - 1 }} month)::date >= first_order_month.first_month
            as window_complete,
        {{ pct('repeat_buyers', 'buyers') }} as repeat_purchase_pct
    from counted
    cross join first_order_month

)

select * from final
