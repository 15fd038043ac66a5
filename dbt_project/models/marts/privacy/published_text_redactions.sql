-- How much personal data was removed from each mart that publishes free text, for the Data quality page:
-- one row per mart, texts published, texts that had something removed, and findings removed.
with

published as (

    select 'customer_nps_detractor_comments' as mart, redactions
    from {{ ref('customer_nps_detractor_comments') }}

    union all

    select 'brand_review_examples', redactions
    from {{ ref('brand_review_examples') }}

),

final as (

    select
        mart,
        count(*) as texts,
        count(*) filter (where redactions > 0) as texts_redacted,
        coalesce(sum(redactions), 0)::bigint as redactions
    from published
    group by mart

)

select * from final
