with

customers as (

    select location, region from {{ ref('stg_crm__customers') }}

),

employees as (

    select location, region from {{ ref('stg_hris__employees') }}

),

-- A location's region, from every system that states it (the most frequent answer wins, ties by name so
-- the answer never depends on row order).
stated as (

    select location, region from customers
    union all
    select location, region from employees

),

counted as (

    select location, region, count(*) as mentions
    from stated
    where location is not null and region is not null
    group by location, region

),

final as (

    select location, region
    from counted
    qualify row_number() over (partition by location order by mentions desc, region) = 1

)

select * from final
