"""Run every suite against the working warehouse, record the results, rebuild the Data Docs.

Errors block publication; warnings travel with the data. The results go to quality.quality_result in the
warehouse (so they publish with it) and to PLANWATCH_HOME/quality/ (last_run.json and quality_history.parquet),
so a steward can read them — `planwatch quality` — even when publication was blocked.
"""

from __future__ import annotations

import copy
import gc
import json
import sys
import tempfile
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from expectations.gate_scope import KEY, PREDICATES, WHOLE, GateScope, write_gate_scope
from expectations.gx_duckdb import duckdb_url, file_context
from expectations.suites import ERROR, WARNING, Check, build_checks
from planwatch.faults import checkpoint
from planwatch.messages import bilingual
from planwatch.settings import Settings
from planwatch.warehouse_access import sql_literal, writes_warehouse

DATASOURCE = "planwatch_warehouse"
HISTORY_DDL = """
create schema if not exists quality;
create table if not exists quality.quality_result (
    run_id        varchar not null,
    suite         varchar not null,
    table_name    varchar not null,
    check_name    varchar not null,
    family        varchar not null,
    severity      varchar not null,   -- error blocks publication; warning travels with the data
    success       boolean not null,
    observed      varchar,
    title_zh      varchar,
    description   varchar,
    validated_at  timestamp not null
);
"""
# which rows each gate run looked at (DuckDB target: the scoped gate's record; the other targets audit in full)
GATE_RUN_DDL = """
create table if not exists quality.gate_run (
    run_id        varchar not null,
    scope         varchar not null,   -- full: every rule over every row; changed: the submissions in scope
    submissions   integer,            -- in scope (changed only)
    keys          integer,            -- indicator × region keys in scope (changed, after the build)
    validated_at  timestamp not null
);
"""


@dataclass
class CheckResult:
    check_name: str
    suite: str
    table_name: str
    family: str
    severity: str
    success: bool
    observed: str | None
    title_zh: str
    description: str


@dataclass
class GateResult:
    run_id: str
    validated_at: str
    results: list[CheckResult]
    docs_index: str
    docs_offline: str = ""
    """Empty when the Data Docs render with no network; otherwise why not (expectations/data_docs.py)."""
    scope: list[str] = field(default_factory=list)
    """Empty for a full audit; else what a scoped gate looked at, in Chinese and English (expectations/gate_scope.py)."""

    @property
    def is_full_audit(self) -> bool:
        return not self.scope

    @property
    def failed_errors(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success and r.severity == ERROR]

    @property
    def failed_warnings(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success and r.severity == WARNING]

    @property
    def passed(self) -> bool:
        return not self.failed_errors

    def render(self) -> str:
        lines = []
        for label_zh, label_en, items in (("错误", "ERROR", self.failed_errors), ("警告", "WARNING", self.failed_warnings)):
            for r in items:
                lines.append(f"  {label_zh} {label_en} {r.table_name} · {r.check_name}：{r.title_zh}")
                if r.observed:
                    lines.append(f"      {r.observed}")
        passed = sum(r.success for r in self.results)
        lines.append(bilingual(
            f"数据质量检查：{len(self.results)} 项，通过 {passed} 项，错误 {len(self.failed_errors)} 项，"
            f"警告 {len(self.failed_warnings)} 项（运行 {self.run_id}）",
            f"Quality checks: {len(self.results)}, passed {passed}, errors {len(self.failed_errors)}, "
            f"warnings {len(self.failed_warnings)} (run {self.run_id})"))
        lines.append(bilingual(*self.scope) if self.scope else bilingual(
            "全面检查：每条规则检查全部数据", "full audit: every rule over every row"))
        lines.append(bilingual(f"质量报告：{self.docs_index}", f"Quality report (Data Docs): {self.docs_index}"))
        if self.docs_offline:
            lines.append(bilingual("  质量报告离线无法完整显示（缺少脚本和样式）", f"  {self.docs_offline}"))
        return "\n".join(lines)


def _observed(result) -> str | None:
    payload = result.result or {}
    if "details" in payload and payload["details"].get("unexpected_rows"):
        rows = payload["details"]["unexpected_rows"]
        shown = "; ".join(str(r) for r in rows[:3])
        return f"{payload.get('observed_value', len(rows))} rows: {shown}"[:1000]
    for key in ("observed_value", "unexpected_count", "partial_unexpected_list"):
        if payload.get(key) not in (None, [], 0):
            return f"{key}: {payload[key]}"[:1000]
    info = result.exception_info or {}
    errors = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    for error in errors:
        if error.get("raised_exception"):
            return f"exception: {error.get('exception_message')}"[:1000]
    return None


