"""Dagster resources, configured from planwatch's settings (environment variables)."""

from __future__ import annotations

from dagster import ConfigurableResource

from planwatch.settings import Settings, get_settings


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
