"""The quality gate: Great Expectations 1.x suites defined as code, validated in the target warehouse (DuckDB,
PostgreSQL through SQL; Spark on DataFrames).

- `suites.py`  — every check, with its table, family and severity (error blocks publication, warning travels)
- `gx_duckdb.py` — a file-based GE project under PLANWATCH_HOME/quality/gx, connected to DuckDB
- `gate.py`    — runs the suites, writes the quality history and the Data Docs, says what failed
"""

import warnings

# GE imports pyspark whenever it is installed (the Spark target), and pyspark 4.3 warns on import that it does
# not fully support pandas 3 — on every command, Spark or not. planwatch hands Spark no pandas objects (rows are
# collected, DataFrames come from tables), so the warning says nothing about our runs.
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
