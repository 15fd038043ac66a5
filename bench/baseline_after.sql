-- The hand-written baseline, after bench/baseline_python.py has decided which survey cells may be shown
-- (src.survey_cells): the survey marts, a suppressed cell keeping its row with every number NULL, and the
-- service-profit chain that reads them. Run by bench/baseline.py after bench/baseline.sql.

-- eNPS per wave and group (the 'enps' dimension's answers, NPS bands 9+ / 6-).
create table marts.employee_enps_wave as
with counted as (
    select wave, min(wave_month) as wave_month, breakdown, group_value, count(*) as responses,
        count(*) filter (where score >= 9) as promoters,
        count(*) filter (where score > 6 and score < 9) as passives,
        count(*) filter (where score <= 6) as detractors
    from src.survey_groups where dimension = 'enps'
    group by all
)
select c.wave, c.wave_month, c.breakdown, c.group_value, s.suppressed, s.suppression_reason,
    case when not s.suppressed then responses end as responses,
    case when not s.suppressed then promoters end as promoters,
    case when not s.suppressed then passives end as passives,
    case when not s.suppressed then detractors end as detractors,
    case when not s.suppressed and responses > 0 then 100.0 * (promoters - detractors) / responses end as enps
from counted c
join src.survey_cells s using (wave, breakdown, group_value)
where s.measure_kind = 'dimension' and s.measure = 'enps';

-- Every dimension per wave and group.
create table marts.employee_survey_dimension_wave as
with counted as (
    select wave, min(wave_month) as wave_month, breakdown, group_value, dimension,
        count(distinct respondent_id) as respondents, count(*) as answers, sum(scored) as score_sum,
        count(*) filter (where is_favourable) as favourable_answers,
        count(*) filter (where is_unfavourable) as unfavourable_answers
    from src.survey_groups
    group by all
)
select c.wave, c.wave_month, c.breakdown, c.group_value, c.dimension, s.suppressed, s.suppression_reason,
    case when not s.suppressed then respondents end as respondents,
    case when not s.suppressed then answers end as answers,
    case when not s.suppressed then score_sum end as score_sum,
    case when not s.suppressed then favourable_answers end as favourable_answers,
    case when not s.suppressed then unfavourable_answers end as unfavourable_answers,
    case when not s.suppressed and answers > 0 then 1.0 * score_sum / answers end as mean_score,
    case when not s.suppressed and answers > 0 then 100.0 * favourable_answers / answers end as favourable_pct,
    case when not s.suppressed and answers > 0 then 100.0 * unfavourable_answers / answers end as unfavourable_pct
from counted c
join src.survey_cells s on c.wave = s.wave and c.breakdown = s.breakdown and c.group_value = s.group_value
    and s.measure_kind = 'dimension' and s.measure = coalesce(c.dimension, 'unassigned');

-- Items per wave and group: every item at org level; manager-empathy items also per team and manager.
create table src.survey_item_counts as
select wave, min(wave_month) as wave_month, breakdown, group_value, question_id,
    any_value(question_text) as question_text, any_value(dimension) as dimension,
    count(distinct respondent_id) as respondents, count(*) as answers, sum(scored) as score_sum,
    count(*) filter (where is_favourable) as favourable_answers
from src.survey_groups
where breakdown = 'org' or (dimension = 'manager_empathy' and breakdown in ('team', 'manager'))
group by wave, breakdown, group_value, question_id;

-- The item cells with their suppression decision and the published numbers (NULL when suppressed).
create table src.survey_items as
select c.wave, c.wave_month, c.breakdown, c.group_value, c.question_id, c.question_text, c.dimension,
    s.suppressed, s.suppression_reason,
    case when not s.suppressed then respondents end as respondents,
    case when not s.suppressed then answers end as answers,
    case when not s.suppressed then score_sum end as score_sum,
    case when not s.suppressed then favourable_answers end as favourable_answers,
    case when not s.suppressed and answers > 0 then 1.0 * score_sum / answers end as mean_score,
    case when not s.suppressed and answers > 0 then 100.0 * favourable_answers / answers end as favourable_pct
from src.survey_item_counts c
join src.survey_cells s on c.wave = s.wave and c.breakdown = s.breakdown and c.group_value = s.group_value
    and s.measure_kind = 'item' and s.measure = c.question_id;

create table marts.employee_survey_item_wave as
select * exclude (breakdown, group_value) from src.survey_items where breakdown = 'org';

create table marts.employee_manager_empathy_wave as
select * exclude (question_text, dimension), question_text as indicator
from src.survey_items where dimension = 'manager_empathy';

-- Each location's published employee indices in a wave beside its customer KPIs over the 3 months after.
create table marts.service_profit_chain as
with employee as (
    select wave, wave_month, group_value as location, dimension as employee_measure, mean_score as employee_value,
        respondents
    from marts.employee_survey_dimension_wave
    where breakdown = 'location' and not suppressed and dimension in ('engagement', 'manager_empathy')
    union all
    select wave, wave_month, group_value, 'enps', enps, responses
    from marts.employee_enps_wave where breakdown = 'location' and not suppressed
),
customer_months as (
    select location, month, 'nps' as customer_kpi, sum(promoters) as hits, sum(detractors) as misses,
        sum(responses) as n
    from marts.customer_nps_monthly group by all
    union all
    select location, month, 'csat_pct', sum(satisfied_responses), 0, sum(responses)
    from marts.customer_csat_monthly group by all
    union all
    select location, month, 'churn_rate', sum(lost_from_start), 0, sum(customers_at_start)
    from marts.customer_retention_monthly group by all
),
following as (
    select e.*, c.customer_kpi, sum(c.hits) as hits, sum(c.misses) as misses, sum(c.n) as customer_n
    from employee e
    join customer_months c on c.location = e.location and c.month > e.wave_month
        and c.month <= e.wave_month + interval '3 months'
    group by all
)
select location, wave, wave_month, employee_measure, employee_value, respondents, customer_kpi,
    case when customer_kpi = 'nps' then 100.0 * (hits - misses) / customer_n
        else 100.0 * hits / customer_n end as customer_value,
    customer_n, 3 as lag_months
from following
where customer_n > 0 and employee_value is not null;
