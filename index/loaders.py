"""Document loaders: .txt / .md / .pdf / .docx → RawDocument (numbered source lines with pages).

Line numbers are what citations point at, so they must be reproducible:
- .txt/.md: the file's own lines (`sed -n Np file` shows line N); only line endings are normalised.
- .pdf/.docx: positions in the extracted text, which the index stores next to the chunks.

Every failure is a LoadError whose Chinese message names the file and says how to fix it.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from index.models import RawDocument, SourceLine

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".pdf", ".docx"})
_SUPPORTED_TEXT = "、".join(sorted(SUPPORTED_SUFFIXES))

# Suffixes people commonly try, with the conversion that makes them loadable.
_CONVERT_HINTS = {
    ".doc": "请用 Word 或 WPS 打开后“另存为” .docx 再导入",
    ".wps": "请用 WPS 打开后“另存为” .docx 再导入",
    ".rtf": "请用 Word 或 WPS 打开后“另存为” .docx 再导入",
    ".xls": "表格文件请把报告正文另存为 .docx 或 .pdf 再导入",
    ".xlsx": "表格文件请把报告正文另存为 .docx 或 .pdf 再导入",
    ".ofd": "请用数科阅读器等软件把 OFD 转换（打印）成 PDF 再导入",
    ".jpg": "图片需要先做 OCR 文字识别，转成可复制文字的 PDF 或 .txt 再导入",
    ".jpeg": "图片需要先做 OCR 文字识别，转成可复制文字的 PDF 或 .txt 再导入",
    ".png": "图片需要先做 OCR 文字识别，转成可复制文字的 PDF 或 .txt 再导入",
}

_OCR_HINT = "需要先做 OCR 文字识别（例如用 ocrmypdf -l chi_sim 处理后再导入，或导出为 .txt/.docx）"

# A PDF with less extracted text than this is a scan (page-number footers alone don't count as text).
_MIN_PDF_CHARS = 20
_MIN_PDF_CHARS_PER_PAGE = 5


class LoadError(Exception):
    """A file that cannot be loaded; the message (Chinese) names the file and the fix."""


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_document(path: Path | str) -> RawDocument:
    """Load one report file; raises LoadError (never returns a document without text)."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise LoadError(f"找不到文件，请检查路径是否正确：{path}")
    if not path.is_file():
        raise LoadError(f"这不是一个文件（可能是文件夹）：{path}")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = _CONVERT_HINTS.get(suffix, "请转换为支持的格式后再导入")
        shown = suffix or "（无扩展名）"
        raise LoadError(f"不支持的文件格式 {shown}：{name}。支持的格式：{_SUPPORTED_TEXT}；{hint}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"无法读取文件（{exc.strerror or exc}），请检查文件权限：{name}") from exc
    if not data.strip():
        raise LoadError(f"文件是空的（没有任何文字），请确认导出的文件完整：{name}")

    readers: dict[str, Callable[[str, bytes], list[SourceLine]]] = {
        ".txt": _read_text,
        ".md": _read_text,
        ".pdf": _read_pdf,
        ".docx": _read_docx,
    }
    lines = _simplified(readers[suffix](name, data))
    if not any(line.text.strip() for line in lines):
        raise LoadError(f"文件里没有可读的文字：{name}")
    return RawDocument(name=name, fmt=suffix[1:], lines=lines, sha256=hashlib.sha256(data).hexdigest())


# Pinyin a document-sharing site puts after characters ("預(yù)防"): noise inside every word.
_HAN = "\u3400-\u9fff\uf900-\ufaff"
_PINYIN_NOTE = re.compile(rf"(?<=[{_HAN}])[（(][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{{1,7}}[）)]")


def _simplified(lines: list[SourceLine]) -> list[SourceLine]:
    """A report reposted in traditional characters (績效, 預算) is read, quoted and cited in simplified ones,
    as every question and the rest of the library are written; pinyin notes inside words are dropped."""
    text = "".join(line.text for line in lines)
    strip_pinyin = len(_PINYIN_NOTE.findall(text)) >= 3
    from opencc import OpenCC  # a pure-Python converter; its tables load in milliseconds

    converter = OpenCC("t2s")
    sample = "".join(re.findall(rf"[{_HAN}]", text))[:4000]
    traditional = sample and sum(
        a != b for a, b in zip(sample, converter.convert(sample), strict=False)
    ) >= max(5, len(sample) // 50)
    if not (traditional or strip_pinyin):
        return lines
    out = []
    for line in lines:
        fixed = _PINYIN_NOTE.sub("", line.text) if strip_pinyin else line.text
        out.append(replace(line, text=converter.convert(fixed) if traditional else fixed))
    return out


# ---------------------------------------------------------------- .txt / .md


def _read_text(name: str, data: bytes) -> list[SourceLine]:
    return text_to_lines(_decode(name, data))


def _decode(name: str, data: bytes) -> str:
    """Bytes → str: BOMs first, then UTF-8, then GB18030 (superset of GBK/GB2312), all strict."""
    candidates: list[str]
    if data.startswith(codecs.BOM_UTF8):
        data, candidates = data[len(codecs.BOM_UTF8) :], ["utf-8"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]  # the codec reads and drops the BOM
    elif b"\x00" in data:
        raise LoadError(f"这不是文本文件（含有二进制内容），请确认文件类型和扩展名是否对应：{name}")
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text.removeprefix("\ufeff")
    raise LoadError(
        f"无法识别文件编码或文件不是文本（已尝试 UTF-8、GB18030/GBK），请用记事本“另存为” UTF-8 编码后再导入：{name}"
    )


def _looks_binary(text: str) -> bool:
    # GB18030 decodes many byte soups; real text has at most a few stray control characters.
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\x1a")
    return controls > max(3, 0.01 * len(text))


# Page-number lines as printed by government templates: "— 1 —", "- 2 -", "第 3 页", "第3页 共10页".
_PAGE_MARKER = re.compile(
    r"^\s*(?:[-—–－~]+\s*(\d{1,4})\s*[-—–－~]+|第\s*(\d{1,4})\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?)\s*$"
)
# A first marker preceded by more text than this is a footer (it closes its page), not a header.
_HEADER_SLACK = 40


def text_to_lines(text: str) -> list[SourceLine]:
    """Split decoded text into numbered lines; pages come from form feeds or page-number lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = text.split("\n")  # not splitlines(): it also splits on \x0b, \x1c, \u2028 … unlike grep -n
    if text.endswith("\n"):
        parts.pop()
    pages = _pages_from_formfeeds(parts) if "\f" in text else _pages_from_markers(parts)
    return [
        SourceLine(number=i + 1, text=t, page=p) for i, (t, p) in enumerate(zip(parts, pages, strict=True))
    ]


def _pages_from_formfeeds(parts: list[str]) -> list[int | None]:
    # pdftotext style: a form feed starts each new page.
    pages: list[int | None] = []
    page = 1
    for part in parts:
        head = part.rstrip("\f")
        page += head.count("\f")
        pages.append(page)
        page += len(part) - len(head)
    return pages


def _pages_from_markers(parts: list[str]) -> list[int | None]:
    markers: list[tuple[int, int]] = []  # (line index, page number), increasing numbers only
    for i, part in enumerate(parts):
        m = _PAGE_MARKER.match(part)
        if m:
            number = int(m.group(1) or m.group(2))
            if not markers or number > markers[-1][1]:
                markers.append((i, number))
    if not markers:
        return [None] * len(parts)
    first_idx = markers[0][0]
    before = sum(len("".join(p.split())) for p in parts[:first_idx])
    pages: list[int | None] = []
    if before > _HEADER_SLACK:  # footer: a marker ends its page
        k = 0
        for i in range(len(parts)):
            while k < len(markers) and markers[k][0] < i:
                k += 1
            pages.append(markers[k][1] if k < len(markers) else markers[-1][1] + 1)
        # Blank tail after the last footer stays on the last page.
        last = markers[-1][0]
        if not any(p.strip() for p in parts[last + 1 :]):
            pages[last + 1 :] = [markers[-1][1]] * (len(parts) - last - 1)
    else:  # header: a marker opens its page
        k = 0
        for i in range(len(parts)):
            while k + 1 < len(markers) and markers[k + 1][0] <= i:
                k += 1
            pages.append(markers[k][1])
    return pages


# ---------------------------------------------------------------- shared text helpers

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def _join_wrapped(text: str) -> str:
    """Re-join a cell's wrapped lines: nothing between CJK, a space between Latin words/numbers."""
    pieces = [p.strip() for p in text.replace("\t", " ").split("\n")]
    out = ""
    for piece in pieces:
        if not piece:
            continue
        if (
            out
            and not _CJK.match(out[-1])
            and not _CJK.match(piece[0])
            and out[-1].isalnum()
            and piece[0].isalnum()
        ):
            out += " "
        out += piece
    return out


# Kangxi radicals and compatibility ideographs look like ordinary hanzi but break search (PDFs from WPS).
_COMPAT_CJK = re.compile(r"[\u2e80-\u2fdf\uf900-\ufaff]")


def _fix_compat_cjk(text: str) -> str:
    return _COMPAT_CJK.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)


# ---------------------------------------------------------------- .pdf


def _read_pdf(name: str, data: bytes) -> list[SourceLine]:
    if b"%PDF-" not in data[:1024]:
        raise LoadError(f"这不是有效的 PDF 文件（缺少 PDF 文件头），可能扩展名不对或文件已损坏：{name}")
    import pdfplumber  # heavy; only needed for PDFs
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            page_lines = [_pdf_page_lines(page) for page in pdf.pages]
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        cause = exc.args[0] if exc.args else exc.__context__
        if isinstance(cause, PDFPasswordIncorrect) or isinstance(exc, PDFPasswordIncorrect):
            raise LoadError(
                f"PDF 文件有打开密码（已加密），请先解除密码、另存为普通 PDF 再导入：{name}"
            ) from exc
        raise LoadError(
            f"PDF 文件已损坏或不完整，无法读取（请重新下载或重新导出 PDF）：{name}（{type(exc).__name__}）"
        ) from exc

    if not page_lines:
        raise LoadError(f"PDF 文件没有任何页面，请重新导出：{name}")
    lines: list[SourceLine] = []
    for page_no, texts in enumerate(page_lines, start=1):
        for text in texts:
            lines.append(SourceLine(number=len(lines) + 1, text=text, page=page_no))
    _check_pdf_text(name, lines, len(page_lines))
    return lines


def _check_pdf_text(name: str, lines: list[SourceLine], n_pages: int) -> None:
    body = "".join("".join(line.text.split()) for line in lines if not _PAGE_MARKER.match(line.text))
    cids = len(re.findall(r"\(cid:\d+\)", body))
    if cids and cids * 8 > len(body) * 0.5:  # "(cid:123)" ≈ 8–10 chars: most text is unmapped glyphs
        raise LoadError(f"PDF 的文字层无法解码（字体缺少编码映射，提取出来是乱码），{_OCR_HINT}：{name}")
    if len(body) < max(_MIN_PDF_CHARS, _MIN_PDF_CHARS_PER_PAGE * n_pages):
        raise LoadError(f"这是扫描版（图片）PDF，没有可提取的文字层，{_OCR_HINT}：{name}")


def _pdf_page_lines(page: Any) -> list[str]:
    """One page → lines in reading order: text lines and table rows (cells joined by tab)."""
    page = page.dedupe_chars()  # fake-bold PDFs draw every glyph twice
    tables = [t for t in page.find_tables() if _is_data_table(t)]
    boxes = [t.bbox for t in tables]

    # (top, bottom, is_table_row, text)
    items: list[tuple[float, float, bool, str]] = []
    text_page = (
        page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
        if boxes
        else page
    )
    for tl in text_page.extract_text_lines(return_chars=False):
        text = _fix_compat_cjk(tl["text"]).rstrip()
        if text.strip():
            items.append((tl["top"], tl["bottom"], False, text))
    for table in tables:
        for top, bottom, cells in _pdf_table_rows(table):
            joined = "\t".join(_fix_compat_cjk(c) for c in cells)
            if joined.strip("\t "):
                items.append((top, bottom, True, joined))
    items.sort(key=lambda it: (round(it[0], 1), it[2]))

    text_heights = [b - t for t, b, is_row, _ in items if not is_row and b > t]
    line_height = statistics.median(text_heights) if text_heights else 12.0
    out: list[str] = []
    prev: tuple[float, float, bool, str] | None = None
    for item in items:
        if prev is not None:
            gap = item[0] - prev[1]
            # Blank line at a paragraph gap and around tables, like the corpus' text exports.
            if prev[2] != item[2] or (not item[2] and gap > 0.8 * line_height):
                out.append("")
        out.append(item[3])
        prev = item
    return out


def _pdf_table_rows(table: Any) -> list[tuple[float, float, list[str]]]:
    """Rows as (top, bottom, cells). A vertically merged cell is repeated on every row it spans (as
    python-docx does, so each row keeps its category); a horizontally merged one appears once."""
    rows = table.rows
    texts = table.extract()
    out: list[tuple[float, float, list[str]]] = []
    for r, (row, cells) in enumerate(zip(rows, texts, strict=False)):
        values: list[str] = []
        for c, (bbox, text) in enumerate(zip(row.cells, cells, strict=False)):
            if bbox is not None:
                values.append(_join_wrapped(text or ""))
                continue
            for above in range(r - 1, -1, -1):  # nearest real cell above in this column
                cell = rows[above].cells[c]
                if cell is not None:
                    if cell[3] >= row.bbox[3] - 1:  # it reaches down through this row
                        values.append(_join_wrapped(texts[above][c] or ""))
                    break
        out.append((row.bbox[1], row.bbox[3], values))
    return out


def _is_data_table(table: Any) -> bool:
    # A frame drawn around a page or a boxed paragraph is found as a 1-column "table"; keep it as text.
    rows = table.extract()
    return len(rows) >= 2 and max((sum(c is not None for c in r) for r in rows), default=0) >= 2


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


# ---------------------------------------------------------------- .docx

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_STYLES = {"title", "标题"}
_TOC_STYLE = re.compile(r"^(?:toc|目录)\s*[1-9]$", re.IGNORECASE)


def _style_name(paragraph: Any) -> str:
    style = paragraph.style
    return (style.name or "").strip() if style is not None else ""


def _read_docx(name: str, data: bytes) -> list[SourceLine]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: legacy .doc, or a password-protected .docx
        raise LoadError(
            f"这是旧版 Word（.doc）或设置了密码的文档，请用 Word/WPS 去掉密码并“另存为” .docx 再导入：{name}"
        )
    if not data.startswith(b"PK"):
        raise LoadError(
            f"这不是有效的 .docx 文件（不是 Word 文档格式），请用 Word/WPS 重新另存为 .docx：{name}"
        )
    import docx  # only needed for .docx

    try:
        document = docx.Document(io.BytesIO(data))
        texts = _docx_lines(document)
    except Exception as exc:  # zipfile / lxml / KeyError for missing parts
        raise LoadError(
            f"DOCX 文件已损坏或不完整，无法打开（请用 Word/WPS 打开后重新另存为 .docx）：{name}（{type(exc).__name__}）"
        ) from exc
    if not any(t.strip() for t in texts):
        raise LoadError(f"Word 文档里没有可读的文字（内容可能是图片，{_OCR_HINT}）：{name}")
    return [SourceLine(number=i + 1, text=t, page=None) for i, t in enumerate(texts)]


def _docx_lines(document: Any) -> list[str]:
    """Body order; a paragraph → line(s), a table row → one tab-joined line; blank line between blocks."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[str] = []

    def start_block() -> None:
        # Blank separators keep paragraph boundaries explicit, as in the corpus' text exports.
        if out and out[-1] != "":
            out.append("")

    for block in _iter_body(document.element.body, document):
        if isinstance(block, Paragraph):
            if _TOC_STYLE.match(_style_name(block)):
                continue  # table-of-contents entry outside a content control
            # Tabs mark table cells downstream, so a paragraph's tab stops become spaces.
            lines = [" ".join(part.split("\t")).strip(" ") for part in block.text.split("\n")]
            if not any(line.strip() for line in lines):
                continue
            level = _heading_level(block)
            if level:
                lines[0] = "#" * level + " " + lines[0].strip()
            start_block()
            out.extend(line.rstrip() for line in lines)
        elif isinstance(block, Table):
            rows = [r for r in (_docx_row(row) for row in block.rows) if r.strip("\t ")]
            if rows:
                start_block()
                out.extend(rows)
                out.append("")
    while out and out[-1] == "":
        out.pop()
    return out


def _iter_body(parent: Any, document: Any) -> Iterator[Any]:
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in parent.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, document)
        elif child.tag == qn("w:tbl"):
            yield Table(child, document)
        elif child.tag == qn("w:sdt"):  # content controls wrap body content
            gallery = child.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
            if gallery is not None and "contents" in (gallery.get(qn("w:val")) or "").lower():
                continue  # a table of contents: its entries would read as duplicate headings
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _iter_body(content, document)


def _docx_row(row: Any) -> str:
    cells: list[str] = []
    prev_tc = None
    for cell in row.cells:
        if cell._tc is prev_tc:  # a horizontal merge repeats the same cell once per grid column
            continue
        prev_tc = cell._tc
        cells.append(_join_wrapped(cell.text))
    return "\t".join(cells)


def _heading_level(paragraph: Any) -> int:
    """Heading depth from the style name (Heading N / 标题 N / Title) or an outline level; 0 = body."""
    from docx.oxml.ns import qn

    level = _outline_level(paragraph._p.pPr, qn)
    if level:
        return level
    style = paragraph.style
    for _ in range(5):  # follow based-on styles a few steps: custom styles often derive from 标题 N
        if style is None:
            break
        style_name = (style.name or "").strip()
        m = _HEADING_STYLE.match(style_name)
        if m:
            return int(m.group(1))
        if style_name.lower() in _TITLE_STYLES:
            return 1
        level = _outline_level(style.element.pPr, qn)
        if level:
            return level
        style = style.base_style
    return 0


def _outline_level(ppr: Any, qn: Callable[[str], str]) -> int:
    if ppr is None:
        return 0
    node = ppr.find(qn("w:outlineLvl"))
    if node is None:
        return 0
    try:
        value = int(node.get(qn("w:val")))
    except (TypeError, ValueError):
        return 0
    return value + 1 if 0 <= value < 9 else 0  # 9 = body text
