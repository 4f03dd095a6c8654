"""The quality gate: Great Expectations 1.x suites defined as code, validated in the target warehouse (DuckDB,
PostgreSQL through SQL; Spark on DataFrames).

- `suites.py`  — every check, with its table, family and severity (error blocks publication, warning travels)
- `gx_duckdb.py` — a file-based GE project under PLANWATCH_HOME/quality/gx, connected to DuckDB
- `gate.py`    — runs the suites, writes the quality history and the Data Docs, says what failed
"""

import sys

from planwatch.settings import pyspark_wanted

# GE imports pyspark whenever it is installed (`import great_expectations` pulls in pyspark.ml and pyspark's
# connect client), and pyspark's connect utilities call sys.exit(0) when google.rpc is missing in a process whose
# __main__ has neither a spec nor a file — which is what Dagster's run worker is: every run the daemon launched
# ended before its first step. Two answers: the connect client's requirements are installed (pyproject.toml), and
# outside the Spark target GE is shown pyspark as not installed — a None in sys.modules makes `import pyspark`
# raise ImportError, which GE's compatibility layer expects — so the code location, the run worker and every
# command of the other targets stay free of Spark (and of its half-second import).
if not pyspark_wanted():
    sys.modules.setdefault("pyspark", None)
else:
    import warnings

    # pyspark 4.3 warns on import that it does not fully support pandas 3; planwatch hands Spark no pandas
    # objects (rows are collected, DataFrames come from tables), so the warning says nothing about our runs
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
