-- Star ratings of public reviews per month × platform × location: mean, 4-5 share, the distribution and the
-- recommend flag, with the counts and sums beside every ratio.
with

reviews as (

    select * from {{ ref('stg_brand__reviews') }}

),

counted as (

    select
        review_month as month,
        coalesce(platform, 'Unknown') as platform,
        coalesce(location, 'Unknown') as location,
        count(*) as reviews,
        sum(rating) as rating_sum,
        count(*) filter (where rating >= {{ var('review_top_box_min') }}) as top_box_reviews,
        count(*) filter (where rating <= {{ var('review_bottom_box_max') }}) as bottom_box_reviews,
        -- The distribution on whole stars (a 4.5 counts as 5: round half up).
        count(*) filter (where round(rating) = 1) as rating_1_reviews,
        count(*) filter (where round(rating) = 2) as rating_2_reviews,
        count(*) filter (where round(rating) = 3) as rating_3_reviews,
        count(*) filter (where round(rating) = 4) as rating_4_reviews,
        count(*) filter (where round(rating) = 5) as rating_5_reviews,
        count(recommended) as recommend_answers,
        count(*) filter (where recommended) as recommended_reviews
    from reviews
    group by all

),

final as (

    select
        *,
        {{ ratio('rating_sum', 'reviews') }} as rating_mean,
        {{ pct('top_box_reviews', 'reviews') }} as top_box_pct,
        {{ pct('recommended_reviews', 'recommend_answers') }} as recommended_pct
    from counted

)

select * from final
