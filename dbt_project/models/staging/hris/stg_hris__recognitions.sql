with

source as (

    select * from {{ source('hris', 'recognitions') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by recognition_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        recognition_id,
        giver_employee_id,
        receiver_employee_id,
        given_at,
        recognition_type,
        message,
        _source_file,
        _loaded_at
    from latest

)

select * from final
