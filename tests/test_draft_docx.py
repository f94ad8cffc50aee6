"""The draft as a .docx: a GB/T 9704 公文 page (A4, margins, 22 × 28 grid, fonts, page numbers), a clean body
with the sources as Word endnotes, the same bytes for the same draft, and — after an edit puts a number there
that no source holds — no claim that every number stands in its sources, but the warnings of the screen."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from assistant.docx_export import docx_bytes
from assistant.draft import Draft, build_draft
from assistant.webapp.draft_tab import apply_edits, items_text

CLAIM = "所列数字均出自所引原文"


@pytest.fixture(scope="module")
def nanzhou(five_engine) -> Draft:
    return build_draft(five_engine, "南洲")


def _open(data: bytes):
    return docx.Document(BytesIO(data)), zipfile.ZipFile(BytesIO(data))


def _east_asian(run) -> str | None:
    fonts = run._element.rPr.find(qn("w:rFonts")) if run._element.rPr is not None else None
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def test_the_docx_is_an_a4_gbt9704_page(nanzhou):
    document, package = _open(docx_bytes(nanzhou))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    # 22 lines fill the 225 mm 版心; 28 characters of 三号 fill its 156 mm
    line = int(grid.get(qn("w:linePitch")))
    assert 22 * line <= Mm(225).twips < 23 * line
    pitch = (Pt(16).pt + int(grid.get(qn("w:charSpace"))) / 4096) * 28
    assert abs(pitch - Mm(156).pt) < 0.5

    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    title = paragraphs[0].runs[0]
    assert _east_asian(title) == "方正小标宋简体" and title.font.size == Pt(22)
    heads = [p for p in paragraphs if p.text in ("三、存在的主要问题", "四、下一步改进措施")]
    assert len(heads) == 2 and all(_east_asian(h.runs[0]) == "黑体" for h in heads)
    items = [p for p in paragraphs if p.text.startswith("（一）")]
    assert items and _east_asian(items[0].runs[0]) == "楷体_GB2312"
    body = [r for p in items for r in p.runs[1:] if r.text]
    assert body and all(_east_asian(r) == "仿宋_GB2312" and r.font.size == Pt(16) for r in body)

    # page numbers “— n —”: odd pages right, even pages left
    settings = package.read("word/settings.xml").decode()
    assert "<w:evenAndOddHeaders/>" in settings
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element.xml
        assert 'w:instr=" PAGE "' in xml and f'<w:jc w:val="{side}"/>' in xml and "— " in xml


def test_the_body_is_clean_and_the_sources_are_numbered_endnotes(nanzhou):
    document, package = _open(docx_bytes(nanzhou))
    text = "\n".join(p.text for p in document.paragraphs)
    assert not re.search(r"\[\d+\]", text) and "〔对应问题" not in text
    assert "资产盘点情况" in text and CLAIM in text
    items = [*nanzhou.problems, *nanzhou.measures]
    notes = re.findall(
        r'<w:endnote w:id="(\d+)">(.*?)</w:endnote>', package.read("word/endnotes.xml").decode()
    )
    assert [int(n) for n, _ in notes] == list(range(1, len(items) + 1))
    assert document.element.xml.count("<w:endnoteReference") == len(items)
    for (_, note), item in zip(notes, items, strict=True):
        plain = re.sub(r"\s+", "", "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", note)))
        for c in item.citations:
            assert c.doc in plain and f"第{c.line}" in plain and re.sub(r"\s+", "", c.quote)[:12] in plain
    assert '<w:numFmt w:val="decimal"/>' in package.read("word/settings.xml").decode()
    assert "endnotes+xml" in package.read("[Content_Types].xml").decode()


def test_an_edited_number_no_source_holds_is_warned_in_the_docx(nanzhou):
    problems = items_text(nanzhou, nanzhou.problems).replace("得分9分", "得分12分", 1)
    edited, warnings = apply_edits(nanzhou, problems, items_text(nanzhou, nanzhou.measures))
    assert warnings and any("12" in w for w in warnings)
    document, _ = _open(docx_bytes(edited))
    text = "\n".join(p.text for p in document.paragraphs)
    assert CLAIM not in text and "未能与所引原文核对" in text
    assert all(w in text for w in warnings)
    # an unedited draft, or an edit with no new number, keeps the claim
    reworded = items_text(nanzhou, nanzhou.problems).replace("有待加强", "仍需加强", 1)
    same, none = apply_edits(nanzhou, reworded, items_text(nanzhou, nanzhou.measures))
    assert (
        not none and same.edited and CLAIM in "\n".join(p.text for p in _open(docx_bytes(same))[0].paragraphs)
    )


def test_the_same_draft_gives_the_same_bytes(nanzhou):
    first, second = docx_bytes(nanzhou), docx_bytes(nanzhou)
    assert first == second
    assert {i.date_time for i in zipfile.ZipFile(BytesIO(first)).infolist()} == {(1980, 1, 1, 0, 0, 0)}
