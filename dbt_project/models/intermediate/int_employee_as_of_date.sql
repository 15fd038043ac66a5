-- "Today" for the employee KPIs: the latest HR or employee-survey event, or var as_of_date_employees, or var
-- as_of_date (int_as_of_dates lists it beside the other domains' dates). Separate from
-- int_as_of_date (customer events) so a deployment that loads only HR data still has a date, and so a late
-- customer extract does not stretch the employee history into months nobody was observed.
with

events as (

    select max(greatest(hire_date, coalesce(termination_date, hire_date))) as latest
    from {{ ref('stg_hris__employees') }}
    union all
    select max(start_date) from {{ ref('stg_hris__absences') }}
    union all
    select max(given_at)::date from {{ ref('stg_hris__recognitions') }}
    union all
    select max(opened_at)::date from {{ ref('stg_hris__internal_requests') }}
    union all
    select max(responded_at)::date from {{ ref('stg_survey__employee_responses') }}

),

final as (

    select
        {% set pinned = var('as_of_date_employees', none) or var('as_of_date') %}
        {% if pinned %}
        date '{{ pinned }}'
        {% else %}
        max(latest)
        {% endif %} as as_of_date
    from events

)

select * from final
