-- Recognition frequency and type per month × department × team × location × manager × tenure band of
-- the RECEIVER: recognitions per employee employed in the month, and the share of them recognised at least
-- once. Recognitions of someone not employed that month (a late thank-you) have no group and are left out.
with

employee_months as (

    -- Small groups rolled up (var workforce_min_headcount): every published cell has that many employees.
    select * from {{ ref('int_employee_months_published') }}

),

recognitions as (

    select
        receiver_employee_id as employee_id,
        date_trunc('month', given_at)::date as month,
        count(*) as recognitions,
        count(*) filter (where recognition_type = 'peer') as peer_recognitions,
        count(*) filter (where recognition_type = 'manager') as manager_recognitions,
        count(*) filter (where recognition_type = 'award') as award_recognitions
    from {{ ref('stg_hris__recognitions') }}
    group by receiver_employee_id, date_trunc('month', given_at)

),

joined as (

    select
        m.month,
        m.department,
        m.team,
        m.location,
        m.manager_id,
        m.tenure_band,
        m.rollup_reason,
        coalesce(r.recognitions, 0) as recognitions,
        coalesce(r.peer_recognitions, 0) as peer_recognitions,
        coalesce(r.manager_recognitions, 0) as manager_recognitions,
        coalesce(r.award_recognitions, 0) as award_recognitions
    from employee_months as m
    left join recognitions as r on m.employee_id = r.employee_id and m.month = r.month

),

counted as (

    select
        month,
        department,
        team,
        location,
        manager_id,
        tenure_band,
        count(*) as employees,
        count(*) filter (where recognitions > 0) as recognised_employees,
        cast(sum(recognitions) as bigint) as recognitions,
        cast(sum(peer_recognitions) as bigint) as peer_recognitions,
        cast(sum(manager_recognitions) as bigint) as manager_recognitions,
        cast(sum(award_recognitions) as bigint) as award_recognitions,
        -- No type stated: counted in the total, in none of the types.
        cast(sum(recognitions - peer_recognitions - manager_recognitions - award_recognitions) as bigint)
            as untyped_recognitions,
        -- Why the cell's labels are combined ones (NULL: published as it is); one reason per cell.
        max(rollup_reason) as rollup_reason
    from joined
    group by month, department, team, location, manager_id, tenure_band

),

final as (

    select
        *,
        {{ ratio('recognitions', 'employees') }} as recognitions_per_employee,
        {{ pct('recognised_employees', 'employees') }} as recognised_pct
    from counted

)

select * from final
