"""How a number, a unit, a code or a column name is shown to a person: one place for every page.

Numbers follow the office's convention (planwatch.reports.report_text.decimals — the report and the screen say the
same): people and person-times as integers, 万人 and rates with two decimals, % after a rate. Arrows and colours
read the indicator's direction: a falling unemployment rate is good news, drawn green. A preliminary value (初步数)
and a synthetic demo value (示例数据) carry different marks, so neither passes for a final statistic. Column names
and codes of the marts never reach the screen: columns get their Chinese (planwatch.publish.column_labels) or
English label, codes their words.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planwatch.publish.column_labels import COLUMN_ZH, VALUE_ZH
from planwatch.reports.report_text import decimals

UNIT_EN = {"人": "persons", "万人": "10k persons", "人次": "person-times", "万人次": "10k person-times", "%": "%",
           "比例": "ratio", "个": "units", "家": "enterprises", "元": "yuan", "万元": "10k yuan", "亿元": "100m yuan",
           "年": "years", "岁": "years", "项": "items", "所": "institutions"}
VALUE_EN = {
    "on_track": "on track", "at_risk": "at risk", "off_track": "off track", "no_data": "no data",
    "incomplete_data": "incomplete data", "no_target": "no target", "achieved_early": "achieved early",
    "achieved": "achieved", "ahead": "ahead of time elapsed", "in_line": "in line with time elapsed",
    "behind": "behind time elapsed", "not_assessed": "not assessed", "preliminary": "preliminary", "final": "final",
    "revised": "revised", "synthetic": "synthetic demo", "higher_is_better": "higher is better",
    "lower_is_better": "lower is better", "cumulative": "cumulative", "level": "level", "mid_term": "mid-term",
    "text_target": "text target", "accepted": "accepted", "returned": "returned", "queried": "queried",
    "superseded": "superseded", "published": "published", "plan": "plan target", "error": "error",
    "warning": "warning", "new": "new", "withdrawn": "withdrawn", "rollback": "rollback", "release": "release",
    "open": "open", "answered": "answered", "resolved": "resolved", "year_on_year": "year-on-year jump",
    "status_downgrade": "status downgrade", "batch_conflict": "conflicting batch", "impossible_value": "impossible value",
    "控制在目标范围内": "within the target range", "超出目标范围": "outside the target range",
    "无对应指标数据": "no matching indicator data", "plan_printed": "as printed in the plan",
    "约束性": "binding", "预期性": "expected", "就业": "employment", "社会保障": "social security",
    "人才队伍建设": "talent", "基础数据": "base data", "劳动关系": "labour relations", "公共服务": "public services",
}
# review-log and quality codes shown in Chinese (beside VALUE_ZH, which the exports use)
VALUE_ZH_EXTRA = {"plan_printed": "规划印刷数", "error": "错误", "warning": "警告", "new": "新增", "withdrawn": "撤回", "rollback": "回滚",
                  "release": "发布", "open": "待处理", "answered": "已答复", "resolved": "已解决",
                  "year_on_year": "同比异常", "status_downgrade": "状态降级", "batch_conflict": "批次冲突",
                  "impossible_value": "不可能数值"}
# column labels in English where the name itself does not read well
COLUMN_EN = {"name_zh": "Name", "name_en": "Name", "source_ref": "Where in the plan", "is_met": "Met",
             "printed_completion_text": "Completion as printed", "completion_text": "Completion",
             "success": "Passed", "severity": "Severity", "title_zh": "Check", "title_en": "Check",
             "observed": "Observed", "table_name": "Table", "check_name": "Rule", "data_basis": "Data basis",
             "vintage": "Vintage", "value_as_given": "As sent", "source_text": "Source"}


def is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def unit_text(unit: str | None, english: bool) -> str:
    if not unit:
        return ""
    return UNIT_EN.get(unit, unit) if english else unit


def number(value, unit: str | None) -> str:
    """A value as the office writes it, with thousands separators: 68,668 (人), 23.76 (万人), 2.36 (%)."""
    if is_missing(value):
        return "—"
    return f"{float(value):,.{decimals(unit or '')}f}"


def value_with_unit(value, unit: str | None, english: bool) -> str:
    text = number(value, unit)
    if text == "—" or not unit:
        return text
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit_text(unit, english)}"


def marks(actual_status: str | None, is_synthetic: bool, english: bool, short: bool = False) -> str:
    """The marks after a value: 初步数 (preliminary, to be revised) and 示例数据 (synthetic) are different marks
    (`short`: the symbols alone, for a dense table with a legend)."""
    if short:
        return ("⚠" if is_synthetic else "") + ("ᴾ" if actual_status == "preliminary" else
                                                ("ʳ" if actual_status == "revised" else ""))
    found = []
    if is_synthetic:
        found.append("⚠ synthetic demo" if english else "⚠ 示例数据")
    if actual_status == "preliminary":
        found.append("ᴾ preliminary" if english else "ᴾ 初步数")
    elif actual_status == "revised":
        found.append("ʳ revised" if english else "ʳ 修订数")
    return " · ".join(found)


GOOD, BAD, FLAT = "#2e7d32", "#c62828", "#616161"


def trend(change, direction: str | None) -> tuple[str, str]:
    """The arrow and colour of a change: up or down as the number moved, green when it moved the way the plan
    wants (a rate that should fall, falling, is green), grey when the indicator has no direction."""
    if is_missing(change) or change == 0:
        return "→", FLAT
    arrow = "↑" if change > 0 else "↓"
    if direction == "higher_is_better":
        return arrow, GOOD if change > 0 else BAD
    if direction == "lower_is_better":
        return arrow, GOOD if change < 0 else BAD
    return arrow, FLAT


def column_label(column: str, english: bool) -> str:
    if english:
        return COLUMN_EN.get(column, column.replace("_", " ").capitalize())
    return COLUMN_ZH.get(column, column)


def value_label(value, english: bool):
    """A code or a boolean as words; anything else as it is."""
    if isinstance(value, (bool, np.bool_)):
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if isinstance(value, str):
        return VALUE_EN.get(value, value) if english else VALUE_ZH.get(value, VALUE_ZH_EXTRA.get(value, value))
    if is_missing(value):
        return "—"
    return value


def plain_number(value) -> str:
    """A value whose unit the column does not say: up to two decimals, no trailing zeros, — when missing."""
    if is_missing(value):
        return "—"
    text = f"{float(value):,.2f}"
    return text.rstrip("0").rstrip(".")


def labelled(frame: pd.DataFrame, english: bool, keep_codes: tuple[str, ...] = (),
             units: dict[str, str] | None = None) -> pd.DataFrame:
    """A mart's rows as a person reads them: every column by its label, codes and booleans as words (columns in
    `keep_codes` keep their values: names, file names), decimals as text — by the unit in the column named in
    `units` ({value column: unit column}), else with up to two decimals — so a missing one is —, never None."""
    shown = frame.copy()
    for column, unit_column in (units or {}).items():
        shown[column] = [number(v, u) for v, u in zip(frame[column], frame[unit_column])]
    for unit_column in set((units or {}).values()):
        shown[unit_column] = [unit_text(u, english) for u in frame[unit_column]]
    for column in shown.columns:
        if column in (units or {}) or column in (units or {}).values():
            continue
        if column in keep_codes:  # names and file names as they are; a missing one is —
            shown[column] = shown[column].map(lambda v: "—" if is_missing(v) else v).astype(object)
            continue
        kind = shown[column].dtype
        if (pd.api.types.is_object_dtype(kind) or pd.api.types.is_string_dtype(kind)
                or pd.api.types.is_bool_dtype(kind)):
            shown[column] = shown[column].map(lambda v: value_label(v, english)).astype(object)
        elif pd.api.types.is_float_dtype(kind):
            shown[column] = shown[column].map(plain_number)
    return shown.rename(columns=lambda c: column_label(c, english))


def headed(rows: list, headers: list[tuple[str, str]], english: bool, codes: tuple[int, ...] = ()) -> pd.DataFrame:
    """Rows under bilingual headers ((zh, en) pairs); the columns at positions `codes` hold codes, shown as words."""
    shown = [["—" if is_missing(v) else value_label(v, english) if i in codes else v for i, v in enumerate(row)]
             for row in rows]
    return pd.DataFrame(shown, columns=[en if english else zh for zh, en in headers])
