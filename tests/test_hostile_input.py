"""Hostile and accidental input beyond one file's cells: links, files that change while they load, values that
would silently replace the current one, the value parser and the row accounting under generated input
(hypothesis), and disk-full. Each through the real loader into a real DuckDB file; the single-file cases are in
test_ingest_corpus.py, one writer at a time and recovery in test_one_writer.py."""

from __future__ import annotations

import hashlib
import os
import resource
import threading
from decimal import Decimal
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from conftest import planwatch_cli
from planwatch.ingest import load_files
from planwatch.settings import get_settings

HEADER = "指标,地区,年份,数值,单位,状态,来源,备注\n"
COUNTIES = ["440703", "440704", "440705", "440781", "440783", "440784", "440785", "440700"]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def one(warehouse: Path, sql: str, params=None):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_a_link_out_of_the_landing_folder_is_reported_and_not_followed(tmp_path):
    settings = get_settings(home=tmp_path / "home")
    secret = write(tmp_path / "outside" / "secret.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,机密\n")
    inside = write(settings.landing / "台山市" / "ok.csv", HEADER + "城镇新增就业人数,台山市,2021,0.5,万人,,,\n")
    (settings.landing / "link.csv").symlink_to(secret)
    (settings.landing / "folder_link").symlink_to(secret.parent, target_is_directory=True)
    (settings.landing / "dangling.csv").symlink_to(tmp_path / "nothing.csv")
    summary = load_files(settings)
    by_name = {f.name: f for f in summary.files}
    assert by_name["ok.csv"].status == "loaded" and inside.exists()
    for name in ("link.csv", "folder_link", "dangling.csv"):
        assert by_name[name].status == "error" and "symbolic link" in by_name[name].error_en
    assert "secret.csv" not in by_name  # the linked folder was not walked
    assert one(settings.warehouse, "select count(*) from raw.quarantine where raw_value like '%机密%'")[0][0] == 0
    assert one(settings.warehouse, "select list(file_name) from raw.load_file")[0][0] == ["ok.csv"]


def test_a_file_replaced_while_it_loads_keeps_its_content_and_checksum_together(tmp_path):
    """While the loader reads, another process keeps replacing the file with another version. Whatever version
    was read, the checksum stored is that version's and the values are that version's: the bytes are read once."""
    versions = {}
    for value in ("4.6", "4.7"):
        text = HEADER + "".join(f"城镇新增就业人数,{c},{y},{value},万人,,,\n" for c in COUNTIES for y in range(2016, 2031))
        versions[hashlib.sha256(text.encode()).hexdigest()] = (text, Decimal(value))
    texts = [text for text, _ in versions.values()]
    target = tmp_path / "landing" / "changing.csv"
    write(target, texts[0])
    stop = threading.Event()

    def keep_replacing():
        i = 0
        while not stop.is_set():
            i += 1
            staged = target.with_name(f".staged{i % 2}")
            staged.write_text(texts[i % 2], encoding="utf-8")
            os.replace(staged, target)

    writer = threading.Thread(target=keep_replacing)
    writer.start()
    try:
        for attempt in range(6):
            settings = get_settings(home=tmp_path / f"home{attempt}")
            (result,) = load_files(settings, [target]).files
            assert result.status == "loaded"
            sha, values = one(settings.warehouse, "select file_sha256, (select list(distinct value) from "
                                                  "raw.observation) from raw.load_file")[0]
            assert sha in versions and values == [versions[sha][1]]
            kept = settings.home / "archive" / "files" / f"{sha}.csv"
            assert hashlib.sha256(kept.read_bytes()).hexdigest() == sha  # what recovery would load again
    finally:
        stop.set()
        writer.join()


def test_an_old_preliminary_file_sent_after_the_final_figure_is_history_and_a_query(tmp_path):
    settings = get_settings(home=tmp_path / "home")
    load_files(settings, [write(tmp_path / "final.csv", HEADER + "城镇新增就业人数,江门市,2021,4.65,万人,最终,,\n")])
    resent = write(tmp_path / "preliminary_resaved.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,初步,,\n")
    (result,) = load_files(settings, [resent]).files
    assert (result.status, result.rows_loaded, result.held) == ("loaded", 1, 1)
    assert one(settings.warehouse, "select kind, load_id, year, holds from raw.review_query") == [
        ("status_downgrade", result.load_id, 2021, True)]
    assert one(settings.warehouse, "select status from raw.submission_event where load_id = ? "
                                   "order by happened_at desc limit 1", [result.load_id]) == [("queried",)]
    # a revision that says so is a revision: it becomes current without a query
    revised = write(tmp_path / "revised.csv", HEADER + "城镇新增就业人数,江门市,2021,4.66,万人,修订,,\n")
    (result,) = load_files(settings, [revised]).files
    assert (result.rows_loaded, result.held) == (1, 0)


def test_two_files_of_one_call_that_disagree_are_both_held(tmp_path):
    settings = get_settings(home=tmp_path / "home")
    load_files(settings, [write(tmp_path / "before.csv", HEADER + "城镇新增就业人数,江门市,2021,4.5,万人,,,\n")])
    a = write(tmp_path / "a.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n城镇登记失业率,江门市,2021,2.4,%,,,\n")
    b = write(tmp_path / "z.csv", HEADER + "城镇新增就业人数,江门市,2021,4.7,万人,,,\n城镇登记失业率,江门市,2021,2.4,%,,,\n")
    first, second = load_files(settings, [a, b]).files
    assert (first.rows_loaded, second.rows_loaded, second.rows_duplicate, second.held) == (2, 1, 1, 1)
    holds = one(settings.warehouse, "select load_id, kind, indicator_code from raw.review_query order by load_id")
    assert sorted(holds) == sorted([(first.load_id, "batch_conflict", "URBAN_NEW_JOBS"),
                                    (second.load_id, "batch_conflict", "URBAN_NEW_JOBS")])
    assert "z.csv" in one(settings.warehouse, "select detail_en from raw.review_query where load_id = ?",
                          [first.load_id])[0][0] or "a.csv" in one(
        settings.warehouse, "select detail_en from raw.review_query where load_id = ?", [second.load_id])[0][0]


