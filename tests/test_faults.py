"""Kill the pipeline (SIGKILL to its whole process group) at 22 random points across load, build and
publish; after each kill the published copy is the last good one and opens cleanly, the working warehouse
holds no duplicate rows, and a re-run recovers.

The points are named crash checkpoints (planwatch/faults.py) and random kill times, shuffled with a seeded
generator; the seed is printed so a failure can be replayed (PLANWATCH_FAULT_SEED).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import PLANWATCH

pytestmark = pytest.mark.faults  # a heavy suite: `make test-faults` (CI runs it after `make test`)

RATES = ["URBAN_REG_UNEMP_RATE", "PENSION_INS_RATE", "DISPUTE_MEDIATION_RATE", "ARBITRATION_CLOSURE_RATE",
         "INSPECTION_CLOSURE_RATE"]
REGIONS = ["440700", "440703", "440704", "440705", "440781", "440783", "440784", "440785"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def launch(args: list[str], home: Path, crash: str | None = None, kill_after: float | None = None):
    env = {**os.environ, "PLANWATCH_HOME": str(home), "PLANWATCH_EXPECTED_YEAR": "2025"}
    env.pop("PLANWATCH_CRASH_AT", None)
    if crash:
        env["PLANWATCH_CRASH_AT"] = crash
    process = subprocess.Popen([str(PLANWATCH), *args], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = process.communicate(timeout=kill_after or 600)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the pipeline and every child (dbt) with it
        out, _ = process.communicate()
    return process.returncode, out


def warehouse_is_consistent(home: Path) -> int:
    with duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"), read_only=True) as con:
        total, distinct = con.execute("""
            select count(*), count(distinct (indicator_code, region_code, period_start_year, year, vintage))
            from raw.observation""").fetchone()
        assert total == distinct, "duplicate observation keys"
        per_file = con.execute("""
            select f.file_name, f.rows_loaded, count(o.load_id)
            from raw.load_file f left join raw.observation o using (load_id) group by all
            having f.rows_loaded <> count(o.load_id)""").fetchall()
        assert per_file == [], f"loads that do not match their rows: {per_file}"
        assert con.execute("select count(*) - count(distinct file_sha256) from raw.load_file").fetchone()[0] == 0
        return total


def published_opens(path: Path) -> None:
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_plan_progress").fetchone()[0] > 0


def gate_passed(home: Path) -> bool:
    return json.loads((home / "quality" / "last_run.json").read_text(encoding="utf-8"))["passed"]


def test_sigkill_at_random_points_never_harms_the_published_copy(built_home, tmp_path):
    seed = int(os.environ.get("PLANWATCH_FAULT_SEED", "20261127"))
    rng = random.Random(seed)
    print(f"fault seed {seed}")
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    published = home / "published" / "planwatch.duckdb"
    last_good = sha256(published)

    keys = iter([(indicator, region) for indicator in RATES for region in REGIONS])
    written: list[str] = []

    def new_landing_files(n: int) -> None:
        for _ in range(n):
            indicator, region = next(keys)
            name = f"fault_{len(written):02d}_{indicator}_{region}.csv"
            (home / "landing" / name).write_text(
                f"指标,地区,年份,数值,单位,状态\n{indicator},{region},2026,{90 + len(written) / 10:.2f},%,preliminary\n",
                encoding="utf-8")
            written.append(name)

    points = (
        [("load", ["load"], f"load.before_commit#{n}", None) for n in (1, 2)] * 2
        + [("load", ["load"], f"load.after_commit#{n}", None) for n in (1, 2)] * 2
        + [("load", ["load"], f"load.{when}_commit#3", None) for when in ("before", "after")]
        + [("build", ["dbt", "build"], None, rng.uniform(2.0, 7.0)) for _ in range(5)]
        + [("publish", ["publish"], point, None) for point in (
            "gate.before_history", "publish.after_checkpoint", "publish.after_copy", "publish.after_rename",
            "exports.before_swap")]
        + [("run", ["run"], None, rng.uniform(6.0, 30.0))]
        + [("run", ["run"], "publish.after_copy", None)]
    )
    rng.shuffle(points)
    kills = 0
    for stage, args, crash, kill_after in points:
        if stage in ("load", "run"):
            new_landing_files(3)
        code, out = launch(args, home, crash=crash, kill_after=kill_after)
        kills += code == -signal.SIGKILL
        where = f"{stage} {crash or f'after {kill_after:.1f}s'} (seed {seed})"
        # the published copy is the last good one, or a newer one published after a passed gate
        published_opens(published)
        if sha256(published) != last_good:
            assert gate_passed(home), f"{where}: published changed without a passed gate"
            last_good = sha256(published)
        warehouse_is_consistent(home)
        # a re-run of the same step recovers
        code, out = launch(args, home)
        assert code == 0, f"{where}: re-run failed\n{out[-3000:]}"
        warehouse_is_consistent(home)
        published_opens(published)
        last_good = sha256(published)
    assert kills >= 20, f"only {kills} of {len(points)} runs were killed"
    code, out = launch(["run"], home)
    assert code == 0, out[-3000:]
    total = warehouse_is_consistent(home)
    with duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"), read_only=True) as con:
        loaded = {r[0] for r in con.execute("select file_name from raw.load_file").fetchall()}
        assert set(written) <= loaded
        assert con.execute("select count(*) from raw.observation where year = 2026").fetchone()[0] == len(written)
    assert total > 0
    published_opens(published)
