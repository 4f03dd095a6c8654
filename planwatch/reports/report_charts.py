"""The report's charts as PNG images, drawn by matplotlib with the system's CJK font (Noto Sans CJK, the Debian
package fonts-noto-cjk) so Chinese labels never fall back to empty boxes.

A chart is a pure function of what it draws, so with a cache folder (the after-run report passes
PLANWATCH_HOME/cache/charts) an unchanged chart is copied instead of drawn: drawing is 0.1 s a chart, 2.9 s of the
plan-size report's 29, and a county's revision changes a few of them (issue 21). The key is everything drawn, this
module's source, matplotlib's version and the font."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, no GUI toolkit
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from planwatch.reports.report_data import IndicatorRow  # noqa: E402

CHART_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
CACHE_DAYS = 30  # a cached chart nobody used for this long is deleted
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei")


def cjk_font() -> str:
    """The first CJK font installed; a report without one would print boxes, so its absence is an error."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    raise RuntimeError("no CJK font is installed (Debian: apt-get install fonts-noto-cjk); charts would show boxes")


def _style() -> None:
    plt.rcParams.update({"font.family": cjk_font(), "axes.unicode_minus": False, "font.size": 9,
                         "axes.spines.top": False, "axes.spines.right": False})


def _cached(drawn: tuple, path: Path, cache: Path | None, draw: Callable[[], None]) -> Path:
    if cache is None:
        draw()
        return path
    key = hashlib.sha256(repr((drawn, CHART_CODE, matplotlib.__version__, cjk_font())).encode()).hexdigest()
    hit = cache / f"{key}.png"
    if hit.exists():
        shutil.copyfile(hit, path)
        os.utime(hit)  # used: kept by prune_chart_cache
        return path
    draw()
    cache.mkdir(parents=True, exist_ok=True)
    staged = cache / f".{key}.partial"
    shutil.copyfile(path, staged)
    os.replace(staged, hit)  # a report written meanwhile copies a whole chart or draws its own
    return path


def prune_chart_cache(cache: Path, days: int = CACHE_DAYS) -> int:
    """Delete the cached charts no report used for `days`; returns how many."""
    if not cache.exists():
        return 0
    cutoff = time.time() - days * 86400
    old = [p for p in cache.glob("*.png") if p.stat().st_mtime < cutoff]
    for p in old:
        p.unlink(missing_ok=True)
    return len(old)


def series_chart(row: IndicatorRow, start_year: int, end_year: int, path: Path, cache: Path | None = None) -> Path:
    """The series (running total for a cumulative target) against the path from the baseline to the final target."""
    drawn = ("series", row.name_zh, row.unit, tuple(row.series), row.is_cumulative, row.baseline_value,
             row.final_target_value, row.target_kind, start_year, end_year)
    return _cached(drawn, path, cache, lambda: _draw_series(row, start_year, end_year, path))


def _draw_series(row: IndicatorRow, start_year: int, end_year: int, path: Path) -> None:
    _style()
    fig, ax = plt.subplots(figsize=(5.6, 2.6), dpi=150)
    points = [(y, v) for y, v in row.series if v is not None]
    if points:
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", color="#1f5f99", label="实际")
    base = 0.0 if row.is_cumulative else row.baseline_value
    if row.final_target_value is not None and base is not None and row.target_kind not in ("ceiling", "ratio"):
        ax.plot([start_year - 1, end_year], [base, row.final_target_value], linestyle="--", color="#c0392b",
                label="目标路径（序时进度）")
    if row.final_target_value is not None and row.target_kind == "ceiling":
        ax.axhline(row.final_target_value, linestyle="--", color="#c0392b", label="目标上限")
    ax.set_xticks(range(start_year - 1, end_year + 1))
    ax.set_title(f"{row.name_zh}（{row.unit}）", fontsize=10)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def county_chart(title: str, unit: str, values: list[tuple[str, float | None]], path: Path,
                 cache: Path | None = None) -> Path:
    """The counties side by side in one year (a bar per county; a county without a value shows no bar)."""
    drawn = ("counties", title, unit, tuple(values))
    return _cached(drawn, path, cache, lambda: _draw_counties(title, unit, values, path))


def _draw_counties(title: str, unit: str, values: list[tuple[str, float | None]], path: Path) -> None:
    _style()
    fig, ax = plt.subplots(figsize=(5.6, 2.4), dpi=150)
    names = [n for n, _ in values]
    ax.bar(names, [v if v is not None else 0 for _, v in values], color="#1f5f99")
    for i, (_, v) in enumerate(values):
        ax.text(i, v or 0, "无数据" if v is None else f"{v:g}", ha="center", va="bottom", fontsize=7)
    ax.set_title(f"{title}（{unit}）", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
