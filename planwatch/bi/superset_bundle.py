"""What Apache Superset is given to show the published warehouse: an import bundle (Superset's own export format,
`superset import-dashboards`) holding the database, the datasets, the charts and the plan dashboard.

- The database is the published DuckDB copy, opened read-only (duckdb-engine): a reader never sees an unchecked
  number and Superset can never write.
- One dataset per published table, every column with the description dbt's YAML gives it (the same words as the
  database comments, planwatch/publish/descriptions.py), so a BI user browsing Superset reads what each means.
- The dataset the dashboard's charts read is built from the semantic layer (models/marts/_marts__semantic.yml):
  its SQL is the one MetricFlow writes for the plan-progress metrics by indicator × region × year
  (planwatch/metric_queries.py), and its Superset metrics are the semantic metrics re-aggregated the way their
  measures aggregate (sum, average, count distinct; filters and ratios as defined) — so "completion rate by
  county" in Superset is the number `planwatch metrics query` gives, not a third definition.

Objects carry UUIDs derived from their names: importing again replaces them in place.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import yaml

from planwatch.metric_queries import explain_metrics, semantic_manifest
from planwatch.publish.descriptions import manifest_descriptions
from planwatch.publish.published_copy import PUBLISHED_SCHEMAS, published_path
from planwatch.settings import Settings

NAMESPACE = uuid.UUID("6f1c3a52-8f0e-4d0b-9a55-1e7f3b7a2c10")
EXPORT_VERSION = "1.0.0"
DATABASE_NAME = "planwatch（已发布 published）"
DASHBOARD_SLUG = "planwatch-plan-progress"
PROGRESS_DATASET = "plan_progress_metrics"
# the metrics the charts' dataset carries as columns, and the dimensions it is grouped by (its grain is one row of
# fct_plan_progress: plan × indicator × region × year)
DATASET_METRICS = ["indicator_value", "indicator_target", "completion_rate", "cumulative_actual", "county_share"]
DATASET_DIMENSIONS = ["plan", "indicator", "indicator__name_zh", "indicator__name_en", "indicator__category",
                      "indicator__attribute", "region", "region__name_zh", "region__name_en", "progress__is_county",
                      "progress__is_binding", "progress__progress_status", "metric_time__year"]
# the progress dataset's dimensions under names a reader knows (Superset shows them as the column headers)
COLUMN_LABELS = {"year": "年份 Year", "metric_time__year": "年份（日期）Year (date)", "plan": "规划 Plan",
                 "indicator": "指标代码 Indicator code", "indicator__name_zh": "指标 Indicator",
                 "indicator__name_en": "Indicator (English)", "indicator__category": "类别 Category",
                 "indicator__attribute": "属性 Attribute (预期性/约束性)", "region": "地区代码 Region code",
                 "region__name_zh": "地区 Region", "region__name_en": "Region (English)",
                 "progress__is_county": "县（市、区）County", "progress__is_binding": "约束性 Binding",
                 "progress__progress_status": "进度状态 Status"}
AGGREGATES = {"sum": "SUM({})", "average": "AVG({})", "count_distinct": "COUNT(DISTINCT {})", "max": "MAX({})",
              "min": "MIN({})", "count": "COUNT({})"}


def object_uuid(kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


@dataclass
class Chart:
    """A chart of the dashboard: what Superset draws (params) and the query its data API answers (query)."""
    name: str
    viz_type: str
    params: dict
    query: dict
    width: int = 12
    height: int = 50
    description: str = ""

    @property
    def uuid(self) -> str:
        return object_uuid("chart", self.name)


@dataclass
class Bundle:
    files: dict[str, dict] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in self.files.items():
                archive.writestr(f"planwatch_bundle/{name}",
                                 yaml.safe_dump(content, allow_unicode=True, sort_keys=False))
        return buffer.getvalue()


def database_file(settings: Settings) -> dict:
    path = published_path(settings).resolve()
    return {
        "database_name": DATABASE_NAME,
        "sqlalchemy_uri": f"duckdb:///{path}",
        "cache_timeout": None,
        "expose_in_sqllab": True,
        "allow_run_async": False,
        "allow_ctas": False,
        "allow_cvas": False,
        "allow_dml": False,
        "allow_csv_upload": False,
        # read-only at the driver: DuckDB refuses every write, whatever SQL Lab is sent
        "extra": {"engine_params": {"connect_args": {"read_only": True}}, "allows_virtual_table_explore": True},
        "uuid": object_uuid("database", "published"),
        "version": EXPORT_VERSION,
    }


def _column(name: str, sql_type: str, description: str = "", *, is_dttm: bool = False,
            label: str | None = None) -> dict:
    return {"column_name": name, "verbose_name": label, "is_dttm": is_dttm, "is_active": True, "type": sql_type,
            "groupby": True, "filterable": True, "expression": None, "description": description or None,
            "python_date_format": None, "extra": {}}


def table_datasets(settings: Settings, con) -> dict[str, dict]:
    """A dataset per published table, its columns described from dbt's manifest."""
    words = manifest_descriptions(settings.manifest_path)
    tables: dict[tuple[str, str], list[tuple[str, str]]] = {}
    schemas = ", ".join(f"'{s}'" for s in PUBLISHED_SCHEMAS)
    for schema, table, column, sql_type in con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            f"where schema_name in ({schemas}) order by schema_name, table_name, column_index").fetchall():
        tables.setdefault((schema, table), []).append((column, sql_type))
    files = {}
    for (schema, table), columns in tables.items():
        described, column_words = words.get((schema, table), ("", {}))
        files[f"datasets/planwatch/{schema}.{table}.yaml"] = {
            "table_name": table, "schema": schema, "catalog": None, "main_dttm_col": None,
            "description": described or None, "default_endpoint": None, "offset": 0, "cache_timeout": None,
            "sql": None, "params": None, "template_params": None, "filter_select_enabled": True,
            "fetch_values_predicate": None, "extra": None, "normalize_columns": False,
            "uuid": object_uuid("dataset", f"{schema}.{table}"),
            "metrics": [{"metric_name": "count", "verbose_name": "行数 Rows", "metric_type": "count",
                         "expression": "COUNT(*)", "description": None, "d3format": None, "extra": {},
                         "warning_text": None}],
            "columns": [_column(c, t, column_words.get(c, "")) for c, t in columns],
            "version": EXPORT_VERSION, "database_uuid": object_uuid("database", "published"),
        }
    return files


