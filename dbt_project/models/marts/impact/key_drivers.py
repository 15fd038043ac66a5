"""Key drivers of eNPS, engagement, NPS and churn with their uncertainty (docs/impact.md, "Key drivers"; D92-D93).

Respondent-level survey answers stay inside the warehouse: only org-level importances (n >= the survey threshold)
and published teams leave it. The statistics live in dagster_project/impact/drivers.py.

The NPS answers and the customers reach pandas counted (`drivers.counted`): one row per distinct combination of what the
regressions read, with how many answers or customers have it, not one row per answer or customer (D657).
"""

from dagster_project.impact import drivers


def model(dbt, session):
    dbt.config(materialized="table")
    threshold = int(dbt.config.get("survey_min_respondents"))
    answers = dbt.ref("int_employee_survey_answers").project(
        "respondent_id, wave, team, dimension, question_id, scored"
    )
    published = (
        dbt.ref("int_employee_survey_cell_suppression")
        .filter("breakdown = 'team' and measure_kind = 'dimension' and not suppressed")
        .project("wave, measure as dimension, group_value as team")
    )
    responses = dbt.ref("int_customer_responses_segmented").filter("survey_type = 'NPS'")
    texts = dbt.ref("int_text_scored").filter("text_kind = 'survey_comment'").project("text_id, themes")
    nps = responses.join(texts, "response_id = text_id", how="left").project("score, touchpoint, channel, themes")
    nps = drivers.counted(nps, "score, touchpoint, channel, themes")
    customers = dbt.ref("int_customer_lifecycle").project("customer_id, is_lost, segment, channel")
    negative = (
        dbt.ref("int_customer_responses_segmented")
        .filter(
            f"(survey_type = 'NPS' and score <= {float(dbt.config.get('nps_detractor_max'))})"
            f" or (survey_type = 'CSAT' and score <= {float(dbt.config.get('csat_bottom_box_max'))})"
        )
        .aggregate("customer_id, list(distinct touchpoint) as negative_touchpoints")
    )
    themes = (
        dbt.ref("int_text_scored")
        .filter("text_kind = 'survey_comment' and len(themes) > 0")
        .project("customer_id, unnest(themes) as theme")
        .aggregate("customer_id, list(distinct theme) as themes")
    )
    per_customer = (
        customers.join(negative, "customer_id", how="left")
        .join(themes, "customer_id", how="left")
        .project(
            "is_lost, segment, channel, list_sort(negative_touchpoints) AS negative_touchpoints, "
            "list_sort(themes) AS themes"
        )
    )
    per_customer = drivers.counted(per_customer, "is_lost, segment, channel, negative_touchpoints, themes")
    rows = drivers.employee_drivers(answers.df(), published.df(), threshold)
    rows += drivers.nps_drivers(
        nps.df(), float(dbt.config.get("nps_promoter_min")), float(dbt.config.get("nps_detractor_max"))
    )
    rows += drivers.churn_drivers(per_customer.df())
    return drivers.key_drivers(rows)
