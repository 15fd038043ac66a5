{#- First contact resolution, one definition for every support mart (var fcr_definition, docs/kpi_definitions.md):
    'first_contact' = solved within the customer's first contact and never reopened; 'one_touch' (Zendesk) =
    solved with at most one public agent reply and never reopened. True/false per ticket; count it over
    resolved tickets. -#}
{% macro resolved_first_time(contacts, agent_replies, reopen_count) -%}
    {%- if var('fcr_definition') == 'one_touch' -%}
    coalesce({{ agent_replies }}, 0) <= 1 and coalesce({{ reopen_count }}, 0) = 0
    {%- else -%}
    coalesce({{ contacts }}, 1) = 1 and coalesce({{ reopen_count }}, 0) = 0
    {%- endif -%}
{%- endmacro %}