@writes_warehouse
def run_gate(settings: Settings, checks: list[Check] | None = None, run_id: str | None = None,
             scoped: bool = False) -> GateResult:
    """Validate `checks` (default: all) over every row, or with `scoped` (a pipeline run on DuckDB) over the
    submissions no release carries yet and the keys they touch (expectations/gate_scope.py). Calls sharing a run_id
    (one pipeline run validates raw loads before the build and staging and marts after it) add up to one result
    in last_run.json."""
    checks = checks if checks is not None else build_checks()
    run_id = run_id or f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    scope = None
    if scoped and settings.target == "duckdb":
        scope = write_gate_scope(settings, with_keys=any(c.scope == KEY for c in checks))
    if settings.target == "spark":
        gate = _validate_in_own_process(settings, checks, run_id)  # Derby: one Spark process at a time
    else:
        gate = validate(settings, checks, run_id, scope)
    previous = last_run(settings)
    merged = GateResult(run_id, gate.validated_at, list(gate.results), gate.docs_index, gate.docs_offline,
                        list(gate.scope))
    if previous and previous.run_id == run_id:
        names = {r.check_name for r in gate.results}
        merged.results = [r for r in previous.results if r.check_name not in names] + gate.results
    write_last_run(settings, merged)
    return gate


def validate(settings: Settings, checks: list[Check], run_id: str, scope: GateScope | None = None) -> GateResult:
    """Run the checks in the target warehouse with Great Expectations, rebuild the Data Docs, record history. With
    a scope, each check reads the rows its `scope` names (a query asset over its table) instead of the table."""
    import great_expectations as gx
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    context = file_context(settings.quality_dir)
    try:
        if DATASOURCE in [d.name for d in context.data_sources.all().values()]:
            context.data_sources.delete(DATASOURCE)
        by_table: dict[tuple[str, str], list[Check]] = defaultdict(list)
        for check in checks:
            by_table[check.table, check.scope if scope else WHOLE].append(check)
        if settings.target == "spark":
            from planwatch.targets.spark import spark_session

            # GE's Spark datasource finds this session and reuses it
            spark = spark_session(settings, f"quality gate ({', '.join(sorted({c.suite for c in checks}))})")
            source = context.data_sources.add_spark(name=DATASOURCE)
        else:
            source = context.data_sources.add_sql(name=DATASOURCE, **warehouse_connection(settings))
        definitions = []
        for (table, rows), table_checks in by_table.items():
            schema, name = table.split(".")
            # the scoped rows get names of their own: a suite, its validations and its Data Docs pages say which
            label = table if rows == WHOLE else f"{table}.{rows}_scope"
            if settings.target == "spark":
                batch = source.add_dataframe_asset(name=table).add_batch_definition_whole_dataframe("whole_table")
            elif rows == WHOLE:
                asset = source.add_table_asset(name=table, schema_name=schema, table_name=name)
                batch = asset.add_batch_definition_whole_table("whole_table")
            else:
                asset = source.add_query_asset(name=label,
                                               query=f"select * from {table} as scoped where {PREDICATES[rows]}")
                batch = asset.add_batch_definition_whole_table("whole_table")
            suite = context.suites.add_or_update(gx.ExpectationSuite(
                name=f"{table_checks[0].suite}.{label}",
                expectations=[copy.copy(c.expectation) for c in table_checks]))  # a suite owns its expectations
            definitions.append(context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=f"validate.{label}", data=batch, suite=suite)))
        if settings.target == "spark":
            # a Spark batch is a DataFrame handed over at run time, one per table: no shared checkpoint run
            validations = [definition.run(batch_parameters={"dataframe": spark.table(definition.data.data_asset.name)},
                                          result_format="COMPLETE", run_id=gx.RunIdentifier(run_name=run_id))
                           for definition in definitions]
            context.build_data_docs()
        else:
            checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
                name="planwatch_quality_gate", validation_definitions=definitions, result_format="COMPLETE"))
            run_results = checkpoint.run(run_id=gx.RunIdentifier(run_name=run_id)).run_results
            validations = run_results.values()
            # the Data Docs once for the whole gate: GE's UpdateDataDocsAction rebuilds the site and its index once per
            # validated table, recompiling every template each time (3 of the plan-size gate's 5 s, issue 21)
            pages = [page for identifier, validation in run_results.items()
                     for page in (identifier, ExpectationSuiteIdentifier(name=validation.suite_name))]
            context.build_data_docs(resource_identifiers=pages)
        by_name = {c.name: c for c in checks}
        results = []
        for validation in validations:
            for r in validation.results:
                check = by_name[r.expectation_config.meta["check"]]
                results.append(CheckResult(check.name, check.suite, check.table, check.family, check.severity,
                                           bool(r.success), _observed(r), check.title_zh,
                                           check.expectation.description or type(check.expectation).__name__))
        docs = context.get_docs_sites_urls()
        docs_index = docs[0]["site_url"] if docs else ""
        docs_offline = offline_docs(settings.quality_dir)
    finally:
        for source in context.data_sources.all().values():  # GE keeps its DuckDB connection open: close it
            try:
                source.get_execution_engine().close()
                source.get_engine().dispose()
            except Exception:
                pass
        del context
        gc.collect()
    gate = GateResult(run_id, datetime.now(timezone.utc).replace(tzinfo=None).isoformat(), results, docs_index,
                      docs_offline, list(scope.describe()) if scope else [])
    record_history(settings, gate, scope)
    return gate


