"""Exports of every mart (Parquet, CSV for Excel, SDMX-CSV), written after the marts are built."""

from dagster import AssetKey, MaterializeResult, asset

from orchestration.resources import PlanwatchResource
from planwatch.publish.exports import export_folder, write_exports


def build_exports_asset(mart_keys: list[AssetKey]):
    @asset(name="exports", group_name="publish", deps=mart_keys,
           description="Every mart as Parquet, as CSV that Excel opens (UTF-8 with BOM), and SDMX-CSV 2.0 for "
                       "observations and targets.")
    def exports(planwatch: PlanwatchResource) -> MaterializeResult:
        settings = planwatch.settings()
        result = write_exports(settings.warehouse, export_folder(settings))
        return MaterializeResult(metadata={"folder": str(result.folder), "tables": len(result.tables),
                                           "files": len(result.files)})

    return exports