def _dimension_columns(sql: str) -> str:
    """A semantic filter's `{{ Dimension('progress__progress_status') }}` as the dataset's column of that name."""
    return re.sub(r"\{\{\s*Dimension\('([\w]+)'\)\s*\}\}", r"\1", sql)


def semantic_metrics(semantic: dict) -> list[dict]:
    """The semantic metrics as Superset metrics over the progress dataset, aggregated as their measures are."""
    measures = {m["name"]: (model, m) for model in semantic["semantic_models"] for m in model["measures"]}
    metrics = {m["name"]: m for m in semantic["metrics"]}
    # which dataset column holds a measure's input: an entity's own column (indicator_code → indicator) or the
    # column the dataset carries for the simple metric reading that measure
    entity_columns = {(model["name"], e["expr"] or e["name"]): e["name"]
                      for model in semantic["semantic_models"] for e in model["entities"]}
    measure_columns = {m["type_params"]["measure"]["name"]: m["name"] for m in semantic["metrics"]
                       if m["type"] == "simple" and m["name"] in DATASET_METRICS}

    def simple(metric: dict, extra_filters: list[str] = ()) -> str:
        model, measure = measures[metric["type_params"]["measure"]["name"]]
        column = entity_columns.get((model["name"], measure["expr"])) or measure_columns[measure["name"]]
        filters = [w["where_sql_template"] for w in ((metric.get("filter") or {}).get("where_filters") or [])]
        filters += list(extra_filters)
        if filters:
            column = f"CASE WHEN {' AND '.join(_dimension_columns(f) for f in filters)} THEN {column} END"
        return AGGREGATES[measure["agg"]].format(column)

    def expression(metric: dict, extra_filters: list[str] = ()) -> str:
        if metric["type"] == "simple":
            return simple(metric, extra_filters)
        if metric["type"] == "ratio":
            parts = []
            for side in ("numerator", "denominator"):
                ref = metric["type_params"][side]
                where = [w["where_sql_template"] for w in ((ref.get("filter") or {}).get("where_filters") or [])]
                parts.append(expression(metrics[ref["name"]], where))
            return f"CAST({parts[0]} AS DOUBLE) / NULLIF({parts[1]}, 0)"
        raise ValueError(f"metric {metric['name']}: type {metric['type']} has no Superset translation")

    return [{"metric_name": m["name"], "verbose_name": m.get("label") or m["name"], "metric_type": m["type"],
             "expression": expression(m), "description": " ".join((m.get("description") or "").split()) or None,
             "d3format": ".2%" if m["type"] == "ratio" else None, "extra": {}, "warning_text": None}
            for m in semantic["metrics"]]


