"""Labels in Chinese (default) and English."""

LABELS = {
    "title": ("江门市人社“十四五”规划监测", "Jiangmen HR & Social Security 14th Plan Monitor"),
    "language": ("语言", "Language"),
    "overview": ("总览", "Overview"),
    "detail": ("指标详情", "Indicator detail"),
    "review13": ("十三五回顾", "13th plan review"),
    "evaluation14": ("十四五评估", "14th plan evaluation"),
    "report_kind": ("评估类型", "Evaluation"),
    "kind_mid_term": ("中期评估（2023年）", "Mid-term (2023)"),
    "kind_final": ("总结评估（2025年）", "Final (2025)"),
    "kind_annual": ("年度监测（最新年份）", "Annual (latest year)"),
    "download_docx": ("下载报告（Word）", "Download the report (Word)"),
    "download_pdf": ("下载报告（PDF）", "Download the report (PDF)"),
    "download_xlsx": ("下载表格（Excel）", "Download the tables (Excel)"),
    "download_table": ("下载此表（Excel）", "Download this table (Excel)"),
    "early_warnings": ("预警", "Early warnings"),
    "data_notes": ("数据说明", "Data notes"),
    "text_targets": ("文本目标", "Text targets"),
    "quality": ("数据质量", "Data quality"),
    "provenance": ("数据来源", "Provenance"),
    "region": ("地区", "Region"),
    "indicator": ("指标", "Indicator"),
    "year": ("年份", "Year"),
    "latest": ("最新值", "Latest value"),
    "target": ("目标", "Target"),
    "completion": ("完成情况", "Completion"),
    "status": ("状态", "Status"),
    "binding": ("约束性", "Binding"),
    "synthetic": ("示例数据", "demo data"),
    "synthetic_note": ("标有“示例数据”的数值为合成演示数据，不是真实统计。",
                       "Values marked 示例数据 (demo data) are synthetic, not real statistics."),
    "pace": ("尚需年均进度", "Yearly pace still needed"),
    "projection": ("预计期末值", "Projected 2025 value"),
    "actual": ("实际值", "Actual"),
    "target_path": ("目标路径", "Target path"),
    "cumulative": ("累计值", "Cumulative"),
    "counties": ("各县（市、区）对比", "Counties side by side"),
    "no_data": ("暂无已发布数据：请先运行 planwatch run。", "No published data yet: run planwatch run first."),
    "failures_first": ("最近一次检查（先列错误和警告）", "Last validation (failures and warnings first)"),
    "history": ("检查历史", "History"),
    "data_docs": ("质量报告（Data Docs）", "Quality report (Data Docs)"),
    "vintages": ("各版本", "Vintages"),
    "file": ("文件", "File"),
}
STATUS = {
    "on_track": ("正常推进", "on track", "#2e7d32"),
    "at_risk": ("存在风险", "at risk", "#f9a825"),
    "off_track": ("明显滞后", "off track", "#c62828"),
    "no_data": ("无数据", "no data", "#9e9e9e"),
    "incomplete_data": ("数据不全", "incomplete data", "#9e9e9e"),
    "no_target": ("无目标", "no target", "#9e9e9e"),
}


def t(key: str, english: bool) -> str:
    zh, en = LABELS[key]
    return en if english else zh


def status_label(code: str, english: bool) -> str:
    zh, en, _ = STATUS.get(code, (code, code, "#9e9e9e"))
    return en if english else zh


def status_colour(code: str) -> str:
    return STATUS.get(code, ("", "", "#9e9e9e"))[2]
