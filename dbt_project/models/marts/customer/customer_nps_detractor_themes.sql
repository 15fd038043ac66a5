-- Why detractors do not recommend us, counted: themes (seed text_themes) among NPS detractor comments per
-- month × region × location. Every theme, plus 'no_theme', has a row in every cell with detractor comments,
-- so detractor_comments sums to a correct denominator over any filter of one theme.
with

comments as (

    select * from {{ ref('int_text_scored') }}
    where text_kind = 'survey_comment'
        and survey_type = 'NPS'
        and survey_score <= {{ var('nps_detractor_max') }}

),

themes as (

    select distinct theme from {{ ref('text_themes') }}
    union all
    select 'no_theme'

),

cells as (

    select month, region, location, count(*) as detractor_comments
    from comments
    group by all

),

comment_themes as (

    select month, region, location, {{ unnest_list('themes') }} as theme
    from comments
    union all
    select month, region, location, 'no_theme' as theme
    from comments
    where cardinality(themes) = 0

),

theme_counts as (

    select month, region, location, theme, count(*) as theme_comments
    from comment_themes
    group by all

),

final as (

    select
        cells.month,
        cells.region,
        cells.location,
        themes.theme,
        cells.detractor_comments,
        coalesce(theme_counts.theme_comments, 0) as theme_comments,
        {{ pct('coalesce(theme_counts.theme_comments, 0)', 'cells.detractor_comments') }} as theme_share_pct
    from cells
    cross join themes
    left join theme_counts
        on cells.month = theme_counts.month
        and cells.region = theme_counts.region
        and cells.location = theme_counts.location
        and themes.theme = theme_counts.theme

)

select * from final
