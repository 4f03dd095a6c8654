# planwatch — the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Apache Superset's own environment: its pins (Flask 2, SQLAlchemy 1.4, pandas 2.1) never touch planwatch's
SUPERSET_VENV := .venv-superset
SUPERSET_STAMP := $(SUPERSET_VENV)/.installed
export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1

DOCS_ASSETS := expectations/data_docs_assets

.PHONY: install system-packages run test test-spark test-faults test-superset docs ui dashboard superset superset-env \
	bench bench-spark bench-smoke clean

# A local virtual environment with the exact pins of constraints.txt, and the Data Docs' scripts and styles at the
# versions of package-lock.json (re-made when any of these files changes).
$(STAMP): pyproject.toml constraints.txt $(DOCS_ASSETS)/package-lock.json
	bash scripts/system-packages.sh install
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	cd $(DOCS_ASSETS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(STAMP)

install: $(STAMP)

## run the main job on the bundled data into the embedded DuckDB warehouse (PLANWATCH_HOME)
run: $(STAMP)
	$(BIN)/planwatch run

## the Debian packages the tests use (chromium, CJK fonts, PostgreSQL 15, Java 17): installed as root, else named
system-packages:
	bash scripts/system-packages.sh test

## every test but the heavy suites (DuckDB, a throwaway PostgreSQL 15, Dagster's daemon, the browser), a module to
## each of TEST_WORKERS processes (pytest-xdist; a module's fixtures stay in its worker): 16.5 min on 2 cores, 23.4
## min in one process
TEST_WORKERS ?= 2
test: $(STAMP) system-packages
	$(BIN)/python -m pytest -m "not spark and not faults and not superset" -n $(TEST_WORKERS) --dist loadfile

## the fault-injection suite: SIGKILL at 22 seeded points across load, build, gate and publish, and the races for the
## warehouse and a damaged working file (tests/test_one_writer.py) (about 10 minutes)
test-faults: $(STAMP)
	$(BIN)/python -m pytest -m faults tests/test_faults.py tests/test_one_writer.py

## only the Spark tests: the whole pipeline on local Spark and on a two-worker standalone cluster with a PostgreSQL
## metastore, marts equal to DuckDB's (about 20 minutes; needs Java 17); -rP prints each cluster application's tasks
## per worker
test-spark: $(STAMP) system-packages
	$(BIN)/python -m pytest -m spark -rP tests/test_spark.py tests/test_spark_cluster.py

## Apache Superset's environment alone (.venv-superset, from bi/superset/requirements.txt and its constraints)
$(SUPERSET_STAMP): bi/superset/requirements.txt bi/superset/constraints.txt
	test -x $(SUPERSET_VENV)/bin/python || $(PYTHON) -m venv $(SUPERSET_VENV)
	$(SUPERSET_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c bi/superset/constraints.txt \
		-r bi/superset/requirements.txt
	touch $(SUPERSET_STAMP)

superset-env: $(SUPERSET_STAMP)

## Apache Superset on 127.0.0.1:8088 over the published warehouse (read-only), with the plan dashboard (Ctrl-C stops it)
superset: $(STAMP) $(SUPERSET_STAMP)
	$(BIN)/planwatch superset

## only the Superset tests: started as `planwatch superset`, its charts' numbers against the marts, a screenshot
test-superset: $(STAMP) $(SUPERSET_STAMP) system-packages
	$(BIN)/python -m pytest -m superset tests/test_superset.py

## Dagster UI on 127.0.0.1:3000 (Ctrl-C stops it)
ui: $(STAMP)
	$(BIN)/planwatch ui

## dashboard on 127.0.0.1:8501, over the published warehouse (Ctrl-C stops it)
dashboard: $(STAMP)
	$(BIN)/planwatch dashboard

## dbt docs site for the star schema (written under PLANWATCH_HOME)
docs: $(STAMP)
	$(BIN)/planwatch docs

## national-scale benchmark against hand-written DuckDB at 1 %, 10 % and 100 % → BENCHMARKS.md (about an hour)
bench: $(STAMP)
	$(BIN)/python -m bench.run --scales 0.01,0.1,1

## the national pack at 10 % through `planwatch run` on DuckDB, local Spark and a two-worker Spark cluster with a
## PostgreSQL metastore → bench/spark_cluster.json, then BENCHMARKS.md again (about 40 minutes; needs Java 17)
bench-spark: $(STAMP) system-packages
	$(BIN)/python -m bench.spark_cluster --scale 0.1
	$(BIN)/python -m bench.run --render-only

## the 1 % benchmark CI runs so it never rots (a few minutes; not timed, not judged; report in a temp folder)
bench-smoke: $(STAMP)
	$(BIN)/python -m bench.run --scales 0.01 --plan-size-pairs 1 --report $${TMPDIR:-/tmp}/planwatch-bench-smoke.md \
		--results $${TMPDIR:-/tmp}/planwatch-bench-smoke.json

## remove generated state (the default PLANWATCH_HOME) — never touches the venv
clean:
	rm -rf .planwatch bench/packs
