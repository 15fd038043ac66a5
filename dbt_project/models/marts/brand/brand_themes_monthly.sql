-- Themes of reviews and mentions (seed text_themes) per month × source × platform × location × theme. Every
-- theme has a row in every cell that has texts (0 when unused), so `texts` sums to a correct denominator for
-- any filter: theme share = Σ theme_texts / Σ texts over the rows of one theme.
with

texts as (

    select * from {{ ref('int_text_scored') }}
    where text_kind in ('review', 'mention')

),

themes as (

    select distinct theme from {{ ref('text_themes') }}

),

cells as (

    select month, text_kind as source, platform, location, count(*) as texts
    from texts
    group by all

),

theme_texts as (

    select month, text_kind as source, platform, location, {{ unnest_list('themes') }} as theme, sentiment_label, is_scored
    from texts

),

theme_counts as (

    select
        month,
        source,
        platform,
        location,
        theme,
        count(*) as theme_texts,
        count(*) filter (where is_scored) as scored_theme_texts,
        count(*) filter (where sentiment_label = 'positive') as positive_theme_texts,
        count(*) filter (where sentiment_label = 'negative') as negative_theme_texts
    from theme_texts
    group by all

),

final as (

    select
        cells.month,
        cells.source,
        cells.platform,
        cells.location,
        themes.theme,
        cells.texts,
        coalesce(theme_counts.theme_texts, 0) as theme_texts,
        coalesce(theme_counts.scored_theme_texts, 0) as scored_theme_texts,
        coalesce(theme_counts.positive_theme_texts, 0) as positive_theme_texts,
        coalesce(theme_counts.negative_theme_texts, 0) as negative_theme_texts,
        {{ pct('coalesce(theme_counts.theme_texts, 0)', 'cells.texts') }} as theme_share_pct,
        {{ pct('theme_counts.positive_theme_texts - theme_counts.negative_theme_texts',
               'coalesce(theme_counts.scored_theme_texts, 0)') }} as theme_sentiment_score
    from cells
    cross join themes
    left join theme_counts
        on cells.month = theme_counts.month
        and cells.source = theme_counts.source
        and cells.platform = theme_counts.platform
        and cells.location = theme_counts.location
        and themes.theme = theme_counts.theme

)

select * from final
