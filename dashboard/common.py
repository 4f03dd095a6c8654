"""Shared pieces of every page: the language switch, the region and indicator pickers, the demo-data note, the
table download."""

from __future__ import annotations

import streamlit as st

from dashboard import data
from dashboard.display import unit_text
from dashboard.i18n import t


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
    # the language in the key: a widget keeps the option labels it was drawn with
    return st.selectbox(t("region", english()), list(labels), format_func=labels.get,
                        key=f"{key}_{'en' if english() else 'zh'}")


def indicator_picker(key: str = "indicator") -> str:
    indicators = data.plan_indicators()
    labels = {r.indicator_code: f"{r.row_no}. {getattr(r, name_column())}（{unit_text(r.unit, english())}）"
              for r in indicators.itertuples()}
    return st.selectbox(t("indicator", english()), list(labels), format_func=labels.get,
                        key=f"{key}_{'en' if english() else 'zh'}")


def synthetic_note() -> None:
    st.caption(f"⚠ {t('synthetic_note', english())}")


def table_download(table, name: str, key: str) -> None:
    """Every table's download: an .xlsx with Chinese headers (column_labels.COLUMN_ZH for a mart's column names;
    English with the English switch), instead of a CSV of display text."""
    from planwatch.publish.column_labels import COLUMN_ZH

    shown = table if english() else table.rename(columns=lambda c: COLUMN_ZH.get(c, c))
    st.download_button(t("download_table", english()), xlsx_bytes(shown, name), file_name=f"{name}.xlsx", key=key,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def xlsx_bytes(table, sheet_name: str) -> bytes:
    """A dashboard table as a workbook people can use (the headers as shown, a frozen header row, numbers as
    numbers)."""
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
        sheet.append([_cell(v) for v in row])
    for i, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(max(8, width * 1.6), 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    """A pandas value as openpyxl stores it: NaN, NaT and pd.NA become an empty cell."""
    import pandas as pd

    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):  # a list or another container: kept as it is
        pass
    return value


# the submissions table of the upload and review pages (planwatch.release.releases.submissions_since)
SUBMISSION_HEADERS = [("文件", "File"), ("状态", "Status"), ("地区", "Region"), ("报送人", "Sent by"), ("时间", "Time"),
                      ("说明", "Note")]


def pack_labels(seed: str, code: str, field: str | None = None) -> dict[str, str]:
    """Code → name (in the reader's language) or → `field`, from the plan pack's seeds: the upload and review
    pages work before anything is published."""
    from planwatch.plan_pack import indicator_registry, seed_rows
    from planwatch.settings import get_settings

    column = field or ("name_en" if english() else "name_zh")
    seeds = get_settings().seeds
    # the registry as the warehouse keeps it: an indicator's row is the latest plan's that lists it
    rows = indicator_registry(seeds).values() if seed == "plan_indicators" else seed_rows(seeds, seed)
    return {r[code]: r[column] for r in rows}
