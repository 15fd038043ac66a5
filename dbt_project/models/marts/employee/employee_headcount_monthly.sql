-- Workforce flow per month × department × team × location × manager × tenure band: headcount at start,
-- end and average, hires, separations (voluntary / involuntary), turnover and retention, counts beside the
-- ratios. Workers are counted, not position stints: one HRIS record per worker, so an internal move is
-- never a separation.
with

employee_months as (

    -- Small groups rolled up (var workforce_min_headcount): every published cell has that many employees.
    select * from {{ ref('int_employee_months_published') }}

),

counted as (

    select
        month,
        department,
        team,
        location,
        manager_id,
        tenure_band,
        count(*) as employees,  -- employed on at least one day: the group size the roll-up protects
        count(*) filter (where employed_at_start) as headcount_start,
        count(*) filter (where employed_at_end) as headcount_end,
        count(*) filter (where hired) as hires,
        count(*) filter (where separated) as separations,
        count(*) filter (where separated_voluntary) as voluntary_separations,
        count(*) filter (where separated_involuntary) as involuntary_separations,
        count(*) filter (where retained) as retained_employees,
        -- Why the cell's labels are combined ones (NULL: published as it is); one reason per cell.
        max(rollup_reason) as rollup_reason
    from employee_months
    group by month, department, team, location, manager_id, tenure_band

),

final as (

    select
        *,
        -- SHRM: average of the start and end headcounts; additive, so sums over rows stay correct.
        (headcount_start + headcount_end) / 2.0::double as avg_headcount,
        {{ pct('separations', '(headcount_start + headcount_end) / 2.0::double') }} as turnover_pct,
        {{ pct('voluntary_separations', '(headcount_start + headcount_end) / 2.0::double') }} as voluntary_turnover_pct,
        {{ pct('involuntary_separations', '(headcount_start + headcount_end) / 2.0::double') }} as involuntary_turnover_pct,
        {{ pct('retained_employees', 'headcount_start') }} as retention_pct
    from counted

)

select * from final
