-- The "This week" summary: one row per headline KPI × scope × scope value for the latest complete month of its
-- area's data, with the month before and the same month a year earlier, the target from seed kpi_targets and
-- its status.
-- Read by the summary page, the weekly digest and the alerts drill-down (contract in docs/dashboard.md,
-- "This week: the summary page (s12)"; columns may be added, never renamed or dropped).
--   The period: see CTE `period` below (per area, from the data's as-of dates, never the wall clock).
--   eNPS is asked in survey waves: its period is the latest wave that started by the period's end, its
--   "previous" the wave before, its "last year" the latest wave at least 12 months before it.
--   A KPI × scope with no counts in a period has value NULL ("no data") and n 0, never a 0 value.
with

catalog as (

    {{ summary_kpi_catalog() }}

),

monthly as (

    select * from {{ ref('kpi_summary_monthly') }}

),

-- The summary month of each area (each KPI then reads its latest month with data up to it, `kpi_months`): the
-- latest COMPLETE month of its data. Employees follow the HR data's as-of
-- date (int_employee_as_of_date), every other area the customer data's (int_as_of_date): both are the latest
-- event or var as_of_date, never the wall clock. The as-of date's month when that date is its last day, else
-- the month before (the as-of month is still running). Separate dates so that a late customer extract does
-- not push the employee cards into months nobody was observed (and the reverse).
as_of as (

    select
        (select max(as_of_date) from {{ ref('int_as_of_date') }}) as customer_as_of,
        (select max(as_of_date) from {{ ref('int_employee_as_of_date') }}) as employee_as_of

),

period as (

    select
        (date_trunc('month', coalesce(customer_as_of, employee_as_of) + interval 1 day) - interval 1 month)::date
            as period_start,
        (date_trunc('month', coalesce(employee_as_of, customer_as_of) + interval 1 day) - interval 1 month)::date
            as employee_period_start
    from as_of

),

-- The periods each KPI is read in: months for the monthly KPIs, waves for eNPS (chosen at business level so
-- every scope compares the same waves).
waves as (

    select distinct month from monthly where cadence = 'wave'

),

current_wave as (

    select max(month) as month from waves, period where waves.month <= period.employee_period_start

),

-- Each monthly KPI's month: the latest month, up to its area's summary month, in which the whole business has
-- data for it (n > 0 and a value), so that a source whose extract ends before the other areas' shows its
-- latest data, not "no data". Without such a month, the still-running as-of month when it has data (the real
-- CRM sample's NPS answers all fall in it): read to the as-of date, which period_end then says. Else the
-- area's month, with no data. The page and the digest show each row's period.
area_months as (

    select catalog.kpi,
        case when catalog.area = 'Employees' then period.employee_period_start else period.period_start end
            as area_month,
        case when catalog.area = 'Employees' then coalesce(as_of.employee_as_of, as_of.customer_as_of)
            else coalesce(as_of.customer_as_of, as_of.employee_as_of) end as as_of_date
    from catalog, period, as_of
    where catalog.kpi <> 'enps'

),

kpi_months as (

    select
        area_months.kpi,
        coalesce(
            max(monthly.month) filter (where monthly.month <= area_months.area_month),
            max(monthly.month),
            area_months.area_month
        ) as month,
        area_months.as_of_date
    from area_months
    left join monthly
        on monthly.kpi = area_months.kpi and monthly.scope = 'business' and monthly.n > 0
        and monthly.value is not null and monthly.month <= date_trunc('month', area_months.as_of_date)
    group by area_months.kpi, area_months.area_month, area_months.as_of_date

),

kpi_periods as (

    select
        kpi,
        month as current_month,
        least((month + interval 1 month - interval 1 day)::date, as_of_date::date) as current_month_end,
        (month - interval 1 month)::date as previous_month,
        (month - interval 12 month)::date as last_year_month
    from kpi_months
    union all
    -- No wave yet: the Employees' summary month, with no data.
    select
        'enps',
        coalesce(current_wave.month, period.employee_period_start),
        (coalesce(current_wave.month, period.employee_period_start) + interval 1 month - interval 1 day)::date,
        (select max(month) from waves where month < current_wave.month),
        (select max(month) from waves where month <= current_wave.month - interval 12 month)
    from current_wave, period

),

-- Every scope value with data in any of the three periods gets a row; the whole business always does.
rows_ as (

    select distinct monthly.kpi, monthly.scope, monthly.scope_value
    from monthly
    inner join kpi_periods as p
        on monthly.kpi = p.kpi
        and monthly.month in (p.current_month, p.previous_month, p.last_year_month)
    union
    select kpi, 'business', 'All' from kpi_periods

),

joined as (

    select
        catalog.area, rows_.kpi, catalog.kpi_label, catalog.unit, catalog.higher_is_better,
        rows_.scope, rows_.scope_value,
        p.current_month as period_start,
        p.current_month_end as period_end,
        now_.value, coalesce(now_.n, 0) as n,
        before.value as previous_value, coalesce(before.n, 0) as previous_n,
        last_year.value as last_year_value, coalesce(last_year.n, 0) as last_year_n,
        p.previous_month as previous_period_start, p.last_year_month as last_year_period_start,
        catalog.n_noun, catalog.decimals, catalog.sort_order, catalog.measure
    from rows_
    inner join kpi_periods as p on rows_.kpi = p.kpi
    inner join catalog on rows_.kpi = catalog.kpi
    left join monthly as now_
        on now_.kpi = rows_.kpi and now_.scope = rows_.scope and now_.scope_value = rows_.scope_value
        and now_.month = p.current_month
    left join monthly as before
        on before.kpi = rows_.kpi and before.scope = rows_.scope and before.scope_value = rows_.scope_value
        and before.month = p.previous_month
    left join monthly as last_year
        on last_year.kpi = rows_.kpi and last_year.scope = rows_.scope and last_year.scope_value = rows_.scope_value
        and last_year.month = p.last_year_month

),

-- The most specific target wins: one for this scope value, else one for every value of the scope (blank).
targets as (

    select
        kpi, scope, nullif(trim(coalesce(scope_value, '')), '') as scope_value,
        target::double as target, coalesce(close_margin, 0)::double as close_margin
    from {{ ref('kpi_targets') }}

),

with_target as (

    select
        joined.*,
        coalesce(exact.target, every_value.target) as target,
        case when exact.target is not null then exact.close_margin else every_value.close_margin end
            as close_margin
    from joined
    left join targets as exact
        on exact.kpi = joined.kpi and exact.scope = joined.scope and exact.scope_value = joined.scope_value
    left join targets as every_value
        on every_value.kpi = joined.kpi and every_value.scope = joined.scope and every_value.scope_value is null

),

-- Churn or staff turnover from a SNAPSHOT export (kpi_snapshot_sources: a status per customer or employee, no
-- dates of leaving) has no monthly rate; its card reads the share TO DATE instead: every customer (employee) the
-- data holds, the share lost (gone) by its as-of date (customer_churn_summary, employee_turnover_summary: counts
-- summed, divided last), with that count as its n: the figure such an export publishes (IBM's Telco sample:
-- 26.54 % of 7,043 customers; IBM's HR sample: 16.1 % of 1,470 employees). No change, last-year figure or (monthly)
-- target applies to it; a snapshot's headcount keeps its value but loses its comparisons (its month-to-month change
-- is the one-month dating of every leaver, not a change).
snapshots as (

    select kpi from {{ ref('kpi_snapshot_sources') }} where is_snapshot

),

snapshot_to_date as (

    select kpi, scope, scope_value, sum(lost) as lost, sum(base) as base
    from (
        select 'churn_pct' as kpi, 'business' as scope, 'All' as scope_value, lost_customers as lost, customers as base
        from {{ ref('customer_churn_summary') }}
        union all
        select 'churn_pct', 'location', location, lost_customers, customers
        from {{ ref('customer_churn_summary') }}
        where location <> 'Unknown'
        union all
        select 'turnover_pct', 'business', 'All', separations, employees
        from {{ ref('employee_turnover_summary') }}
        union all
        select 'turnover_pct', 'team', team, separations, employees
        from {{ ref('employee_turnover_summary') }}
        where team <> 'Unknown'
    ) as scoped
    where kpi in (select kpi from snapshots)
    group by kpi, scope, scope_value
    having sum(base) > 0

),

with_basis as (

    select
        with_target.* except (
            kpi_label, value, n, previous_value, previous_n, last_year_value, last_year_n, target, decimals
        ),
        case
            when to_date.base is null then with_target.kpi_label
            when right(with_target.kpi_label, 2) = ' %'
                then left(with_target.kpi_label, length(with_target.kpi_label) - 2) || ' to date %'
            else with_target.kpi_label || ' to date'
        end as kpi_label,
        coalesce(100.0::double * to_date.lost / to_date.base, with_target.value) as value,
        coalesce(to_date.base, with_target.n) as n,
        case when to_date.base is null and not frozen then with_target.previous_value end as previous_value,
        case when to_date.base is null and not frozen then with_target.previous_n else 0 end as previous_n,
        case when to_date.base is null and not frozen then with_target.last_year_value end as last_year_value,
        case when to_date.base is null and not frozen then with_target.last_year_n else 0 end as last_year_n,
        case when to_date.base is null then with_target.target end as target,
        case when to_date.base is null then with_target.decimals else 2 end as decimals,
        case when to_date.base is not null then 'to date' else 'period' end as value_basis
    from (
        select
            *,
            kpi = 'headcount' and (select count(*) from snapshots where snapshots.kpi = 'turnover_pct') > 0 as frozen
        from with_target
    ) as with_target
    left join snapshot_to_date as to_date
        on to_date.kpi = with_target.kpi and to_date.scope = with_target.scope
        and to_date.scope_value = with_target.scope_value

),

final as (

    select
        area, kpi, kpi_label, unit, higher_is_better, scope, scope_value, period_start, period_end,
        value::double as value, n::bigint as n,
        previous_value::double as previous_value, previous_n::bigint as previous_n,
        last_year_value::double as last_year_value, last_year_n::bigint as last_year_n,
        target,
        {{ target_status('value', 'target', 'close_margin', 'higher_is_better') }} as status,
        close_margin, previous_period_start, last_year_period_start, n_noun, decimals, sort_order, measure,
        value_basis
    from with_basis

)

select * from final
