"""Sensors: a file dropped into the landing folder starts a run (once per file content); a failed run is
recorded in the alert log and sent to the configured webhook."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from datetime import datetime, timezone

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from planwatch.ingest.encodings import display_name
from planwatch.ingest.loader import file_sha256, landing_files
from planwatch.settings import Settings


def build_landing_sensor(settings: Settings, job):
    @sensor(name="landing_folder", job=job, minimum_interval_seconds=settings.sensor_interval_seconds,
            default_status=DefaultSensorStatus.RUNNING,
            description="落地文件夹出现新文件或文件变化时运行全流程 / a run when a new or changed file reaches the landing folder")
    def landing_folder(context: SensorEvaluationContext):
        # The cursor remembers, per file, its size, mtime and content hash as last sent to a run: a file is never
        # run twice, and only files whose size or mtime moved are hashed again.
        seen: dict[str, list] = json.loads(context.cursor) if context.cursor else {}
        current, changed = {}, {}
        for path in landing_files(settings.landing):
            name = str(path.relative_to(settings.landing))
            if name.startswith("bundled/") or path.is_symlink():
                continue  # written by the job itself; a link is the loader's to report, never to follow here
            try:
                stat = path.stat()
            except OSError:  # gone since it was listed
                continue
            previous = seen.get(name)
            if previous and previous[:2] == [stat.st_size, stat.st_mtime_ns]:
                current[name] = previous
                continue
            digest = file_sha256(path)
            current[name] = [stat.st_size, stat.st_mtime_ns, digest]
            if not previous or previous[2] != digest:
                changed[name] = digest
        if not changed:
            if current != {k: v for k, v in seen.items() if k in current}:
                context.update_cursor(json.dumps(current, sort_keys=True))  # touched but identical files
            yield SkipReason("落地文件夹没有新文件 / no new or changed file in the landing folder")
            return
        run_key = hashlib.sha256(json.dumps(sorted(changed.items())).encode()).hexdigest()[:32]
        yield RunRequest(run_key=run_key, tags={"planwatch/trigger": "landing_folder",
                                                "planwatch/files": ", ".join(display_name(n) for n in
                                                                             sorted(changed))[:1000]})
        context.update_cursor(json.dumps({**seen, **current}, sort_keys=True))

    return landing_folder


def send_alert(settings: Settings, record: dict) -> None:
    """Append the failure to the alert log; POST it to the webhook if one is configured."""
    settings.alert_log.parent.mkdir(parents=True, exist_ok=True)
    with open(settings.alert_log, "a", encoding="utf-8") as log:
        log.write(json.dumps(record, ensure_ascii=False) + "\n")
    if settings.alert_webhook:
        request = urllib.request.Request(settings.alert_webhook, data=json.dumps(record).encode("utf-8"),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


def build_failure_sensor(settings: Settings):
    @run_failure_sensor(name="alert_on_failure", default_status=DefaultSensorStatus.RUNNING,
                        description="运行失败时记录并告警 / record a failed run and send the alert")
    def alert_on_failure(context: RunFailureSensorContext):
        record = {
            "time": datetime.now(timezone.utc).isoformat(),
            "run_id": context.dagster_run.run_id,
            "job": context.dagster_run.job_name,
            "message": context.failure_event.message or "",
            "zh": f"运行失败：{context.dagster_run.job_name}（{context.dagster_run.run_id}），请查看 Dagster 界面或 planwatch quality",
        }
        send_alert(settings, record)

    return alert_on_failure
