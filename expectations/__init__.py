"""The quality gate: Great Expectations 1.x suites defined as code, validated in DuckDB through SQL.

- `suites.py`  — every check, with its table, family and severity (error blocks publication, warning travels)
- `gx_duckdb.py` — a file-based GE project under PLANWATCH_HOME/quality/gx, connected to DuckDB
- `gate.py`    — runs the suites, writes the quality history and the Data Docs, says what failed
"""
