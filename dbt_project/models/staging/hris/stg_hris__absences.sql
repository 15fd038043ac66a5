with

source as (

    select * from {{ source('hris', 'absences') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by absence_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        absence_id,
        employee_id,
        start_date,
        end_date,
        hours,
        reason,
        _source_file,
        _loaded_at
    from latest

)

select * from final
