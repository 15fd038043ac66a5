-- Which units each initiative treated and from which month (docs/impact.md, D85): one row per initiative ×
-- unit. An initiative with rows in initiative_units (a staggered roll-out, or any unit: agents, stores, the
-- units of a business's own outcome panel) takes its units and per-unit starts from there, matched against
-- every unit type (unit_kind 'any'); otherwise its '|'-separated treated_locations and treated_teams all
-- start at its start_date. start_month is the first month of the start (a start on the 20th counts its
-- month as treated).
with

initiatives as (
    select * from {{ ref('stg_program__initiatives') }}
),

listed as (
    select * from {{ ref('stg_program__initiative_units') }}
),

from_units as (
    select listed.initiative_id, 'any' as unit_kind, trim(listed.unit) as unit, listed.start_date
    from listed
),

from_lists as (
    select initiative_id, unit_kind, trim(unit) as unit, start_date
    from (
        select initiative_id, 'location' as unit_kind, {{ explode_split('treated_locations', '|') }} as unit,
            start_date
        from initiatives
        where initiative_id not in (select initiative_id from listed)
        union all
        select initiative_id, 'team', {{ explode_split('treated_teams', '|') }}, start_date
        from initiatives
        where initiative_id not in (select initiative_id from listed)
    ) as listed_units
),

unioned as (
    select * from from_units
    union all
    select * from from_lists
),

final as (
    select
        unioned.initiative_id,
        initiatives.name as initiative_name,
        unioned.unit_kind,
        unioned.unit,
        date_trunc('month', min(unioned.start_date))::date as start_month
    from unioned
    inner join initiatives
        on unioned.initiative_id = initiatives.initiative_id
    where unioned.unit is not null and unioned.unit <> '' and unioned.start_date is not null
    group by unioned.initiative_id, initiatives.name, unioned.unit_kind, unioned.unit
)

select * from final