def progress_dataset(settings: Settings, con) -> dict:
    semantic = semantic_manifest(settings)
    metric_sql = explain_metrics(settings, DATASET_METRICS, DATASET_DIMENSIONS)
    # MetricFlow's comments stripped: Superset wraps the SQL as a subquery
    body = "\n".join(line for line in metric_sql.splitlines() if not line.lstrip().startswith("--"))
    sql = ("SELECT CAST(EXTRACT(year FROM metric_time__year) AS INTEGER) AS year, semantic.*\n"
           f"FROM (\n{body}\n) AS semantic")
    columns = con.execute(f"describe {sql}").fetchall()
    descriptions = {m["name"]: " ".join((m.get("description") or "").split()) for m in semantic["metrics"]}
    descriptions.update(year="The plan year.", metric_time__year="The plan year as a date (1 January).")
    return {
        "table_name": PROGRESS_DATASET, "schema": "marts", "catalog": None, "main_dttm_col": "metric_time__year",
        "description": "计划进度（语义层）Plan progress from the semantic layer: MetricFlow's SQL for the plan-progress "
                       "metrics by plan × indicator × region × year (models/marts/_marts__semantic.yml).",
        "default_endpoint": None, "offset": 0, "cache_timeout": None, "sql": sql, "params": None,
        "template_params": None, "filter_select_enabled": True, "fetch_values_predicate": None, "extra": None,
        "normalize_columns": False, "uuid": object_uuid("dataset", PROGRESS_DATASET),
        "metrics": semantic_metrics(semantic),
        "columns": [_column(name, sql_type, descriptions.get(name, name.replace("__", " ").replace("_", " ")),
                            is_dttm=name == "metric_time__year", label=COLUMN_LABELS.get(name))
                    for name, sql_type, *_ in columns],
        "version": EXPORT_VERSION, "database_uuid": object_uuid("database", "published"),
    }


def _filter(column: str, operator: str, value) -> dict:
    return {"expressionType": "SIMPLE", "clause": "WHERE", "subject": column, "operator": operator,
            "comparator": value, "filterOptionName": f"{column}_{operator}"}


def _query_filters(filters: list[dict]) -> list[dict]:
    """The chart's filters as its saved query (the data API's) states them."""
    return [{"col": f["subject"], "op": f["operator"], "val": f["comparator"]} for f in filters]


