-- Every NPS detractor who left a comment, with where it happened, for the drill-down "why do they not
-- recommend us?". No customer key: the page shows what was said and where, not who said it.
with

answers as (

    select * from {{ ref('int_customer_responses_segmented') }}
    where survey_type = 'NPS'

),

-- The comment as it may be published: e-mails, phones, personal links, card numbers and names redacted by
-- the text step (int_text_corpus.redacted_text).
redacted as (

    select text_id as response_id, redacted_text, redactions
    from {{ ref('int_text_corpus') }}
    where text_kind = 'survey_comment'

),

final as (

    select
        answers.response_id,
        month,
        responded_at,
        score,
        redacted.redacted_text as comment,
        redacted.redactions,
        segment,
        region,
        location,
        channel,
        touchpoint,
        ticket_id
    from answers
    inner join redacted
        on answers.response_id = redacted.response_id
    where score <= {{ var('nps_detractor_max') }}
        and nullif(trim(comment), '') is not null

)

select * from final
