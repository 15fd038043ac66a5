-- Public review texts for the dashboard's example comments, with their rating, sentiment, empathy language
-- and themes. Reviews only: mentions carry an author handle and survey comments / tickets belong to CRM
-- customers, so neither is published as text here.
with

texts as (

    select * from {{ ref('int_text_scored') }}
    where text_kind = 'review'

),

final as (

    select
        text_id as review_id,
        month,
        platform,
        location,
        rating,
        language,
        sentiment_label,
        sentiment_score,
        has_empathy,
        has_anti_empathy,
        array_to_string(themes, ', ') as themes,
        text as review_text
    from texts

)

select * from final
