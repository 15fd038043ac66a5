with

source as (

    select * from {{ source('survey', 'survey_questions') }}

),

-- Raw keeps every delivered version (one per file); the latest load of a key is its current state.
latest as (

    select *
    from source
    qualify row_number() over (
        partition by question_id
        order by _loaded_at desc, _source_file desc, _source_row desc
    ) = 1

),

final as (

    select
        question_id,
        audience,
        question_text,
        dimension,
        scale_min,
        scale_max,
        favourable_min,
        reverse_scored,
        _source_file,
        _loaded_at
    from latest

)

select * from final
