"""Publishing and exports: one module used by both the CLI and Dagster."""
