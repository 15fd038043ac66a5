-- Customer lifetime value per segment, region, location and acquisition channel: historical (net revenue
-- to date per customer) and formula-based predictive (AOV x orders per year x expected lifespan x margin),
-- with every input stored as a sum so groups re-aggregate exactly.
with

lifecycle as (

    select * from {{ ref('int_customer_lifecycle') }}

),

-- Orders are only observed from the first order in the data: exposure is counted from there.
observation as (

    select min(first_order_at)::date as observed_from from lifecycle

),

exposed as (

    select
        lifecycle.*,
        greatest(
            0,
            {{ date_diff(
                'day',
                'greatest(lifecycle.signup_date, observation.observed_from)',
                'coalesce(lifecycle.lost_date, lifecycle.as_of_date)'
            ) }}
        ) / 365.25::double as observed_years,
        lifecycle.is_lost and lifecycle.lost_date >= observation.observed_from as lost_while_observed
    from lifecycle
    cross join observation

),

counted as (

    select
        segment,
        region,
        location,
        channel,
        count(*) as customers,
        count(*) filter (where lifetime_orders > 0) as buyers,
        cast(sum(lifetime_orders) as bigint) as orders,
        sum(lifetime_gross_revenue) as gross_revenue,
        sum(lifetime_net_revenue) as net_revenue,
        sum(observed_years) as customer_years,
        count(*) filter (where lost_while_observed) as lost_customers_observed
    from exposed
    group by all

),

rates as (

    select
        *,
        {{ ratio('net_revenue', 'customers') }} as historical_cltv,
        {{ ratio('net_revenue', 'orders') }} as aov_net,
        {{ ratio('orders', 'customer_years') }} as orders_per_customer_year,
        {{ ratio('lost_customers_observed', 'customer_years') }} as annual_churn_rate
    from counted

),

final as (

    select
        *,
        case
            when customer_years > 0 then least(
                coalesce(1.0 / nullif(annual_churn_rate, 0), {{ var('cltv_max_lifespan_years') }}),
                {{ var('cltv_max_lifespan_years') }}
            )
        end as expected_lifespan_years,
        aov_net * orders_per_customer_year
            * least(
                coalesce(1.0 / nullif(annual_churn_rate, 0), {{ var('cltv_max_lifespan_years') }}),
                {{ var('cltv_max_lifespan_years') }}
            )
            * {{ var('cltv_gross_margin') }} as predictive_cltv
    from rates

)

select * from final
