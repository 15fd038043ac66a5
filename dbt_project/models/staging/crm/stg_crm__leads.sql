with

source as (

    select * from {{ source('crm', 'leads') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by lead_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        lead_id,
        created_at,
        channel,
        location,
        segment,
        status,
        converted_at,
        customer_id,
        _source_file,
        _loaded_at
    from latest

)

select * from final
