-- How a manager is shown in published marts: by role and team ("Manager, Customer Support"; "Manager 2,
-- Customer Support" when a team has several), never by the HRIS employee id. With var show_people_ids
-- (default false) the label also carries the HRIS id ("Manager, Customer Support (E000001)") for a business
-- whose readers may see who is who; names are pseudonymised at load, so no name can be shown.
with

employees as (

    select * from {{ ref('stg_hris__employees') }}

),

managers as (

    select distinct manager_id from employees where manager_id is not null

),

numbered as (

    select
        managers.manager_id,
        coalesce(m.team, 'another organisation') as team,
        count(*) over (partition by m.team) as managers_in_team,
        row_number() over (partition by m.team order by managers.manager_id) as number_in_team
    from managers
    left join employees as m
        on managers.manager_id = m.employee_id

),

final as (

    select
        manager_id,
        'Manager' || case when managers_in_team > 1 then ' ' || number_in_team else '' end || ', ' || team
            {%- if var('show_people_ids') %} || ' (' || manager_id || ')'{% endif %} as manager_label
    from numbered

)

select * from final
