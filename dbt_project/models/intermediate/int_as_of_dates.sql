-- "Today" per domain, each from its OWN data (docs/kpi_definitions.md, "Partial businesses and time per source
-- (s13)"): a 2011 shop loaded beside 2023 support tickets judges its customers' inactivity and its trailing
-- windows against 2011, not against the tickets. One row per domain: customers (CRM customers and orders),
-- support (tickets), surveys (customer survey answers), brand (reviews and mentions), employees (HR and employee
-- survey: int_employee_as_of_date). A domain's date is var as_of_date_<domain> when set, else var as_of_date
-- when set, else its latest event; never the wall clock, so a rebuild of the same data gives the same marts.
-- A domain without data has no date (NULL). A table: every customer mart reads it.
{{ config(materialized='table') }}
{%- set domains = ['customers', 'support', 'surveys', 'brand'] %}
with

events as (

    select 'customers' as domain, max(greatest(signup_date, coalesce(churn_date, signup_date))) as latest
    from {{ ref('stg_crm__customers') }}
    union all
    select 'customers', max(ordered_at)::date from {{ ref('stg_crm__orders') }}
    union all
    select 'support', max(opened_at)::date from {{ ref('stg_crm__tickets') }}
    union all
    select 'surveys', max(responded_at)::date from {{ ref('stg_survey__customer_responses') }}
    union all
    select 'brand', max(reviewed_at)::date from {{ ref('stg_brand__reviews') }}
    union all
    select 'brand', max(posted_at)::date from {{ ref('stg_brand__mentions') }}

),

per_domain as (

    {%- for domain in domains %}
    {%- set pinned = var('as_of_date_' ~ domain, none) or var('as_of_date') %}
    {% if not loop.first %}union all{% endif %}
    select
        '{{ domain }}' as domain,
        max(latest) as latest_event,
        {% if pinned %}date '{{ pinned }}'{% else %}max(latest){% endif %} as as_of_date,
        '{{ "configured" if pinned else "data" }}' as basis
    from events
    where domain = '{{ domain }}'
    {%- endfor %}
    union all
    select
        'employees',
        as_of_date,
        as_of_date,
        '{{ "configured" if (var("as_of_date_employees", none) or var("as_of_date")) else "data" }}'
    from {{ ref('int_employee_as_of_date') }}

)

select domain, latest_event, as_of_date, basis from per_domain
