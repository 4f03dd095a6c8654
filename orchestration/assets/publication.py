"""Publish (write-audit-publish) and the exports of the published copy."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from expectations.gate import last_run
from orchestration.resources import PlanwatchResource
from planwatch.publish.publisher import publish_exports, publish


class GateNotPassed(Exception):
    pass


def build_publish_assets(mart_keys: list[AssetKey]):
    @asset(name="published_warehouse", group_name="publish", deps=mart_keys,
           description="What dashboards and BI tools read, replaced atomically only after every error-level quality "
                       "check passed: the published DuckDB file; on PostgreSQL also the schema `published` (a "
                       "schema swap, read-only BI role), on Spark the published Parquet folder.")
    def published_warehouse(context: AssetExecutionContext, planwatch: PlanwatchResource) -> MaterializeResult:
        settings = planwatch.settings()
        gate = last_run(settings)
        if gate is None or gate.run_id != context.run.run_id or not gate.passed:  # blocking checks stop us first
            raise GateNotPassed("the quality gate has not passed for the current build; nothing published")
        path = publish(settings)
        return MaterializeResult(metadata={"path": str(path), "target": settings.target, "gate_run_id": gate.run_id,
                                           "warnings": len(gate.failed_warnings)})

    @asset(name="exports", group_name="publish", deps=[published_warehouse],
           description="Every published mart as Parquet, as CSV that Excel opens (UTF-8 with BOM), and SDMX-CSV 2.0.")
    def exports(planwatch: PlanwatchResource) -> MaterializeResult:
        result = publish_exports(planwatch.settings())
        return MaterializeResult(metadata={"folder": str(result.folder), "tables": len(result.tables),
                                           "files": len(result.files)})

    return [published_warehouse, exports]
