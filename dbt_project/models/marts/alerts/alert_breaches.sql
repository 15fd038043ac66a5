-- Every breach of an enabled alert rule (seeds/alert_rules.csv) currently in the data, one row per rule ×
-- scope value × period, for every period in the data (so the history of breaches is visible; the Dagster
-- alert log, dagster_project/alerts/, opens and notifies each alert_key only once). Each row carries the
-- numbers it was computed from, a sentence saying why it fired and its owner (seeds/alert_owners.csv).
-- Comparisons are strict (a value exactly at the threshold does not fire), except the negative run, which
-- fires at `threshold` events in a row; a group under `min_count` never fires (small samples swing).
with

rules as (

    select
        rule_id,
        description,
        kpi,
        scope,
        threshold::double as threshold,
        min_count::integer as min_count,
        severity,
        enabled::boolean as enabled
    from {{ ref('alert_rules') }}
    where enabled::boolean

),

owners as (

    select * from {{ ref('alert_owners') }}

),

nps as (

    select * from {{ ref('customer_nps_monthly') }}

),

csat as (

    select * from {{ ref('customer_csat_monthly') }}

),

headcount as (

    select * from {{ ref('employee_headcount_monthly') }}

),

enps as (

    select * from {{ ref('employee_enps_wave') }}

),

feedback_events as (

    select * from {{ ref('int_customer_feedback_events') }}

),

-- NPS drop: a location's NPS against the calendar month before (no answers that month: no comparison).
nps_location as (

    select
        month,
        location,
        sum(responses) as responses,
        {{ nps_from_counts('sum(promoters)', 'sum(detractors)', 'sum(responses)') }} as nps
    from nps
    group by month, location

),

nps_changes as (

    select
        current_month.month,
        current_month.location,
        current_month.nps,
        current_month.responses,
        previous_month.nps as previous_nps,
        previous_month.responses as previous_responses
    from nps_location as current_month
    inner join nps_location as previous_month
        on current_month.location = previous_month.location
        and previous_month.month = current_month.month - interval 1 month

),

nps_breaches as (

    select
        rules.rule_id,
        'location' as owner_scope,
        nps_changes.location as scope_value,
        nps_changes.location as owner_value,
        nps_changes.month as period,
        nps_changes.nps as kpi_value,
        nps_changes.previous_nps as previous_value,
        nps_changes.responses::double as base_count,
        nps_changes.previous_responses::double as previous_base_count,
        'answers' as base_unit,
        'NPS at ' || nps_changes.location || ' fell from ' || printf('%.1f', nps_changes.previous_nps)
            || ' to ' || printf('%.1f', nps_changes.nps) || ' (−'
            || printf('%.1f', nps_changes.previous_nps - nps_changes.nps) || ' points, '
            || nps_changes.previous_responses || ' → ' || nps_changes.responses || ' answers) in '
            || strftime(nps_changes.month, '%Y-%m') || '; rule: drop > ' || printf('%g', rules.threshold)
            || ' points with at least ' || rules.min_count || ' answers in both months' as reason
    from nps_changes
    inner join rules
        on rules.rule_id = 'nps_drop_location'
    where nps_changes.previous_nps - nps_changes.nps > rules.threshold
        and nps_changes.responses >= rules.min_count
        and nps_changes.previous_responses >= rules.min_count

),

-- CSAT below: a location-month's share of satisfied answers.
csat_location as (

    select
        month,
        location,
        sum(responses) as responses,
        sum(satisfied_responses) as satisfied_responses,
        {{ pct('sum(satisfied_responses)', 'sum(responses)') }} as csat_pct
    from csat
    group by month, location

),

csat_breaches as (

    select
        rules.rule_id,
        'location' as owner_scope,
        csat_location.location as scope_value,
        csat_location.location as owner_value,
        csat_location.month as period,
        csat_location.csat_pct as kpi_value,
        null::double as previous_value,
        csat_location.responses::double as base_count,
        null::double as previous_base_count,
        'answers' as base_unit,
        'CSAT at ' || csat_location.location || ' was ' || printf('%.1f', csat_location.csat_pct) || ' % in '
            || strftime(csat_location.month, '%Y-%m') || ' (' || csat_location.satisfied_responses
            || ' satisfied of ' || csat_location.responses || ' answers); rule: below '
            || printf('%g', rules.threshold) || ' % with at least ' || rules.min_count || ' answers' as reason
    from csat_location
    inner join rules
        on rules.rule_id = 'csat_below_location'
    where csat_location.csat_pct < rules.threshold
        and csat_location.responses >= rules.min_count

),

