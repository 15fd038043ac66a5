with

source as (

    select * from {{ source('survey', 'customer_responses') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by response_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        response_id,
        customer_id,
        ticket_id,
        upper(survey_type) as survey_type,
        score,
        comment,
        touchpoint,
        location,
        responded_at,
        date_trunc('month', responded_at)::date as response_month,
        _source_file,
        _loaded_at
    from latest

)

select * from final
