"""Review and release, first part: every load is a submission with a sender and a status history; a county
file with an impossible value goes back to its sender whole, with its error list, while the other files of the
same run are published; a corrected file supersedes it."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from openpyxl import load_workbook

from conftest import planwatch_cli

BAD_XINHUI = ("指标,地区,年份,数值,单位,状态\n"
              "失业保险参保人数,新会区,2024,-5,万人,revised\n"          # impossible: a negative count
              "城镇新增就业人数,新会区,2024,0.91,万人,revised\n")       # fine, but its file goes back whole
CLEAN_CITY = "指标,地区,年份,数值,单位,状态\n城镇登记失业率,江门市,2025,2.31,%,final\n"
FIXED_XINHUI = ("指标,地区,年份,数值,单位,状态\n"
                "失业保险参保人数,新会区,2024,5.02,万人,revised\n"
                "城镇新增就业人数,新会区,2024,0.91,万人,revised\n")


def published(home, sql, params=()):
    with duckdb.connect(str(home / "published" / "planwatch.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


@pytest.fixture(scope="module")
def reviewed_home(built_home, tmp_path_factory):
    """A built home, then one run with a bad 新会区 file (in its county's landing subfolder) and a clean city file."""
    home = tmp_path_factory.mktemp("review") / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("dagster"))
    (home / "landing" / "新会区").mkdir()
    (home / "landing" / "新会区" / "2024_新会区.csv").write_text(BAD_XINHUI, encoding="utf-8")
    (home / "landing" / "2025_江门市.csv").write_text(CLEAN_CITY, encoding="utf-8")
    result = planwatch_cli("run", home=home, check=False)
    return home, result


def test_the_bad_county_file_is_returned_and_the_city_file_published(reviewed_home):
    home, result = reviewed_home
    out = result.stdout + result.stderr
    assert result.returncode == 1, out  # something went back: a scheduler notices
    assert "Traceback" not in out and "everything else was published" in out
    # the clean city file's value is published; none of the returned file's rows is, not even its good one
    assert published(home, "select value::double from marts.fct_indicator_observation where source_file = ?",
                     ["2025_江门市.csv"]) == [(2.31,)]
    assert published(home, "select count(*) from marts.fct_indicator_observation where source_file = ?",
                     ["2024_新会区.csv"]) == [(0,)]
    status = dict(published(home, "select file_name, status from marts.fct_submission "
                                  "where file_name in ('2024_新会区.csv', '2025_江门市.csv')"))
    assert status == {"2024_新会区.csv": "returned", "2025_江门市.csv": "accepted"}
    # the sender is known: the county's landing subfolder
    assert published(home, "select region_code from marts.fct_submission where file_name = '2024_新会区.csv'") == [
        ("440705",)]
    issue = published(home, "select source_row, source_column, raw_value, action, reason_code, reason_en "
                            "from marts.fct_submission_issue i join marts.fct_submission s using (load_id) "
                            "where s.file_name = '2024_新会区.csv'")
    assert issue == [(2, "数值", "-5", "returned", "negative_value",
                      "the value is negative: a count or a rate cannot be")]


def test_the_error_list_goes_back_with_every_row_and_reason(reviewed_home):
    home, result = reviewed_home
    (error_list,) = (home / "receipts").glob("*_2024_新会区/错误清单.xlsx")
    assert str(error_list) in result.stdout + result.stderr
    sheet = load_workbook(error_list)["错误清单"]
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert rows[0] == ("文件 File", "工作表 Sheet", "行 Row", "列 Column", "值 Value", "处理 Action", "原因", "Reason")
    assert rows[1:] == [("2024_新会区.csv", None, 2, "数值", "-5", "退回 returned",
                         "数值为负数：人数、人次和比率不可能为负", "the value is negative: a count or a rate cannot be")]
    assert sheet.freeze_panes == "A2"
    assert (error_list.parent / "load_summary.txt").read_text(encoding="utf-8").startswith("✗ 2024_新会区.csv")


def test_every_record_is_accounted_for_per_submission(reviewed_home):
    home, _ = reviewed_home
    rows = published(home, "select file_name, rows_read, rows_loaded, rows_duplicate, rows_quarantined "
                           "from marts.fct_submission")
    assert len(rows) >= 6
    for name, read, loaded, duplicate, quarantined in rows:
        assert read == loaded + duplicate + quarantined, name