# ------------------------------------------------------------------------------------------------ properties
def _fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789.,", "０１２３４５６７８９．，"))


@st.composite
def written_counts(draw):
    """A head count in persons as a statistician may type it, and the value in 万人 it means."""
    persons = draw(st.integers(min_value=0, max_value=99_999_999))
    style = draw(st.sampled_from(["plain", "thousands", "fullwidth", "wan", "with_unit", "spaces"]))
    if style == "plain":
        return str(persons), "人", Decimal(persons) / 10000
    if style == "thousands":
        return f'"{persons:,}"', "人", Decimal(persons) / 10000
    if style == "fullwidth":
        return _fullwidth(str(persons)), "人", Decimal(persons) / 10000
    if style == "wan":
        wan = Decimal(persons) / 100  # two decimals of 万人
        return f"{wan / 100:.4f}", "万人", (wan / 100).quantize(Decimal("0.0001"))
    if style == "with_unit":
        return f"{persons}人", "", Decimal(persons) / 10000
    return f" {persons} ", "人", Decimal(persons) / 10000


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(written_counts(), min_size=1, max_size=40))
def test_the_value_parser_reads_every_way_a_number_is_written(tmp_path_factory, values):
    home = tmp_path_factory.mktemp("parser")
    keys = [(county, year) for county in COUNTIES for year in range(2016, 2031)]
    lines = [f"URBAN_NEW_JOBS,{county},{year},{text},{unit},,,\n" for (county, year), (text, unit, _) in zip(keys, values)]
    path = write(home / "values.csv", HEADER + "".join(lines))
    settings = get_settings(home=home / "home")
    (result,) = load_files(settings, [path]).files
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (len(values), len(values), 0)
    stored = dict(((r, y), v) for r, y, v in one(settings.warehouse, "select region_code, year, value "
                                                                     "from raw.observation"))
    for key, (text, _, expected) in zip(keys, values):
        assert stored[key] == expected.quantize(Decimal("0.000001")), text


ROW_PARTS = {
    "indicator": ["城镇新增就业人数", "URBAN_NEW_JOBS", "城镇登记失业率", "新增外星人数", "", "=A1"],
    "region": ["江门市", "蓬江区", "440705", "火星", ""],
    "year": ["2021", "2022年", "2016-2020", "2040", "二〇二一", ""],
    "value": ["4.6", "4.7", "-1", "不详", "", "1,2", "101"],
    "unit": ["", "万人", "%", "千人"],
    "status": ["", "初步", "最终", "估计"],
}


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in ROW_PARTS.items()}), min_size=1,
                     max_size=60))
def test_every_record_read_is_loaded_a_duplicate_or_quarantined(tmp_path_factory, rows):
    home = tmp_path_factory.mktemp("accounting")
    lines = [f"{r['indicator']},{r['region']},{r['year']},{r['value']},{r['unit']},{r['status']},,\n" for r in rows]
    path = write(home / "mixed.csv", HEADER + "".join(lines))
    settings = get_settings(home=home / "home")
    (result,) = load_files(settings, [path]).files
    records = sum(1 for r in rows if any(r.values()))  # a line of empty cells is a blank row, reported apart
    assert result.rows_read == records
    assert result.rows_read == result.rows_loaded + result.rows_duplicate + result.rows_quarantined
    assert result.blank_rows == len(rows) - records
    stored = one(settings.warehouse, "select (select count(*) from raw.observation), "
                                     "(select count(*) from raw.quarantine), (select rows_read from raw.load_file)")
    assert stored == [(result.rows_loaded, result.rows_quarantined, result.rows_read)]


# ------------------------------------------------------------------------------------------------ disk full
def test_a_full_disk_is_one_message_and_the_warehouse_stays_as_it_was(tmp_path):
    home = tmp_path / "home"
    good = write(tmp_path / "good.csv", HEADER + "城镇新增就业人数,江门市,2021,4.6,万人,,,\n")
    planwatch_cli("load", str(good), home=home)
    before = one(home / "warehouse" / "planwatch.duckdb", "select count(*) from raw.observation")
    big = write(tmp_path / "big.csv", HEADER + "".join(f"城镇新增就业人数,{c},{y},{i}.5,万人,,,{'备注' * 40}\n"
                                                       for i in range(2000) for c in COUNTIES[:1] for y in [2022]))

    def small_disk():  # every file this process writes stops growing at 64 KiB, as on a full disk
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))

    import subprocess

    from conftest import PLANWATCH

    env = {**os.environ, "PLANWATCH_HOME": str(home)}
    full = subprocess.run([str(PLANWATCH), "load", str(big)], env=env, capture_output=True, text=True,
                          preexec_fn=small_disk, timeout=300)
    assert full.returncode != 0
    assert "Traceback" not in full.stdout + full.stderr
    assert "磁盘已满" in full.stderr and "disk is full" in full.stderr, full.stderr[-2000:]
    assert one(home / "warehouse" / "planwatch.duckdb", "select count(*) from raw.observation") == before
