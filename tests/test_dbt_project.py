"""The dbt project's own shape, read from the manifest the run wrote: the layers point one way (staging reads
seeds and sources, intermediate reads staging and intermediate, marts read anything below them and each
other — never back up), and the current plan is decided in one model."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import planwatch_cli
from warehouses import PROGRESS_MODELS

REPO = Path(__file__).resolve().parents[1]


def _layer(node: dict) -> str:
    if node["resource_type"] in ("seed", "source"):
        return "input"
    return node["fqn"][1] if node["resource_type"] == "model" else node["resource_type"]


def _manifest(built_home: Path) -> dict:
    return json.loads((built_home / "dbt" / "target" / "manifest.json").read_text(encoding="utf-8"))


def _generic_test(node: dict) -> str | None:
    """The generic test a manifest node is an instance of (unique, unique_combination_of_columns…); None else."""
    return (node.get("test_metadata") or {}).get("name") if node["resource_type"] == "test" else None


def test_the_layers_point_one_way(built_home):
    manifest = _manifest(built_home)
    nodes = {**manifest["nodes"], **manifest["sources"]}
    allowed = {"staging": {"input"}, "intermediate": {"input", "staging", "intermediate"},
               "marts": {"input", "staging", "intermediate", "marts"}}
    wrong = []
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert {_layer(n) for n in models} == set(allowed)
    for node in models:
        for parent in node["depends_on"]["nodes"]:
            if _layer(nodes[parent]) not in allowed[_layer(node)]:
                wrong.append((node["name"], nodes[parent]["name"]))
    assert wrong == []


def test_a_change_in_the_progress_models_sql_changes_every_fingerprint(built_home):
    """The spine's input_fingerprint includes the checksum of each incremental progress model's SQL (and its own), so
    the first build after that SQL changed rebuilds every row instead of keeping rows the old SQL derived."""
    models = {n["name"]: n for n in _manifest(built_home)["nodes"].values() if n["resource_type"] == "model"}
    # the SQL the builds ran (dagster-dbt gives each dbt invocation a target folder of its own, compiled/ inside; a
    # test on the same worker may have built this home again)
    builds = list((built_home / "dbt" / "target").glob(
        f"*/compiled/planwatch/{models['int_plan_progress__spine']['original_file_path']}"))
    assert builds
    for compiled in (path.read_text(encoding="utf-8") for path in builds):
        for name in ["int_plan_progress__spine"] + [relation.split(".")[1] for relation in PROGRESS_MODELS]:
            assert f"{name}:{models[name]['checksum']['checksum']}" in compiled, name


def test_the_plans_are_placed_once():
    """Only int_plan__periods places the plans (status, monitored, previous plan) and dim_plan picks the one pages
    open on; every other model reads them. The one other ordering by start year is the registry's: an indicator's
    row is the latest plan's that lists it. No macro or model stamps a plan code a table does not
    carry, and nothing decides "the current plan" from the years: the steward's status says it."""
    deciding = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "models").rglob("*.sql")
                      if re.search(r"order by[^)]*\b(start|end)_year", p.read_text(encoding="utf-8")))
    assert deciding == ["models/intermediate/plan/int_plan__periods.sql", "models/marts/dim_plan.sql",
                        "models/staging/plan/stg_plan__indicators.sql"]
    assert not (REPO / "macros" / "plan_codes.sql").exists()
    assert not [p for p in (REPO / "models").rglob("*.sql") if "rank() over (order by" in p.read_text(encoding="utf-8")]