def offline_docs(folder: Path) -> str:
    """Point the freshly built Data Docs at local copies of their scripts and styles; returns why they still
    need the network, or "" when they do not."""
    from expectations.data_docs import AssetsMissing, make_offline

    try:
        left = make_offline(folder / "gx" / "uncommitted" / "data_docs" / "local_site")
    except AssetsMissing as missing:
        return str(missing)
    return f"the Data Docs still load {', '.join(left)} from the network" if left else ""


def _validate_in_own_process(settings: Settings, checks: list[Check], run_id: str) -> GateResult:
    """`validate` in a child process (this module's __main__): pyspark never enters the Dagster run worker, and a
    local Spark's Derby metastore, which admits one process at a time, is free again when the step ends."""
    from planwatch.targets.spark import run_in_spark_process

    with tempfile.TemporaryDirectory(prefix="planwatch_gate_") as folder:
        out = Path(folder) / "gate.json"
        run_in_spark_process(settings, __name__, run_id, str(out), *[c.name for c in checks])
        data = json.loads(out.read_text(encoding="utf-8"))
    data["results"] = [CheckResult(**r) for r in data["results"]]
    return GateResult(**data)


def warehouse_connection(settings: Settings) -> dict:
    """GE's SQL datasource for the target the build ran on: the working DuckDB file (read-only) or the
    PostgreSQL server."""
    if settings.target == "postgres":
        from planwatch.targets.postgres import PostgresConnection

        return {"connection_string": PostgresConnection.from_settings(settings).sqlalchemy_url}
    return {"connection_string": duckdb_url(settings.warehouse),
            "kwargs": {"connect_args": {"read_only": True, "config": settings.duckdb_config}}}


def record_history(settings: Settings, gate: GateResult, scope: GateScope | None = None) -> None:
    """Append the results to quality.quality_result in the target warehouse (it is published with the marts)
    and write the whole history to quality_history.parquet for the steward."""
    checkpoint("gate.before_history")
    rows = [(gate.run_id, r.suite, r.table_name, r.check_name, r.family, r.severity, r.success, r.observed,
             r.title_zh, r.description, gate.validated_at) for r in gate.results]
    history = settings.quality_dir / "quality_history.parquet"
    insert = "insert into quality.quality_result values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    # DuckDB holds the history in the warehouse file itself; the other targets append on their side and hand
    # back the whole history, which an in-memory DuckDB writes out
    database = str(settings.warehouse) if settings.target == "duckdb" else ":memory:"
    if settings.target == "postgres":
        from planwatch.targets.postgres import PostgresConnection

        with PostgresConnection.from_settings(settings).connect() as pg, pg.cursor() as cur:
            cur.execute(HISTORY_DDL)
            cur.executemany(insert.replace("?", "%s"), rows)
            pg.commit()
            cur.execute("select * from quality.quality_result")
            rows = cur.fetchall()
    elif settings.target == "spark":
        from planwatch.targets.spark import append_quality_history

        rows = append_quality_history(settings, rows)
    with duckdb.connect(database, config=settings.duckdb_config) as con:
        con.execute(HISTORY_DDL)
        con.executemany(insert, rows)
        con.execute(f"copy quality.quality_result to {sql_literal(history)} (format parquet)")
        if settings.target == "duckdb":
            con.execute(GATE_RUN_DDL)
            con.execute("insert into quality.gate_run values (?, ?, ?, ?, ?)",
                        [gate.run_id, "changed" if scope else "full", scope.loads if scope else None,
                         scope.keys if scope else None, gate.validated_at])


def write_last_run(settings: Settings, gate: GateResult) -> None:
    path = settings.quality_dir / "last_run.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**asdict(gate), "passed": gate.passed}, ensure_ascii=False, indent=1),
                   encoding="utf-8")
    tmp.replace(path)


def last_run(settings: Settings) -> GateResult | None:
    path = settings.quality_dir / "last_run.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("passed", None)
    data["results"] = [CheckResult(**r) for r in data["results"]]
    return GateResult(**data)


if __name__ == "__main__":  # the Spark child of _validate_in_own_process: run_id, output file, check names
    from planwatch.settings import get_settings

    _run_id, _out, *_names = sys.argv[1:]
    _gate = validate(get_settings(), [c for c in build_checks() if c.name in set(_names)], _run_id)
    Path(_out).write_text(json.dumps(asdict(_gate), ensure_ascii=False), encoding="utf-8")
