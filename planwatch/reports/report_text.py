"""The words of a report: numbers as the office writes them, the indicator table's cells, one paragraph per
indicator, the summary — in Chinese, or English on request. Word and Excel both take their text from here, so the
two documents say the same thing."""

from __future__ import annotations

from collections import Counter

from planwatch.reports.report_data import CATEGORY_ORDER, TITLES, IndicatorRow, ReportData

HEADERS = {"zh": ("类别", "指标", "单位", "属性", "基数", "目标", "完成情况", "完成率/进度", "评价"),
           "en": ("Area", "Indicator", "Unit", "Attribute", "Baseline", "Target", "Achieved", "Completion / progress",
                  "Assessment")}
CATEGORY_NAMES = {
    "zh": {"achieved_early": "提前实现", "achieved": "已实现", "ahead": "快于预期", "in_line": "基本符合预期",
           "behind": "滞后", "not_assessed": "不评价"},
    "en": {"achieved_early": "achieved ahead of time", "achieved": "achieved", "ahead": "ahead of time elapsed",
           "in_line": "in line with time elapsed", "behind": "behind time elapsed", "not_assessed": "not assessed"},
}
STATUS = {"zh": {"preliminary": "初步数", "revised": "修订数", "synthetic": "示例数据"},
          "en": {"preliminary": "preliminary", "revised": "revised", "synthetic": "synthetic demo data"}}


def decimals(unit: str) -> int:
    """People and person-times are whole numbers; 万人 and rates carry two decimals."""
    return 0 if unit in ("人", "人次") else 2


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = f"{value:.{decimals(unit)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def title(data: ReportData, lang: str) -> str:
    zh, en = TITLES[data.kind]
    if lang == "en":
        return f"{data.plan_en}: {en}, {data.year}" + ("" if data.is_plan_region else f" — {data.region_en} (reference)")
    if data.is_plan_region:
        return f"{data.plan_zh}{data.year}年{zh}"
    return f"{data.plan_zh}{data.year}年{zh}·{data.region_zh}（参考）"


def table_cells(row: IndicatorRow, lang: str) -> list[str]:
    """类别 | 指标 | 单位 | 属性 | 基数 | 目标 | 完成情况 | 完成率/进度 | 评价"""
    achieved = number(row.measure_value, row.unit)
    if row.is_synthetic and row.measure_value is not None:
        achieved += "\n（示例）" if lang == "zh" else "\n(demo)"
    elif row.actual_status in ("preliminary", "revised") and row.measure_value is not None:
        achieved += f"\n（{STATUS['zh'][row.actual_status]}）" if lang == "zh" else f"\n({row.actual_status})"
    completion = row.completion_text or "—"
    if row.progress_share is not None:  # one figure per line in the cell
        completion += (f"\n进度 {percent(row.progress_share)}\n时间 {percent(row.time_elapsed_share)}" if lang == "zh"
                       else f"\nprogress {percent(row.progress_share)}\ntime {percent(row.time_elapsed_share)}")
    assessment = row.category_zh if lang == "zh" else row.category_en
    attribute = row.attribute if lang == "zh" else ("binding" if row.is_binding else "anticipatory")
    return [row.category, row.name_zh if lang == "zh" else row.name_en, row.unit, attribute,
            number(row.baseline_value, row.unit), row.target_text or "—", achieved, completion, assessment]


def paragraph(row: IndicatorRow, data: ReportData, lang: str) -> str:
    """One indicator in plain words: value and year, target, completion, against 序时进度, pace, projection."""
    unit = row.unit
    if lang == "en":
        return _paragraph_en(row, data)
    if row.measure_value is None:
        return f"{row.name_zh}：{data.year}年无数据（或累计期内有年份缺数），暂不评价。"
    what = "累计完成" if row.is_cumulative else "为"
    status = STATUS["zh"].get("synthetic" if row.is_synthetic else row.actual_status or "", "")
    text = f"{row.name_zh}：{data.start_year if row.is_cumulative else data.year}"
    text += f"—{data.year}年" if row.is_cumulative else "年"
    text += f"{what} {number(row.measure_value, unit)}{unit}" + (f"（{status}）" if status else "")
    if row.target_text:
        text += f"，规划目标 {row.target_text}{'' if unit in ('%',) and '%' in row.target_text else unit}"
    if row.completion_text and row.completion_text not in ("——", "—"):
        text += f"，完成情况 {row.completion_text}"
    if row.progress_share is not None:
        text += f"；目标进度 {percent(row.progress_share)}，时间进度 {percent(row.time_elapsed_share)}"
    text += f"，{row.category_zh}。" if row.category_code != "not_assessed" else f"；{row.category_zh}。"
    if row.projected_final_value is not None and row.final_target_value is not None and data.year < data.end_year:
        verdict = "可以完成目标" if row.projected_meets_final_target else "难以完成目标"
        text += f"按目前趋势，预计{data.end_year}年达到 {number(row.projected_final_value, unit)}{unit}，{verdict}"
        if row.required_yearly_pace and not row.projected_meets_final_target:
            text += f"，剩余 {data.end_year - data.year} 年每年需完成 {number(row.required_yearly_pace, unit)}{unit}"
        text += "。"
    if row.methods_disagree:
        text += f"国际方法的判断与序时进度不一致（Open SDG：{row.open_sdg_zh}；联合国：{row.un_sdg_zh}）。"
    return text


