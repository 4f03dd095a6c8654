"""Dagster resources, configured from planwatch's settings (environment variables)."""

from __future__ import annotations

from contextlib import contextmanager

from dagster import ConfigurableResource, InitResourceContext

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
        with holding(self.settings(), write=True, task=f"Dagster run {run}"):
            yield self
