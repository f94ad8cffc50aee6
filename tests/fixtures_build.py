"""Build small PDF / DOCX reports at test time (no binary fixtures in git).

PDFs use reportlab's built-in CID font STSong-Light: no font file needed, and pdfplumber maps its
glyphs back to Unicode through pdfminer's bundled Adobe-GB1 CMaps, so the Chinese text round-trips.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

PDF_TITLE = "2021年度某街道办事处部门整体支出绩效自评报告"
PDF_PARA = "全年预算数16898.11万元，执行数为16045.66万元，执行率为94.96%。"
PDF_TABLE = [
    ["项目名称", "预算数（万元）", "执行率"],
    ["街道环境卫生保洁及垃圾清运经费", "120.50", "98.5%"],
    ["社区服务", "30.00", "100%"],
]
PDF_AFTER_TABLE = "二、存在的主要问题"
PDF_PAGE2 = "绩效目标设置不够细化，部分指标难以量化。"

DOCX_HEADING = "一、部门基本情况"
DOCX_SUBHEADING = "（一）部门职能"
DOCX_PARA = "本街道办事处由街道本级及下属五个事业单位组成。"
DOCX_SOFT = ("第一行内容", "软换行后的第二行")
DOCX_AFTER_TABLE = "二、存在的主要问题"
DOCX_TABBED = "单位：\t万元"  # a tab stop inside a paragraph, not a table


def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def build_report_pdf(path: Path) -> Path:
    """Two pages: title, paragraph, a ruled table (one cell wraps), a heading; then a paragraph on page 2."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register_font()
    body = ParagraphStyle("cn", fontName=font, fontSize=12, leading=18)
    cell = ParagraphStyle("cell", fontName=font, fontSize=10, leading=13)
    # The long project name is a Paragraph in a narrow column, so it wraps onto two lines inside its cell.
    data = [[Paragraph(text, cell) for text in row] for row in PDF_TABLE]
    table = Table(data, colWidths=[90, 110, 70])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    story = [
        Paragraph(PDF_TITLE, body),
        Spacer(1, 12),
        Paragraph(PDF_PARA, body),
        Spacer(1, 12),
        table,
        Spacer(1, 12),
        Paragraph(PDF_AFTER_TABLE, body),
        PageBreak(),
        Paragraph(PDF_PAGE2, body),
    ]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def build_scanned_pdf(path: Path, *, page_numbers: bool = False, pages: int = 2) -> Path:
    """What a scan looks like to a text extractor: an image and a drawn frame, no text layer.

    With page_numbers, each page also carries a "— n —" footer as text, as scanners' post-processing adds.
    """
    from PIL import Image  # reportlab depends on pillow
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font = _register_font()
    image = ImageReader(Image.new("RGB", (200, 280), (235, 235, 230)))
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, pages + 1):
        c.drawImage(image, 60, 200, width=460, height=580)
        c.rect(50, 190, 480, 600)
        if page_numbers:
            c.setFont(font, 10)
            c.drawCentredString(A4[0] / 2, 40, f"— {n} —")
        c.showPage()
    c.save()
    return path


def build_encrypted_pdf(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    font = _register_font()
    c = canvas.Canvas(str(path), encrypt="secret")
    c.setFont(font, 12)
    c.drawString(72, 720, PDF_PARA)
    c.save()
    return path


def build_report_docx(path: Path) -> Path:
    """Heading 1, paragraph, Heading 2, paragraph with a soft break, a table with a merged header, paragraph."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    _add_table_of_contents(document)
    document.add_heading(DOCX_HEADING, level=1)
    document.add_paragraph(DOCX_PARA)
    document.add_paragraph("")  # empty spacing paragraph: must not produce a text line
    document.add_heading(DOCX_SUBHEADING, level=2)
    para = document.add_paragraph(DOCX_SOFT[0])
    run = para.add_run()
    run.add_break(WD_BREAK.LINE)
    run.add_text(DOCX_SOFT[1])

    table = document.add_table(rows=3, cols=3)
    top = table.rows[0].cells
    merged = top[0].merge(top[1])  # horizontally merged header cell
    merged.text = "项目"
    top[2].text = "执行率"
    for row, values in zip(
        table.rows[1:], [["保洁", "经费", "98.5%"], ["社区", "服务", "100%"]], strict=True
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    # A cell with two paragraphs: its lines are re-joined into one cell.
    table.rows[2].cells[1].add_paragraph("中心")

    document.add_paragraph(DOCX_AFTER_TABLE)
    document.add_paragraph(DOCX_TABBED)
    document.save(str(path))
    return path


def _add_table_of_contents(document: Any) -> None:
    """What Word inserts: a TOC content control, plus a loose entry styled "toc 1" (pasted TOCs)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    sdt = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtPr><w:docPartObj>"
        '<w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj></w:sdtPr>'
        "<w:sdtContent><w:p><w:r><w:t>目录</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>一、部门基本情况</w:t></w:r><w:r><w:tab/><w:t>1</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )
    document.element.body.insert(0, sdt)
    style = document.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("二、存在的主要问题\t3", style=style)


def build_merged_table_pdf(path: Path) -> Path:
    """A 绩效指标 table: the header spans two columns, 产出指标 spans two rows."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    font = _register_font()
    table = Table([["一级指标", "二级指标", ""], ["产出指标", "数量", "100%"], ["", "质量", "95%"]])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("SPAN", (1, 0), (2, 0)),
                ("SPAN", (0, 1), (0, 2)),
            ]
        )
    )
    SimpleDocTemplate(str(path), pagesize=A4).build([table])
    return path


def build_framed_pdf(path: Path, lines: list[str]) -> Path:
    """Text inside a rectangle drawn around the page: a frame, not a table."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = _register_font()
    c = canvas.Canvas(str(path), pagesize=A4)
    c.rect(40, 40, 515, 760)
    c.setFont(font, 12)
    for i, text in enumerate(lines):
        c.drawString(72, 740 - 20 * i, text)
    c.save()
    return path