def test_dbt_score_rates_the_project_at_least_9(built_home):
    """dbt-score (PyPI) over the manifest of the run: descriptions, owners, key tests, example SQL, model size."""
    import subprocess
    import sys

    result = subprocess.run([str(Path(sys.executable).with_name("dbt-score")), "lint", "--format", "json",
                             "--manifest", str(built_home / "dbt" / "target" / "manifest.json"),
                             "--fail-project-under", "9.0"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert json.loads(result.stdout)["project"]["score"] >= 9.0


def test_a_non_production_target_builds_in_schemas_of_its_own(tmp_path):
    """`postgres_dev` (a developer against the office's server) prefixes every schema with its own; the production
    targets keep the folder names BI tools connect to. dbt parse needs no server."""
    import os
    import subprocess
    import sys

    from planwatch.plan_pack import seed_names_for_dbt

    def schemas(target: str) -> set[str]:
        # dbt without planwatch in front: the plan pack's seed list is what planwatch would hand it
        env = {**os.environ, "PLANWATCH_DBT_TARGET": target, "PLANWATCH_PG_DEV_SCHEMA": "dev_alice",
               "DBT_TARGET_PATH": str(tmp_path / target), "DBT_LOG_PATH": str(tmp_path / target),
               "PLANWATCH_PLAN_SEEDS": seed_names_for_dbt(REPO / "seeds")}
        subprocess.run([str(Path(sys.executable).with_name("dbt")), "parse", "--quiet", "--profiles-dir",
                        str(REPO), "--project-dir", str(REPO)], env=env, check=True, timeout=300, cwd=REPO)
        manifest = json.loads((tmp_path / target / "manifest.json").read_text(encoding="utf-8"))
        return {n["schema"] for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")}

    assert schemas("postgres_dev") == {"dev_alice_staging", "dev_alice_intermediate", "dev_alice_marts",
                                       "dev_alice_seeds"}
    assert schemas("postgres") == {"staging", "intermediate", "marts", "seeds"}


def test_public_marts_are_versioned_under_their_plain_names(built_home):
    manifest = _manifest(built_home)
    public = [n for n in manifest["nodes"].values() if n["resource_type"] == "model" and n["access"] == "public"
              and n["name"] != "time_spine_daily"]
    assert len(public) == 16
    assert [(n["name"], n["version"], n["latest_version"], n["alias"]) for n in public] == [
        (n["name"], 1, 1, n["name"]) for n in public]


def test_a_breaking_change_keeps_the_previous_version_beside_the_new(tmp_path):
    """A v2 of fct_plan_progress, in a copy of the project: v2 takes the plain name and every ref, v1 is built
    beside it as fct_plan_progress_v1 through its deprecation window, and Dagster keys both by [schema, relation]."""
    import os
    import shutil
    import subprocess
    import sys

    import yaml

    project = tmp_path / "project"
    project.mkdir()
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(REPO / name, project / name)
    for folder in ("models", "macros", "seeds", "analyses", "tests/dbt"):
        shutil.copytree(REPO / folder, project / folder)
    marts = project / "models" / "marts"
    (marts / "fct_plan_progress_v2.sql").write_text(
        (marts / "fct_plan_progress.sql").read_text(encoding="utf-8"), encoding="utf-8")
    properties = yaml.safe_load((marts / "_marts__progress.yml").read_text(encoding="utf-8"))
    model = next(m for m in properties["models"] if m["name"] == "fct_plan_progress")
    model["latest_version"] = 2
    # the old version stays in its file (defined_in), the new one in fct_plan_progress_v2.sql
    model["versions"] = [{"v": 1, "defined_in": "fct_plan_progress", "deprecation_date": "2027-06-30"}, {"v": 2}]
    (marts / "_marts__progress.yml").write_text(yaml.safe_dump(properties, allow_unicode=True), encoding="utf-8")
    from planwatch.plan_pack import seed_names_for_dbt

    env = {**os.environ, "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs"),
           "PLANWATCH_SEEDS": str(project / "seeds"), "PLANWATCH_PLAN_SEEDS": seed_names_for_dbt(project / "seeds")}
    subprocess.run([str(Path(sys.executable).with_name("dbt")), "parse", "--quiet", "--profiles-dir", str(project),
                    "--project-dir", str(project)], env=env, check=True, timeout=300, cwd=project)
    manifest = json.loads((tmp_path / "target" / "manifest.json").read_text(encoding="utf-8"))
    v1, v2 = (manifest["nodes"][f"model.planwatch.fct_plan_progress.v{v}"] for v in (1, 2))
    assert (v1["alias"], v2["alias"]) == ("fct_plan_progress_v1", "fct_plan_progress")
    assert v1["deprecation_date"].startswith("2027-06-30") and v2["deprecation_date"] is None
    # every model that reads the progress mart (rpt_plan_evaluation) reads the new version
    parents = [set(n["depends_on"]["nodes"]) for n in manifest["nodes"].values() if n["resource_type"] == "model"
               and any(p.startswith("model.planwatch.fct_plan_progress.") for p in n["depends_on"]["nodes"])]
    assert parents and all("model.planwatch.fct_plan_progress.v2" in p
                           and "model.planwatch.fct_plan_progress.v1" not in p for p in parents)

    from orchestration.assets.transform import PlanwatchDbtTranslator

    assert {tuple(PlanwatchDbtTranslator().get_asset_key(n).path) for n in (v1, v2)} == {
        ("marts", "fct_plan_progress_v1"), ("marts", "fct_plan_progress")}


def test_a_run_leaves_out_only_key_tests_it_has_proven_before(built_home):
    """The tests a run's build leaves out (planwatch/dbt_project.py PROVEN_BEFORE_IN_A_RUN) are the key tests of
    raw.observation's projection, proven by the blocking raw gate before dbt on every row, and of the view that
    projects the tested observation store; nothing else is left out."""
    from expectations.suites import ALWAYS_WHOLE, ERROR, build_checks
    from planwatch.dbt_project import PROVEN_BEFORE_IN_A_RUN

    manifest = _manifest(built_home)
    left_out = {(_generic_test(n), n.get("attached_node")) for n in manifest["nodes"].values()
                if n["resource_type"] == "test" and PROVEN_BEFORE_IN_A_RUN in n["tags"]}
    assert left_out == {("unique_combination_of_columns", "model.planwatch.stg_raw__observations"),
                        ("unique_combination_of_columns", "model.planwatch.fct_indicator_observation.v1")}
    raw_key = next(c for c in build_checks() if c.name == "raw_observation_key_unique")
    assert (raw_key.suite, raw_key.table, raw_key.severity) == ("raw_loads", "raw.observation", ERROR)
    assert raw_key.name in ALWAYS_WHOLE
    store = manifest["nodes"]["model.planwatch.int_observations__vintages"]
    assert any(n.get("attached_node") == store["unique_id"] and _generic_test(n) == "unique_combination_of_columns"
               and PROVEN_BEFORE_IN_A_RUN not in n["tags"] for n in manifest["nodes"].values())


def test_every_model_has_a_key_test_and_every_column_is_described(built_home):
    """Every model carries a uniqueness test on its key; every model and seed, and each of its columns as the
    warehouse has them, is described in the YAML."""
    import duckdb

    manifest = _manifest(built_home)
    keyed = {parent for n in manifest["nodes"].values() if n["resource_type"] == "test"
             and _generic_test(n) in ("unique", "unique_combination_of_columns")
             for parent in n["depends_on"]["nodes"]}
    nodes = [n for n in manifest["nodes"].values() if n["resource_type"] in ("model", "seed")]
    assert [n["name"] for n in nodes if n["resource_type"] == "model" and n["unique_id"] not in keyed] == []
    with duckdb.connect(str(built_home / "warehouse" / "planwatch.duckdb"), read_only=True) as con:
        built = {}
        for schema, table, column in con.execute(
                "select schema_name, table_name, column_name from duckdb_columns()").fetchall():
            built.setdefault((schema, table), []).append(column)
    undescribed = [(n["name"], None) for n in nodes if not n["description"].strip()]
    for n in nodes:
        columns = built.get((n["schema"], n["alias"]))
        assert columns, n["name"]
        undescribed += [(n["name"], c) for c in columns if not n["columns"].get(c, {}).get("description")]
    assert undescribed == []


def test_the_key_test_fails_on_a_repeated_key_and_names_it(tmp_path, built_home):
    """unique_combination_of_columns (macros/tests/, every model's key test) passes on the built spine and fails,
    naming the key, once one of its rows is there twice."""
    import duckdb

    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    warehouse = home / "warehouse" / "planwatch.duckdb"
    shutil.copy(built_home / "warehouse" / "planwatch.duckdb", warehouse)
    select = ["--select", "int_plan_progress__spine,test_name:unique_combination_of_columns", "--store-failures"]
    assert planwatch_cli("dbt", "test", *select, home=home).returncode == 0
    with duckdb.connect(str(warehouse)) as con:
        key = con.execute("select plan_code, indicator_code, region_code, year from intermediate.int_plan_progress__spine "
                          "order by all limit 1").fetchone()
        con.execute("insert into intermediate.int_plan_progress__spine select * from intermediate.int_plan_progress__spine "
                    "where plan_code = ? and indicator_code = ? and region_code = ? and year = ?", list(key))
    failed = planwatch_cli("dbt", "test", *select, home=home, check=False)
    assert failed.returncode != 0 and "FAIL 1" in failed.stdout, failed.stdout[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_name like 'unique_combination_of_columns%'").fetchall()
        assert len(stored) == 1, stored
        assert con.execute(f'select * from "{stored[0][0]}"."{stored[0][1]}"').fetchall() == [(*key, 2)]
