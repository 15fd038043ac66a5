-- Internal responsiveness: how fast each assignee team answers employees' requests, per month the request
-- was opened × assignee team × category. The median is what the KPI asks for; medians do NOT re-aggregate
-- (the median of two months is not derivable from the two monthly medians), so hours_to_answer_sum and
-- answered_requests are stored for a mean that does.
with

requests as (

    select
        date_trunc('month', opened_at)::date as month,
        assignee_team,
        coalesce(category, 'Unknown') as category,
        answered_at is not null as answered,
        {{ date_diff('second', 'opened_at', 'answered_at') }} / 3600.0::double as hours_to_answer
    from {{ ref('stg_hris__internal_requests') }}

),

-- A category with few requests points at the few people who raised them: small groups of requests are
-- rolled up (var workforce_min_headcount) within their assignee team, then across teams.
published as (

    {{ rollup_small_groups(
        'select * from requests',
        partition_by=['month'],
        levels=[['assignee_team'], ['category']],
        parents=['month', 'assignee team'],
        unit='requests',
    ) }}

),

counted as (

    select
        month,
        assignee_team,
        category,
        count(*) as requests,
        count(*) filter (where answered) as answered_requests,
        count(*) filter (where not answered) as unanswered_requests,
        sum(hours_to_answer) as hours_to_answer_sum,
        -- NULL, not 0, when nothing was answered (median ignores NULLs).
        median(hours_to_answer) as median_hours_to_answer,
        max(rollup_reason) as rollup_reason
    from published
    group by month, assignee_team, category

),

final as (

    select
        *,
        {{ ratio('hours_to_answer_sum', 'answered_requests') }} as mean_hours_to_answer,
        {{ pct('answered_requests', 'requests') }} as answered_pct
    from counted

)

select * from final
