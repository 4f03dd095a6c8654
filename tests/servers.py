"""The throwaway servers of bench/local_servers.py as pytest fixtures."""

from __future__ import annotations

import pytest

from bench.local_servers import throwaway_postgres


@pytest.fixture(scope="module")
def postgres_server():
    """PostgreSQL 15 on 127.0.0.1 for one test module: the PLANWATCH_PG_* settings that reach it."""
    try:
        with throwaway_postgres() as server:
            yield server
    except RuntimeError as error:  # the binaries are missing: a failure, never a skip
        pytest.fail(str(error))
