-- Where customers stand as of the data's latest date: how many ever signed up and how many were lost,
-- per segment, region, location, acquisition channel and churn basis. This is the snapshot churn that
-- subscription exports publish (e.g. "26.54 % of customers churned"); monthly churn is in
-- customer_retention_monthly.
with

lifecycle as (

    select * from {{ ref('int_customer_lifecycle') }}

),

counted as (

    select
        segment,
        region,
        location,
        channel,
        churn_basis,
        count(*) as customers,
        count(*) filter (where is_lost) as lost_customers,
        count(*) filter (where not is_lost) as active_customers,
        max(as_of_date) as as_of_date
    from lifecycle
    group by segment, region, location, channel, churn_basis

),

final as (

    select
        *,
        {{ pct('lost_customers', 'customers') }} as churn_pct
    from counted

)

select * from final
