"""The draft as a Word document (.docx) for Word and WPS users, laid out as a 公文 (GB/T 9704-2012):

- A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right (a 156 × 225 mm 版心); a document grid of 22
  lines of 28 characters (the standard's “一般每面排22行，每行排28个字”);
- title in 方正小标宋简体 二号, body in 仿宋_GB2312 三号, first-level headings (三、四、) in 黑体 三号, item heads
  ((一) and its title) in 楷体_GB2312 三号; page numbers “— 1 —” in 宋体 四号 under the 版心, odd pages right
  and even pages left, one character in;
- a clean body to paste: no [n] marks and no 〔对应问题…〕 notes. Each item's sources are a Word endnote at its
  end (numbered 1, 2, 3 …): unit, file, lines and quote.

Under the title a note says what the draft rests on; when the user's edits put a number there that no cited
quote holds, it says so instead of vouching for the numbers, and lists the same warnings as the screen.
The same draft gives the same bytes: the zip entries carry a fixed date.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import IO

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

from assistant.draft import Draft, DraftItem, cn_number, one_line, span_of, split_title, title_lines

BODY_FONT, TITLE_FONT, HEADING_FONT, ITEM_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
PAGE_FONT, LATIN_FONT = "宋体", "Times New Roman"
BODY_PT, TITLE_PT, PAGE_PT, NOTE_PT = 16, 22, 14, 12  # 三号, 二号, 四号, 小四
PAGE_MM, MARGINS_MM = (210, 297), {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES, CHARS = 22, 28
TEXT_MM = (
    PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"],
    PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"],
)
LINE_PITCH = int(TEXT_MM[1] / 25.4 * 1440 / LINES)  # twips: 579, so 22 lines fill the 225 mm 版心
# the grid's character pitch as an offset from the body size, in 1/4096 pt: 28 characters fill 156 mm
CHAR_SPACE = round((TEXT_MM[0] / 25.4 * 72 / CHARS - BODY_PT) * 4096)
FOOTER_MM = MARGINS_MM["bottom"] - 7 - 6  # the page number 7 mm under the 版心 (its line about 6 mm high)
SECTIONS = ("三、存在的主要问题", "四、下一步改进措施")
ENDNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def _font(run: Run, name: str, size: float, bold: bool = False, latin: str = LATIN_FONT) -> Run:
    run.font.name = latin
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor(0, 0, 0)
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), name)  # Chinese text takes the East Asian font, not the Latin one
    return run


def _paragraph(
    doc: DocumentObject, indent: bool = True, align: WD_ALIGN_PARAGRAPH | None = None
) -> Paragraph:
    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.first_line_indent = Pt(2 * BODY_PT) if indent else None  # two characters
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(LINE_PITCH)
    if align is not None:
        para.alignment = align
    return para


def _page_setup(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(FOOTER_MM)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    grid.attrib.clear()
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))

    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    for lang in defaults.iter(qn("w:lang")) if defaults is not None else ():
        lang.set(qn("w:eastAsia"), "zh-CN")
    for lang in doc.settings.element.iter(qn("w:themeFontLang")):
        lang.set(qn("w:eastAsia"), "zh-CN")

    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _page_number(para: Paragraph, align: WD_ALIGN_PARAGRAPH) -> None:
    """— n — in 宋体 四号, one character in from the side it stands on (odd pages right, even left)."""
    para.alignment = align
    fmt = para.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(PAGE_PT)
    else:
        fmt.left_indent = Pt(PAGE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    _font(para.add_run("— "), PAGE_FONT, PAGE_PT, latin=PAGE_FONT)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), " PAGE ")
    number = _font(Run(OxmlElement("w:r"), para), PAGE_FONT, PAGE_PT, latin=PAGE_FONT)
    number.text = "1"
    field.append(number._r)
    para._p.append(field)
    _font(para.add_run(" —"), PAGE_FONT, PAGE_PT, latin=PAGE_FONT)


def _sources(draft: Draft, item: DraftItem) -> str:
    """An item's endnote: where each of its figures and sentences comes from."""
    parts = [f"{draft.name_of(c)}报告（{c.doc}）{span_of(c)}：“{one_line(c.quote)}”" for c in item.citations]
    lead = "通用措施，所答问题的依据：" if item.basis == ["template"] else "依据："
    return lead + "；".join(parts) + "。"


