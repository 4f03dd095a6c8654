"""One benchmark stage, run in a process of its own so that its wall time and peak memory are its own.

    python -m bench.stage planwatch load      # planwatch's loader over the landing folder
    python -m bench.stage planwatch dbt_build # dbt build (seeds, models, data and unit tests)
    python -m bench.stage planwatch quality   # the Great Expectations gate (23 checks)
    python -m bench.stage planwatch publish   # the published copy and the mart exports
    python -m bench.stage planwatch pipeline  # the whole job through Dagster (`planwatch run`)
    python -m bench.stage planwatch dashboard # the dashboard's own queries (dashboard/data.py)
    python -m bench.stage floor <load|build|quality|publish|dashboard>

Environment (set by bench/run.py): PLANWATCH_HOME, PLANWATCH_SEEDS, PLANWATCH_LANDING, PLANWATCH_BUNDLED_DATA,
PLANWATCH_EXPECTED_YEAR, and BENCH_FLOOR_DIR for the floor. Prints one JSON line: rows processed and, for
the dashboard, the latency of every query.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

DASHBOARD_ROUNDS = 40


def _dashboard_params(regions: list[dict], indicators: list[str], rng: random.Random) -> list[tuple[str, list]]:
    """The dashboard's calls, with the parameters a user would pick: the plan region, a province, a county."""
    nation = next(r["region_code"] for r in regions if not r["parent_region_code"].strip())
    parents = [r["region_code"] for r in regions if r["level"] in ("nation", "province", "prefecture")]
    counties = [r["region_code"] for r in regions if r["level"] == "county"]
    indicator = rng.choice(indicators)
    return [
        ("scorecard", [rng.choice([nation, rng.choice(counties)])]),
        ("progress_series", [indicator, rng.choice(counties)]),
        ("county_comparison", [indicator, rng.randint(2021, 2025), rng.choice(parents)]),
        ("provenance", [indicator, rng.choice(counties), rng.randint(2016, 2025)]),
    ]


def run_dashboard(system: str) -> dict:
    from bench.floor import dashboard_query
    from planwatch.plan_pack import seed_rows
    from planwatch.settings import get_settings

    settings = get_settings()
    regions = seed_rows(settings.seeds, "regions")
    indicators = [r["indicator_code"] for r in seed_rows(settings.seeds, "plan_indicators")]
    rng = random.Random(7)
    if system == "planwatch":
        from dashboard import data

        calls = {"scorecard": data.scorecard, "progress_series": data.progress_series,
                 "county_comparison": data.county_comparison, "provenance": data.provenance}
        run = lambda name, params: len(calls[name](*params))  # noqa: E731
    else:
        published = Path(os.environ["BENCH_FLOOR_DIR"]) / "published"
        run = lambda name, params: dashboard_query(published, name, params)  # noqa: E731
    latencies: dict[str, list[float]] = {}
    rows = 0
    for _ in range(DASHBOARD_ROUNDS):
        for name, params in _dashboard_params(regions, indicators, rng):
            start = time.perf_counter()
            rows += run(name, params)
            latencies.setdefault(name, []).append((time.perf_counter() - start) * 1000)
    return {"rows": rows, "latencies_ms": latencies}


def run_planwatch(stage: str) -> dict:
    from planwatch.settings import export_env, get_settings

    settings = get_settings()
    export_env(settings)
    if stage == "load":
        from planwatch.ingest.loader import load_files

        from planwatch.ingest.loader import landing_files

        # each vintage is a submission of its own, in the order they are released (files of one call that
        # disagree on a value would be a conflict, held for the sender to settle)
        files = landing_files(settings.landing)
        summaries = [load_files(settings, [p for p in files if p.name.startswith(f"v{vintage}_")])
                     for vintage in sorted({p.name.split("_", 1)[0][1:] for p in files})]
        for summary in summaries:
            if summary.errors:
                raise SystemExit(summary.render())
        return {"rows": sum(s.total("rows_read") for s in summaries),
                "loaded": sum(s.total("rows_loaded") for s in summaries),
                "quarantined": sum(s.total("rows_quarantined") for s in summaries)}
    if stage == "dbt_build":
        from planwatch.dbt_project import build_args_for_a_run, record_unit_tests_passed, run_dbt

        # as a run builds: the unit tests on the first build of this version of the project, not on the next
        args, fingerprint = build_args_for_a_run(settings)
        if run_dbt(settings, [*args, "--quiet"]) != 0:
            raise SystemExit("dbt build failed")
        if fingerprint is not None:
            record_unit_tests_passed(settings, fingerprint)
        return {"rows": _count(settings, "marts.fct_indicator_observation")}
    if stage == "quality":
        from expectations.gate import run_gate

        # as a run validates: everything on the first build, what changed on the next (bench/run.py sets
        # BENCH_SCOPED_GATE for the new year, whose report the bench does not write: no final-report audit)
        gate = run_gate(settings, scoped=os.environ.get("BENCH_SCOPED_GATE") == "1")
        if not gate.passed:
            raise SystemExit(gate.render())
        return {"rows": _count(settings, "raw.observation")}
    if stage == "publish":
        from planwatch.publish.publisher import publish, publish_exports
        from planwatch.release.releases import release_candidate

        publish(settings)  # the candidate file
        release_candidate(settings)  # the release: its changes against the last one, served by one rename
        publish_exports(settings)
        return {"rows": _count(settings, "marts.fct_indicator_observation")}
    if stage == "load_early_vintages":  # untimed set-up of the pipeline case: vintages 1 and 2 arrived earlier
        from planwatch.ingest.loader import landing_files, load_files

        files = landing_files(settings.landing)
        for vintage in ("1", "2"):
            load_files(settings, [p for p in files if p.name.startswith(f"v{vintage}_")])
        return {"rows": _count(settings, "raw.observation")}
    if stage == "pipeline":
        from orchestration.main_job import run_main_job

        if run_main_job(settings) != 0:
            raise SystemExit("planwatch run failed")
        return {"rows": _count(settings, "raw.observation")}
    if stage == "dashboard":
        return run_dashboard("planwatch")
    raise SystemExit(f"unknown stage {stage}")


def run_floor(stage: str) -> dict:
    from bench import floor
    from planwatch.settings import get_settings

    settings = get_settings()
    base = Path(os.environ["BENCH_FLOOR_DIR"])
    base.mkdir(parents=True, exist_ok=True)
    warehouse = base / "floor.duckdb"
    if stage == "load":
        return {"rows": floor.stage_load(warehouse, settings.seeds, settings.landing)}
    if stage == "build":
        return {"rows": floor.stage_build(warehouse)}
    if stage == "quality":
        return {"rows": floor.stage_quality(warehouse)}
    if stage == "publish":
        return {"rows": floor.stage_publish(warehouse, base / "published")}
    if stage == "dashboard":
        return run_dashboard("floor")
    raise SystemExit(f"unknown stage {stage}")


def _count(settings, table: str) -> int:
    import duckdb

    # not read_only: dbt-duckdb keeps its (read-write) connection open in this process after dbt build
    with duckdb.connect(str(settings.warehouse)) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


if __name__ == "__main__":
    system, stage = sys.argv[1], sys.argv[2]
    result = run_planwatch(stage) if system == "planwatch" else run_floor(stage)
    print("BENCH_RESULT " + json.dumps(result))
