"""Publish (write-audit-publish), the release it becomes, and the exports of the published copy."""

import duckdb
from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from expectations.gate import last_run
from orchestration.resources import PlanwatchResource
from orchestration.sensors import send_alert
from planwatch.publish.published_copy import published_path
from planwatch.publish.publisher import publish, publish_exports
from planwatch.release.queries import open_mart_queries, queries
from planwatch.release.releases import release_candidate
from planwatch.reports import report_due, write_reports


class GateNotPassed(Exception):
    pass


def build_publish_assets(mart_keys: list[AssetKey]):
    @asset(name="published_warehouse", group_name="publish", deps=mart_keys,
           description="What dashboards and BI tools read, replaced atomically only after every error-level quality "
                       "check passed: the gated build becomes the candidate, and the candidate the next numbered "
                       "release (at once under the auto policy; on `planwatch approve` under approve). On "
                       "PostgreSQL also the schema `published` (a schema swap, read-only BI role), on Spark the "
                       "published Parquet folder.")
    def published_warehouse(context: AssetExecutionContext, planwatch: PlanwatchResource) -> MaterializeResult:
        settings = planwatch.settings()
        gate = last_run(settings)
        if gate is None or gate.run_id != context.run.run_id or not gate.passed:  # blocking checks stop us first
            raise GateNotPassed("the quality gate has not passed for the current build; nothing published")
        candidate = publish(settings)
        asked = open_mart_queries(settings, candidate)  # the counties' sum, the plan's own findings: nothing held
        metadata = {"candidate": str(candidate), "target": settings.target, "gate_run_id": gate.run_id,
                    "warnings": len(gate.failed_warnings), "policy": settings.release_policy,
                    "new_queries": asked, "open_queries": len(queries(settings))}
        if settings.release_policy == "approve":
            context.log.info("candidate release waiting for a steward's approval (planwatch review / approve)")
            return MaterializeResult(metadata={**metadata, "release": "awaiting approval"})
        release = release_candidate(settings, gate_run_id=gate.run_id)
        if release is None:
            return MaterializeResult(metadata={**metadata, "release": "unchanged"})
        return MaterializeResult(metadata={**metadata, "release": release.number, "new_values": release.new_values,
                                           "revisions": release.revisions, "withdrawn": release.withdrawn})

    @asset(name="exports", group_name="publish", deps=[published_warehouse],
           description="Every published mart as Parquet, as CSV that Excel opens (UTF-8 with BOM), and SDMX-CSV 2.0.")
    def exports(planwatch: PlanwatchResource) -> MaterializeResult:
        result = publish_exports(planwatch.settings())
        return MaterializeResult(metadata={"folder": str(result.folder), "tables": len(result.tables),
                                           "files": len(result.files),
                                           # pieces: a fact mart's year, a CSV, an SDMX file (exports.py)
                                           "pieces_written": len(result.written),
                                           "pieces_reused": len(result.reused)})

    @asset(name="early_warnings", group_name="publish", deps=[published_warehouse],
           description="预警: the published rpt_early_warning (indicators behind 序时进度 or whose projection misses the "
                       "final target, binding ones first) sent to the responsible units: one record per run in the "
                       "alert log and to the webhook, if one is set.")
    def early_warnings(context: AssetExecutionContext, planwatch: PlanwatchResource) -> MaterializeResult:
        settings = planwatch.settings()
        published = published_path(settings)
        if not published.exists():  # the approve policy before the first approval: nothing is published yet
            return MaterializeResult(metadata={"warnings": 0})
        with duckdb.connect(str(published), read_only=True) as con:
            rows = con.execute("select priority, indicator_code, region_code, year, is_binding, is_reference, "
                               "responsible_unit, warning_zh, warning_en from marts.rpt_early_warning "
                               "order by priority, indicator_code, region_code").fetchall()
        names = ["priority", "indicator_code", "region_code", "year", "is_binding", "is_reference",
                 "responsible_unit", "warning_zh", "warning_en"]
        warnings = [dict(zip(names, row)) for row in rows]
        if warnings:
            send_alert(settings, {"kind": "early_warning", "run_id": context.run.run_id,
                                  "warnings": warnings})
            for w in warnings[:20]:
                context.log.warning(f"预警 {w['warning_zh']} / early warning: {w['warning_en']}")
        return MaterializeResult(metadata={"warnings": len(warnings),
                                           "binding": sum(1 for w in warnings if w["priority"] == 1)})

    @asset(name="reports", group_name="publish", deps=[published_warehouse],
           description="The reports the office hands in, from the published copy, one per monitored plan: the final "
                       "evaluation (总结评估) once the plan's last year has values, else the annual monitoring report "
                       "of its latest year — Word, PDF (LibreOffice) and Excel under published/reports/.")
    def reports(planwatch: PlanwatchResource) -> MaterializeResult:
        settings = planwatch.settings()
        if not settings.report_after_run or not published_path(settings).exists():
            return MaterializeResult(metadata={"reports": 0})
        due = report_due(published_path(settings))
        if not due:  # nothing released has a value yet (every value held, or none loaded)
            return MaterializeResult(metadata={"reports": 0, "reason": "no published values yet"})
        written = write_reports(settings, due)
        return MaterializeResult(metadata={"reports": [f"{plan} {kind} {year}" for plan, kind, year in due],
                                           "files": [str(p) for p in written]})

    return [published_warehouse, exports, early_warnings, reports]
