"""Apache Superset over the published warehouse, set up the way its own command line sets it up.

Superset lives in its own virtual environment (.venv-superset, `make superset`: bi/superset/requirements.txt with
its constraints), so its pins never touch planwatch's; planwatch only runs its `superset` and `gunicorn` programs.
Its state is under PLANWATCH_HOME/superset: the metadata database (SQLite), a generated secret key and, unless
PLANWATCH_SUPERSET_PASSWORD is set, a generated password for the `admin` account (both files readable by their
owner only). Every start brings the metadata schema up to date, makes sure the admin exists and imports the
bundle again (planwatch/bi/superset_bundle.py), so the dashboard always shows the current published release's
definitions.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from planwatch.bi.superset_bundle import DASHBOARD_SLUG, write_bundle
from planwatch.messages import Problem
from planwatch.publish.published_copy import published_path
from planwatch.settings import REPO_ROOT, Settings

ADMIN = "admin"
CONFIG = REPO_ROOT / "bi" / "superset" / "superset_config.py"


class SupersetProblem(Problem):
    pass


@dataclass
class SupersetHome:
    folder: Path
    bin: Path
    password: str
    password_file: Path | None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "SUPERSET_CONFIG_PATH": str(CONFIG), "PLANWATCH_SUPERSET_HOME": str(self.folder),
                "SUPERSET_HOME": str(self.folder), "FLASK_APP": "superset", "SUPERSET_LOG_LEVEL": "warning",
                "PYTHONWARNINGS": "ignore"}

    def serve_command(self, host: str, port: int) -> list[str]:
        # gunicorn, as Superset's docs run it in production; one process, threads for the dashboard's parallel
        # chart requests
        return [str(self.bin / "gunicorn"), "--bind", f"{host}:{port}", "--workers", "1", "--threads", "8",
                "--timeout", "120", "--access-logfile", str(self.folder / "access.log"),
                "--error-logfile", str(self.folder / "error.log"),
                # its control socket beside its logs, not in the user's home: two homes, two servers
                "--control-socket", str(self.folder / "gunicorn.ctl"), "superset.app:create_app()"]


def superset_venv() -> Path:
    """PLANWATCH_SUPERSET_VENV: Superset's own environment (default: .venv-superset in the repository)."""
    return Path(os.environ.get("PLANWATCH_SUPERSET_VENV", REPO_ROOT / ".venv-superset"))


def _private_file(path: Path, make) -> str:
    if not path.exists():
        path.write_text(make(), encoding="utf-8")
    path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def superset_home(settings: Settings) -> SupersetHome:
    bin_dir = superset_venv() / "bin"
    if not (bin_dir / "superset").exists():
        raise SupersetProblem(f"没有找到 Superset 环境 {superset_venv()}：请先运行 make superset",
                              f"Superset's environment {superset_venv()} is missing: run `make superset`")
    folder = settings.home / "superset"
    folder.mkdir(parents=True, exist_ok=True)
    _private_file(folder / "secret_key", lambda: secrets.token_urlsafe(48))
    if os.environ.get("PLANWATCH_SUPERSET_PASSWORD"):
        return SupersetHome(folder, bin_dir, os.environ["PLANWATCH_SUPERSET_PASSWORD"], None)
    password_file = folder / "admin_password"
    return SupersetHome(folder, bin_dir, _private_file(password_file, lambda: secrets.token_urlsafe(12)),
                        password_file)


def _superset(home: SupersetHome, *args: str) -> str:
    log = home.folder / "setup.log"
    result = subprocess.run([str(home.bin / "superset"), *args], env=home.env, cwd=home.folder,
                            capture_output=True, text=True)
    with log.open("a", encoding="utf-8") as f:
        f.write(f"$ superset {' '.join(a if a != home.password else '***' for a in args)}\n"
                f"{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        raise SupersetProblem(f"Superset 设置失败（superset {args[0]}），详见 {log}",
                              f"setting Superset up failed at `superset {args[0]}`: see {log}")
    return result.stdout + result.stderr


def prepare_superset(settings: Settings) -> SupersetHome:
    """Superset's metadata, its admin and the imported bundle, ready to serve."""
    if not published_path(settings).exists():
        raise SupersetProblem("还没有已发布的数据：请先运行 planwatch run",
                              "nothing is published yet: run `planwatch run` first")
    home = superset_home(settings)
    _superset(home, "db", "upgrade")
    users = _superset(home, "fab", "list-users")
    if f"username:{ADMIN}" not in users.replace(" ", ""):
        _superset(home, "fab", "create-admin", "--username", ADMIN, "--firstname", "planwatch",
                  "--lastname", "admin", "--email", "admin@planwatch.example.org", "--password", home.password)
    else:  # the password of record is the one in force (a changed PLANWATCH_SUPERSET_PASSWORD, a lost file)
        _superset(home, "fab", "reset-password", "--username", ADMIN, "--password", home.password)
    _superset(home, "init")
    bundle = home.folder / "planwatch_bundle.zip"
    write_bundle(settings, bundle)
    _superset(home, "import-dashboards", "--path", str(bundle), "--username", ADMIN)
    return home


def dashboard_url(host: str, port: int) -> str:
    return f"http://{host}:{port}/superset/dashboard/{DASHBOARD_SLUG}/"
