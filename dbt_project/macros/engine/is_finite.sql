{#- Whether a double is a number other than NaN and ±infinity (NULL stays NULL): Spark has no isfinite. -#}
{% macro is_finite(expr) -%}
    {{ return(adapter.dispatch('is_finite', 'empathy_lake')(expr)) }}
{%- endmacro %}

{% macro default__is_finite(expr) -%}
    isfinite({{ expr }})
{%- endmacro %}

{% macro spark__is_finite(expr) -%}
    (not isnan({{ expr }}) and abs({{ expr }}) < cast('Infinity' as double))
{%- endmacro %}
