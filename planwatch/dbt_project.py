"""The dbt project as Dagster sees it, with its manifest prepared automatically.

`@dbt_assets` reads manifest.json when the code location is imported, so a new user must never have to run
`dbt parse` by hand: `prepared_dbt_project()` re-parses whenever a dbt source file changed since the last
parse (content fingerprint), and otherwise reuses the manifest under PLANWATCH_HOME.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from planwatch.settings import REPO_ROOT, Settings, export_env
from planwatch.warehouse_access import writes_warehouse

DBT_SOURCE_GLOBS = ("dbt_project.yml", "profiles.yml", "models/**/*", "seeds/**/*", "macros/**/*",
                    "tests/dbt/**/*")


def dbt_fingerprint(root: Path = REPO_ROOT) -> str:
    digest = hashlib.sha256()
    for pattern in DBT_SOURCE_GLOBS:
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def prepared_dbt_project(settings: Settings):
    """The DbtProject (dagster-dbt, imported here only: the release commands need the fingerprint, not Dagster)."""
    from dagster_dbt import DbtProject

    export_env(settings)
    project = DbtProject(project_dir=REPO_ROOT, profiles_dir=REPO_ROOT, target_path=settings.dbt_target_path)
    stamp = settings.dbt_target_path / ".planwatch_fingerprint"
    fingerprint = f"{dbt_fingerprint()} {settings.target}"  # the manifest records the target's adapter
    current = stamp.read_text() if stamp.exists() else ""
    if current != fingerprint or not project.manifest_path.exists():
        project.preparer.prepare(project)
        stamp.write_text(fingerprint)
    return project


def unit_test_stamp(settings: Settings) -> Path:
    return settings.home / "state" / "dbt_unit_tests_passed"


def unit_tests_passed(settings: Settings, root: Path = REPO_ROOT) -> bool:
    """Whether dbt's unit tests already passed for this project on this target. A unit test runs a model's SQL on
    fixed inputs: its result is a function of the code alone, so a run repeats them only when the dbt project
    changed (dbt's own advice is to keep them out of production builds; here they still run on every change,
    and `make test` and a bare `planwatch dbt build` run them always). 2.5 s of the plan-size build (issue 21)."""
    stamp = unit_test_stamp(settings)
    return stamp.exists() and stamp.read_text() == f"{dbt_fingerprint(root)} {settings.target}"


def record_unit_tests_passed(settings: Settings, fingerprint: str) -> None:
    """`fingerprint`: the project's as the build that ran the unit tests started (a change made during the build is
    not taken for tested)."""
    stamp = unit_test_stamp(settings)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(f"{fingerprint} {settings.target}")


# A data test with this tag checks what a run has already proven before dbt reaches it: the key of
# stg_raw__observations (a projection of raw.observation) is GE's blocking raw gate check raw_observation_key_unique,
# run on every row before dbt in every run; the key of fct_indicator_observation (a projection view of
# int_observations__vintages) is the key test of the store it projects, run just before it. Each tagged test runs
# with the unit tests, on the first build of a version of the project, and in every bare `planwatch dbt build`.
# At national scale they re-read 19 million rows each (4.1 s of the new year's critical path, and 3.4 s beside it).
PROVEN_BEFORE_IN_A_RUN = "proven_before_in_a_run"


def build_args_for_a_run(settings: Settings) -> tuple[list[str], str | None]:
    """dbt build's arguments as a run gives them: without the unit tests and the tests tagged
    PROVEN_BEFORE_IN_A_RUN when the unit tests passed for this version of the project on this target; else with
    them, and the fingerprint to record (record_unit_tests_passed) once they pass. The Dagster asset and the bench's
    dbt stage both build this way."""
    if unit_tests_passed(settings):
        return ["build", "--exclude-resource-type", "unit_test", "--exclude", f"tag:{PROVEN_BEFORE_IN_A_RUN}"], None
    return ["build"], dbt_fingerprint()


@writes_warehouse
def run_dbt(settings: Settings, args: list[str]) -> int:
    """Run dbt in process with planwatch's settings (warehouse path, target and log folders)."""
    from dbt.cli.main import dbtRunner

    export_env(settings)
    if settings.target == "spark":  # a PostgreSQL metastore's tables exist before dbt's Spark opens it
        from planwatch.targets.spark import ensure_metastore

        ensure_metastore(settings)
    result = dbtRunner().invoke(list(args))
    return 0 if result.success else 1
