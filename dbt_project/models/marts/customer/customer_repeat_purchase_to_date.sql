-- Repeat purchase over the WHOLE history (or a chosen period: var repeat_to_date_from, a first order date),
-- up to the customers' as-of date (int_as_of_dates): customers with 2+ non-cancelled orders / customers with 1+,
-- per segment × region × location × acquisition channel. The whole-period view beside the trailing window of
-- customer_repeat_purchase_monthly (docs/kpi_definitions.md, "Partial businesses and time per source (s13)"):
-- a shop's export of a year or two is read as a whole, without a dbt var edit. Counts add across groups.
with

orders as (

    select * from {{ ref('stg_crm__orders') }}
    where status is distinct from 'cancelled'

),

lifecycle as (

    select * from {{ ref('int_customer_lifecycle') }}

),

as_of as (

    select as_of_date from {{ ref('int_as_of_dates') }} where domain = 'customers'

),

per_customer as (

    select
        orders.customer_id,
        count(*) as orders,
        min(orders.ordered_at)::date as first_order_date,
        max(orders.ordered_at)::date as last_order_date
    from orders
    cross join as_of
    where orders.ordered_at::date <= as_of.as_of_date
        {% if var('repeat_to_date_from') %}and orders.ordered_at::date >= date '{{ var("repeat_to_date_from") }}'{% endif %}
    group by orders.customer_id

),

counted as (

    select
        coalesce(lifecycle.segment, 'Unknown') as segment,
        coalesce(lifecycle.region, 'Unknown') as region,
        coalesce(lifecycle.location, 'Unknown') as location,
        coalesce(lifecycle.channel, 'Unknown') as channel,
        count(*) as buyers,
        count(*) filter (where per_customer.orders >= 2) as repeat_buyers,
        cast(sum(per_customer.orders) as bigint) as orders,
        min(per_customer.first_order_date) as first_order_date,
        max(per_customer.last_order_date) as last_order_date
    from per_customer
    left join lifecycle
        on per_customer.customer_id = lifecycle.customer_id
    group by all

),

final as (

    select
        counted.*,
        {% if var('repeat_to_date_from') %}date '{{ var("repeat_to_date_from") }}'{% else %}
        (select min(first_order_date) from per_customer){% endif %} as period_start,
        as_of.as_of_date as period_end,
        {{ pct('repeat_buyers', 'buyers') }} as repeat_purchase_pct
    from counted
    cross join as_of

)

select * from final
