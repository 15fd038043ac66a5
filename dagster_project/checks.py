"""Asset checks written here: row conservation of every loader. (dbt tests arrive as checks through
dagster-dbt; Great Expectations suites through dagster_project.quality.)"""

import dagster as dg

from dagster_project.assets.raw import raw_asset_key
from dagster_project.contract import Entity, load_contract
from dagster_project.resources import LakeResource

CONSERVATION_SQL = """
    SELECT l.source_file, l.rows_read, l.rows_loaded, l.rows_quarantined,
           coalesce(r.n, 0) AS stored_loaded, coalesce(q.n, 0) AS stored_quarantined
    FROM meta.ingestion_ledger l
    LEFT JOIN (SELECT _source_file, count(*) AS n FROM {table} GROUP BY 1) r ON r._source_file = l.source_file
    LEFT JOIN (SELECT source_file, count(*) AS n FROM meta.quarantine WHERE entity = $entity GROUP BY 1) q
           ON q.source_file = l.source_file
    WHERE l.entity = $entity
      AND (l.rows_read <> l.rows_loaded + l.rows_quarantined
           OR coalesce(r.n, 0) <> l.rows_loaded OR coalesce(q.n, 0) <> l.rows_quarantined)
"""


def build_conservation_check(entity: Entity) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(entity),
        name="conservation",
        blocking=True,
        description="Every row read is either in the raw table or in quarantine, per file, as recorded in "
        "the ingestion ledger: nothing is lost silently and nothing is counted twice.",
    )
    def _check(lake: LakeResource) -> dg.AssetCheckResult:
        with lake.connect() as con:
            broken = con.execute(CONSERVATION_SQL.format(table=entity.raw_table), {"entity": entity.name}).fetchall()
            totals = con.execute(
                "SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
                "coalesce(sum(rows_quarantined), 0), count(*) FROM meta.ingestion_ledger WHERE entity = ?",
                [entity.name],
            ).fetchone()
        return dg.AssetCheckResult(
            passed=not broken,
            metadata={
                "rows_read": totals[0],
                "rows_loaded": totals[1],
                "rows_quarantined": totals[2],
                "files": totals[3],
                "files_not_conserved": "\n".join(str(row) for row in broken) or "none",
            },
        )

    return _check


conservation_checks = [build_conservation_check(e) for e in load_contract().entities.values()]
