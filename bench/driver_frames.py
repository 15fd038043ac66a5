"""Memory of key_drivers' Python side at a larger scale, without building that scale: its two customer-sized
frames (NPS answers with their comment themes; customers with their negative touchpoints and themes) read from a
built warehouse with every row repeated `--times` times (new keys per copy), then the model's own statistics
(dagster_project/impact/drivers.py) run on them. Each part runs in a fresh process; printed: rows, the frame's
resident memory, and the process's peak while the statistics ran.

    uv run python -m bench.driver_frames /tmp/lake/warehouse/build.duckdb --times 500     # 10M tickets' sizes

The frames are counted as key_drivers.py counts them (`drivers.counted`: one row per distinct combination of what
the regressions read, with its number of rows, D657). Before D657 they held one row per answer and per customer:
run this module from a checkout before it to measure that.

The SQL is key_drivers.py's relations written out (same filters, joins and columns); dbt's `nps_promoter_min`
and `nps_detractor_max` / `csat_bottom_box_max` defaults are taken from dbt_project.yml.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import yaml

from bench.speed import REPO

NPS_SQL = """
SELECT r.score, r.touchpoint, r.channel, t.themes
FROM staging.int_customer_responses_segmented r
LEFT JOIN (SELECT text_id, themes FROM staging.int_text_scored WHERE text_kind = 'survey_comment') t
  ON r.response_id = t.text_id, range({times})
WHERE r.survey_type = 'NPS'
"""
CUSTOMERS_SQL = """
WITH negative AS (
  SELECT customer_id, list(DISTINCT touchpoint) AS negative_touchpoints
  FROM staging.int_customer_responses_segmented
  WHERE (survey_type = 'NPS' AND score <= {detractor_max}) OR (survey_type = 'CSAT' AND score <= {csat_max})
  GROUP BY customer_id),
themes AS (
  SELECT customer_id, list(DISTINCT theme) AS themes
  FROM (SELECT customer_id, unnest(themes) AS theme FROM staging.int_text_scored
        WHERE text_kind = 'survey_comment' AND len(themes) > 0)
  GROUP BY customer_id)
SELECT c.customer_id || '-' || range AS customer_id, c.is_lost, c.segment, c.channel, n.negative_touchpoints,
       t.themes
FROM staging.int_customer_lifecycle c LEFT JOIN negative n USING (customer_id) LEFT JOIN themes t USING (customer_id),
     range({times})
"""


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


NPS_COLUMNS = "score, touchpoint, channel, themes"
CUSTOMER_COLUMNS = "is_lost, segment, channel, negative_touchpoints, themes"
# key_drivers.py sorts each customer's lists before counting, so one set of touchpoints or themes is one value.
CUSTOMER_SORTED = (
    "is_lost, segment, channel, list_sort(negative_touchpoints) AS negative_touchpoints, list_sort(themes) AS themes"
)


def part(build_db: str, which: str, times: int) -> dict:
    import duckdb

    from dagster_project.impact import drivers

    variables = yaml.safe_load((REPO / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    before = _rss_mb()
    with duckdb.connect(build_db, read_only=True) as con:
        if which == "nps":
            relation = drivers.counted(con.sql(NPS_SQL.format(times=times)), NPS_COLUMNS)
        else:
            sql = CUSTOMERS_SQL.format(
                times=times, detractor_max=variables["nps_detractor_max"], csat_max=variables["csat_bottom_box_max"]
            )
            relation = drivers.counted(con.sql(sql).project(CUSTOMER_SORTED), CUSTOMER_COLUMNS)
        frame = relation.df()
    frame_mb = _rss_mb() - before
    started = time.process_time()
    if which == "nps":
        rows = drivers.nps_drivers(frame, float(variables["nps_promoter_min"]), float(variables["nps_detractor_max"]))
    else:
        rows = drivers.churn_drivers(frame)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "part": which,
        "times": times,
        "rows": len(frame),
        "stands_for": int(frame[drivers.ROWS].sum()),
        "frame_mb": round(frame_mb),
        "peak_mb": round(peak),
        "cpu_s": round(time.process_time() - started, 1),
        "driver_rows": len(rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_db")
    parser.add_argument("--times", type=int, nargs="+", default=[1, 500])
    parser.add_argument("--part", choices=["nps", "customers"], help="(internal) one part in this process")
    args = parser.parse_args(argv)
    if args.part:
        print(json.dumps(part(args.build_db, args.part, args.times[0])))
        return 0
    for times in args.times:
        for which in ("nps", "customers"):
            cmd = [sys.executable, "-m", "bench.driver_frames", args.build_db, "--times", str(times), "--part", which]
            out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"× {times:4d} {which:9} rows {r['rows']:>10,} (of {r['stands_for']:>10,})  "
                f"frame {r['frame_mb']:6,} MB  "
                f"process peak {r['peak_mb']:6,} MB  statistics CPU {r['cpu_s']:6.1f} s",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
