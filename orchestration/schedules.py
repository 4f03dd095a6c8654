"""When the pipeline runs by itself. Both cron strings come from settings (PLANWATCH_YEARLY_CRON,
PLANWATCH_NIGHTLY_CRON, PLANWATCH_TIMEZONE), so a statistician changes them in one place."""

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.assets.quality_checks import AUDIT_TAG
from planwatch.run_inputs import nothing_changed
from planwatch.settings import Settings


def build_schedules(settings: Settings, job) -> list[ScheduleDefinition]:
    return [
        ScheduleDefinition(
            name="yearly_after_bulletin", job=job, cron_schedule=settings.yearly_cron,
            execution_timezone=settings.timezone, default_status=DefaultScheduleStatus.RUNNING,
            description="每年统计公报发布后运行全流程 / the whole pipeline once a year, after the statistical bulletin"),
        ScheduleDefinition(
            name="nightly_landing_scan", job=job, cron_schedule=settings.nightly_cron,
            execution_timezone=settings.timezone, default_status=DefaultScheduleStatus.RUNNING,
            # most nights nothing arrived: the tick is skipped instead of rebuilding the published release
            should_execute=lambda context: nothing_changed(settings) is None,
            description="每晚扫描落地文件夹并运行全流程（没有变化时跳过）/ a nightly run that loads whatever reached the "
                        "landing folder (skipped when nothing changed since the last complete run)"),
        ScheduleDefinition(
            name="weekly_full_audit", job=job, cron_schedule=settings.audit_cron,
            execution_timezone=settings.timezone, default_status=DefaultScheduleStatus.RUNNING,
            tags={AUDIT_TAG: "full"},
            description="每周全面检查：每条数据质量规则检查全部数据（平时的运行只检查新报送及其涉及的指标×地区）/ a weekly "
                        "full audit: every quality rule over every row (the other runs check the new submissions and "
                        "the keys they touch)"),
    ]
