"""The one Definitions object of planwatch: `dagster dev -m orchestration.definitions` loads `defs`."""

from orchestration.pipeline import build_definitions
from planwatch.settings import get_settings

defs = build_definitions(get_settings())
