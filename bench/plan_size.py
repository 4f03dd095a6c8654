"""The plan-size benchmark: where an office waits, on the bundled Jiangmen data (issue 21).

Every measurement is a command a person types, in a fresh process, on one warehouse that already holds the bundled
data (the office's second and later runs, not the first install):

- `planwatch run` after a county sends a revised file (the run with work: load, gate, dbt build, gate, publish,
  exports, the report) against a bare `planwatch dbt build` of the same project right after it, in pairs;
- `planwatch run` with nothing new (most nightly runs);
- `planwatch load FILE` of one county file against a bare DuckDB `read_csv` of the same file (Python start, the
  import of duckdb and a table written to a DuckDB file included in both).

Where the run's time goes comes from its own log: Dagster's step durations, and the rest (start, imports, the
code location, the run's set-up and end) as the difference to the wall time.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from planwatch.settings import REPO_ROOT

PAIRS = 3
BARE_READ = ("import sys, duckdb\n"
             "con = duckdb.connect(sys.argv[1])\n"
             "con.execute('create or replace table submission as select * from read_csv(?, header = true)', "
             "[sys.argv[2]])\n"
             "print(con.execute('select count(*) from submission').fetchone()[0])\n")
STEP_LINE = re.compile(r' - (\w+) - STEP_SUCCESS - Finished execution of step "(\w+)" in ([0-9.]+)(ms|s)')


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANWATCH_")}
    env.update(PLANWATCH_HOME=str(home), DO_NOT_TRACK="1", DAGSTER_DISABLE_TELEMETRY="1", GX_ANALYTICS_ENABLED="False")
    return env


def timed(command: list[str], env: dict, expect_rc: int = 0) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != expect_rc:
        raise SystemExit(f"plan size: {' '.join(command)} ended {done.returncode}:\n{done.stdout[-3000:]}\n"
                         f"{done.stderr[-3000:]}")
    return wall, done.stdout


def county_revision(home: Path, county: tuple[str, str], number: int) -> Path:
    """A county's revised rates for 2025 (each a little lower), as the county would send them: a CSV in the landing
    folder's subfolder named after it. Rates only: a county's revised count would no longer add up to the city's,
    a query for the steward rather than a run to time."""
    code, name = county
    bundled = home / "landing" / "bundled" / "synthetic_2021_2025.csv"
    with open(bundled, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    revised = []
    for row in body:
        if row[1] == code and row[2] == "2025" and row[4] == "%":
            value = round(float(row[3]) * (1 - 0.001 * number), 2)
            revised.append([row[0], code, "2025", f"{value:g}", "%", row[5], f"{row[6]} — {name} revision {number}",
                            row[7]])
    if not revised:
        raise SystemExit(f"plan size: no 2025 rates for {code} in {bundled}")
    folder = home / "landing" / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}_2025_revision_{number}.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *revised])
    return path


def step_seconds(run_stdout: str) -> dict[str, float]:
    """The steps of the run just made, from its log (the run prints the log's path)."""
    match = re.search(r"Run log: (\S+)", run_stdout)
    if not match:
        return {}
    steps = {}
    for line in Path(match.group(1)).read_text(encoding="utf-8", errors="replace").splitlines():
        found = STEP_LINE.search(line)
        if found:
            seconds = float(found.group(3)) / (1000 if found.group(4) == "ms" else 1)
            steps[found.group(2)] = round(seconds, 2)
    return steps


def counties() -> list[tuple[str, str]]:
    """The counties of the bundled pack (the commands run with no PLANWATCH_* setting: on the bundled pack), each of
    which sends one revision: the first `pairs` for the runs, the next for the loads."""
    from planwatch.plan_pack import seed_rows

    return [(r["region_code"], r["name_zh"]) for r in seed_rows(REPO_ROOT / "seeds", "regions")
            if r["level"] == "county"]


def bench_plan_size(work: Path, pairs: int = PAIRS) -> dict:
    senders = counties()
    if len(senders) < 2 * pairs:
        raise SystemExit(f"plan size: {pairs} pairs need {2 * pairs} counties, the pack has {len(senders)}")
    home = work / "plan_size"
    shutil.rmtree(home, ignore_errors=True)
    env = _env(home)
    planwatch = str(Path(sys.executable).with_name("planwatch"))
    print("plan size: the first run (not timed) …", flush=True)
    first, _ = timed([planwatch, "run"], env)
    result = {"first_run_s": round(first, 1), "pairs": [], "unchanged_s": [], "loads": []}
    for number in range(pairs):
        county_revision(home, senders[number], number + 1)
        run, out = timed([planwatch, "run"], env)
        build, _ = timed([planwatch, "dbt", "build"], env)
        result["pairs"].append({"run_s": round(run, 2), "dbt_build_s": round(build, 2), "steps": step_seconds(out)})
        print(f"  run {run:6.1f} s   bare dbt build {build:6.1f} s", flush=True)
    timed([planwatch, "run"], env)  # the bare build moved the warehouse: this run rebuilds (not timed)
    for _ in range(pairs):
        unchanged, out = timed([planwatch, "run"], env)
        if "nothing changed" not in out:
            raise SystemExit(f"plan size: a run with nothing new rebuilt:\n{out[-2000:]}")
        result["unchanged_s"].append(round(unchanged, 2))
    print(f"  nothing new {statistics.median(result['unchanged_s']):.2f} s", flush=True)
    scratch = work / "plan_size_bare.duckdb"
    for number in range(pairs, 2 * pairs):
        path = county_revision(home, senders[number], number + 1)
        load, _ = timed([planwatch, "load", str(path)], env)
        scratch.unlink(missing_ok=True)
        read, out = timed([sys.executable, "-c", BARE_READ, str(scratch), str(path)], env)
        result["loads"].append({"load_s": round(load, 2), "bare_read_s": round(read, 2), "rows": int(out.strip())})
        print(f"  load {load:6.2f} s   bare read_csv {read:6.2f} s", flush=True)
    shutil.rmtree(home, ignore_errors=True)
    scratch.unlink(missing_ok=True)
    return result


def summarise_plan_size(result: dict) -> dict:
    run = statistics.median(p["run_s"] for p in result["pairs"])
    build = statistics.median(p["dbt_build_s"] for p in result["pairs"])
    load = statistics.median(p["load_s"] for p in result["loads"])
    read = statistics.median(p["bare_read_s"] for p in result["loads"])
    unchanged = statistics.median(result["unchanged_s"])
    return {"run_s": run, "dbt_build_s": build, "run_ratio": round(run / build, 2), "unchanged_s": unchanged,
            "unchanged_ratio": round(unchanged / build, 3), "load_s": load, "bare_read_s": read,
            "load_ratio": round(load / read, 2)}


def render_plan_size(result: dict, targets: dict) -> list[str]:
    s = summarise_plan_size(result)
    steps = {}
    for pair in result["pairs"]:
        for name, seconds in pair["steps"].items():
            steps.setdefault(name, []).append(seconds)
    step_median = {name: statistics.median(values) for name, values in steps.items()}
    outside = s["run_s"] - sum(step_median.values())
    lines = [
        "## Plan size: the bundled Jiangmen data, as an office runs it",
        "",
        f"One warehouse holding the bundled data (first run {result['first_run_s']:.1f} s, not timed); every "
        f"command a fresh process, {len(result['pairs'])} pairs, medians.",
        "",
        "| what a person runs | planwatch s | bare s | ratio | target | |",
        "|---|---:|---:|---:|---:|---|",
        f"| `planwatch run` after a county's revised file, against a bare `planwatch dbt build` | {s['run_s']:.1f} | "
        f"{s['dbt_build_s']:.1f} | {s['run_ratio']:.2f} | ≤ {targets['run']:.2f} | "
        f"{'met' if s['run_ratio'] <= targets['run'] else '**missed** (see below)'} |",
        f"| `planwatch run` with nothing new | {s['unchanged_s']:.2f} | {s['dbt_build_s']:.1f} | "
        f"{s['unchanged_ratio']:.3f} | ≤ {targets['unchanged']:.2f} | "
        f"{'met' if s['unchanged_ratio'] <= targets['unchanged'] else '**missed**'} |",
        f"| `planwatch load` of one county file, against a bare DuckDB `read_csv` of it | {s['load_s']:.2f} | "
        f"{s['bare_read_s']:.2f} | {s['load_ratio']:.2f} | ≤ {targets['load']:.2f} | "
        f"{'met' if s['load_ratio'] <= targets['load'] else '**missed** (see below)'} |",
        "",
        "Where the run's time goes (Dagster's step durations from the run's log, medians; \"outside the steps\" is "
        "the wall time less the steps: Python start, imports, the code location, the run's set-up and end):",
        "",
        "| part of `planwatch run` | s |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {seconds:.2f} |" for name, seconds in step_median.items()]
    lines += [f"| outside the steps | {outside:.2f} |", ""]
    return lines
