with

source as (

    select * from {{ source('hris', 'eap_usage') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by usage_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        usage_id,
        employee_id,
        used_on,
        service_type,
        _source_file,
        _loaded_at
    from latest

)

select * from final
