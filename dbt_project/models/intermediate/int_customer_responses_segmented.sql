with

responses as (

    select * from {{ ref('stg_survey__customer_responses') }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

employees as (

    select * from {{ ref('stg_hris__employees') }}

),

-- A location's region, from every system that states it (the most frequent answer wins).
location_regions as (

    select location, mode(region) as region
    from (
        select location, region from customers
        union all
        select location, region from employees
    )
    where location is not null and region is not null
    group by location

),

segmented as (

    select
        responses.response_id,
        responses.customer_id,
        responses.ticket_id,
        responses.survey_type,
        responses.score,
        responses.comment,
        responses.touchpoint,
        responses.responded_at,
        responses.response_month as month,
        coalesce(customers.segment, 'Unknown') as segment,
        -- Where the experience happened; the customer's home location when the survey does not say.
        coalesce(responses.location, customers.location, 'Unknown') as location,
        coalesce(location_regions.region, customers.region, 'Unknown') as region
    from responses
    left join customers
        on responses.customer_id = customers.customer_id
    left join location_regions
        on coalesce(responses.location, customers.location) = location_regions.location

)

select * from segmented
