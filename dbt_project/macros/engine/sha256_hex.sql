{#- Why: DuckDB spells the SHA-256 hex digest sha256(x), Spark sha2(x, 256); both return lower-case hex. -#}
{% macro sha256_hex(expr) -%}
    {{ return(adapter.dispatch('sha256_hex', 'empathy_lake')(expr)) }}
{%- endmacro %}

{% macro default__sha256_hex(expr) -%}
    sha256({{ expr }})
{%- endmacro %}

{% macro spark__sha256_hex(expr) -%}
    sha2({{ expr }}, 256)
{%- endmacro %}