class _Endnotes:
    """The document's endnotes part: one note per item, Word numbering them 1, 2, 3 … in body order."""

    def __init__(self, doc: DocumentObject) -> None:
        self.root = parse_xml(
            f"<w:endnotes {nsdecls('w', 'r')}>"
            + "".join(
                f'<w:endnote w:type="{kind}" w:id="{i}"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
                f'w:lineRule="auto"/></w:pPr><w:r><w:{kind}/></w:r></w:p></w:endnote>'
                for i, kind in ((-1, "separator"), (0, "continuationSeparator"))
            )
            + "</w:endnotes>"
        )
        self.doc = doc
        self.count = 0

    def add(self, para: Paragraph, text: str) -> None:
        self.count += 1
        ref = _font(para.add_run(), BODY_FONT, BODY_PT)
        ref.font.superscript = True
        mark = OxmlElement("w:endnoteReference")
        mark.set(qn("w:id"), str(self.count))
        ref._r.append(mark)

        note, p_element = OxmlElement("w:endnote"), OxmlElement("w:p")
        note.set(qn("w:id"), str(self.count))
        note.append(p_element)
        self.root.append(note)
        p = Paragraph(p_element, para._parent)
        p.paragraph_format.space_after = Pt(0)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = None
        number = _font(p.add_run(), BODY_FONT, NOTE_PT)
        number.font.superscript = True
        number._r.append(OxmlElement("w:endnoteRef"))
        _font(p.add_run(" " + text), BODY_FONT, NOTE_PT)

    def attach(self) -> None:
        if not self.count:
            return
        blob = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
        part = Part(PackURI("/word/endnotes.xml"), ENDNOTES_CT, blob, self.doc.part.package)
        self.doc.part.relate_to(part, RT.ENDNOTES)
        # Arabic numbers (Word's default for endnotes is i, ii, iii), document-wide and in the section
        settings = self.doc.settings.element
        props = etree.fromstring(
            f'<w:endnotePr {nsdecls("w")}><w:numFmt w:val="decimal"/>'
            '<w:endnote w:id="-1"/><w:endnote w:id="0"/></w:endnotePr>'
        )
        compat = settings.find(qn("w:compat"))
        if compat is not None:
            compat.addprevious(props)
        else:
            settings.append(props)
        sect_pr = self.doc.sections[0]._sectPr
        section_props = etree.fromstring(
            f'<w:endnotePr {nsdecls("w")}><w:numFmt w:val="decimal"/></w:endnotePr>'
        )
        anchor = next(
            (
                e
                for e in sect_pr
                if e.tag not in (qn("w:headerReference"), qn("w:footerReference"), qn("w:footnotePr"))
            ),
            None,
        )
        if anchor is not None:
            anchor.addprevious(section_props)
        else:
            sect_pr.append(section_props)


def build_document(draft: Draft) -> DocumentObject:
    doc = Document()
    _page_setup(doc)
    props = doc.core_properties
    main, sub = title_lines(draft)
    props.title, props.subject, props.author = main, sub.strip("（）"), "绩效自评报告助手"
    props.comments, props.keywords, props.category, props.last_modified_by = "", "", "", ""
    props.language, props.revision = "zh-CN", 1

    body = doc.paragraphs[0] if doc.paragraphs else None  # the template's empty first paragraph
    if body is not None:
        body._p.getparent().remove(body._p)
    _font(_paragraph(doc, False, WD_ALIGN_PARAGRAPH.CENTER).add_run(main), TITLE_FONT, TITLE_PT)
    _font(_paragraph(doc, False, WD_ALIGN_PARAGRAPH.CENTER).add_run(sub), ITEM_FONT, BODY_PT)
    _paragraph(doc, False)
    note = _paragraph(doc)
    _font(note.add_run("【草稿说明】" + draft.basis_note()), ITEM_FONT, BODY_PT)
    for warning in draft.warnings:
        _font(_paragraph(doc).add_run("※ " + warning), ITEM_FONT, BODY_PT)
    _paragraph(doc, False)

    notes = _Endnotes(doc)
    for section, items in zip(SECTIONS, (draft.problems, draft.measures), strict=True):
        head = _paragraph(doc)
        head.paragraph_format.keep_with_next = True
        head._p.get_or_add_pPr().append(_outline(0))
        _font(head.add_run(section), HEADING_FONT, BODY_PT)
        if not items:
            _font(_paragraph(doc).add_run("（未能从报告中形成经核实的条目。）"), BODY_FONT, BODY_PT)
        for n, item in enumerate(items, 1):
            para = _paragraph(doc)
            lead, rest = split_title(item)
            _font(para.add_run(f"（{cn_number(n)}）{lead}"), ITEM_FONT, BODY_PT)
            if rest:
                _font(para.add_run(rest), BODY_FONT, BODY_PT)
            if item.citations:
                notes.add(para, _sources(draft, item))
    notes.attach()
    return doc


def _outline(level: int) -> OxmlElement:
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level))
    return element


def docx_bytes(draft: Draft) -> bytes:
    buffer = BytesIO()
    build_document(draft).save(buffer)
    return _stable_zip(buffer.getvalue())


def write_docx(draft: Draft, out: str | Path | IO[bytes]) -> None:
    data = docx_bytes(draft)
    if isinstance(out, (str, Path)):
        Path(out).write_bytes(data)
    else:
        out.write(data)


def _stable_zip(data: bytes) -> bytes:
    """The package re-zipped with a fixed date on every entry (python-docx stamps the time of saving)."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
