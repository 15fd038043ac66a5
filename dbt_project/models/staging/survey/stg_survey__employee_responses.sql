with

source as (

    select * from {{ source('survey', 'employee_responses') }}

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
        respondent_id,
        survey_id,
        team,
        location,
        tenure_band,
        question_id,
        score,
        comment,
        responded_at,
        date_trunc('month', responded_at)::date as response_month,
        _source_file,
        _loaded_at
    from latest

)

select * from final
