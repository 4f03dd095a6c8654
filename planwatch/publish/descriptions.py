"""Every published table and column carries its description as a database comment, so a BI user browsing the
catalog (DuckDB's duckdb_columns(), PostgreSQL's \\d+, Superset's column list) reads what the dbt YAML says.

One source of the words: dbt's manifest — the marts' model YAML, and for the tables planwatch writes outside dbt
(the quality history, the release log) the sources in models/_published_logs__sources.yml. dbt persists them on
the working tables (`persist_docs` in dbt_project.yml); a publication copies tables with `CREATE TABLE … AS`,
which keeps no comment, so the published copy is described here from the same manifest, on every target.
"""

from __future__ import annotations

import json
from pathlib import Path


def manifest_descriptions(manifest_path: Path) -> dict[tuple[str, str], tuple[str, dict[str, str]]]:
    """(schema, table) → (the table's description, {column: description}), for the models and sources of the
    manifest; the schema is the one a node is configured with (marts), whatever prefix a target adds."""
    if not manifest_path.exists():
        return {}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    found = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model":
            schema = node["config"].get("schema") or node["schema"]
            found[(schema, node["alias"])] = _described(node)
    for source in manifest["sources"].values():
        found.setdefault((source["schema"], source["identifier"]), _described(source))
    return found


def _described(node: dict) -> tuple[str, dict[str, str]]:
    return (" ".join(node.get("description", "").split()),
            {name: " ".join(column.get("description", "").split()) for name, column in node["columns"].items()})


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def describe_database(con, database: str, manifest_path: Path) -> list[tuple[str, str, str | None]]:
    """COMMENT ON every table and column of the attached DuckDB `database` that the manifest describes; returns
    the (schema, table, column) left without a description (column None: the table itself)."""
    words = manifest_descriptions(manifest_path)
    missing = []
    columns_of: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(  # the whole catalog in one query
            "select schema_name, table_name, column_name from duckdb_columns() where database_name = ? "
            "order by schema_name, table_name, column_index", [database]).fetchall():
        columns_of.setdefault((schema, table), []).append(column)
    for (schema, table), names in columns_of.items():
        described, columns = words.get((schema, table), ("", {}))
        name = f'"{database}"."{schema}"."{table}"'
        if described:
            con.execute(f"comment on table {name} is {_literal(described)}")
        else:
            missing.append((schema, table, None))
        for column in names:
            if columns.get(column):
                con.execute(f'comment on column {name}."{column}" is {_literal(columns[column])}')
            else:
                missing.append((schema, table, column))
    return missing
