"""The report as a Word document (python-docx) in the conventions of a Chinese government document where they can
be had: A4, margins 3.7/3.5/2.8/2.6 cm (GB/T 9704), a 黑体 title and headings, 仿宋 body (as the font names the
document asks for; LibreOffice and Word fall back to Noto CJK where they are not installed), numbered headings,
table captions (表1 …) and figure captions (图1 …). Everything in it comes from report_text and the charts."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from planwatch.reports import report_text as text
from planwatch.reports.report_charts import county_chart, series_chart
from planwatch.reports.report_data import ReportData

BODY_FONT = ("仿宋", "FangSong")  # (east Asian, Latin)
COLUMN_WIDTHS_CM = (1.3, 3.0, 1.1, 1.1, 1.5, 1.6, 1.9, 2.3, 1.8)
HEADING_FONT = ("黑体", "SimHei")


def _font(run, fonts: tuple[str, str], size: float, bold: bool = False) -> None:
    run.font.name = fonts[1]
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), fonts[0])


def _para(doc, content: str, *, fonts=BODY_FONT, size=14, bold=False, align=None, indent=True):
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)  # 首行缩进两字
    if align is not None:
        p.alignment = align
    _font(p.add_run(content), fonts, size, bold)
    return p


def _caption(doc, content: str) -> None:
    _para(doc, content, fonts=HEADING_FONT, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def write_docx(data: ReportData, path: Path, work: Path, lang: str = "zh", chart_cache: Path | None = None) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.orientation = WD_ORIENT.PORTRAIT
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT[1]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT[0])
    zh = lang == "zh"
    _para(doc, text.title(data, lang), fonts=HEADING_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    released = f"{data.released_at:%Y年%m月%d日}" if data.released_at else ""
    _para(doc, (f"（数据截至第 {data.release_no} 号发布版本，{released}）" if zh else
                f"(data as of release {data.release_no})") if data.release_no else "",
          size=12, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    headings = (["一、总体情况", "二、指标完成情况", "三、分指标评价", "四、县（市、区）情况", "五、预警", "六、数据说明"] if zh else
                ["1. Summary", "2. The indicators", "3. Indicator by indicator", "4. Counties", "5. Early warnings",
                 "6. Data notes"])
    _para(doc, headings[0], fonts=HEADING_FONT, size=16, indent=False)
    for line in text.summary(data, lang):
        _para(doc, line)

    _para(doc, headings[1], fonts=HEADING_FONT, size=16, indent=False)
    _caption(doc, f"表1　{text.title(data, lang)}指标完成情况" if zh else f"Table 1. The plan's indicators, {data.year}")
    headers = list(text.HEADERS[lang])
    headers[4] = f"{data.start_year - 1}年基数" if zh else f"Baseline {data.start_year - 1}"
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, header in zip(table.rows[0].cells, headers):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(header), HEADING_FONT, 8, bold=True)
    for row in data.rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, text.table_cells(row, lang)):
            cell.text = ""
            lines = value.split("\n")
            paragraph = cell.paragraphs[0]
            for i, line in enumerate(lines):
                run = paragraph.add_run(line)
                _font(run, BODY_FONT, 8)
                if i < len(lines) - 1:
                    run.add_break()
    for column, width in zip(table.columns, COLUMN_WIDTHS_CM):  # a 15.6 cm type area: no number breaks in a cell
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)

    _para(doc, headings[2], fonts=HEADING_FONT, size=16, indent=False)
    figure = 0
    for i, row in enumerate(data.rows, start=1):
        _para(doc, f"（{i}）{row.name_zh}" if zh else f"({i}) {row.name_en}", fonts=HEADING_FONT, size=14, indent=False)
        _para(doc, text.paragraph(row, data, lang))
        if any(v is not None for _, v in row.series[1:]) and row.target_kind != "ratio":
            figure += 1
            image = series_chart(row, data.start_year, data.end_year, work / f"series_{row.indicator_code}.png",
                                 chart_cache)
            doc.add_picture(str(image), width=Cm(14))
            _caption(doc, f"图{figure}　{row.name_zh}与目标路径" if zh else f"Figure {figure}. {row.name_en} and the target path")

    if data.counties:
        _para(doc, headings[3], fonts=HEADING_FONT, size=16, indent=False)
        table_no = 1
        for row in data.rows:
            values = data.counties.get(row.indicator_code)
            if not values:
                continue
            table_no += 1
            _caption(doc, f"表{table_no}　{row.name_zh}（{data.year}年，{row.unit}）" if zh else
                     f"Table {table_no}. {row.name_en} ({data.year}, {row.unit})")
            county_table = doc.add_table(rows=2, cols=len(values))
            county_table.style = "Table Grid"
            for j, (code, value, synthetic) in enumerate(values):
                county_table.rows[0].cells[j].text = ""
                _font(county_table.rows[0].cells[j].paragraphs[0].add_run(data.county_names.get(code, code)),
                      HEADING_FONT, 9, bold=True)
                county_table.rows[1].cells[j].text = ""
                _font(county_table.rows[1].cells[j].paragraphs[0].add_run(text.number(value, row.unit)), BODY_FONT, 9)
            figure += 1
            image = county_chart(row.name_zh, row.unit, [(data.county_names.get(c, c), v) for c, v, _ in values],
                                 work / f"counties_{row.indicator_code}.png", chart_cache)
            doc.add_picture(str(image), width=Cm(14))
            _caption(doc, f"图{figure}　{row.name_zh}分县（市、区）情况" if zh else f"Figure {figure}. {row.name_en} by county")

    _para(doc, headings[4], fonts=HEADING_FONT, size=16, indent=False)
    if data.warnings:
        for zh_text, en_text in data.warnings:
            _para(doc, zh_text if zh else en_text)
    else:
        _para(doc, "无。" if zh else "None.")
    _para(doc, headings[5], fonts=HEADING_FONT, size=16, indent=False)
    for note in text.data_notes(data, lang):
        _para(doc, note, size=12)
    doc.save(path)
    return path
