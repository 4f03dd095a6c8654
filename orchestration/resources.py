"""Dagster resources, configured from planwatch's settings (environment variables)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster import ConfigurableResource, DagsterEventType, InitResourceContext
from dagster_dbt import DbtCliResource
from packaging import version

from planwatch.run_inputs import record_complete_run
from planwatch.settings import Settings, get_settings
from planwatch.warehouse_access import holding


class PlanwatchResource(ConfigurableResource):
    """Where planwatch keeps its state: PLANWATCH_HOME, the working warehouse and the landing folder."""

    home: str
    warehouse: str
    landing: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "PlanwatchResource":
        return cls(home=str(settings.home), warehouse=str(settings.warehouse), landing=str(settings.landing))

    def settings(self) -> Settings:
        return get_settings(home=self.home, warehouse=self.warehouse, landing=self.landing)

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext):
        """A run is one writer from its first step to its last: the job's executor runs every step in this one
        process and initialises resources once per run, so the warehouse lock is taken here, before the first
        step, and given back when the run ends — a `planwatch load` started meanwhile waits instead of slipping
        its rows between the build and the gate."""
        run = context.run_id[:8] if context.run_id else "?"
        settings = self.settings()
        with holding(settings, write=True, task=f"Dagster run {run}"):
            yield self
            # after the last step, still holding the warehouse: what this run read and left, if it completed
            try:
                summary = completed_run_summary(context)
                if summary is not None:
                    record_complete_run(settings, context.run_id, summary)
            except Exception as error:  # only spares the next run a rebuild: never fails this one
                context.log.warning(f"the nothing-changed record was not written: {error!r}")


# the dbt beside this interpreter: the run's dbt is the dbt-core this environment installed
OWN_DBT = Path(sys.executable).with_name("dbt")


class PlanwatchDbtCli(DbtCliResource):
    """dagster-dbt's resource without two fixed costs planwatch never uses, measured at 2.4 s and 1.5 s of every run
    on the plan-size build (issue 21): `dbt --version` in a child process to learn the version of the dbt it runs
    (it runs the dbt of this environment, whose version is the installed dbt-core's), and a dbt adapter built in
    this process (dbt-core imported, the profile and macros loaded) that dagster-dbt uses only for
    `fetch_row_counts()` and `fetch_column_metadata()`, which planwatch does not call: dbt itself runs in its
    child process as before."""

    @classmethod
    def for_project(cls, project) -> "PlanwatchDbtCli":
        return cls(project_dir=project, profiles_dir=str(project.profiles_dir),
                   dbt_executable=str(OWN_DBT) if OWN_DBT.exists() else "dbt")

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable) == OWN_DBT:
            return version.parse(installed_version("dbt-core"))
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        return None


def completed_run_summary(context: InitResourceContext) -> dict | None:
    """The run's outcome for the nothing-changed record, or None when a step failed or nothing was published
    (a blocked gate skips the publish: the next run must try again)."""
    if context.instance is None or not context.run_id:
        return None
    records = context.instance.get_records_for_run(context.run_id).records
    events = [r.event_log_entry.dagster_event for r in records if r.event_log_entry.dagster_event]
    if any(e.event_type == DagsterEventType.STEP_FAILURE for e in events):
        return None
    metadata = {}
    for e in events:
        if e.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            step = e.step_key or ""
            metadata.setdefault(step, {k: v.value for k, v in e.event_specific_data.materialization.metadata.items()})
    if "published_warehouse" not in metadata:
        return None
    published = metadata["published_warehouse"]
    landing = metadata.get("landing_loads", {})
    return {"release": published.get("release"), "open_queries": published.get("open_queries", 0),
            "back_to_senders": landing.get("back_to_senders") or {},
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
