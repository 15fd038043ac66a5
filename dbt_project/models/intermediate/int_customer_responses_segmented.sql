with

responses as (

    select * from {{ ref('stg_survey__customer_responses') }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

location_regions as (

    select * from {{ ref('int_location_regions') }}

),

segmented as (

    select
        responses.response_id,
        responses.customer_id,
        responses.ticket_id,
        responses.survey_type,
        responses.score,
        responses.comment,
        responses.responded_at,
        responses.response_month as month,
        coalesce(customers.segment, 'Unknown') as segment,
        -- Where the experience happened; the customer's home location when the survey does not say.
        coalesce(responses.location, customers.location, 'Unknown') as location,
        coalesce(location_regions.region, customers.region, 'Unknown') as region,
        -- The customer's acquisition channel; the survey's own "where" is the touchpoint.
        coalesce(customers.channel, 'Unknown') as channel,
        coalesce(responses.touchpoint, 'Unknown') as touchpoint
    from responses
    left join customers
        on responses.customer_id = customers.customer_id
    left join location_regions
        on coalesce(responses.location, customers.location) = location_regions.location

)

select * from segmented
