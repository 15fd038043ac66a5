{#- Text analytics helpers (docs/text_analytics.md). -#}

{#- The text that was scored: trimmed, non-empty, several columns joined by a line break. MUST build the same
    string as dagster_project/text/store.py scored_text_sql, since the content hash joins texts to their
    scores; the relationships test on int_text_corpus.content_hash fails if the two drift apart. -#}
{% macro scored_text(columns) -%}
    nullif(concat_ws(chr(10), {% for c in columns %}nullif(trim({{ c }}), ''){{ ", " if not loop.last }}{% endfor %}), '')
{%- endmacro %}

{#- Lower case, typographic apostrophes as plain ones: what the lexicon terms are matched against. -#}
{% macro matchable_text(expr) -%}
    lower(replace({{ expr }}, '’', ''''))
{%- endmacro %}

{#- A sentiment label as a tone: positive 1, neutral 0, negative -1, unscored / missing NULL. -#}
{% macro label_tone(label) -%}
    case {{ label }} when 'positive' then 1 when 'neutral' then 0 when 'negative' then -1 end
{%- endmacro %}