def test_a_corrected_file_supersedes_the_returned_one(reviewed_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(reviewed_home[0], home, ignore=shutil.ignore_patterns("dagster"))
    (home / "landing" / "新会区" / "2024_新会区_更正.csv").write_text(FIXED_XINHUI, encoding="utf-8")
    result = planwatch_cli("run", home=home, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    values = published(home, "select indicator_code, value from marts.fct_indicator_observation "
                             "where source_file = '2024_新会区_更正.csv' and is_latest order by 1")
    # both rows load, the one the returned file also had among them (a returned file's rows never count as sent)
    # in the registry unit (万人), as sent
    assert [(code, float(value)) for code, value in values] == [("UNEMP_INS_PARTICIPANTS", 5.02),
                                                                ("URBAN_NEW_JOBS", 0.91)]
    submissions = dict(published(home, "select file_name, status from marts.fct_submission "
                                       "where file_name like '2024_新会区%'"))
    assert submissions == {"2024_新会区.csv": "superseded", "2024_新会区_更正.csv": "accepted"}
    # and each accepted submission's history ends `published` once a release carried it
    with duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"), read_only=True) as con:
        assert con.execute("select e.status from raw.submission_event e join raw.load_file l using (load_id) "
                           "where l.file_name = '2025_江门市.csv' order by happened_at").fetchall() == [
            ("received",), ("checked",), ("accepted",), ("published",)]
    (by,) = published(home, "select superseded_by from marts.fct_submission where file_name = '2024_新会区.csv'")
    assert by[0] == published(home, "select load_id from marts.fct_submission "
                                    "where file_name = '2024_新会区_更正.csv'")[0][0]


def test_load_ends_non_zero_and_lists_a_quarantined_row(tmp_path):
    home = tmp_path / "home"
    bad = tmp_path / "2025_台山市.csv"
    bad.write_text("指标,地区,年份,数值\n城镇登记失业率,台山市,2025,2.2\n不存在的指标,台山市,2025,3\n", encoding="utf-8")
    result = planwatch_cli("load", str(bad), "--by", "台山市统计员", home=home, check=False)
    out = result.stdout + result.stderr
    assert result.returncode == 1 and "Traceback" not in out
    assert "第 3 行 · 列 指标 · 值 '不存在的指标'" in out and "not in the indicator registry" in out
    with duckdb.connect(str(home / "warehouse" / "planwatch.duckdb"), read_only=True) as con:
        assert con.execute("select distinct sender, region_code from raw.submission_event").fetchall() == [
            ("台山市统计员", "440781")]
        # accepted with its good row: a quarantined row is the sender's to resend, not an impossible value
        assert con.execute("select status from raw.submission_event order by happened_at").fetchall() == [
            ("received",), ("checked",), ("accepted",)]


def test_a_jump_on_last_year_is_held_until_answered_and_a_county_sum_only_asks(built_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(built_home, home, ignore=shutil.ignore_patterns("dagster"))
    (home / "landing" / "2023_台山市.csv").write_text("指标,地区,年份,数值,单位,状态\n"
                                                     "粤菜师傅培训人次,台山市,2023,180,人次,final\n", encoding="utf-8")
    planwatch_cli("load", home=home)
    (home / "landing" / "2024_台山市.csv").write_text("指标,地区,年份,数值,单位,状态\n"
                                                     "粤菜师傅培训人次,台山市,2024,18000,人次,final\n"   # 100 × 2023
                                                     "城镇登记失业率,台山市,2024,2.41,%,final\n", encoding="utf-8")
    (home / "landing" / "2024_江门市.csv").write_text("指标,地区,年份,数值,单位,状态\n"  # counties will not add up
                                                     "城镇新增就业人数,江门市,2024,9.99,万人,final\n", encoding="utf-8")
    held = planwatch_cli("run", home=home, check=False)
    assert held.returncode == 1 and "Traceback" not in held.stdout + held.stderr  # something is held: noticed
    taishan = "select value::double from marts.fct_indicator_observation where is_latest and indicator_code = ? " \
              "and region_code = '440781' and year = 2024"
    assert published(home, taishan, ["YUECAI_CHEF_TRAINING"])[0][0] != 18000  # the previous vintage stays
    assert published(home, taishan, ["URBAN_REG_UNEMP_RATE"]) == [(2.41,)]  # the rest of its file publishes
    assert published(home, "select value::double from marts.fct_indicator_observation where is_latest and "
                           "indicator_code = 'URBAN_NEW_JOBS' and region_code = '440700' and year = 2024") == [(9.99,)]
    listed = planwatch_cli("query", "list", home=home).stdout
    year_on_year = next(line.split()[0] for line in listed.splitlines() if "year_on_year" in line)
    assert "holds YUECAI_CHEF_TRAINING 440781 2024 2024_台山市.csv" in listed and "+9900.0%" in listed
    assert "county_sum" in listed  # asked, holding nothing
    assert published(home, "select status from marts.fct_submission where file_name = '2024_台山市.csv'") == [
        ("queried",)]
    planwatch_cli("answer", year_on_year, "--by", "台山市统计员", "--note", "新增培训基地，全年集中培训", home=home)
    released = planwatch_cli("run", home=home, check=False)
    assert released.returncode == 0, released.stdout[-2000:] + released.stderr[-2000:]
    assert published(home, taishan, ["YUECAI_CHEF_TRAINING"]) == [(18000.0,)]
    # released with the first release after it, every query answered: the last step of its history
    assert published(home, "select status from marts.fct_submission where file_name = '2024_台山市.csv'") == [
        ("published",)]
    answered = published(home, "select status, answered_by, answer from review.query where kind = 'year_on_year'")
    assert answered == [("answered", "台山市统计员", "新增培训基地，全年集中培训")]
