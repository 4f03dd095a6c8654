"""What changes when planwatch runs on a Spark cluster (issue 23): the national pack at one scale (10 % by default),
the whole job (`planwatch run` through Dagster) on three engines in one sitting — DuckDB, local Spark and a Spark
standalone cluster of two workers on 127.0.0.1 with a PostgreSQL metastore — and, for each Spark run, where the
time goes, from Spark's history server and PostgreSQL's statistics:

- per application (the raw tables' declaration, the raw loads' gate, dbt, the quality gate, publish): its wall
  time, the part inside Spark jobs, the rest on the driver (planning, catalog calls, starting executors), tasks,
  shuffle written and read;
- the metastore: transactions and server time in its database (pg_stat_database);
- small files: the Parquet files and their mean size of the largest tables.

    python -m bench.spark_cluster --scale 0.1      # make bench-spark; writes bench/spark_cluster.json

The section it writes is part of BENCHMARKS.md (bench/run.py renders it from that file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from bench.local_servers import (get_json, pg_query, spark_history_server, spark_standalone_cluster, tasks_per_worker,
                                 throwaway_postgres, wait_for_applications)
from bench.run import _env, generate_pack, machine, run_stage
from planwatch.settings import REPO_ROOT

RESULTS = REPO_ROOT / "bench" / "spark_cluster.json"
WORKERS, WORKER_CORES = 2, 1
# the same memory for Spark on both: local Spark is the driver alone; on the cluster the driver plans and each
# executor computes
LOCAL_DRIVER_MEMORY = "4g"
CLUSTER = {"driver": "1g", "executor": "1500m", "worker": "2g"}
LARGE_TABLES = ("int_observations__vintages", "fct_indicator_observation", "int_plan_progress__spine",
                "fct_plan_progress", "fct_progress_assessment")


def _apps_summary(history: str, apps: list[str]) -> list[dict]:
    """Each application's wall time, time inside its jobs, tasks and shuffle, from the history server."""
    listed = {a["id"]: a for a in wait_for_applications(history, apps)}
    rows = []
    for app in sorted(apps, key=lambda a: listed[a]["attempts"][0]["startTimeEpoch"]):  # in the run's order
        attempt = listed[app]["attempts"][0]
        jobs = get_json(f"{history}/applications/{app}/jobs")
        stages = get_json(f"{history}/applications/{app}/stages")
        in_jobs_ms = 0
        for job in jobs:
            if job.get("submissionTime") and job.get("completionTime"):
                in_jobs_ms += _ms(job["completionTime"]) - _ms(job["submissionTime"])
        rows.append({
            "app": app, "name": listed[app]["name"], "wall_s": round(attempt["duration"] / 1000, 1),
            "in_jobs_s": round(in_jobs_ms / 1000, 1), "jobs": len(jobs), "stages": len(stages),
            "tasks": sum(s["numCompleteTasks"] for s in stages),
            "shuffle_write_mib": round(sum(s["shuffleWriteBytes"] for s in stages) / 2**20, 1),
            "shuffle_read_mib": round(sum(s["shuffleReadBytes"] for s in stages) / 2**20, 1),
            "executor_run_s": round(sum(s["executorRunTime"] for s in stages) / 1000, 1),
        })
    return rows


