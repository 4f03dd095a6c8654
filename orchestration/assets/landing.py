"""Landing loads: the bundled files and every new statistician's file → raw.* tables in DuckDB (and from there
into the raw schema of the PostgreSQL or Spark target)."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from orchestration.resources import PlanwatchResource
from planwatch.ingest import LoadSummary, load_files
from planwatch.ingest.loader import landing_files
from planwatch.ingest.bundled import write_bundled_files
from planwatch.targets import sync_raw

RAW_TABLES = {
    "load_file": "One row per landing file loaded (sha256, counts).",
    "observation": "Every value loaded, every vintage, with file, sheet and row.",
    "quarantine": "Every record that could not be loaded, with its reason.",
}


@multi_asset(
    specs=[AssetSpec(AssetKey(["raw", table]), group_name="landing", description=text)
           for table, text in RAW_TABLES.items()],
    name="landing_loads",
)
def landing_loads(context: AssetExecutionContext, planwatch: PlanwatchResource):
    settings = planwatch.settings()
    calls = write_bundled_files(settings) if settings.bundled_data else []
    bundled = [path for call in calls for path in call]
    senders = [path for path in landing_files(settings.landing) if path not in bundled]
    summary = LoadSummary([])
    for call in [*calls, senders]:  # the bundled submissions in their order, then the statisticians' files
        if call:
            part = load_files(settings, call)
            summary.files += part.files
            summary.error_lists.update(part.error_lists)
    context.log.info("\n" + summary.render())
    if summary.needs_sender:  # returned submissions and quarantined rows: the rest of the run goes on
        context.log.warning("\n" + summary.render_rows_back())
    synced = sync_raw(settings)  # PostgreSQL / Spark: the new loads into the target's raw schema
    if settings.target != "duckdb":
        context.log.info(f"{len(synced)} load(s) copied into raw on {settings.target}")
    metadata = {
        "files": len(summary.files),
        "files_already_loaded": sum(f.status == "already_loaded" for f in summary.files),
        "bundled_files": len(bundled),
        "rows_read": summary.total("rows_read"),
        "rows_loaded": summary.total("rows_loaded"),
        "rows_duplicate": summary.total("rows_duplicate"),
        "rows_quarantined": summary.total("rows_quarantined"),
        "files_with_errors": [f.name for f in summary.errors],
        "submissions_returned": [f.name for f in summary.returned],
        "submissions_held": {f.name: f.held for f in summary.held},  # values waiting for an answer (查询)
        # every file with something for its sender to correct, and its error list (错误清单)
        "back_to_senders": {f.name: str(summary.error_lists.get(f.name, "")) for f in summary.needs_sender},
        "target": settings.target,
        "loads_synced_to_target": len(synced),
    }
    for table in RAW_TABLES:
        yield MaterializeResult(asset_key=AssetKey(["raw", table]), metadata=metadata)