def _paragraph_en(row: IndicatorRow, data: ReportData) -> str:
    unit = row.unit
    if row.measure_value is None:
        return f"{row.name_en}: no value for {data.year} (or a year of the running total is missing); not assessed."
    span = f"{data.start_year}–{data.year}" if row.is_cumulative else str(data.year)
    text = f"{row.name_en}: {number(row.measure_value, unit)} {unit} in {span}"
    if row.is_synthetic:
        text += " (synthetic demo data)"
    if row.target_text:
        text += f", against a target of {row.target_text}"
    if row.completion_text and row.completion_text not in ("——", "—"):
        text += f", completion {row.completion_text}"
    if row.progress_share is not None:
        text += f"; progress {percent(row.progress_share)} against {percent(row.time_elapsed_share)} of the time"
    text += f" — {row.category_en}."
    if row.projected_final_value is not None and row.final_target_value is not None and data.year < data.end_year:
        text += (f" On the present trend {number(row.projected_final_value, unit)} {unit} by {data.end_year}, "
                 f"{'meeting' if row.projected_meets_final_target else 'missing'} the target.")
    return text


def summary(data: ReportData, lang: str) -> list[str]:
    """How many indicators in each category, the binding ones first, and the early warnings."""
    rated = [r for r in data.rows if r.category_code != "not_assessed"]
    counts = Counter(r.category_code for r in rated)
    names = CATEGORY_NAMES[lang]
    reference = not data.is_plan_region
    if lang == "zh":
        parts = "，".join(f"{names[c]} {counts[c]} 项" for c in CATEGORY_ORDER if counts.get(c))
        lines = [f"{data.plan_zh}专栏2共 {len(data.rows)} 项指标，按序时进度评价 {len(rated)} 项：{parts}。"]
        binding = [r for r in data.rows if r.is_binding]
        if binding:
            lines.append("约束性指标：" + "；".join(f"{r.name_zh}{r.category_zh}" for r in binding) + "。")
        if reference:
            lines.append("说明：规划未对本地区设定目标，以上评价按全市标准测算，仅供参考。")
    else:
        parts = ", ".join(f"{names[c]} {counts[c]}" for c in CATEGORY_ORDER if counts.get(c))
        lines = [f"Of the plan's {len(data.rows)} indicators, {len(rated)} are rated against the time elapsed: {parts}."]
        binding = [r for r in data.rows if r.is_binding]
        if binding:
            lines.append("Binding indicators: " + "; ".join(f"{r.name_en} — {r.category_en}" for r in binding) + ".")
        if reference:
            lines.append("Note: the plan sets this region no targets; it is judged by the city's standard, as a "
                         "reference.")
    return lines


def data_notes(data: ReportData, lang: str) -> list[str]:
    synthetic = [r.name_zh if lang == "zh" else r.name_en for r in data.rows if r.is_synthetic]
    preliminary = [r.name_zh if lang == "zh" else r.name_en for r in data.rows
                   if r.actual_status == "preliminary" and not r.is_synthetic]
    released = f"{data.released_at:%Y-%m-%d}" if data.released_at else "—"
    if lang == "zh":
        notes = [f"数据截至：第 {data.release_no} 号发布版本（{released}）。" if data.release_no else "数据截至：尚无发布版本。",
                 f"数据来源：已发布数据仓库 {data.published_file.name}（marts.fct_plan_progress、fct_progress_assessment、"
                 f"rpt_early_warning）；每个数值的来源文件、工作表和行见 marts.fct_indicator_observation。"]
        if synthetic:
            notes.append(f"示例数据（非真实统计，仅用于演示）：{'、'.join(synthetic)}。")
        if preliminary:
            notes.append(f"初步数（可能修订）：{'、'.join(preliminary)}。")
        for title_, description in data.quality_warnings:
            notes.append(f"数据质量提示：{title_}。")
        for zh, _ in data.open_queries:
            notes.append(f"待答复的查询：{zh}")
        return notes
    notes = [f"Data as of release {data.release_no} ({released})." if data.release_no else "No release yet.",
             f"Source: the published warehouse {data.published_file.name} (marts.fct_plan_progress, "
             f"fct_progress_assessment, rpt_early_warning); each value's file, sheet and row are in "
             f"marts.fct_indicator_observation."]
    if synthetic:
        notes.append(f"Synthetic demo data (not real statistics): {', '.join(synthetic)}.")
    if preliminary:
        notes.append(f"Preliminary values (may be revised): {', '.join(preliminary)}.")
    for title_, description in data.quality_warnings:
        notes.append(f"Quality warning: {description}.")
    for _, en in data.open_queries:
        notes.append(f"Open query: {en}")
    return notes
