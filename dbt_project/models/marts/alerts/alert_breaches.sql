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
        window_months::integer as window_months,
        max_p_value::double as max_p_value,
        severity,
        enabled::boolean as enabled
    from {{ ref('alert_rules') }}
    where enabled::boolean

),

owners as (

    select * from {{ ref('alert_owners') }}

),

snapshot_sources as (

    select * from {{ ref('kpi_snapshot_sources') }}

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

-- The tested rules (NPS drop, CSAT below, brand sentiment drop, mention spike), each candidate with its test
-- (int_alert_evidence: the month against its trailing baseline, a small month judged on its trailing window;
-- scipy / statsmodels).
-- A breach is larger than `threshold` AND rare by chance (p < max_p_value); the rule's severity holds when
-- chance alone would give it less than 1 month in 1,000, one level lower otherwise. The wording says how often
-- chance alone gives such a result, never "the chance it is real" (a p-value is not that).
evidence as (

    select
        *,
        case
            when window_months = 1 then {{ format_date('period', '%b %Y') }}
            else 'the ' || window_months || ' months to ' || {{ format_date('period', '%b %Y') }}
        end as window_text,
        case
            when almost_certain then 'less than 1 month in 1,000'
            else 'about 1 month in ' || {{ format_number("round(1 / p_value)::bigint", '%,d') }}
        end as chance_text
    from {{ ref('int_alert_evidence') }}
    where fires

),

-- One row per tested breach; the wording differs by rule, the numbers come from the test. Brand rules are
-- business-wide (sentiment per source, mention volume against the usual month: a quasi-Poisson control limit)
-- and owned by the brand owner (alert_owners: brand, All).
tested as (

    select
        *,
        case when rule_id like 'brand_%' then 'brand' else 'location' end as owner_scope,
        case
            when rule_id = 'brand_sentiment_drop' then 'scored texts'
            when rule_id = 'brand_mentions_spike' then 'mentions'
            else 'answers'
        end as base_unit,
        case
            when rule_id = 'nps_drop_location' then 'NPS at ' || scope_value
            when rule_id = 'brand_sentiment_drop' then 'Brand sentiment in ' || scope_value
        end as subject
    from evidence

),

tested_breaches as (

    select
        rule_id,
        owner_scope,
        scope_value,
        case when owner_scope = 'brand' then 'All' else scope_value end as owner_value,
        period,
        kpi_value,
        case when rule_id <> 'csat_below_location' then baseline_value end as previous_value,
        base_count,
        case when rule_id <> 'csat_below_location' then baseline_count end as previous_base_count,
        base_unit,
        z_score,
        p_value,
        certainty,
        almost_certain,
        case
            when rule_id = 'csat_below_location' then
                'CSAT at ' || scope_value || ' was ' || {{ format_number("kpi_value", '%.1f') }} || ' % in ' || window_text
                || ' (' || {{ format_number("base_count::bigint", '%,d') }} || ' answers), ' || {{ format_number("-difference", '%.1f') }}
                || ' points under the floor of ' || {{ format_number("baseline_value", '%g') }} || ' % ('
                || {{ format_number("z_score", '%.1f') }} || ' standard errors): a result this low would happen by chance '
                || chance_text
            when rule_id = 'brand_mentions_spike' then
                'Social mentions of the brand rose to ' || {{ format_number("kpi_value::bigint", '%,d') }} || ' in ' || window_text
                || ' from a usual ' || {{ format_number("baseline_value", '%,.0f') }} || ' a month in '
                || {{ format_date('baseline_start', '%b %Y') }} || '–' || {{ format_date('baseline_end', '%b %Y') }} || ': '
                || {{ format_number("100 * difference / baseline_value", '%.0f') }} || ' % more ('
                || {{ format_number("z_score", '%.1f') }} || ' standard deviations of the usual month-to-month swing): '
                || 'that swing alone would give a month this busy ' || chance_text
            else
                subject || ' fell to ' || {{ format_number("kpi_value", '%.1f') }} || ' in ' || window_text || ' ('
                || {{ format_number("base_count::bigint", '%,d') }} || ' ' || base_unit || ') from '
                || {{ format_number("baseline_value", '%.1f') }} || ' in ' || {{ format_date('baseline_start', '%b %Y') }} || '–'
                || {{ format_date('baseline_end', '%b %Y') }} || ' (' || {{ format_number("baseline_count::bigint", '%,d') }} || ' '
                || base_unit || '): a drop of ' || {{ format_number("-difference", '%.1f') }} || ' points ('
                || {{ format_number("z_score", '%.1f') }} || ' standard errors, counting the usual month-to-month swing): a drop '
                || 'this large would happen by chance ' || chance_text
        end as reason
    from tested

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
        -- No test behind these rules: the tested rules' statistics are empty.
        null::double as z_score,
        null::double as p_value,
        null::string as certainty,
        null::boolean as almost_certain,
        'Turnover in team ' || team_turnover.team || ' over the 3 months to ' || {{ format_date('team_turnover.month', '%b %Y') }}
            || ' was ' || {{ format_number("team_turnover.turnover_pct_3m", '%.1f') }} || ' % ('
            || {{ counted('team_turnover.separations_3m', 'separation') }} || ', average headcount ' || {{ format_number("team_turnover.avg_headcount_3m", '%.1f') }}
            || '); rule: above ' || {{ format_number("rules.threshold", '%g') }} || ' % with an average headcount of at least '
            || rules.min_count as reason
    from team_turnover
    inner join rules
        on rules.rule_id = 'team_turnover_above'
    where team_turnover.turnover_pct_3m > rules.threshold
        and team_turnover.avg_headcount_3m >= rules.min_count
        -- An HR snapshot (every separation dated to one extract month) has no monthly turnover: its trailing
        -- 3 months would hold all of the data's losses at once (kpi_snapshot_sources, D420).
        and not exists (
            select 1 from snapshot_sources
            where snapshot_sources.kpi = 'turnover_pct' and snapshot_sources.is_snapshot
        )

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
        -- No test behind these rules: the tested rules' statistics are empty.
        null::double as z_score,
        null::double as p_value,
        null::string as certainty,
        null::boolean as almost_certain,
        'eNPS of team ' || team_enps.group_value || ' in the survey of ' || {{ format_date('team_enps.wave_month', '%b %Y') }}
            || ' was ' || {{ format_number("team_enps.enps", '%.1f') }} || ' (' || {{ counted('team_enps.promoters', 'promoter') }}
            || ', ' || {{ counted('team_enps.detractors', 'detractor') }} || ' of '
            || {{ counted('team_enps.responses', 'answer') }} || '); rule: below ' || {{ format_number("rules.threshold", '%g') }} || ' with at least ' || rules.min_count
            || ' answers' as reason
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

run_events as (

    select
        *,
        row_number() over (partition by customer_id, run_group order by event_at, event_kind, event_id) as run_position
    from ordered_events
    where is_negative

),

negative_runs as (

    select
        run_events.customer_id,
        any_value(run_events.location) as location,
        run_events.run_group,
        count(*) as run_length,
        min(run_events.event_at) as run_started_at,
        max(run_events.event_at) as run_last_at,
        -- When the run reached the rule's threshold (its threshold-th event).
        max(case when run_events.run_position = round(rules.threshold) then run_events.event_at end)
            as threshold_reached_at,
        count(*) filter (where run_events.event_kind like 'survey_%') as survey_events,
        count(*) filter (where run_events.event_kind = 'ticket_text') as ticket_events
    from run_events
    left join rules
        on rules.rule_id = 'customer_negative_run'
    group by run_events.customer_id, run_events.run_group

),

run_breaches as (

    select
        rules.rule_id,
        'location' as owner_scope,
        {{ pseudonym('negative_runs.customer_id') }} as scope_value,
        negative_runs.location as owner_value,
        date_trunc('month', negative_runs.threshold_reached_at)::date as period,
        negative_runs.run_length::double as kpi_value,
        null::double as previous_value,
        negative_runs.run_length::double as base_count,
        null::double as previous_base_count,
        'events' as base_unit,
        -- No test behind these rules: the tested rules' statistics are empty.
        null::double as z_score,
        null::double as p_value,
        null::string as certainty,
        null::boolean as almost_certain,
        -- Never the customer's pseudonym in the sentence a person reads (scope_value holds it, as the lookup key).
        'A customer at ' || negative_runs.location || ' gave '
            || negative_runs.run_length || ' negative feedback events in a row from '
            || {{ format_date('negative_runs.run_started_at', '%-d %b %Y') }} || ' to '
            || {{ format_date('negative_runs.run_last_at', '%-d %b %Y') }} || ' ('
            || {{ counted('negative_runs.survey_events', 'survey answer') }} || ', '
            || {{ counted('negative_runs.ticket_events', 'ticket text') }} || '); rule: at least '
            || {{ format_number("rules.threshold", '%g') }} || ' in a row' as reason
    from negative_runs
    inner join rules
        on rules.rule_id = 'customer_negative_run'
    where negative_runs.run_length >= rules.threshold
        and negative_runs.run_length >= rules.min_count

),

breaches as (

    -- The four select the same columns in the same order.
    select * from tested_breaches
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
            || {{ format_date('breaches.period', '%Y-%m') }}
        ) as alert_key,
        breaches.rule_id,
        case
            when breaches.almost_certain is distinct from false then rules.severity
            when rules.severity = 'high' then 'medium'
            else 'low'
        end as severity,
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
        breaches.z_score,
        breaches.p_value,
        breaches.certainty,
        breaches.reason,
        coalesce(owners.owner, breaches.owner_scope || ' manager: ' || breaches.owner_value) as owner,
        -- The rule in words, its numbers filled in: {threshold}, {min_count}, {window_months}, {chance}.
        replace(replace(replace(replace(rules.description,
            '{threshold}', {{ format_number("rules.threshold", '%g') }}),
            '{min_count}', rules.min_count::string),
            '{window_months}', coalesce(rules.window_months::string, '')),
            '{chance}', coalesce('1 month in ' || {{ format_number("round(1 / rules.max_p_value)::bigint", '%,d') }}, ''))
            as rule_description
    from breaches
    inner join rules
        on breaches.rule_id = rules.rule_id
    left join owners
        on owners.scope = breaches.owner_scope and owners.scope_value = breaches.owner_value

)

select * from final
