-- Sales conversion per lead cohort: leads created in a month and how many of them have converted so far.
with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

location_regions as (

    select * from {{ ref('int_location_regions') }}

),

located as (

    select
        date_trunc('month', leads.created_at)::date as month,
        coalesce(leads.segment, 'Unknown') as segment,
        coalesce(location_regions.region, 'Unknown') as region,
        coalesce(leads.location, 'Unknown') as location,
        coalesce(leads.channel, 'Unknown') as channel,
        leads.status,
        {{ minutes_between('leads.created_at', 'leads.converted_at') }} / 1440.0::double as days_to_convert
    from leads
    left join location_regions
        on leads.location = location_regions.location

),

counted as (

    select
        month,
        segment,
        region,
        location,
        channel,
        count(*) as leads,
        count(*) filter (where status = 'converted') as converted_leads,
        count(*) filter (where status = 'lost') as lost_leads,
        count(*) filter (where status = 'open') as open_leads,
        coalesce(sum(days_to_convert) filter (where status = 'converted'), 0) as days_to_convert_sum
    from located
    group by all

),

final as (

    select
        *,
        {{ pct('converted_leads', 'leads') }} as conversion_pct,
        {{ ratio('days_to_convert_sum', 'converted_leads') }} as days_to_convert_avg
    from counted

)

select * from final