-- Team turnover over the trailing 3 months: separations in the window / mean of the monthly average
-- headcounts (SHRM's monthly formula over a longer period). Only full windows (3 months of the team).
team_months as (

    select
        month,
        team,
        sum(separations) as separations,
        sum(avg_headcount) as avg_headcount
    from headcount
    group by month, team

),

team_windows as (

    select
        month,
        team,
        sum(separations) over trailing_window as separations_3m,
        avg(avg_headcount) over trailing_window as avg_headcount_3m,
        count(*) over trailing_window as window_months
    from team_months
    window trailing_window as (partition by team order by month range between interval 2 month preceding and current row)

),

team_turnover as (

    select
        *,
        {{ pct('separations_3m', 'avg_headcount_3m') }} as turnover_pct_3m
    from team_windows
    where window_months = 3

),

turnover_breaches as (

    select
        rules.rule_id,
        'team' as owner_scope,
        team_turnover.team as scope_value,
        team_turnover.team as owner_value,
        team_turnover.month as period,
        team_turnover.turnover_pct_3m as kpi_value,
        null::double as previous_value,
        team_turnover.avg_headcount_3m as base_count,
        null::double as previous_base_count,
        'average headcount' as base_unit,
        'Turnover in team ' || team_turnover.team || ' over the 3 months to ' || strftime(team_turnover.month, '%Y-%m')
            || ' was ' || printf('%.1f', team_turnover.turnover_pct_3m) || ' % (' || team_turnover.separations_3m
            || ' separations, average headcount ' || printf('%.1f', team_turnover.avg_headcount_3m)
            || '); rule: above ' || printf('%g', rules.threshold) || ' % with an average headcount of at least '
            || rules.min_count as reason
    from team_turnover
    inner join rules
        on rules.rule_id = 'team_turnover_above'
    where team_turnover.turnover_pct_3m > rules.threshold
        and team_turnover.avg_headcount_3m >= rules.min_count

),

-- Team eNPS: published (unsuppressed) team groups only, so an alert can never reveal a suppressed group.
team_enps as (

    select * from enps
    where breakdown = 'team' and not suppressed and enps is not null

),

enps_breaches as (

    select
        rules.rule_id,
        'team' as owner_scope,
        team_enps.group_value as scope_value,
        team_enps.group_value as owner_value,
        team_enps.wave_month as period,
        team_enps.enps as kpi_value,
        null::double as previous_value,
        team_enps.responses::double as base_count,
        null::double as previous_base_count,
        'respondents' as base_unit,
        'eNPS of team ' || team_enps.group_value || ' in survey wave ' || team_enps.wave || ' was '
            || printf('%.1f', team_enps.enps) || ' (' || team_enps.promoters || ' promoters, '
            || team_enps.detractors || ' detractors of ' || team_enps.responses || ' answers); rule: below '
            || printf('%g', rules.threshold) || ' with at least ' || rules.min_count || ' answers' as reason
    from team_enps
    inner join rules
        on rules.rule_id = 'enps_below_team'
    where team_enps.enps < rules.threshold
        and team_enps.responses >= rules.min_count

),

-- A customer's run of negative feedback: consecutive negative events (gaps and islands). The period is the
-- month the run reached the threshold, which later events in the same run do not change.
ordered_events as (

    select
        *,
        row_number() over (partition by customer_id order by event_at, event_kind, event_id)
            - row_number() over (partition by customer_id, is_negative order by event_at, event_kind, event_id)
            as run_group
    from feedback_events

),

negative_runs as (

    select
        customer_id,
        any_value(location) as location,
        run_group,
        count(*) as run_length,
        min(event_at) as run_started_at,
        max(event_at) as run_last_at,
        list(event_at order by event_at, event_kind, event_id) as run_event_times,
        count(*) filter (where event_kind like 'survey_%') as survey_events,
        count(*) filter (where event_kind = 'ticket_text') as ticket_events
    from ordered_events
    where is_negative
    group by customer_id, run_group

),

run_breaches as (

    select
        rules.rule_id,
        'location' as owner_scope,
        {{ pseudonym('negative_runs.customer_id') }} as scope_value,
        negative_runs.location as owner_value,
        date_trunc('month', negative_runs.run_event_times[rules.threshold::integer])::date as period,
        negative_runs.run_length::double as kpi_value,
        null::double as previous_value,
        negative_runs.run_length::double as base_count,
        null::double as previous_base_count,
        'events' as base_unit,
        'Customer ' || {{ pseudonym('negative_runs.customer_id') }} || ' (' || negative_runs.location || ') gave '
            || negative_runs.run_length || ' negative feedback events in a row from '
            || strftime(negative_runs.run_started_at, '%Y-%m-%d') || ' to '
            || strftime(negative_runs.run_last_at, '%Y-%m-%d') || ' (' || negative_runs.survey_events
            || ' survey answer' || case when negative_runs.survey_events = 1 then '' else 's' end || ', '
            || negative_runs.ticket_events || ' ticket text'
            || case when negative_runs.ticket_events = 1 then '' else 's' end || '); rule: at least '
            || printf('%g', rules.threshold) || ' in a row' as reason
    from negative_runs
    inner join rules
        on rules.rule_id = 'customer_negative_run'
    where negative_runs.run_length >= rules.threshold
        and negative_runs.run_length >= rules.min_count

),

breaches as (

    select * from nps_breaches
    union all
    select * from csat_breaches
    union all
    select * from turnover_breaches
    union all
    select * from enps_breaches
    union all
    select * from run_breaches

),

final as (

    select
        md5(
            breaches.rule_id || '|' || rules.scope || '|' || breaches.scope_value || '|'
            || strftime(breaches.period, '%Y-%m')
        ) as alert_key,
        breaches.rule_id,
        rules.severity,
        rules.kpi,
        rules.scope,
        breaches.scope_value,
        breaches.period,
        breaches.kpi_value,
        breaches.previous_value,
        rules.threshold,
        rules.min_count,
        breaches.base_count,
        breaches.previous_base_count,
        breaches.base_unit,
        breaches.reason,
        coalesce(owners.owner, breaches.owner_scope || ' manager: ' || breaches.owner_value) as owner,
        rules.description as rule_description
    from breaches
    inner join rules
        on breaches.rule_id = rules.rule_id
    left join owners
        on owners.scope = breaches.owner_scope and owners.scope_value = breaches.owner_value

)

select * from final
