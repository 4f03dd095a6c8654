"""The nothing-changed record (planwatch/run_inputs.py): what moves it, on a real DuckDB file."""

import os

import duckdb

from planwatch.run_inputs import nothing_changed, record_complete_run
from planwatch.settings import get_settings


def _home(tmp_path):
    settings = get_settings(home=tmp_path)
    settings.ensure_dirs()
    settings.landing.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("create schema raw; create table raw.load_file (file_sha256 varchar)")
    return settings


def test_a_recorded_run_with_nothing_new_is_recognised_and_each_input_moves_it(tmp_path, monkeypatch):
    settings = _home(tmp_path)
    assert nothing_changed(settings) is None  # no complete run yet
    record_complete_run(settings, "run-1", {"release": 1, "finished_at": "now"})
    assert nothing_changed(settings)["run_id"] == "run-1"

    # a file the warehouse has not loaded is new; once its content is in raw.load_file it is not
    new = settings.landing / "2025_台山市.csv"
    new.write_text("指标,地区,年份,数值\n", encoding="utf-8")
    assert nothing_changed(settings) is None
    from planwatch.ingest.loader import file_sha256

    with duckdb.connect(str(settings.warehouse)) as con:
        con.execute("insert into raw.load_file values (?)", [file_sha256(new)])
    # that insert wrote the warehouse (a `planwatch load`): a run now has work to do
    assert nothing_changed(settings) is None
    record_complete_run(settings, "run-2", {"release": 2, "finished_at": "now"})
    assert nothing_changed(settings)["run_id"] == "run-2"

    # the bundled folder is written by the job itself from data/, so it is not a new submission
    (settings.landing / "bundled").mkdir()
    (settings.landing / "bundled" / "x.csv").write_text("a\n", encoding="utf-8")
    assert nothing_changed(settings) is not None

    # a changed setting (here the release policy) rebuilds
    with monkeypatch.context() as patched:
        patched.setenv("PLANWATCH_RELEASE_POLICY", "approve")
        assert nothing_changed(get_settings(home=tmp_path)) is None
    assert nothing_changed(settings) is not None

    # the warehouse touched by any other writer (same size, a later mtime) rebuilds
    stat = settings.warehouse.stat()
    os.utime(settings.warehouse, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert nothing_changed(settings) is None


def test_dbt_unit_tests_are_repeated_only_for_a_changed_project_or_target(tmp_path, monkeypatch):
    """A unit test's result is a function of the dbt project alone: the run skips them once they passed for this
    project on this target, and runs them again for another target or a changed project (a copy of the project's
    dbt files, one model edited)."""
    import shutil

    from planwatch.dbt_project import (DBT_SOURCE_GLOBS, PROVEN_BEFORE_IN_A_RUN, build_args_for_a_run, dbt_fingerprint,
                                       record_unit_tests_passed, unit_tests_passed)
    from planwatch.settings import REPO_ROOT

    project = tmp_path / "project"
    for pattern in DBT_SOURCE_GLOBS:
        for path in REPO_ROOT.glob(pattern):
            if path.is_file():
                (project / path.relative_to(REPO_ROOT)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, project / path.relative_to(REPO_ROOT))
    settings = get_settings(home=tmp_path / "home")
    assert not unit_tests_passed(settings, project)
    record_unit_tests_passed(settings, dbt_fingerprint(project))
    assert unit_tests_passed(settings, project)
    # the run's build then leaves out the unit tests and the key tests a run proves before dbt reaches them
    assert build_args_for_a_run(settings)[0][1:] == ["--exclude-resource-type", "unit_test",
                                                     "--exclude", f"tag:{PROVEN_BEFORE_IN_A_RUN}"]
    monkeypatch.setenv("PLANWATCH_DBT_TARGET", "postgres")
    assert not unit_tests_passed(get_settings(home=tmp_path / "home"), project)
    monkeypatch.delenv("PLANWATCH_DBT_TARGET")
    model = next(project.glob("models/marts/*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert not unit_tests_passed(settings, project)
