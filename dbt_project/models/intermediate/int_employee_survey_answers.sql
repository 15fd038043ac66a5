-- Employee survey answers scored through the question bank, one row per answer, with the respondent's
-- reporting groups for the wave. Never published: it carries the (pseudonymised) respondent key.
-- Location and manager are the respondent's TEAM's (its most frequent survey location in the wave, the
-- most frequent manager of its workers), so every location and manager group is a union of whole teams:
-- the suppression in int_employee_survey_cell_suppression relies on that (docs/decisions.md D25, D53-D54).
with

answers as (

    select * from {{ ref('stg_survey__employee_responses') }}

),

questions as (

    select * from {{ ref('stg_survey__survey_questions') }}
    where audience = 'employee'

),

employees as (

    select * from {{ ref('stg_hris__employees') }}

),

-- Items missing from the question bank have no scale, direction or dimension, so they cannot be scored.
scored as (

    select
        a.response_id,
        a.respondent_id,
        coalesce(a.survey_id, {{ format_date('a.response_month', '%Y-%m') }}) as wave,
        a.response_month,
        coalesce(a.team, 'Unknown') as team,
        coalesce(a.location, 'Unknown') as location,
        coalesce(a.tenure_band, 'Unknown') as tenure_band,
        a.question_id,
        q.question_text,
        q.dimension,
        q.scale_min,
        q.scale_max,
        a.score,
        {{ survey_flipped_score('a.score', 'q.scale_min', 'q.scale_max', 'q.reverse_scored') }} as scored,
        -- favourable_min is stated on the "higher is better" scale, i.e. after flipping (4 on 1-5: 4 and 5).
        coalesce(q.favourable_min, q.scale_max - 1) as favourable_min
    from answers as a
    inner join questions as q on a.question_id = q.question_id

),

team_locations as (

    select wave, team, location as team_location
    from (
        select wave, team, location, count(distinct respondent_id) as respondents
        from scored
        group by wave, team, location
    ) as counted
    qualify row_number() over (partition by wave, team order by respondents desc, location) = 1

),

-- A team's manager: the most frequent manager of its workers, preferring one who is in the team (the team
-- lead's own record names their manager, which in a two-person team would otherwise tie).
team_managers as (

    select team, manager_id as team_manager
    from (
        select
            e.team,
            e.manager_id,
            count(*) as workers,
            bool_or(m.team = e.team) as manager_in_team
        from employees as e
        left join employees as m on e.manager_id = m.employee_id
        where e.manager_id is not null
        group by e.team, e.manager_id
    ) as counted
    qualify row_number() over (
        partition by team order by manager_in_team desc nulls last, workers desc, manager_id
    ) = 1

),

final as (

    select
        s.*,
        min(s.response_month) over (partition by s.wave) as wave_month,
        s.scored >= s.favourable_min as is_favourable,
        -- The mirror image of the favourable cut (<= 2 on 1-5 when favourable is >= 4).
        s.scored <= s.scale_min + s.scale_max - s.favourable_min as is_unfavourable,
        l.team_location,
        coalesce(ml.manager_label, 'Unknown') as team_manager  -- shown by role and team, never the HRIS id
    from scored as s
    left join team_locations as l on s.wave = l.wave and s.team = l.team
    left join team_managers as m on s.team = m.team
    left join {{ ref('int_employee_manager_labels') }} as ml on m.team_manager = ml.manager_id

)

select * from final
