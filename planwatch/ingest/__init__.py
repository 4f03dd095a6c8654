"""Landing-folder loads: statisticians' CSV/XLSX files into DuckDB with provenance, vintages and quarantine.

Public API (what the CLI and Dagster call): `load_files`, `LoadSummary`, `FileResult`, `LoadError`.
"""

from planwatch.ingest.loader import FileResult, LoadError, LoadSummary, load_files

__all__ = ["FileResult", "LoadError", "LoadSummary", "load_files"]
