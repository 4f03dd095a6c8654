"""The report's charts as PNG images, drawn by matplotlib with the system's CJK font (Noto Sans CJK, the Debian
package fonts-noto-cjk) so Chinese labels never fall back to empty boxes."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display, no GUI toolkit
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from planwatch.reports.report_data import IndicatorRow  # noqa: E402

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


def series_chart(row: IndicatorRow, start_year: int, end_year: int, path: Path) -> Path:
    """The series (running total for a cumulative target) against the path from the baseline to the final target."""
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
    return path


def county_chart(title: str, unit: str, values: list[tuple[str, float | None]], path: Path) -> Path:
    """The counties side by side in one year (a bar per county; a county without a value shows no bar)."""
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
    return path
