"""Key drivers of eNPS, engagement, NPS and churn with their uncertainty (docs/impact.md, "Key drivers"; D92-D93).

Respondent-level survey answers stay inside the warehouse: only org-level importances (n >= the survey threshold)
and published teams leave it. The statistics live in dagster_project/impact/drivers.py.

The NPS answers and the customers reach pandas counted (`drivers.counted`): one row per distinct combination of what the
regressions read, with how many answers or customers have it, not one row per answer or customer (D657).
"""

from dagster_project.engine_frames import frame, table
from dagster_project.impact import drivers


def model(dbt, session):
    dbt.config(materialized="table")
    threshold = int(dbt.config.get("survey_min_respondents"))
    answers = frame(
        session,
        "select respondent_id, wave, team, dimension, question_id, scored from {answers}",
        answers=dbt.ref("int_employee_survey_answers"),
    )
    published = frame(
        session,
        "select wave, measure as dimension, group_value as team from {cells} "
        "where breakdown = 'team' and measure_kind = 'dimension' and not suppressed",
        cells=dbt.ref("int_employee_survey_cell_suppression"),
    )
    nps = frame(
        session,
        drivers.counted_query(
            "select r.score, r.touchpoint, r.channel, t.themes from {responses} r left join "
            "(select text_id, themes from {texts} where text_kind = 'survey_comment') t on r.response_id = t.text_id "
            "where r.survey_type = 'NPS'",
            "score, touchpoint, channel, themes",
        ),
        responses=dbt.ref("int_customer_responses_segmented"),
        texts=dbt.ref("int_text_scored"),
    )
    # Lists in SQL both engines accept: array_agg, flatten, array_distinct, cardinality (not DuckDB's list() and
    # unnest, which Spark lacks). An element's order in a list does not matter to the fits.
    per_customer = frame(
        session,
        drivers.counted_query(
            "select c.is_lost, c.segment, c.channel, array_sort(n.negative_touchpoints) as negative_touchpoints, "
            "array_sort(t.themes) as themes from {customers} c "
            "left join (select customer_id, array_agg(distinct touchpoint) as negative_touchpoints from {responses} "
            f"where (survey_type = 'NPS' and score <= {float(dbt.config.get('nps_detractor_max'))}) "
            f"or (survey_type = 'CSAT' and score <= {float(dbt.config.get('csat_bottom_box_max'))}) "
            "group by customer_id) n on c.customer_id = n.customer_id "
            "left join (select customer_id, array_distinct(flatten(array_agg(themes))) as themes from {texts} "
            "where text_kind = 'survey_comment' and cardinality(themes) > 0 group by customer_id) t "
            "on c.customer_id = t.customer_id",
            "is_lost, segment, channel, negative_touchpoints, themes",
        ),
        customers=dbt.ref("int_customer_lifecycle"),
        responses=dbt.ref("int_customer_responses_segmented"),
        texts=dbt.ref("int_text_scored"),
    )
    rows = drivers.employee_drivers(answers, published, threshold)
    rows += drivers.nps_drivers(
        nps, float(dbt.config.get("nps_promoter_min")), float(dbt.config.get("nps_detractor_max"))
    )
    rows += drivers.churn_drivers(per_customer)
    return table(session, drivers.key_drivers(rows))
