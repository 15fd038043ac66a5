-- Whether churn and staff turnover can be read per month, or come from a SNAPSHOT export: the data has losses
-- (customers lost, employees who left) but its monthly history dates all of them to at most one month, as a
-- subscription export with a churn status and no end dates (the IBM Telco sample) or an HR extract with an
-- attrition flag and one extract date (the IBM HR sample) gives. Such a KPI reads 0 in every other month and a
-- spike in one: its monthly value is no data (kpi_summary_monthly), its share to date is the honest figure.
-- The one place this rule is written (docs/kpi_definitions.md, "Summary fixes after review (s12)"); the
-- summary and the customer page read it here. One row per KPI, always (no losses at all: not a snapshot).
with

losses as (

    select 'churn_pct' as kpi, month, sum(lost_customers) as losses
    from {{ ref('customer_retention_monthly') }}
    group by all
    union all
    select 'turnover_pct' as kpi, month, sum(separations) as losses
    from {{ ref('employee_headcount_monthly') }}
    group by all

),

kpis as (

    select * from (values ('churn_pct'), ('turnover_pct')) as t (kpi)

)

select
    kpis.kpi,
    coalesce(sum(losses.losses), 0)::bigint as losses,
    count(distinct losses.month) filter (where losses.losses > 0)::bigint as months_with_losses,
    coalesce(sum(losses.losses), 0) > 0
        and count(distinct losses.month) filter (where losses.losses > 0) <= 1 as is_snapshot
from kpis
left join losses on losses.kpi = kpis.kpi
group by kpis.kpi
