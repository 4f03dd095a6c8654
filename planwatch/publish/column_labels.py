"""Chinese headers and labels for the published CSVs a person opens in Excel (exports/csv_zh/): the same rows as
exports/csv/, with each column named in Chinese and the codes a machine reads (on_track, true) written as words.
A column missing here keeps its English name (and tests/test_progress_and_exports.py fails, so none is missed)."""

from __future__ import annotations

COLUMN_ZH = {
    "action": "操作", "actual_is_synthetic": "实际值为示例数据", "actual_status": "数据状态", "actual_value": "实际值",
    "attribute": "属性", "base_unit": "基本单位", "baseline_text": "基数（原文）", "baseline_value": "基期值",
    "baseline_year": "基期年份", "category": "类别", "category_code": "评价代码", "category_en": "评价（英文）",
    "category_zh": "评价", "cell_ref": "单元格位置", "cell_text": "单元格原文", "comparator": "比较方式",
    "comparator_source": "比较方式来源", "comparator_text": "比较方式（原文）", "completion_rate": "完成率（%）",
    "completion_text": "完成情况", "completion_within_rounding": "与规划所印完成率一致",
    "county_sum_difference": "全市与各县合计之差", "share_of_parent_region": "占全市比重（%）", "date_day": "日期",
    "county_sum_value": "各县（市、区）合计",
    "cumulative_actual": "累计完成", "cumulative_from_year": "累计起始年份", "data_basis": "数据依据",
    "direction": "方向", "end_year": "终止年份", "evaluation": "评估类型", "evaluation_item_id": "评估项编号",
    "evaluation_year": "评估年份", "file_name": "文件名", "file_sha256": "文件校验值（SHA-256）",
    "final_target_value": "期末目标值", "finding_zh": "审核意见", "findings": "不可能数值个数", "frequency": "频率",
    "gap_to_final_target": "距期末目标差距", "indicator_code": "指标代码", "is_additive": "可加总",
    "input_fingerprint": "输入指纹（增量构建用）",
    "is_behind_time_elapsed": "滞后于序时进度", "is_binding": "约束性", "is_county": "县级",
    "is_cumulative": "累计指标", "is_current": "现行规划", "is_latest": "最新版本", "is_latest_year_with_data": "最新有数年份",
    "is_met": "达到目标", "is_multi_year_total": "多年合计", "is_plan_final_year": "规划末年", "is_reference": "参考",
    "is_returned": "已退回", "is_synthetic": "示例数据", "is_synthetic_input": "含示例数据", "item_no": "序号",
    "latest_value": "最新值", "latest_year": "最新年份", "level": "层级", "load_id": "批次号", "loaded_at": "加载时间",
    "measure_includes_synthetic": "含示例数据", "measure_value": "完成值", "method": "评价方法",
    "methods_disagree": "各方法判断不一致", "n_counties_reported": "报送县（市、区）数", "name_en": "名称（英文）",
    "name_printed": "名称（规划原文）", "name_zh": "名称", "not_assessed_reason": "不评价原因", "note": "备注",
    "note_en": "说明（英文）", "note_zh": "说明", "parent_region_code": "上级地区代码", "period_end_year": "期间终止年份",
    "period_label_zh": "规划期", "period_start_year": "期间起始年份", "plan_code": "规划代码",
    "plan_year_index": "规划第几年", "printed_completion_text": "规划所印完成情况", "priority": "优先级",
    "progress_share": "目标进度", "progress_status": "进展状态", "projected_final_value": "预计期末值",
    "projected_meets_final_target": "预计可完成目标", "projection_misses_target": "预计难以完成目标", "quantity": "数量",
    "quantity_in_base_unit": "数量（基本单位）", "quantity_text": "数量（原文）", "raw_value": "原始值",
    "reason_code": "原因代码", "reason_en": "原因（英文）", "reason_zh": "原因", "received_at": "收到时间",
    "region_code": "地区代码", "required_yearly_pace": "尚需年均进度", "responsible_unit": "责任单位",
    "responsible_unit_evidence": "责任单位依据", "row_no": "行号", "rows_duplicate": "重复条数",
    "rows_loaded": "加载条数", "rows_quarantined": "隔离条数", "rows_read": "读取条数", "score": "方法得分",
    "section": "章节", "sender": "报送人", "sentence": "原文句子", "source_column": "来源列", "source_file": "来源文件",
    "source_file_sha256": "来源文件校验值", "source_phrase": "来源短语", "source_ref": "出处", "source_row": "来源行",
    "source_sheet": "来源工作表", "source_table": "来源表", "source_text": "来源说明", "start_year": "起始年份",
    "status": "状态", "status_at": "状态时间", "status_zh": "状态（中文）", "subject_en": "对象（英文）",
    "subject_zh": "对象", "superseded_by": "被替代于", "supersedes": "替代", "table_comparator": "表中比较方式",
    "table_value": "表中数值", "target_basis": "目标依据", "target_code": "目标代码", "target_kind": "目标类型",
    "target_text": "目标", "target_type": "目标种类", "target_value": "目标值",
    "target_value_in_base_unit": "目标值（基本单位）", "target_year": "目标年份", "text_comparator": "文本比较方式",
    "text_value": "文本数值", "time_elapsed_category": "序时进度评价", "time_elapsed_share": "时间进度",
    "unit": "单位", "unit_as_given": "报送单位", "unit_multiplier": "单位倍数", "unit_printed": "单位（规划原文）",
    "value": "数值", "value_as_given": "报送数值", "value_type": "数值类型", "values_agree": "数值一致",
    "vintage": "版本", "warning_en": "预警（英文）", "warning_zh": "预警", "year": "年份", "years_remaining": "剩余年数",
    "years_reported": "已报年数",
    # plans and their succession (dim_plan, rpt_plan_baseline_check)
    "is_monitored": "监测中", "is_example": "示例规划", "previous_plan_code": "上一规划代码",
    "is_default_view": "默认显示", "previous_indicator_code": "上一规划指标代码", "relation": "衔接关系",
    "previous_actual_value": "上一规划实际值", "previous_actual_is_synthetic": "上一规划实际值含示例数据",
    "difference": "差值", "agrees": "一致",
}

