"""The Great Expectations suites as Dagster asset checks, wired by hand (dagster-ge does not support GE 1.x).

One multi-asset check runs the whole gate once (expectations/gate.py) and reports every expectation as its own
check on the table it validates. Error-level checks are blocking: when one fails, nothing downstream — the
publish step — runs, and the published copy stays as it was.
"""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, multi_asset_check

from expectations.gate import run_gate
from expectations.suites import ERROR, build_checks
from orchestration.resources import PlanwatchResource
from planwatch.reports import report_due

# a run tagged planwatch/audit=full validates every rule over every row instead of what changed
AUDIT_TAG = "planwatch/audit"


def _key(table: str) -> AssetKey:
    return AssetKey(table.split("."))


def _gate(name: str, checks, blocking_schemas: tuple[str, ...], description: str):
    # A blocking check on a staging table would make the dbt step wait for a check that waits for the dbt
    # step; staging checks therefore do not block in Dagster's graph — the publish step still refuses to run
    # unless every error-level check of the run passed (last_run.json).
    specs = [AssetCheckSpec(name=c.name, asset=_key(c.table),
                            blocking=c.severity == ERROR and c.table.split(".")[0] in blocking_schemas,
                            description=f"[{c.severity}] {c.title_zh}") for c in checks]

    @multi_asset_check(specs=specs, name=name, description=description)
    def quality_gate(context, planwatch: PlanwatchResource):
        settings = planwatch.settings()
        gate = run_gate(settings, checks, run_id=context.run.run_id, scoped=not full_audit(context, settings))
        context.log.debug("\n" + gate.render())
        for result in gate.results:
            yield AssetCheckResult(
                check_name=result.check_name, asset_key=_key(result.table_name), passed=result.success,
                severity=AssetCheckSeverity.ERROR if result.severity == ERROR else AssetCheckSeverity.WARN,
                metadata={"family": result.family, "title_zh": result.title_zh, "observed": result.observed or "",
                          "gate_run_id": gate.run_id, "data_docs": gate.docs_index})

    return quality_gate


def full_audit(context, settings) -> bool:
    """Every rule over every row: a run tagged for it (the weekly schedule, `planwatch run --full-audit`), and every
    run whose report is a final evaluation (总结评估) — a final report is never backed by a scoped gate — as the
    build before this one tells (the plan's last year has values), and the first build."""
    if context.run.tags.get(AUDIT_TAG) == "full":
        return True
    due = report_due(settings.warehouse)
    if not due:  # the first build (or none with a value): nothing was validated before it
        return True
    return settings.report_after_run and any(kind == "final" for _, kind, _ in due)


def build_quality_checks():
    checks = build_checks()
    return [
        _gate("raw_loads_gate", [c for c in checks if c.suite == "raw_loads"], ("raw",),
              "Great Expectations suite raw_loads: validated before the build, which it blocks on error."),
        _gate("quality_gate", [c for c in checks if c.suite != "raw_loads"], ("marts",),
              "Great Expectations suites staging and marts, validated in DuckDB before publication."),
    ]
