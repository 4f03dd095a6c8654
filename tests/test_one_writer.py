"""One writer at a time, and the way back from a damaged working file — started as users start them: the
`planwatch` command from a folder outside the repository, against a home whose name holds a quote.

1. A run holds the warehouse; two loads and a publish started meanwhile wait (saying so), then finish: no
   traceback, no DuckDB lock error, every load's rows accounted for.
2. A command that cannot wait long enough stops with one bilingual message and exit 75; nothing changed.
3. The working file is damaged: a command says so once and names `planwatch recover`; recover restores the
   copy taken at the last release and loads again, under their own ids, the files received since; the next
   run publishes again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb

import pytest

from conftest import PLANWATCH, planwatch_cli

pytestmark = pytest.mark.faults  # races and a damaged file: in `make test-faults`, beside the crash points

HEADER = "指标,地区,年份,数值,单位,状态,来源,备注\n"


def start(*args: str, home: Path, cwd: Path, env_extra=None) -> subprocess.Popen:
    env = {**os.environ, "PLANWATCH_HOME": str(home), **(env_extra or {})}
    return subprocess.Popen([str(PLANWATCH), *args], env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def finish(process: subprocess.Popen, timeout: int = 900) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lock_holder(home: Path) -> str:
    try:
        return json.loads((home / "warehouse" / "planwatch.duckdb.lock.holder").read_text(encoding="utf-8"))["task"]
    except (OSError, ValueError, KeyError):
        return ""


def accounted(warehouse: Path) -> list[tuple]:
    """Loads whose counts do not add up or do not match the rows stored (must be none)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("""
            select l.file_name from raw.load_file as l
            where l.rows_read <> l.rows_loaded + l.rows_duplicate + l.rows_quarantined
               or l.rows_loaded <> (select count(*) from raw.observation as o where o.load_id = l.load_id)
               or l.rows_quarantined <> (select count(*) from raw.quarantine as q where q.load_id = l.load_id)
        """).fetchall()


def test_one_writer_at_a_time_and_the_way_back_from_a_damaged_file(tmp_path):
    home = tmp_path / "it's home"  # pasted into SQL unquoted, this name broke every ATTACH and COPY
    elsewhere = tmp_path / "some folder"  # not the repository: paths must not depend on the working directory
    elsewhere.mkdir()
    planwatch_cli("run", home=home, cwd=elsewhere)

    # 1. a run holds the warehouse; loads and a publish wait for it
    write(home / "landing" / "台山市" / "taishan_2026.csv", HEADER + "城镇新增就业人数,台山市,2026,0.52,万人,初步,,\n")
    run = start("run", home=home, cwd=elsewhere)
    deadline = time.monotonic() + 120
    while "Dagster run" not in lock_holder(home) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "Dagster run" in lock_holder(home), "the run never took the warehouse"
    a = write(tmp_path / "a.csv", HEADER + "城镇新增就业人数,开平市,2026,0.41,万人,初步,,\n")
    b = write(tmp_path / "b.csv", HEADER + "城镇新增就业人数,恩平市,2026,0.33,万人,初步,,\n")
    others = [start("load", str(a), home=home, cwd=elsewhere), start("load", str(b), home=home, cwd=elsewhere),
              start("publish", home=home, cwd=elsewhere)]
    outcomes = [finish(run)] + [finish(p) for p in others]
    for code, text in outcomes:
        assert "Traceback" not in text and "Could not set lock" not in text, text[-3000:]
    assert [code for code, _ in outcomes] == [0, 0, 0, 0], [text[-1500:] for _, text in outcomes]
    assert any("等待中" in text and "waiting for another task" in text for _, text in outcomes[1:])
    warehouse = home / "warehouse" / "planwatch.duckdb"
    assert accounted(warehouse) == []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = {r[0] for r in con.execute("select file_name from raw.load_file").fetchall()}
    assert {"taishan_2026.csv", "a.csv", "b.csv"} <= names

    # 2. no wait long enough: one message, exit 75, nothing changed
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time\nfrom planwatch.settings import get_settings\n"
                               "from planwatch.warehouse_access import holding\n"
                               "with holding(get_settings(), write=True, task='a steward\\'s tool'):\n"
                               "    print('held', flush=True); time.sleep(20)\n"],
                              env={**os.environ, "PLANWATCH_HOME": str(home)}, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    c = write(tmp_path / "c.csv", HEADER + "城镇新增就业人数,鹤山市,2026,0.44,万人,初步,,\n")
    busy = planwatch_cli("load", str(c), home=home, cwd=elsewhere, check=False, env_extra={"PLANWATCH_LOCK_WAIT": "1"})
    holder.kill()
    holder.wait()
    assert busy.returncode == 75, busy.stderr
    assert "a steward's tool" in busy.stderr and "另一个任务" in busy.stderr and "Traceback" not in busy.stderr
    planwatch_cli("load", str(c), home=home, cwd=elsewhere)  # and once the holder is gone, it loads

    # 3. the working file is damaged after the last release
    d = write(tmp_path / "d.csv", HEADER + "城镇新增就业人数,新会区,2026,0.61,万人,初步,,\n")
    planwatch_cli("load", str(d), home=home, cwd=elsewhere)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute("select load_id, file_name, rows_loaded from raw.load_file order by load_id").fetchall()
    with open(warehouse, "r+b") as f:  # a disk error: the header and the first blocks overwritten
        f.write(os.urandom(64 << 10))
    broken = planwatch_cli("load", str(write(tmp_path / "e.csv", HEADER + "城镇新增就业人数,蓬江区,2026,1.1,万人,初步,,\n")),
                           home=home, cwd=elsewhere, check=False)
    assert broken.returncode != 0 and "Traceback" not in broken.stdout + broken.stderr
    assert "planwatch recover" in broken.stderr and "已损坏" in broken.stderr, broken.stderr
    recovered = planwatch_cli("recover", home=home, cwd=elsewhere)
    assert "release" in recovered.stdout
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute("select load_id, file_name, rows_loaded from raw.load_file order by load_id").fetchall()
    assert after == before  # every load back, under its own id, with its own counts
    assert list(home.glob("warehouse/planwatch.duckdb.damaged-*")), "the damaged file is kept, not deleted"
    assert accounted(warehouse) == []
    again = planwatch_cli("run", home=home, cwd=elsewhere)
    assert "Traceback" not in again.stdout + again.stderr
    with duckdb.connect(str(home / "published" / "planwatch.duckdb"), read_only=True) as con:
        regions = {r[0] for r in con.execute(
            "select region_code from marts.fct_indicator_observation where year = 2026").fetchall()}
    assert {"440781", "440783", "440785", "440784", "440705"} <= regions
