"""The one Definitions object of planwatch: `dagster dev -m orchestration.definitions` loads `defs`.

`defs` is lazy (`@dagster.definitions`): importing this module builds nothing, so the command line and the
tests call `build_definitions(settings)` against a home of their own, and the code location builds it from the
environment when Dagster loads it.
"""

from __future__ import annotations

import dagster
from dagster import AssetSelection, Definitions, colored_console_logger, define_asset_job, in_process_executor

from orchestration.assets.landing import landing_loads
from orchestration.assets.publication import build_publish_assets
from orchestration.assets.quality_checks import build_quality_checks
from orchestration.assets.transform import build_dbt_assets
from orchestration.progress import progress_logger
from orchestration.resources import PlanwatchDbtCli, PlanwatchResource
from orchestration.schedules import build_schedules
from orchestration.sensors import build_failure_sensor, build_landing_sensor
from planwatch.dbt_project import prepared_dbt_project
from planwatch.settings import Settings, get_settings

MAIN_JOB = "planwatch_main"


def build_definitions(settings: Settings) -> Definitions:
    project = prepared_dbt_project(settings)
    dbt_assets = build_dbt_assets(project)
    publish_assets = build_publish_assets([key for key in dbt_assets.keys if key.path[0] == "marts"])
    main_job = define_asset_job(
        MAIN_JOB,
        selection=AssetSelection.all(),
        description="Load landing files, seed the plan, build staging → marts, run dbt tests, validate (Great "
                    "Expectations), publish, export.",
        # the steps run one after another on one warehouse file (DuckDB: one writer): one process for the whole
        # run, instead of a process per step that would each import the code location again
        executor_def=in_process_executor,
    )
    return Definitions(
        assets=[landing_loads, dbt_assets, *publish_assets],
        asset_checks=build_quality_checks(),
        jobs=[main_job],
        schedules=build_schedules(settings, main_job),
        sensors=[build_landing_sensor(settings, main_job), build_failure_sensor(settings)],
        resources={
            "dbt": PlanwatchDbtCli.for_project(project),
            "planwatch": PlanwatchResource.from_settings(settings),
        },
        # runs the daemon launches name no logger and get Dagster's default; `planwatch run` picks these
        loggers={"console": colored_console_logger, "planwatch_progress": progress_logger},
    )


@dagster.definitions
def defs() -> Definitions:
    return build_definitions(get_settings())
