"""Great Expectations on DuckDB through SQLAlchemy (duckdb-engine), with the two known traps handled.

1. GE closes its SQLAlchemy connection before it reads results; duckdb-engine discards the results with the
   connection ("list index out of range" on every metric). GE keeps one persisted connection for a listed
   set of dialects — duckdb is added to that list here.
2. SQLAlchemy 2.1 breaks GE's column metrics: pinned below 2.1 (pyproject, constraints.txt).
GE's anonymous usage statistics are switched off: no network at run time. GE's type comparison warns "No sqlalchemy
dialect found" for every column-type check on DuckDB (it has no dialect module for it and falls back to
SQLAlchemy's generic types, which is what we compare against): that warning is silenced, nothing else.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
logging.getLogger("great_expectations.expectations.type_comparison").setLevel(logging.ERROR)

import great_expectations as gx  # noqa: E402
from great_expectations.execution_engine import sqlalchemy_execution_engine as _sql_engine  # noqa: E402


class _DuckDBDialect:
    """Compares equal to GE's dialect name for duckdb, so GE treats it as a persisted-connection dialect."""

    value = "duckdb"

    def __eq__(self, other: object) -> bool:
        return str(getattr(other, "value", other)).lower() == "duckdb"

    def __hash__(self) -> int:
        return hash("duckdb")


if not any(d == "duckdb" for d in _sql_engine._PERSISTED_CONNECTION_DIALECTS):
    _sql_engine._PERSISTED_CONNECTION_DIALECTS = (*_sql_engine._PERSISTED_CONNECTION_DIALECTS, _DuckDBDialect())


# GE stores that are rebuilt from code on every run (suites.py is their source); validation results and the
# Data Docs under gx/uncommitted/ are kept, so the docs show every run.
REBUILT_STORES = ("expectations", "validation_definitions", "checkpoints")


def file_context(project_root: Path):
    """A file-based GE project (gx/ under project_root), rebuilt from code on every run; analytics off."""
    project_root.mkdir(parents=True, exist_ok=True)
    for store in REBUILT_STORES:
        shutil.rmtree(project_root / "gx" / store, ignore_errors=True)
    context = gx.get_context(mode="file", project_root_dir=str(project_root))
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    context.variables.save()
    return context


def duckdb_url(warehouse: Path) -> str:
    return f"duckdb:///{warehouse}"
