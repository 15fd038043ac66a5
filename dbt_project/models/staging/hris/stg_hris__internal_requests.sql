with

source as (

    select * from {{ source('hris', 'internal_requests') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by request_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        request_id,
        requester_employee_id,
        assignee_team,
        category,
        opened_at,
        answered_at,
        _source_file,
        _loaded_at
    from latest

)

select * from final
