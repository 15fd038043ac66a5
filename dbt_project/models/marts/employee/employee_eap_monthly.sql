-- Employee Assistance Programme utilisation, org level only: the worker on an EAP record is a keyed hash
-- made at load (contract: pii), so it cannot be joined to a team, and it must not be — EAP use is health
-- data, and a team-level count would tell a small team who sought help (docs/decisions.md D29).
with

uses as (

    select
        date_trunc('month', used_on)::date as month,
        count(*) as eap_uses,
        count(distinct employee_id) as eap_users
    from {{ ref('stg_hris__eap_usage') }}
    group by date_trunc('month', used_on)

),

headcount as (

    -- The published workforce's months (int_employee_months_published): a month with fewer than
    -- var workforce_min_headcount employees in all is not published here either, as in the headcount mart;
    -- otherwise "0 users of 2 employees" would say of two people that neither sought help.
    select month, count(*) as employees
    from {{ ref('int_employee_months_published') }}
    group by month

),

joined as (

    select
        coalesce(h.month, u.month) as month,
        coalesce(h.employees, 0) as employees,
        coalesce(u.eap_uses, 0) as eap_uses,
        coalesce(u.eap_users, 0) as eap_users
    from headcount as h
    full outer join uses as u on h.month = u.month

),

-- Fewer than var workforce_min_headcount users in a month is health data about a handful of people:
-- the counts and the rate are withheld (NULL, never 0) with the reason (docs/privacy.md).
suppressed as (

    select
        month,
        employees,
        eap_users between 1 and {{ (workforce_min_headcount() | trim | int) - 1 }} as is_suppressed,
        case when not is_suppressed then eap_uses end as eap_uses,
        case when not is_suppressed then eap_users end as eap_users,
        case when is_suppressed then 'fewer than {{ workforce_min_headcount() }} users' end as suppression_reason
    from joined

),

final as (

    select
        month,
        employees,
        eap_uses,
        eap_users,
        suppression_reason,
        {{ pct('eap_users', 'employees') }} as eap_utilisation_pct
    from suppressed

)

select * from final
