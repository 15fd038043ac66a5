-- "Today" for every KPI that needs one (tenure, inactivity, open-ticket age). Taken from the data, not the
-- clock, so a rebuild of the same data gives the same marts; var as_of_date pins it.
-- A table, not a view: one row that a dozen models read; a view rescans every source for each.
{{ config(materialized='table') }}
with

customers as (

    select max(greatest(signup_date, coalesce(churn_date, signup_date))) as latest
    from {{ ref('stg_crm__customers') }}

),

orders as (

    select max(ordered_at)::date as latest from {{ ref('stg_crm__orders') }}

),

tickets as (

    select max(opened_at)::date as latest from {{ ref('stg_crm__tickets') }}

),

responses as (

    select max(responded_at)::date as latest from {{ ref('stg_survey__customer_responses') }}

),

final as (

    select
        {% if var('as_of_date') %}
        date '{{ var("as_of_date") }}'
        {% else %}
        greatest(customers.latest, orders.latest, tickets.latest, responses.latest)
        {% endif %} as as_of_date
    from customers, orders, tickets, responses

)

select * from final
