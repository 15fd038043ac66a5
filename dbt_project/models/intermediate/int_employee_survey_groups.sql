-- Every answer once per published reporting group of its wave: the org total and the one-way breakdowns by
-- team, location, manager and tenure band. No cross-tabs and no multi-wave groups exist anywhere: every
-- survey mart is built from these groups only, so the suppression decided per group covers them all.
with

answers as (

    select * from {{ ref('int_employee_survey_answers') }}

),

final as (

    select *, 'org' as breakdown, 'All' as group_value from answers
    union all
    select *, 'team', team from answers
    union all
    select *, 'location', team_location from answers
    union all
    select *, 'manager', team_manager from answers
    union all
    select *, 'tenure_band', tenure_band from answers

)

select * from final
