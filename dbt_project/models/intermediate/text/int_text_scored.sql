-- Every customer text with its score, its empathy-language counts and its themes: what the text marts read.
with

corpus as (

    select * from {{ ref('int_text_corpus') }}

),

hits as (

    select * from {{ ref('int_text_term_hits') }}

),

per_text as (

    select
        content_hash,
        count(distinct term) filter (where lexicon = 'empathy_language' and label = 'empathy') as empathy_terms,
        count(distinct term) filter (where lexicon = 'empathy_language' and label = 'anti_empathy')
            as anti_empathy_terms,
        {{ sorted_distinct_list('label', "lexicon = 'theme'") }} as themes
    from hits
    group by content_hash

),

final as (

    select
        corpus.*,
        coalesce(per_text.empathy_terms, 0) as empathy_terms,
        coalesce(per_text.anti_empathy_terms, 0) as anti_empathy_terms,
        coalesce(per_text.empathy_terms, 0) > 0 as has_empathy,
        coalesce(per_text.anti_empathy_terms, 0) > 0 as has_anti_empathy,
        coalesce(per_text.themes, {{ empty_string_list() }}) as themes,
        corpus.sentiment_label in ('positive', 'neutral', 'negative') as is_scored
    from corpus
    left join per_text
        on corpus.content_hash = per_text.content_hash

)

select * from final
