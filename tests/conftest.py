from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench.local_servers import free_port  # noqa: F401  (the tests' free port, from one place)

TESTS = Path(__file__).resolve().parent
REPO_ROOT = TESTS.parent
sys.path.insert(0, str(TESTS))  # plan_document helper


# the 14th plan's folder: its document and the seeds transcribed from it (seeds/plans/README.md)
JIANGMEN_14 = REPO_ROOT / "seeds" / "plans" / "jm_hrss_14"


def read_seed(name: str) -> list[dict[str, str]]:
    """A shared seed, or the kind as the 14th plan's folder has it (what its document prints)."""
    path = REPO_ROOT / "seeds" / f"{name}.csv"
    if not path.exists():
        path = JIANGMEN_14 / f"{JIANGMEN_14.name}__{name}.csv"
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(autouse=True)
def _environment_restored():
    """Code under test publishes its settings to os.environ (for dbt and Dagster); no test leaks them."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def seeds() -> dict[str, list[dict[str, str]]]:
    """The shared seeds and the 14th plan's folder, by kind: the transcription of its document."""
    kinds = [p.stem for p in (REPO_ROOT / "seeds").glob("*.csv")]
    kinds += [p.stem.split("__", 1)[1] for p in JIANGMEN_14.glob("*.csv")]
    return {kind: read_seed(kind) for kind in kinds}


@pytest.fixture(scope="session")
def pack_seeds() -> dict[str, list[dict[str, str]]]:
    """Every plan folder's rows of each kind, as dbt loads them (planwatch/plan_pack.py)."""
    from planwatch.plan_pack import KINDS, SHARED, seed_rows

    return {kind: seed_rows(REPO_ROOT / "seeds", kind) for kind in (*SHARED, *KINDS)}


PLANWATCH = Path(sys.executable).parent / "planwatch"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def require(path: Path, packages: str) -> None:
    """A test that needs a Debian package fails, naming the command that installs it — never a silent skip
    (`make test` installs them: scripts/system-packages.sh)."""
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make system-packages` (as root) or "
                    f"`sudo apt-get install -y {packages}`")


def launch_chromium(playwright):
    """Debian's chromium, headless, as the browser tests drive it (never a downloaded browser)."""
    require(CHROMIUM, "chromium fonts-noto-cjk")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def keep_screenshots(folder: Path, name: str) -> None:
    """Screenshots a browser test took, kept as artefacts under the PLANWATCH_HOME the tests run with (CI sets
    one: .ci/run), in screenshots/<name>/; nothing when it is not set."""
    import shutil

    home = os.environ.get("PLANWATCH_HOME")
    if home:
        shutil.copytree(folder, Path(home) / "screenshots" / name, dirs_exist_ok=True)


def planwatch_cli(*args: str, home: Path, check: bool = True, timeout: int = 600, env_extra=None, cwd=None):
    """Run the installed `planwatch` console script as a user would, against `home`."""
    env = {**os.environ, "PLANWATCH_HOME": str(home), **(env_extra or {})}
    for var in ("PLANWATCH_WAREHOUSE", "PLANWATCH_LANDING", "PLANWATCH_SPARK_DIR", "PLANWATCH_SPARK_DRIVER_HOST"):
        env.pop(var, None) if var not in (env_extra or {}) else None
    # a session of its own: a crash point kills its whole process group, never pytest
    result = subprocess.run([str(PLANWATCH), *args], env=env, capture_output=True, text=True, timeout=timeout,
                            start_new_session=True, cwd=cwd)
    if check and result.returncode != 0:
        raise AssertionError(f"planwatch {' '.join(args)} exited {result.returncode}\n"
                             f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}")
    return result


@pytest.fixture(scope="session")
def built_home(tmp_path_factory) -> Path:
    """A PLANWATCH_HOME after one real `planwatch run` (Dagster job → dbt build into DuckDB)."""
    home = tmp_path_factory.mktemp("planwatch_home")
    result = planwatch_cli("run", home=home)
    (home / "run_stdout.txt").write_text(result.stdout, encoding="utf-8")
    (home / "run_stderr.txt").write_text(result.stderr, encoding="utf-8")
    return home


@pytest.fixture()
def warehouse(built_home):
    import duckdb

    con = duckdb.connect(str(built_home / "warehouse" / "planwatch.duckdb"), read_only=True)
    yield con
    con.close()


def wait_until_drawn(page, timeout: float = 60000) -> None:
    """Until the Streamlit page is connected and its script has finished running (the attributes Streamlit's own
    end-to-end tests wait on). Waiting for the status widget to hide is not enough: on a loaded machine it had not
    yet appeared, the wait passed at once, and a form filled then was drawn again, empty (CI, 2026-12-07)."""
    page.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
                 '[data-test-script-state="notRunning"]').wait_for(timeout=timeout)


def start_dashboard(env: dict, port: int) -> subprocess.Popen:
    """`planwatch dashboard` as a user starts it, in a session of its own (stop it with os.killpg); returns once
    Streamlit answers its health check."""
    server = subprocess.Popen([str(PLANWATCH), "dashboard", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    os.killpg(server.pid, 15)
    pytest.fail("the dashboard did not start")
