-- Every customer-side free text, one row per occurrence, with where and when it was written and its
-- score from text.text_scores (joined on the content hash of the scored text). Employee survey comments are
-- not here on purpose (docs/decisions.md D34).
-- A table, not a view: it hashes every text, and the term matcher, the text marts and its tests read it.
{{ config(materialized='table') }}
with

reviews as (

    select * from {{ ref('stg_brand__reviews') }}

),

mentions as (

    select * from {{ ref('stg_brand__mentions') }}

),

responses as (

    select * from {{ ref('int_customer_responses_segmented') }}

),

tickets as (

    select * from {{ ref('stg_crm__tickets') }}

),

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

location_regions as (

    select * from {{ ref('int_location_regions') }}

),

scores as (

    select * from {{ source('text', 'text_scores') }}

),

-- The text as it may be published: personal data typed by customers replaced by markers (text step,
-- dagster_project/text/redaction.py); marts that show text show redacted_text, never text.
redactions as (

    select
        content_hash,
        redacted_text,
        email_redactions + url_redactions + card_redactions + phone_redactions + name_redactions as redactions
    from {{ source('text', 'text_redactions') }}

),

texts as (

    select
        'review' as text_kind,
        review_id as text_id,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        platform,
        location,
        reviewed_at as occurred_at,
        review_month as month,
        rating,
        cast(null as {{ dbt.type_string() }}) as survey_type,
        null::double as survey_score,
        null::bigint as reach,
        {{ scored_text(['title', 'text']) }} as text
    from reviews

    union all

    select
        'mention', mention_id, null, platform, location, posted_at, mention_month, null, null, null, reach,
        {{ scored_text(['text']) }}
    from mentions

    union all

    -- The survey's own location, else the customer's (int_customer_responses_segmented decides).
    select
        'survey_comment', response_id, customer_id, survey_type, location, responded_at, month, null,
        survey_type, score, null, {{ scored_text(['comment']) }}
    from responses

    union all

    select
        'ticket', tickets.ticket_id, tickets.customer_id, tickets.channel,
        coalesce(tickets.location, customers.location), tickets.opened_at, tickets.opened_month, null, null,
        null, null, {{ scored_text(['tickets.text']) }}
    from tickets
    left join customers
        on tickets.customer_id = customers.customer_id

),

final as (

    select
        texts.text_kind,
        texts.text_id,
        texts.customer_id,
        coalesce(texts.platform, 'Unknown') as platform,
        coalesce(texts.location, 'Unknown') as location,
        coalesce(location_regions.region, 'Unknown') as region,
        texts.occurred_at,
        texts.month,
        texts.rating,
        texts.survey_type,
        texts.survey_score,
        texts.reach,
        texts.text,
        redactions.redacted_text,
        coalesce(redactions.redactions, 0) as redactions,
        {{ sha256_hex('texts.text') }} as content_hash,
        scores.language,
        scores.sentiment_score,
        scores.sentiment_label
    from texts
    left join scores
        on {{ sha256_hex('texts.text') }} = scores.content_hash
    left join redactions
        on {{ sha256_hex('texts.text') }} = redactions.content_hash
    left join location_regions
        on texts.location = location_regions.location
    where texts.text is not null

)

select * from final
