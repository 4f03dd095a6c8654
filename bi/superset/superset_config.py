"""Superset's settings for planwatch (SUPERSET_CONFIG_PATH): `planwatch superset` sets the environment this reads.

The metadata database (users, charts, the dashboard) is SQLite under PLANWATCH_HOME/superset; the warehouse is
the published DuckDB copy, registered read-only by the import bundle (planwatch/bi/superset_bundle.py).
"""

import os
from pathlib import Path

HOME = Path(os.environ["PLANWATCH_SUPERSET_HOME"])

SECRET_KEY = (HOME / "secret_key").read_text(encoding="utf-8").strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{HOME / 'superset.db'}"
DATA_DIR = str(HOME)
WTF_CSRF_ENABLED = True
# no example data, no calls home, nothing fetched from the internet
SUPERSET_LOAD_EXAMPLES = False
FEATURE_FLAGS = {"ALERT_REPORTS": False, "THUMBNAILS": False}
# a SQLite warehouse is refused; the DuckDB copy is opened read-only by its driver
PREVENT_UNSAFE_DB_CONNECTIONS = True
LANGUAGES = {"zh": {"flag": "cn", "name": "简体中文"}, "en": {"flag": "us", "name": "English"}}
BABEL_DEFAULT_LOCALE = os.environ.get("PLANWATCH_SUPERSET_LOCALE", "en")
ROW_LIMIT = 50000
