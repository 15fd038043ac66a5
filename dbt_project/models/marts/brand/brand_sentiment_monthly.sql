-- Brand sentiment, mention volume and empathy language of public reviews and social mentions, per month ×
-- source × platform × location, counts beside every ratio.
with

texts as (

    select * from {{ ref('int_text_scored') }}
    where text_kind in ('review', 'mention')

),

counted as (

    select
        month,
        text_kind as source,
        platform,
        location,
        count(*) as texts,
        count(*) filter (where is_scored) as scored_texts,
        count(*) filter (where sentiment_label = 'positive') as positive_texts,
        count(*) filter (where sentiment_label = 'neutral') as neutral_texts,
        count(*) filter (where sentiment_label = 'negative') as negative_texts,
        count(*) filter (where not is_scored) as unscored_texts,
        count(*) filter (where has_empathy) as empathy_texts,
        count(*) filter (where has_anti_empathy) as anti_empathy_texts,
        cast(coalesce(sum(reach), 0) as bigint) as reach
    from texts
    group by month, text_kind, platform, location

),

final as (

    select
        *,
        {{ pct('positive_texts - negative_texts', 'scored_texts') }} as sentiment_score,
        {{ pct('empathy_texts', 'texts') }} as empathy_share_pct,
        {{ pct('anti_empathy_texts', 'texts') }} as anti_empathy_share_pct
    from counted

)

select * from final
