with

source as (

    select * from {{ source('program', 'initiatives') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by initiative_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        initiative_id,
        name,
        start_date,
        end_date,
        treated_locations,
        treated_teams,
        cost,
        description,
        _source_file,
        _loaded_at
    from latest

)

select * from final
