with

source as (

    select * from {{ source('brand', 'reviews') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by review_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        review_id,
        platform,
        rating,
        title,
        text,
        location,
        recommended,
        reviewed_at,
        date_trunc('month', reviewed_at)::date as review_month,
        _source_file,
        _loaded_at
    from latest

)

select * from final
