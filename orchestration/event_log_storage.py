"""Dagster's SQLite event log with its connections kept open, named in the dagster.yaml that planwatch writes
(planwatch/settings.py), so `planwatch run`, the daemon's run workers and the UI all use it.

Why: Dagster's SqliteEventLogStorage makes a new SQLAlchemy engine and SQLite connection for every event and
commits each with an fsync. A plan-size run stores about 650 events (dbt's 165 tests are asset checks: planned and
evaluated; the models: planned, output, materialized), and the fsyncs queue behind DuckDB's own writes to the same
disk; profiled, event storage was about a third of a `planwatch run` (issue 21). Upstream knows the cost
(dagster-io/dagster#33831, planned events written one row at a time).

What changes, and only this:
- one engine per database file, kept for the process, holding one open connection (the run's own file and the
  cross-run index; at most KEEP files, the oldest closed first, so the UI and the daemon, which read many runs,
  do not hold a file per run for ever);
- SQLite's `synchronous=NORMAL`, which in the WAL mode Dagster sets is always consistent: a power cut can lose the
  last events a run logged, never corrupt the log. The warehouse, the releases and the quality record are not
  in this log.

Everything else (schema, migrations, the file watcher the UI follows runs with) is Dagster's own class.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS, SqliteEventLogStorage
from sqlalchemy.pool import QueuePool

KEEP = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, db.engine.Engine] = OrderedDict()  # before Dagster's set-up connects
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> db.engine.Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = db.create_engine(self.conn_string_for_shard(shard), poolclass=QueuePool, pool_size=1,
                                  connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
        db.event.listen(engine, "connect", _synchronous_normal)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > KEEP:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.engine.Connection]:
        # Dagster's own lock: one connection in use at a time in this process, as in the class this extends
        with self._db_lock:
            with self._engine(shard).connect() as conn, conn.begin():
                yield conn

    def _close_all(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        # the run files are deleted: no connection may keep one open
        self._close_all()
        super().wipe()

    def upgrade(self) -> None:
        self._close_all()
        super().upgrade()
        self._close_all()

    def dispose(self) -> None:
        self._close_all()
        super().dispose()


def _synchronous_normal(dbapi_connection, _record) -> None:
    dbapi_connection.execute("pragma synchronous = normal")
