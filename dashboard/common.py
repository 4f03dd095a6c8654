"""Shared pieces of every page: the language switch, the region picker, the demo-data mark."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.i18n import t

SYNTHETIC_MARK = "示例数据"


def english() -> bool:
    return bool(st.session_state.get("english", False))


def name_column() -> str:
    return "name_en" if english() else "name_zh"


def published_or_stop() -> None:
    try:
        data.published_file()
    except data.NoPublishedData:
        st.warning(t("no_data", english()))
        st.stop()


def region_picker(key: str = "region") -> str:
    regions = data.regions()
    labels = dict(zip(regions.region_code, regions[name_column()]))
    return st.selectbox(t("region", english()), list(labels), format_func=labels.get, key=key)


def indicator_picker(key: str = "indicator") -> str:
    indicators = data.plan_indicators()
    labels = {r.indicator_code: f"{r.row_no}. {getattr(r, name_column())}（{r.unit}）"
              for r in indicators.itertuples()}
    return st.selectbox(t("indicator", english()), list(labels), format_func=labels.get, key=key)


def synthetic_note() -> None:
    st.caption(f"⚠ {t('synthetic_note', english())}")


def mark(value: str, is_synthetic: bool) -> str:
    return f"{value} · {SYNTHETIC_MARK}" if is_synthetic else value


def xlsx_bytes(table, sheet_name: str) -> bytes:
    """A dashboard table as a workbook people can use (the headers as shown, a frozen header row, numbers as
    numbers) — every table's download, instead of a CSV of display text."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name[:31]
    sheet.append([str(c) for c in table.columns])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for row in table.itertuples(index=False):
        sheet.append([None if v != v else v for v in row])  # NaN → empty
    for i, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(max(8, width * 1.6), 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