# codes written as words (any column holding them); booleans are 是 / 否
VALUE_ZH = {
    "current": "现行", "evaluating": "评估中", "history": "历史", "same": "相同", "renamed": "更名",
    "split": "拆分", "merged": "合并", "new": "新增", "discontinued": "不再设置",
    "on_track": "正常推进", "at_risk": "存在风险", "off_track": "明显滞后", "no_data": "无数据",
    "incomplete_data": "数据不全", "no_target": "无目标", "achieved_early": "提前实现", "achieved": "已实现",
    "ahead": "快于预期", "in_line": "基本符合预期", "behind": "滞后", "not_assessed": "不评价",
    "target_achieved": "目标已实现", "acceleration_needed": "有进展，需加快", "limited_progress": "进展有限",
    "deterioration": "倒退", "target_met": "目标已实现", "fair_progress": "取得一定进展，需加快",
    "stagnation_or_regression": "停滞或倒退", "time_elapsed": "序时进度", "open_sdg": "Open SDG 方法",
    "un_sdg": "联合国 SDG 进展图方法", "preliminary": "初步数", "final": "正式数", "revised": "修订数",
    "synthetic": "示例数据", "higher_is_better": "越大越好", "lower_is_better": "越小越好", "cumulative": "累计",
    "level": "水平", "floor": "下限", "ceiling": "上限", "ratio": "比例", "count": "人数", "rate": "比率",
    "plan": "规划目标", "plan_region_standard": "按全市标准（参考）", "share_of_plan_region_target": "按全市目标份额（参考）",
    "mid_term": "中期评估", "text_target": "文本目标", "accepted": "已接受", "returned": "已退回", "queried": "待说明",
    "superseded": "已被替代", "published": "已发布",
}

# Columns a mart keeps for the warehouse's own incremental builds (macros/incremental_progress.sql), not data: a
# hash of a row's inputs whose value depends on the engine. The published warehouse holds them (the next build
# compares against them); the exports a reader downloads leave them out.
BUILD_COLUMNS = frozenset({"input_fingerprint"})
