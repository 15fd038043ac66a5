-- Public review texts for the dashboard's example comments, with their rating, sentiment, empathy language
-- and themes; the text is redacted (e-mails, phones, personal links, card numbers, names removed; `redactions`
-- counts them). Reviews only: mentions carry an author handle and survey comments / tickets belong to CRM
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
        {{ list_to_string('themes', "', '") }} as themes,
        redacted_text as review_text,
        redactions
    from texts

)

select * from final
