"""Landing-folder loads: statisticians' CSV/XLSX files into DuckDB with provenance, vintages and quarantine.

Public API (what the CLI and Dagster call): `load_files`, `Sender`, `LoadSummary`, `FileResult`, `LoadError`.
"""

from planwatch.ingest.loader import LoadError, load_files
from planwatch.ingest.results import FileResult, LoadSummary, Sender

__all__ = ["FileResult", "LoadError", "LoadSummary", "Sender", "load_files"]