def dashboard_charts(con) -> tuple[list[Chart], dict]:
    """The three views the office reads: the scorecard, an indicator's series against its target, the counties
    side by side — for the plan pages open on (dim_plan.is_default_view), its latest year with data."""
    plan_code, region_code, region_name = con.execute(
        "select p.plan_code, p.region_code, r.name_zh from marts.dim_plan p join marts.dim_region r "
        "using (region_code) where p.is_default_view").fetchone()
    year = con.execute("select max(year) from marts.fct_plan_progress where plan_code = ? and region_code = ? "
                       "and actual_value is not null", [plan_code, region_code]).fetchone()[0]
    indicator, indicator_name, target_kind = con.execute(
        "select p.indicator_code, i.name_zh, i.target_kind from marts.dim_plan_indicator p join marts.dim_indicator i "
        "using (indicator_code) where p.plan_code = ? and p.source_table = '专栏2' and i.is_additive "
        "order by p.row_no limit 1", [plan_code]).fetchone()
    context = {"plan_code": plan_code, "region_code": region_code, "year": year, "indicator_code": indicator}

    city = [_filter("plan", "==", plan_code), _filter("region", "==", region_code)]
    scorecard_filters = city + [_filter("year", "==", year)]
    scorecard_columns = ["indicator__name_zh", "progress__progress_status"]
    scorecard_metrics = ["indicator_value", "cumulative_actual", "indicator_target", "completion_rate"]
    scorecard = Chart(
        name=f"计分卡 Scorecard — {region_name} {year}", viz_type="table",
        description="Every plan indicator of the city: value, target, completion rate and status (semantic metrics).",
        params={"viz_type": "table", "query_mode": "aggregate", "groupby": scorecard_columns,
                "metrics": scorecard_metrics, "adhoc_filters": scorecard_filters, "row_limit": 1000,
                "order_desc": False, "table_timestamp_format": "smart_date", "show_cell_bars": False},
        query={"columns": scorecard_columns, "metrics": scorecard_metrics,
               "filters": _query_filters(scorecard_filters), "orderby": [["indicator__name_zh", True]],
               "row_limit": 1000})

    series_filters = city + [_filter("indicator", "==", indicator)]
    # a cumulative indicator's path is a running total: its running total is what meets it
    series_metrics = ["cumulative_actual" if target_kind == "cumulative" else "indicator_value", "indicator_target"]
    series = Chart(
        name=f"指标走势 Series — {indicator_name}", viz_type="echarts_timeseries_line", width=6,
        description="One indicator against the plan's path, year by year (its value, or its running total for a "
                    "cumulative indicator, and indicator_target).",
        params={"viz_type": "echarts_timeseries_line", "x_axis": "metric_time__year", "time_grain_sqla": "P1Y",
                "metrics": series_metrics, "groupby": [], "adhoc_filters": series_filters, "row_limit": 100,
                "show_legend": True, "markerEnabled": True, "x_axis_time_format": "%Y", "rich_tooltip": True},
        query={"columns": ["year"], "metrics": series_metrics, "filters": _query_filters(series_filters),
               "orderby": [["year", True]], "row_limit": 100})

    county_filters = [_filter("plan", "==", plan_code), _filter("indicator", "==", indicator),
                      _filter("year", "==", year), _filter("progress__is_county", "==", True)]
    county_metrics = ["county_share", "completion_rate"]
    counties = Chart(
        name=f"各县（市、区）对比 Counties — {indicator_name} {year}", viz_type="echarts_timeseries_bar", width=6,
        description="Each county's share of the city total and its completion rate (county_share, completion_rate).",
        params={"viz_type": "echarts_timeseries_bar", "x_axis": "region__name_zh", "metrics": county_metrics,
                "groupby": [], "adhoc_filters": county_filters, "row_limit": 100, "show_legend": True,
                "show_value": True, "orientation": "vertical", "x_axis_sort_asc": True},
        query={"columns": ["region__name_zh"], "metrics": county_metrics, "filters": _query_filters(county_filters),
               "orderby": [["region__name_zh", True]], "row_limit": 100})
    return [scorecard, series, counties], context


