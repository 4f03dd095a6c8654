"""dbt seeds, models and tests as Dagster assets (tests surface as asset checks)."""


from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets

from orchestration.resources import PlanwatchDbtCli, PlanwatchResource
from planwatch.dbt_project import build_args_for_a_run, record_unit_tests_passed


class PlanwatchDbtTranslator(DagsterDbtTranslator):
    """Groups follow the pipeline's stages: seeds → staging → intermediate → marts."""

    def get_asset_key(self, dbt_resource_props):
        # a versioned public mart keeps the key of its relation, [schema, name] like every other model (dagster-dbt
        # keys versioned models by their alias alone): the publish assets take the marts by their key's schema, and a
        # materialization's history survives the model becoming versioned
        if dbt_resource_props.get("version") and dbt_resource_props["resource_type"] == "model":
            return AssetKey([dbt_resource_props["config"].get("schema") or dbt_resource_props["schema"],
                             dbt_resource_props["alias"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props):
        if dbt_resource_props["resource_type"] == "seed":
            return "plan_seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "transform"


def build_dbt_assets(project: DbtProject):
    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=PlanwatchDbtTranslator(
            settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
        ),
    )
    def planwatch_dbt_assets(context: AssetExecutionContext, dbt: PlanwatchDbtCli, planwatch: PlanwatchResource):
        # `planwatch` holds the warehouse for the run (orchestration.resources); dbt runs in a child process
        settings = planwatch.settings()
        args, fingerprint = build_args_for_a_run(settings)
        if fingerprint is None:
            context.log.info("dbt unit tests passed for this version of the project: not repeated")
        yield from dbt.cli(args, context=context).stream()  # raises when anything failed
        if fingerprint is not None:
            record_unit_tests_passed(settings, fingerprint)

    return planwatch_dbt_assets
