"""The short progress view of `planwatch run`: one line per stage with its counts and the time elapsed.

A Dagster logger, selected only by the in-process run of the command line (run config `loggers`); runs the
daemon launches keep Dagster's own console logger. Everything else a run prints (dbt's event stream, Dagster's
step logs, library warnings) goes to the run's log file, and `planwatch run --verbose` shows it all instead.
"""

from __future__ import annotations

import logging
import sys
import time

from dagster import AssetCheckSeverity, DagsterEventType, Field, logger

# the job's steps in the order they run, as a statistician names them
STAGES = {
    "landing_loads": ("加载落地文件", "landing loads"),
    "raw_loads_gate": ("原始数据检查", "quality gate, raw loads"),
    "planwatch_dbt_assets": ("dbt 构建与测试", "dbt build and tests"),
    "quality_gate": ("数据质量检查", "quality gate, staging and marts"),
    "published_warehouse": ("发布", "publish"),
    "exports": ("导出", "exports"),
    "early_warnings": ("预警", "early warnings"),
    "reports": ("报告", "reports"),
}


class ProgressHandler(logging.Handler):
    def __init__(self, stream) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream
        self.started = time.monotonic()
        self.materialized: dict[str, int] = {}
        self.checks: dict[str, list[int]] = {}  # step → [passed, failed errors, failed warnings]
        self.metadata: dict[str, dict] = {}

    def _line(self, mark: str, step: str, detail: str = "") -> None:
        zh, en = STAGES.get(step, (step, step))
        elapsed = time.monotonic() - self.started
        self.stream.write(f"[{elapsed:6.1f}s] {mark} {zh} / {en}{'：' + detail if detail else ''}\n")
        self.stream.flush()

    def _detail(self, step: str) -> str:
        parts = []
        meta = self.metadata.get(step, {})
        if step == "landing_loads" and meta:
            parts.append(f"{meta.get('files', 0)} 个文件 files（已加载过 already loaded "
                         f"{meta.get('files_already_loaded', 0)}）, 读取 read {meta.get('rows_read', 0)}, "
                         f"加载 loaded {meta.get('rows_loaded', 0)}, 重复 duplicates {meta.get('rows_duplicate', 0)}, "
                         f"隔离 quarantined {meta.get('rows_quarantined', 0)}")
        elif step == "early_warnings" and meta:
            parts.append(f"{meta.get('warnings', 0)} 条预警 warnings（约束性 binding {meta.get('binding', 0)}）")
        elif step == "reports" and meta and isinstance(meta.get("reports"), list):  # one per monitored plan
            parts.append(f"{', '.join(meta['reports'])}: {len(meta.get('files', []))} 个文件 files")
        elif step == "planwatch_dbt_assets":
            parts.append(f"{self.materialized.get(step, 0)} 个模型与种子 models and seeds")
        passed, errors, warnings = self.checks.get(step, [0, 0, 0])
        if passed or errors or warnings:
            parts.append(f"检查 checks {passed + errors + warnings}，错误 errors {errors}，警告 warnings {warnings}")
        return "; ".join(parts)

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key")
        if event is None or step is None:
            return
        kind = event.event_type
        if kind == DagsterEventType.STEP_START:
            self._line("…", step)
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            self.materialized[step] = self.materialized.get(step, 0) + 1
            values = event.event_specific_data.materialization.metadata
            self.metadata[step] = {k: getattr(v, "value", v) for k, v in values.items()}
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            counts = self.checks.setdefault(step, [0, 0, 0])
            counts[0 if evaluation.passed else 1 if evaluation.severity == AssetCheckSeverity.ERROR else 2] += 1
        elif kind == DagsterEventType.STEP_SUCCESS:
            self._line("✓", step, self._detail(step))
        elif kind == DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            message = (error.message if error else "").strip().splitlines()
            self._line("✗", step, "; ".join(filter(None, [self._detail(step), message[0][:300] if message else ""])))
        elif kind == DagsterEventType.STEP_SKIPPED:
            self._line("–", step, "跳过 skipped")


@logger(config_schema={"name": Field(str, is_required=False, default_value="planwatch_progress")},
        description="planwatch run's short progress view (one line per stage).")
def progress_logger(init_context):
    log = logging.getLogger(init_context.logger_config["name"])
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.handlers = [ProgressHandler(sys.__stdout__)]  # the terminal, even while the run's output goes to its log
    return log
