-- Orders, revenue and average order value per order month, customer segment, region, the order's
-- location and its sales channel.
with

orders as (

    select * from {{ ref('stg_crm__orders') }}

),

lifecycle as (

    select * from {{ ref('int_customer_lifecycle') }}

),

location_regions as (

    select * from {{ ref('int_location_regions') }}

),

located as (

    select
        orders.order_month as month,
        coalesce(lifecycle.segment, 'Unknown') as segment,
        coalesce(location_regions.region, lifecycle.region, 'Unknown') as region,
        coalesce(orders.location, lifecycle.location, 'Unknown') as location,
        coalesce(orders.channel, 'Unknown') as channel,
        orders.status = 'cancelled' as is_cancelled,
        orders.order_total,
        orders.refund_amount,
        orders.net_amount
    from orders
    left join lifecycle
        on orders.customer_id = lifecycle.customer_id
    left join location_regions
        on coalesce(orders.location, lifecycle.location) = location_regions.location

),

counted as (

    select
        month,
        segment,
        region,
        location,
        channel,
        count(*) as orders_placed,
        count(*) filter (where is_cancelled) as cancelled_orders,
        count(*) filter (where not coalesce(is_cancelled, false)) as orders,
        coalesce(sum(order_total) filter (where not coalesce(is_cancelled, false)), 0) as gross_revenue,
        coalesce(sum(refund_amount) filter (where not coalesce(is_cancelled, false)), 0) as refunds,
        coalesce(sum(net_amount) filter (where not coalesce(is_cancelled, false)), 0) as net_revenue
    from located
    group by all

),

final as (

    select
        *,
        {{ ratio('gross_revenue', 'orders') }} as aov,
        {{ ratio('net_revenue', 'orders') }} as aov_net
    from counted

)

select * from final
