with

source as (

    select * from {{ source('program', 'outcome_measures') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by unit, month, metric
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        unit,
        month,
        metric,
        value,
        _source_file,
        _loaded_at
    from latest

)

select * from final
