with

source as (

    select * from {{ source('hris', 'employees') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by employee_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        employee_id,
        employee_name,
        team,
        department,
        manager_id,
        location,
        region,
        job_level,
        coalesce(weekly_hours, 40) as weekly_hours,
        hire_date,
        termination_date,
        termination_type,
        _source_file,
        _loaded_at
    from latest

)

select * from final
