"""Metrics by name: the semantic layer (models/marts/_marts__semantic.yml) queried through MetricFlow's engine
against the published copy — what BI users read — never the working warehouse a build may be writing.

MetricFlow's own command line (`mf`, dbt-metricflow) insists on `target/semantic_manifest.json` in the project
folder and queries through dbt's adapter, i.e. the working file; planwatch keeps dbt's artefacts under
PLANWATCH_HOME and readers on the published copy. So the engine is MetricFlow's (it reads the semantic manifest
dbt writes at every parse and writes the SQL), and the client that runs that SQL is this small DuckDB one,
read-only on the published file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from planwatch.messages import Problem
from planwatch.publish.published_copy import published_path
from planwatch.settings import Settings


class MetricProblem(Problem):
    pass


class PublishedDuckDbClient:
    """MetricFlow's SqlClient protocol over the published DuckDB file, read-only, a connection per query."""

    def __init__(self, path: Path, config: dict):
        self._path, self._config = path, config

    @property
    def sql_engine_type(self):
        from metricflow.protocols.sql_client import SqlEngine

        return SqlEngine.DUCKDB

    @property
    def sql_plan_renderer(self):
        from metricflow.sql.render.duckdb_renderer import DuckDbSqlPlanRenderer

        return DuckDbSqlPlanRenderer()

    def query(self, stmt, sql_bind_parameter_set=None):
        from metricflow.data_table.mf_table import MetricFlowDataTable

        with duckdb.connect(str(self._path), read_only=True, config=self._config) as con:
            cursor = con.execute(stmt)
            names = [d[0] for d in cursor.description]
            return MetricFlowDataTable.create_from_rows(names, cursor.fetchall())

    def execute(self, stmt, sql_bind_parameter_set=None) -> None:
        raise MetricProblem("指标查询只读", "metric queries are read-only")

    def dry_run(self, stmt, sql_bind_parameter_set=None) -> None:
        with duckdb.connect(str(self._path), read_only=True, config=self._config) as con:
            con.execute(f"explain {stmt}")

    def close(self) -> None:
        pass

    def render_bind_parameter_key(self, bind_parameter_key: str) -> str:
        return f"${bind_parameter_key}"


@dataclass
class MetricResult:
    columns: list[str]
    rows: list[tuple]
    sql: str


def _engine(settings: Settings):
    from metricflow.engine.metricflow_engine import MetricFlowEngine
    from metricflow_semantics.model.dbt_manifest_parser import parse_manifest_from_dbt_generated_manifest
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    manifest = _semantic_manifest_path(settings)
    if not published_path(settings).exists():
        raise MetricProblem("还没有已发布的数据：请先运行 planwatch run", "nothing is published yet: run `planwatch run` first")
    lookup = SemanticManifestLookup(parse_manifest_from_dbt_generated_manifest(manifest.read_text(encoding="utf-8")))
    return MetricFlowEngine(semantic_manifest_lookup=lookup,
                            sql_client=PublishedDuckDbClient(published_path(settings), settings.duckdb_config))


def list_metrics(settings: Settings) -> list[tuple[str, str, list[str]]]:
    """Every metric: its name, description and the dimensions it can be grouped by."""
    engine = _engine(settings)
    return [(m.name, " ".join((m.description or "").split()), sorted(d.dunder_name for d in m.dimensions))
            for m in engine.list_metrics()]


def query_metrics(settings: Settings, metrics: list[str], group_by: list[str], where: list[str] = (),
                  order_by: list[str] = (), limit: int | None = None) -> MetricResult:
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    engine = _engine(settings)
    request = MetricFlowQueryRequest.create(
        metric_names=metrics, group_by_names=group_by or None, where_constraints=list(where) or None,
        order_by_names=list(order_by) or None, limit=limit)
    try:
        result = engine.query(request)
    except Exception as error:  # MetricFlow's own words: an unknown metric or dimension, with suggestions
        raise MetricProblem(f"指标查询无法执行：{' '.join(str(error).split())[:600]}",
                            f"the metric query cannot run: {' '.join(str(error).split())[:600]}") from error
    table = result.result_df
    return MetricResult(list(table.column_names), [tuple(r) for r in table.rows], result.sql or "")


def explain_metrics(settings: Settings, metrics: list[str], group_by: list[str]) -> str:
    """The SQL MetricFlow writes for these metrics by these dimensions, not run: a BI tool's dataset built from the
    semantic layer (planwatch/bi/superset_bundle.py) reads exactly what `planwatch metrics query` would."""
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    request = MetricFlowQueryRequest.create(metric_names=metrics, group_by_names=group_by)
    return _engine(settings).explain(request).sql_statement.sql


def semantic_manifest(settings: Settings) -> dict:
    """The semantic layer as dbt wrote it at the last parse (target/semantic_manifest.json)."""
    import json

    return json.loads(_semantic_manifest_path(settings).read_text(encoding="utf-8"))


def _semantic_manifest_path(settings: Settings) -> Path:
    path = settings.dbt_target_path / "semantic_manifest.json"
    if not path.exists():
        raise MetricProblem(f"还没有语义层定义 {path}：请先运行 planwatch run",
                            f"there is no semantic manifest at {path} yet: run `planwatch run` first")
    return path
