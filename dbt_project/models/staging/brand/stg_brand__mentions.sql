with

source as (

    select * from {{ source('brand', 'mentions') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by mention_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        mention_id,
        platform,
        author_handle,
        text,
        location,
        reach,
        posted_at,
        date_trunc('month', posted_at)::date as mention_month,
        _source_file,
        _loaded_at
    from latest

)

select * from final
