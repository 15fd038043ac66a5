-- eNPS per survey wave and reporting group: the NPS formula on the "recommend as a place to work" item(s)
-- (question-bank dimension 'enps'), Bain's bands from the NPS vars. Suppressed groups: numbers NULL.
with

answers as (

    select * from {{ ref('int_employee_survey_groups') }}
    where dimension = 'enps'

),

suppression as (

    select * from {{ ref('int_employee_survey_cell_suppression') }}

),

banded as (

    select *, {{ nps_band('score') }} as band
    from answers

),

counted as (

    select
        wave,
        min(wave_month) as wave_month,
        breakdown,
        group_value,
        count(*) as responses,
        count(*) filter (where band = 'promoter') as promoters,
        count(*) filter (where band = 'passive') as passives,
        count(*) filter (where band = 'detractor') as detractors
    from banded
    group by wave, breakdown, group_value

),

joined as (

    {{ with_suppression('counted', 'dimension', "'enps'") }}

),

final as (

    select
        wave,
        wave_month,
        breakdown,
        group_value,
        suppressed,
        suppression_reason,
        {{ unless_suppressed('responses') }} as responses,
        {{ unless_suppressed('promoters') }} as promoters,
        {{ unless_suppressed('passives') }} as passives,
        {{ unless_suppressed('detractors') }} as detractors,
        {{ unless_suppressed(nps_from_counts('promoters', 'detractors', 'responses')) }} as enps
    from joined

)

select * from final
