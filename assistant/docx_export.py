"""The draft as a Word document (.docx) for Word and WPS users: the two sections in 公文 layout, the citation
marks as superscripts, and the numbered references at the end (unit, file, line, quote)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import IO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from assistant.draft import Draft, answers_note, cn_number, heading, one_line, split_title

BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"
SECTIONS = ("三、存在的主要问题", "四、下一步改进措施")
REFERENCES = "引文"


def _font(run: Run, name: str, size: float, bold: bool = False) -> Run:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor(0, 0, 0)
    r_pr = run._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    r_fonts.set(qn("w:eastAsia"), name)  # Chinese text takes the East Asian font, not the Latin one
    return run


def _body(doc: Document, indent: bool = True) -> Paragraph:
    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.first_line_indent = Pt(32) if indent else None  # two characters of 16-point text
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)
    return para


def build_document(draft: Draft) -> Document:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run(heading(draft)), TITLE_FONT, 18)
    note = _body(doc, indent=False)
    _font(note.add_run(draft.basis_note()), BODY_FONT, 10.5)
    for section, items in zip(SECTIONS, (draft.problems, draft.measures), strict=True):
        _font(doc.add_heading(level=1).add_run(section), HEADING_FONT, 16)
        if not items:
            _font(_body(doc).add_run("（未能从报告中形成经核实的条目。）"), BODY_FONT, 16)
        for n, item in enumerate(items, 1):
            para = _body(doc)
            lead, rest = split_title(item)
            _font(para.add_run(f"（{cn_number(n)}）{lead}"), BODY_FONT, 16, bold=bool(lead))
            _font(para.add_run(rest), BODY_FONT, 16)
            marks = _font(para.add_run("".join(f"[{i}]" for i in draft.ref_numbers(item))), BODY_FONT, 10)
            marks.font.superscript = True
            if item.answers:
                _font(para.add_run(answers_note(item)), BODY_FONT, 12)
    _font(doc.add_heading(level=1).add_run(REFERENCES), HEADING_FONT, 14)
    for i, c in enumerate(draft.references(), 1):
        span = f"第{c.line}行" if not c.line_end or c.line_end == c.line else f"第{c.line}–{c.line_end}行"
        para = _body(doc, indent=False)
        para.paragraph_format.line_spacing = None
        para.paragraph_format.space_after = Pt(4)
        text = f"[{i}] 单位：{draft.name_of(c)}；文件：{c.doc}；{span}；引文：「{one_line(c.quote)}」"
        _font(para.add_run(text), "宋体", 10.5)
    return doc


def write_docx(draft: Draft, out: str | Path | IO[bytes]) -> None:
    build_document(draft).save(out)


def docx_bytes(draft: Draft) -> bytes:
    buffer = BytesIO()
    write_docx(draft, buffer)
    return buffer.getvalue()
