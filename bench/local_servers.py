"""Throwaway servers on 127.0.0.1, started as an administrator starts them (never docker), for the tests and the
benchmark: a PostgreSQL 15 cluster (the postgres target; the Hive metastore of Spark on a cluster) and a Spark
standalone cluster — a master, workers and the history server, with the commands of the README's "Spark on a
cluster". Each is stopped by its processes' ids when its `with` block ends."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
# spark-class comes with the pyspark planwatch installs, beside this interpreter
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def wait_for(what: str, check, seconds: float = 120):
    """check() until it returns something true (its value), for at most `seconds`."""
    deadline, last = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except OSError as error:  # not listening yet
            last = error
        time.sleep(0.5)
    raise RuntimeError(f"{what}: not within {seconds} s ({last!r})")


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the `postgres` system user when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def throwaway_postgres():
    """PostgreSQL 15 on a free port of 127.0.0.1 with trust authentication and a database `planwatch`; yields the
    PLANWATCH_PG_* settings that reach it as its superuser."""
    if not (PG_BIN / "initdb").exists():
        raise RuntimeError(f"PostgreSQL 15 server binaries not found under {PG_BIN}")
    # not under pytest's temp folder: that is private to root, and the server runs as `postgres`
    base = Path(tempfile.mkdtemp(prefix="planwatch_pg_"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data, port = base / "data", free_port()
    try:
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                     "-E", "UTF8", "--locale=C.UTF-8"]), check=True, capture_output=True)
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "server.log"),
                                     "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {base}", "start"]),
                       check=True, capture_output=True)
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres")
        con.autocommit = True  # CREATE DATABASE cannot run in a transaction
        con.cursor().execute("create database planwatch")
        con.close()
        yield {"PLANWATCH_PG_HOST": "127.0.0.1", "PLANWATCH_PG_PORT": str(port), "PLANWATCH_PG_USER": "postgres",
               "PLANWATCH_PG_DATABASE": "planwatch"}
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


class _Processes:
    """Spark's daemons, each started in a session of its own and stopped by its process group id."""

    def __init__(self, base: Path):
        self.base, self.started = base, []
        self.env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
                    "SPARK_LOCAL_IP": "127.0.0.1",  # the web UIs bind here too, not on every interface
                    "SPARK_LOG_DIR": str(base / "logs")}

    def spark_class(self, name: str, *args: str, extra_env=None) -> None:
        with open(self.base / f"{name}.log", "w") as log:
            self.started.append(subprocess.Popen(
                ["spark-class", *args], env={**self.env, **(extra_env or {})}, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, cwd=self.base))

    def stop(self) -> None:
        for process in reversed(self.started):  # a worker's executors are in its process group
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _start_history(processes: _Processes, event_log: Path) -> str:
    event_log.mkdir(parents=True, exist_ok=True)
    port = free_port()
    processes.spark_class("history", "org.apache.spark.deploy.history.HistoryServer", extra_env={
        "SPARK_HISTORY_OPTS": f"-Dspark.history.fs.logDirectory={event_log} -Dspark.history.ui.port={port} "
                              "-Dspark.history.fs.update.interval=1s"})
    history = f"http://127.0.0.1:{port}/api/v1"
    wait_for("the Spark history server's REST API", lambda: get_json(f"{history}/applications") is not None)
    return history


def pg_query(server: dict, database: str, query: str) -> list[tuple]:
    """One query as the throwaway server's superuser (autocommit)."""
    import psycopg2

    con = psycopg2.connect(host="127.0.0.1", port=int(server["PLANWATCH_PG_PORT"]), user="postgres", dbname=database)
    con.autocommit = True
    try:
        cur = con.cursor()
        cur.execute(query)
        return cur.fetchall()
    finally:
        con.close()


@contextmanager
def spark_history_server(base: Path, event_log: Path):
    """Spark's history server alone, over `event_log`; yields its REST API's address."""
    base.mkdir(parents=True, exist_ok=True)
    processes = _Processes(base)
    try:
        yield _start_history(processes, event_log)
    finally:
        processes.stop()


@contextmanager
def spark_standalone_cluster(base: Path, event_log: Path, workers: int = 2, cores: int = 1, memory: str = "1g"):
    """A Spark standalone master, `workers` workers of `cores` cores and `memory` each, and Spark's history server
    over `event_log` (planwatch's PLANWATCH_SPARK_DIR/events), all on 127.0.0.1 — the README's commands. Yields the
    master's URL and the REST addresses of the master's JSON and the history server; on exit every process group
    is stopped."""
    base.mkdir(parents=True, exist_ok=True)
    processes = _Processes(base)
    port, master_ui = free_port(), free_port()
    master = f"spark://127.0.0.1:{port}"
    master_json = f"http://127.0.0.1:{master_ui}/json/"
    try:
        processes.spark_class("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                              "--port", str(port), "--webui-port", str(master_ui))
        wait_for("the Spark master's REST API", lambda: get_json(master_json))
        for n in range(1, workers + 1):
            processes.spark_class(f"worker{n}", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                                  "--cores", str(cores), "--memory", memory, "--webui-port", str(free_port()),
                                  "--work-dir", str(base / f"work{n}"), master)
        wait_for(f"{workers} Spark workers alive", lambda: get_json(master_json)["aliveworkers"] == workers)
        yield {"master": master, "master_json": master_json, "history": _start_history(processes, event_log)}
    finally:
        processes.stop()


def wait_for_applications(history: str, apps: list[str]) -> list[dict]:
    """The history server's applications once it has read every one of `apps` to its end."""
    def read():
        listed = get_json(f"{history}/applications")
        return listed if {a["id"] for a in listed if a["attempts"][0]["completed"]} >= set(apps) else None
    return wait_for("the history server has read every application", read)


def tasks_per_worker(cluster: dict, apps: list[str]) -> dict[str, dict[str, int]]:
    """For each application: the tasks its executors ran, by the worker they ran on (the worker whose web UI
    serves the executor's logs), and on the driver — from the master's and the history server's REST APIs."""
    workers = {w["webuiaddress"]: w["id"] for w in get_json(cluster["master_json"])["workers"]}
    history = cluster["history"]
    wait_for_applications(history, apps)
    result = {}
    for app in apps:
        tasks: dict[str, int] = {}
        for executor in get_json(f"{history}/applications/{app}/allexecutors"):
            if executor["id"] == "driver":
                where = "driver"
            else:
                log_url = executor["executorLogs"]["stdout"]
                where = next(worker for address, worker in workers.items() if log_url.startswith(address + "/"))
            tasks[where] = tasks.get(where, 0) + executor["totalTasks"]
        result[app] = tasks
    return result
