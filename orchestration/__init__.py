"""Dagster code location for planwatch: one Definitions object in orchestration.definitions."""