def chart_file(chart: Chart, dataset_uuid: str) -> dict:
    query_context = {"datasource": {"id": 0, "type": "table"}, "force": False,
                     "queries": [{**chart.query, "extras": {}, "annotation_layers": [], "series_limit": 0}],
                     "form_data": chart.params, "result_format": "json", "result_type": "full"}
    return {"slice_name": chart.name, "description": chart.description, "certified_by": "planwatch",
            "certification_details": "Built from the semantic layer (models/marts/_marts__semantic.yml)",
            "viz_type": chart.viz_type, "params": chart.params, "query_context": json.dumps(query_context),
            "cache_timeout": None, "uuid": chart.uuid, "version": EXPORT_VERSION, "dataset_uuid": dataset_uuid}


def dashboard_file(charts: list[Chart], context: dict) -> dict:
    position: dict = {"DASHBOARD_VERSION_KEY": "v2",
                      "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                      "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
                      "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER",
                                    "meta": {"text": "江门市人社“十四五”规划监测 Plan progress"}}}
    rows: list[list[Chart]] = []
    for chart in charts:  # charts fill rows of 12 columns
        if rows and sum(c.width for c in rows[-1]) + chart.width <= 12:
            rows[-1].append(chart)
        else:
            rows.append([chart])
    # chartId is the exporting instance's id; the import maps it, through the uuid, to the chart it creates
    chart_ids = {chart.uuid: number for number, chart in enumerate(charts, 1)}
    for number, row in enumerate(rows, 1):
        row_id = f"ROW-{number}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"type": "ROW", "id": row_id, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                            "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for chart in row:
            chart_id = f"CHART-{chart.uuid[:8]}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {"type": "CHART", "id": chart_id, "children": [],
                                  "parents": ["ROOT_ID", "GRID_ID", row_id],
                                  "meta": {"width": chart.width, "height": chart.height, "uuid": chart.uuid,
                                           "chartId": chart_ids[chart.uuid],
                                           "sliceName": chart.name}}
    return {"dashboard_title": "规划监测 Plan progress — planwatch", "description": None, "css": "",
            "slug": DASHBOARD_SLUG, "certified_by": "planwatch", "certification_details": json.dumps(context),
            "published": True, "uuid": object_uuid("dashboard", DASHBOARD_SLUG), "position": position,
            "metadata": {"color_scheme": "supersetColors", "refresh_frequency": 0, "expanded_slices": {},
                         "label_colors": {}, "timed_refresh_immune_slices": [], "cross_filters_enabled": False,
                         "native_filter_configuration": [], "shared_label_colors": [], "color_scheme_domain": []},
            "version": EXPORT_VERSION}


def build_bundle(settings: Settings) -> Bundle:
    """The whole bundle, from the published copy (read-only) and dbt's manifests."""
    bundle = Bundle()
    bundle.files["metadata.yaml"] = {"version": EXPORT_VERSION, "type": "Dashboard",
                                     "timestamp": datetime.now(timezone.utc).isoformat()}
    bundle.files["databases/planwatch.yaml"] = database_file(settings)
    with duckdb.connect(str(published_path(settings)), read_only=True, config=settings.duckdb_config) as con:
        bundle.files.update(table_datasets(settings, con))
        bundle.files[f"datasets/planwatch/{PROGRESS_DATASET}.yaml"] = progress_dataset(settings, con)
        bundle.charts, context = dashboard_charts(con)
    dataset_uuid = object_uuid("dataset", PROGRESS_DATASET)
    for chart in bundle.charts:
        bundle.files[f"charts/{chart.uuid}.yaml"] = chart_file(chart, dataset_uuid)
    bundle.files[f"dashboards/{DASHBOARD_SLUG}.yaml"] = dashboard_file(bundle.charts, context)
    return bundle


def write_bundle(settings: Settings, path: Path) -> Bundle:
    bundle = build_bundle(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bundle.zip_bytes())
    return bundle