def _ms(stamp: str) -> int:
    """Spark's REST time ('2026-12-06T23:44:12.361GMT') in milliseconds."""
    return int(datetime.strptime(stamp.replace("GMT", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000)


def _files(spark_dir: Path) -> dict[str, dict]:
    """The Parquet files of the largest tables and their mean size (small files cost a task and a listing each)."""
    out = {}
    for table in LARGE_TABLES:
        folders = list((spark_dir / "warehouse").glob(f"*.db/{table}"))
        files = [f for folder in folders for f in folder.rglob("*.parquet")]
        if files:
            size = sum(f.stat().st_size for f in files)
            out[table] = {"files": len(files), "mean_kib": round(size / len(files) / 1024, 1),
                          "mib": round(size / 2**20, 1)}
    return out


def _metastore_stats(server: dict) -> dict:
    rows = pg_query(server, "postgres", "select xact_commit + xact_rollback, active_time from pg_stat_database "
                                        "where datname = 'planwatch_metastore'")
    transactions, active_ms = rows[0] if rows else (0, 0.0)
    return {"transactions": int(transactions), "server_time_s": round(float(active_ms or 0) / 1000, 1)}


def _run(label: str, env: dict) -> dict:
    print(f"  {label}: loading vintages 1–2 (not timed), then `planwatch run` …", flush=True)
    run_stage("planwatch", "load_early_vintages", env)
    return run_stage("planwatch", "pipeline", env)


def bench_engines(scale: float, work: Path) -> dict:
    base = work / f"spark_s{scale:g}"
    pack, landing, generated, _ = generate_pack(scale, base)
    result = {"scale": scale, "measured_at": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
              "machine": machine(), "observations": generated["observations"], "engines": {}}

    env = _env(base / "duckdb", pack, landing, base / "floor")
    result["engines"]["duckdb"] = {"wall_s": _run("DuckDB", env)["wall_s"]}

    env = {**_env(base / "local", pack, landing, base / "floor"), "PLANWATCH_DBT_TARGET": "spark",
           "PLANWATCH_SPARK_DRIVER_MEMORY": LOCAL_DRIVER_MEMORY}
    with spark_history_server(base / "local_history", base / "local" / "spark" / "events") as history:
        wall = _run("local Spark (local[2], Derby metastore)", env)["wall_s"]
        apps = [a["id"] for a in get_json(f"{history}/applications")]
        result["engines"]["spark_local"] = {"wall_s": wall, "master": "local[2]", "metastore": "derby",
                                            "driver_memory": LOCAL_DRIVER_MEMORY,
                                            "applications": _apps_summary(history, apps),
                                            "files": _files(base / "local" / "spark")}

    with throwaway_postgres() as server, \
            spark_standalone_cluster(base / "cluster_daemons", base / "cluster" / "spark" / "events",
                                     workers=WORKERS, cores=WORKER_CORES, memory=CLUSTER["worker"]) as cluster:
        env = {**_env(base / "cluster", pack, landing, base / "floor"), **server, "PLANWATCH_DBT_TARGET": "spark",
               "PLANWATCH_SPARK_MASTER": cluster["master"], "PLANWATCH_SPARK_DRIVER_MEMORY": CLUSTER["driver"],
               "PLANWATCH_SPARK_EXECUTOR_MEMORY": CLUSTER["executor"], "PLANWATCH_SPARK_EXECUTOR_CORES": "1"}
        wall = _run(f"Spark cluster ({WORKERS} workers × {WORKER_CORES} core, PostgreSQL metastore)", env)["wall_s"]
        apps = [a["id"] for a in get_json(cluster["master_json"])["completedapps"]]
        result["engines"]["spark_cluster"] = {
            "wall_s": wall, "master": f"standalone, {WORKERS} workers × {WORKER_CORES} core",
            "metastore": "postgres", "driver_memory": CLUSTER["driver"], "executor_memory": CLUSTER["executor"],
            "applications": _apps_summary(cluster["history"], apps),
            "tasks_per_worker": tasks_per_worker(cluster, apps),
            "metastore_stats": _metastore_stats(server), "files": _files(base / "cluster" / "spark")}
    return result


def render_cluster(result: dict) -> list[str]:
    """The BENCHMARKS.md section."""
    engines = result["engines"]
    duck = engines["duckdb"]["wall_s"]
    lines = [f"## Spark on a cluster (scale {result['scale']:g}, measured {result['measured_at']}): "
             f"{result['observations']:,} observations, `planwatch run` through Dagster", "",
             "Reproduce with `make bench-spark` (`bench/spark_cluster.py`). Each row is a fresh home that already "
             "holds vintages 1–2; the run loads vintage 3 and builds, validates and publishes everything.", "",
             "| engine | metastore | memory | `planwatch run` s | vs DuckDB |", "|---|---|---|---:|---:|",
             f"| DuckDB (the embedded file) | — | 3 GB limit | {duck:.1f} | 1.00× |"]
    for key, label in (("spark_local", "Spark local[2] (driver only)"),
                       ("spark_cluster", f"Spark standalone, {WORKERS} workers × {WORKER_CORES} core")):
        e = engines.get(key)
        if e:
            memory = (f"driver {e['driver_memory']}" if key == "spark_local"
                      else f"driver {e['driver_memory']}, executors {e['executor_memory']}")
            lines.append(f"| {label} | {e['metastore']} | {memory} | {e['wall_s']:.1f} | {e['wall_s'] / duck:.2f}× |")
    for key, label in (("spark_local", "local Spark"), ("spark_cluster", "the cluster")):
        e = engines.get(key)
        if not e:
            continue
        lines += ["", f"Where the time goes on {label} (Spark's history server; a gate's jobs overlap, so its time "
                      "in jobs can reach its wall time):", "",
                  "| application | wall s | in Spark jobs s | on the driver s | jobs | tasks | executor run s | "
                  "shuffle write MiB | shuffle read MiB |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for a in e["applications"]:
            lines.append(f"| {a['name']} ({a['app']}) | {a['wall_s']:.1f} | {a['in_jobs_s']:.1f} | "
                         f"{max(0.0, a['wall_s'] - a['in_jobs_s']):.1f} | {a['jobs']} | {a['tasks']} | {a['executor_run_s']:.1f} | "
                         f"{a['shuffle_write_mib']:.1f} | {a['shuffle_read_mib']:.1f} |")
        if e.get("files"):
            lines += ["", "Files of the largest tables: " + "; ".join(
                f"`{t}` {f['files']} files, {f['mib']} MiB (mean {f['mean_kib']} KiB)" for t, f in e["files"].items())
                + "."]
        if e.get("metastore_stats"):
            m = e["metastore_stats"]
            lines.append(f"Metastore (PostgreSQL `planwatch_metastore`, the whole run): {m['transactions']:,} "
                         f"transactions, {m['server_time_s']} s of server time.")
        if e.get("tasks_per_worker"):
            per_worker: dict[str, int] = {}
            for tasks in e["tasks_per_worker"].values():
                for where, n in tasks.items():
                    per_worker[where] = per_worker.get(where, 0) + n
            lines.append("Tasks by where they ran: " + ", ".join(f"{w} {n:,}" for w, n in sorted(per_worker.items()))
                         + ".")
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "planwatch-bench")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    result = bench_engines(args.scale, args.work)
    args.results.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print("\n".join(render_cluster(result)), flush=True)
    print(f"wrote {args.results}; `python -m bench.run --render-only` puts it in BENCHMARKS.md", file=sys.stderr)


if __name__ == "__main__":
    main()
