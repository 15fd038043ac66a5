-- Which survey reporting groups may be published, per wave (docs/decisions.md D25).
--   primary:        fewer than N respondents (var survey_min_respondents, default 5, never below 3).
--   complementary:  so that no hidden group can be recovered by subtracting visible groups from the total.
--     team, tenure band (partitions of the org total): while the hidden cells hold fewer than N respondents
--       together, or only one cell is hidden, the next smallest visible cells are hidden too.
--     location, manager (unions of whole teams): a group that holds some but not all hidden teams is hidden,
--       because "group minus its visible teams" would isolate part of the hidden total.
with

groups as (

    select wave, breakdown, group_value, count(distinct respondent_id) as respondents
    from {{ ref('int_employee_survey_groups') }}
    group by wave, breakdown, group_value

),

team_of_group as (

    select distinct wave, breakdown, group_value, team
    from {{ ref('int_employee_survey_groups') }}
    where breakdown in ('location', 'manager')

),

flagged as (

    select *, respondents < {{ survey_min_respondents() }} as is_primary
    from groups

),

partition_totals as (

    select
        wave,
        breakdown,
        coalesce(sum(respondents) filter (where is_primary), 0) as hidden_respondents,
        count(*) filter (where is_primary) as hidden_groups
    from flagged
    where breakdown in ('team', 'tenure_band')
    group by wave, breakdown

),

-- Visible cells from the smallest up (ties by name, so the choice never depends on row order), with what
-- is hidden before each one: a cell is hidden while the hidden remainder is still identifiable.
ranked as (

    select
        f.wave,
        f.breakdown,
        f.group_value,
        p.hidden_respondents,
        p.hidden_groups,
        coalesce(sum(f.respondents) over smaller_first, 0) as respondents_before,
        row_number() over (partition by f.wave, f.breakdown order by f.respondents, f.group_value) - 1 as groups_before
    from flagged as f
    inner join partition_totals as p on f.wave = p.wave and f.breakdown = p.breakdown
    where not f.is_primary
    window smaller_first as (
        partition by f.wave, f.breakdown order by f.respondents, f.group_value
        rows between unbounded preceding and 1 preceding
    )

),

partition_complements as (

    select wave, breakdown, group_value
    from ranked
    where hidden_groups > 0
      and (
          hidden_respondents + respondents_before < {{ survey_min_respondents() }}
          or hidden_groups + groups_before < 2
      )

),

hidden_teams as (

    select f.wave, f.group_value as team
    from flagged as f
    where f.breakdown = 'team'
      and (f.is_primary or exists (
          select 1 from partition_complements as c
          where c.wave = f.wave and c.breakdown = 'team' and c.group_value = f.group_value
      ))

),

union_complements as (

    select t.wave, t.breakdown, t.group_value
    from team_of_group as t
    left join hidden_teams as h on t.wave = h.wave and t.team = h.team
    group by t.wave, t.breakdown, t.group_value
    having count(h.team) > 0
       and count(h.team) < (select count(*) from hidden_teams as a where a.wave = t.wave)

),

complements as (

    select * from partition_complements
    union all
    select * from union_complements

),

final as (

    select
        f.wave,
        f.breakdown,
        f.group_value,
        f.respondents,
        f.is_primary,
        c.group_value is not null and not f.is_primary as is_complementary,
        f.is_primary or c.group_value is not null as suppressed,
        {{ suppression_reason('f.is_primary', 'c.group_value is not null') }} as suppression_reason
    from flagged as f
    left join complements as c
        on f.wave = c.wave and f.breakdown = c.breakdown and f.group_value = c.group_value

)

select * from final
