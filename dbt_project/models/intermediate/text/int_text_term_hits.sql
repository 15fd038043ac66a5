-- Which lexicon terms each distinct text uses: empathy / anti-empathy language and themes, from the editable
-- seeds empathy_language and text_themes, matched as whole words in the text's detected language.
-- Single-word terms are matched on tokens (a hash join; prefix terms on their first three letters), which
-- keeps 25k reviews in about a second; only the few multi-word terms ("took the time", "à l'écoute") go
-- through a regex.
-- Incremental: a text is matched once per lexicon version (a hash of both seeds), so a daily run matches
-- only the day's new texts and an edited seed re-matches everything. Every matched text keeps at least one
-- row (lexicon 'none' when it uses no term), which is how a run knows it was matched.
{{ config(**incremental_by_key(
    'content_hash',
    post_hook="delete from {{ this }} where content_hash not in (select content_hash from {{ ref('int_text_corpus') }})"
)) }}

with

terms as (

    select 'empathy_language' as lexicon, polarity as label, {{ matchable_text('term') }} as term, language
    from {{ ref('empathy_language') }}

    union all

    select 'theme', theme, {{ matchable_text('term') }}, language
    from {{ ref('text_themes') }}

),

lexicon_version as (

    select md5({{ ordered_string_agg("concat_ws('|', lexicon, label, term, language)", 'chr(10)', 'lexicon, label, term, language') }})
        as lexicon_version
    from terms

),

corpus as (

    select distinct content_hash, language, {{ matchable_text('text') }} as text
    from {{ ref('int_text_corpus') }}
    {% if is_incremental() %}
    where content_hash not in (
        select content_hash from {{ this }} where lexicon_version = (select lexicon_version from lexicon_version)
    )
    {% endif %}

),

classified_terms as (

    select
        *,
        replace(term, '*', '') as stem,
        right(term, 1) = '*' as is_prefix,
        {{ regex_contains("replace(term, '*', '')", regex_literal('[^\pL]')) }} as is_phrase
    from terms

),

split as (

    select content_hash, language, {{ regex_split('text', regex_literal('[^\pL]+')) }} as words
    from corpus

),

tokens as (

    select content_hash, language, {{ explode_with_position('words', 'word', 'pos') }}
    from split

),

-- Words that negate an empathy term up to two words later ("did not listen", "n'a pas écouté"); the
-- apostrophe splits "didn't" into "didn" + "t".
negators as (

    select content_hash, pos
    from tokens
    where word in ('not', 'never', 'no', 'nobody', 'without', 'didn', 'doesn', 'don', 'wasn', 'weren', 'isn',
                   'couldn', 'wouldn', 'won', 'pas', 'jamais', 'aucun', 'aucune', 'sans')

),

word_hits as (

    select tokens.content_hash, tokens.pos, t.lexicon, t.label, t.term
    from tokens
    inner join classified_terms as t
        on tokens.language = t.language
        and tokens.word = t.stem
    where not t.is_phrase and not t.is_prefix

    union all

    select tokens.content_hash, tokens.pos, t.lexicon, t.label, t.term
    from tokens
    inner join classified_terms as t
        on tokens.language = t.language
        and left(tokens.word, 3) = left(t.stem, 3)
        and left(tokens.word, length(t.stem)) = t.stem
    where not t.is_phrase and t.is_prefix

),

word_matches as (

    select
        word_hits.content_hash,
        word_hits.lexicon,
        word_hits.label,
        word_hits.term,
        count(negators.pos) > 0 as negated
    from word_hits
    left join negators
        on word_hits.content_hash = negators.content_hash
        and negators.pos between word_hits.pos - 3 and word_hits.pos - 1
    group by word_hits.content_hash, word_hits.pos, word_hits.lexicon, word_hits.label, word_hits.term

),

-- Multi-word terms: text and term with every run of non-letters as one space, so a whole-word match is a
-- plain substring test (a regex per text × term pair was minutes on 25k reviews).
spaced as (

    select content_hash, language, ' ' || trim({{ regex_replace_all('text', regex_literal('[^\pL]+'), "' '") }}) || ' ' as text
    from corpus

),

phrase_terms as (

    select
        *,
        ' ' || trim({{ regex_replace_all('stem', regex_literal('[^\pL]+'), "' '") }}) || case when is_prefix then '' else ' ' end as needle
    from classified_terms
    where is_phrase

),

phrase_hits as {{ cte_materialized() }} (

    select spaced.content_hash, spaced.text, t.lexicon, t.label, t.term, t.needle
    from spaced
    inner join phrase_terms as t
        on spaced.language = t.language
        and contains(spaced.text, t.needle)

),

phrase_matches as (

    select
        content_hash,
        lexicon,
        label,
        term,
        {{ regex_contains(
            'text',
            regex_literal(' (not|never|no|nobody|without|didn|doesn|don|wasn|weren|isn|couldn|wouldn|won|pas|jamais|aucun|aucune|sans)( \pL+){0,2}')
            ~ ' || rtrim(needle)'
        ) }} as negated
    from phrase_hits

),

hits as (

    select distinct
        content_hash,
        lexicon,
        -- "did not listen" is anti-empathy language, not empathy.
        case when lexicon = 'empathy_language' and label = 'empathy' and negated then 'anti_empathy'
             else label end as label,
        term,
        negated
    from (select * from word_matches union all select * from phrase_matches) as matches

),

unmatched as (

    select content_hash, 'none' as lexicon, cast(null as {{ dbt.type_string() }}) as label, cast(null as {{ dbt.type_string() }}) as term, false as negated
    from corpus
    where content_hash not in (select content_hash from hits)

),

final as (

    select *, (select lexicon_version from lexicon_version) as lexicon_version
    from (select * from hits union all select distinct * from unmatched) as matched

)

select * from final
