"""The documents the office hands in, from the published copy only: `write_report(settings, kind, year, region,
formats)` writes the Word report, its PDF (LibreOffice headless) and the Excel workbook into
$PLANWATCH_HOME/published/reports/. The dashboard builds the same files for its download buttons."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from planwatch.publish.published_copy import published_dir, published_path
from planwatch.reports.report_charts import prune_chart_cache
from planwatch.reports.report_data import KINDS, ReportData, ReportProblem, read_report_data
from planwatch.reports.report_word import write_docx
from planwatch.reports.report_workbook import write_xlsx
from planwatch.settings import Settings

FORMATS = ("docx", "pdf", "xlsx")
__all__ = ["FORMATS", "KINDS", "ReportData", "ReportProblem", "report_due", "reports_dir", "write_report",
           "write_reports"]


def report_due(database: Path) -> list[tuple[str, str, int]]:
    """The reports a run writes from `database`, one per monitored plan, as (plan, kind, year): the final evaluation
    (总结评估) once the plan's last year has values, else the annual monitoring report of its latest year with
    values, or of its first year while it has none (the 15th plan beside the 14th's final evaluation). None at all
    before any value (or any build)."""
    import duckdb

    if not database.exists():
        return []
    with duckdb.connect(str(database), read_only=True) as con:
        try:
            plans = con.execute(
                "select d.plan_code, d.start_year, d.end_year, max(p.year) filter (where p.actual_value is not null) "
                "from marts.dim_plan d left join marts.fct_plan_progress p using (plan_code) where d.is_monitored "
                "group by all order by d.start_year").fetchall()
        except duckdb.CatalogException:  # not built yet
            return []
    if all(last_year is None for *_, last_year in plans):
        return []
    return [(plan, "final" if last_year is not None and last_year >= end_year else "annual",
             last_year if last_year is not None else start_year) for plan, start_year, end_year, last_year in plans]


def reports_dir(settings: Settings) -> Path:
    return published_dir(settings) / "reports"


def file_stem(data: ReportData, lang: str) -> str:
    return f"{data.plan_code}_{data.kind}_{data.year}_{data.region_code}" + ("_en" if lang == "en" else "")


def soffice() -> str:
    for name in ("soffice", "libreoffice"):
        if found := shutil.which(name):
            return found
    raise ReportProblem("未安装 LibreOffice，无法生成 PDF（Debian：apt-get install libreoffice-writer-nogui）",
                        "LibreOffice is not installed, so no PDF (Debian: apt-get install libreoffice-writer-nogui)")


def to_pdf(docxs: list[Path], out_dir: Path) -> list[Path]:
    """LibreOffice headless, with a profile of its own (a user's running LibreOffice would otherwise take the job).
    Every document in one start: a start costs about 2 s of the 2.1 s a single report's conversion takes
    (measured, issue 21)."""
    with tempfile.TemporaryDirectory(prefix="planwatch_soffice_") as profile:
        done = subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                               "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, docxs)],
                              capture_output=True, text=True, timeout=300 * len(docxs),
                              env={**os.environ, "HOME": profile})
    pdfs = [out_dir / (docx.stem + ".pdf") for docx in docxs]
    for docx, pdf in zip(docxs, pdfs):
        if done.returncode != 0 or not pdf.exists():
            raise ReportProblem(f"LibreOffice 未能转换 {docx.name}：{done.stderr[-500:]}",
                                f"LibreOffice could not convert {docx.name}: {done.stderr[-500:]}")
    return pdfs


def write_report(settings: Settings, kind: str, year: int | None = None, region: str | None = None,
                 formats: tuple[str, ...] = FORMATS, lang: str = "zh", out_dir: Path | None = None,
                 made_by: str = "planwatch", plan: str | None = None) -> list[Path]:
    """One report (the command line's and the dashboard's): its PDF, Word and Excel files."""
    return write_reports(settings, [(plan, kind, year)], region, formats, lang, out_dir, made_by)


def write_reports(settings: Settings, wanted: list[tuple[str | None, str, int | None]], region: str | None = None,
                  formats: tuple[str, ...] = FORMATS, lang: str = "zh", out_dir: Path | None = None,
                  made_by: str = "planwatch") -> list[Path]:
    """The reports `wanted`, each (plan, kind, year) as report_due lists them; for each its PDF, Word and Excel
    files in that order."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ReportProblem(f"格式应为 {', '.join(FORMATS)}，不是 {', '.join(unknown)}",
                            f"formats are {', '.join(FORMATS)}, not {', '.join(unknown)}")
    reports = [read_report_data(published_path(settings), kind, year, region, plan) for plan, kind, year in wanted]
    out_dir = out_dir or reports_dir(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="planwatch_report_") as work:
        work_dir = Path(work)
        docxs, pdfs = [None] * len(reports), [None] * len(reports)
        if "docx" in formats or "pdf" in formats:
            for number, data in enumerate(reports):
                folder = work_dir / str(number)  # each report's charts apart
                folder.mkdir()
                docxs[number] = write_docx(data, folder / f"{file_stem(data, lang)}.docx", folder, lang,
                                           chart_cache=chart_cache(settings))
            if "pdf" in formats:
                pdfs = to_pdf(docxs, work_dir)
        for data, docx, pdf in zip(reports, docxs, pdfs):
            if "pdf" in formats:
                written.append(_move(pdf, out_dir))
            if "docx" in formats:
                written.append(_move(docx, out_dir))
            if "xlsx" in formats:
                written.append(_move(write_xlsx(data, work_dir / f"{file_stem(data, lang)}.xlsx", made_by), out_dir))
    prune_chart_cache(chart_cache(settings))
    return written


def chart_cache(settings: Settings) -> Path:
    return settings.cache_dir / "charts"


def _move(path: Path, out_dir: Path) -> Path:
    """Into place in one rename: a reader never opens half a document."""
    target = out_dir / path.name
    staged = out_dir / f".{path.name}.partial"
    shutil.copyfile(path, staged)
    os.replace(staged, target)
    return target
