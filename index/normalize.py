"""Clean text for chunking and search, keeping a map from every character back to its source line.

Real report text (PDF extractions especially) carries page markers, hard wraps in mid-sentence with blank
lines between, spaces inside numbers and units ("0.64 万 元 ， 下 降"), markdown emphasis, HTML in table
cells and tab-separated rows. `normalize` turns the lines into `Block`s of clean text; `match_key` is the
canonical form used to check a quote against the source "whitespace aside".
"""

from __future__ import annotations

import html
import re
from collections import Counter

from index.cell_runs import CellRow, find_cell_runs
from index.models import Block, RawDocument, SourceLine

CJK = r"\u3400-\u9fff\uf900-\ufaff"
CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014-\u201f\u2026"
_WIDE = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "．": ".", "\u00a0": " ", "\u3000": " "}
)

PAGE_MARKER = re.compile(
    r"^\s*(?:[—\-–－]+\s*\d{1,4}\s*[—\-–－]+|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?)\s*$"
)
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}[-:|\s\t]*$")
_HTML_BREAK = re.compile(r"</?(?:p|li|br|div|tr|ol|ul)\b[^>]*>", re.I)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_EMPHASIS = re.compile(r"\*{1,3}|_{2,3}")
_SPACE_RUN = re.compile(r"[ \t]+")
# A space goes when either neighbour is CJK text or CJK punctuation: "2021 年" → "2021年",
# "0.64 万 元 ， 下 降" → "0.64万元，下降". Digit–space–digit stays: it separates table cells ("3 3").
_SPACE_CJK = re.compile(rf"(?<=[{CJK}{CJK_PUNCT}]) +| +(?=[{CJK}{CJK_PUNCT}])")
_SPACE_IN_NUMBER = re.compile(r"(?<=\d) +(?=[%.,](?:\d|$|\D))|(?<=[.,]) +(?=\d)")
MD_HEADING = re.compile(r"^(#{1,6})\s*")

# List markers, outermost first. Their level is used for the section tree.
_CN_NUM = "(?:[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"  # 1–99, so 六一 is no marker
ENUM_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^第{_CN_NUM}(?:部分|章)[、.．:：]?")),  # "第四部分 存在的问题" above the 一、 level
    (1, re.compile(rf"^{_CN_NUM}[、.．]")),
    (2, re.compile(rf"^[（(]{_CN_NUM}[）)]")),
    (3, re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]")),
    (5, re.compile(r"^[①-⑳]")),
)
_TERMINAL = tuple("。！？；：!?;:")
_CLOSED = re.compile(r"[。！？：:!?][”’」』）)]*$")
ATTACHMENT = re.compile(r"^附件\s*[\d一二三四五六七八九十]*[:：]?$")
TITLE_WORDS = re.compile(
    r"自评报告|评价报告|绩效报告|自评情况报告|自评表|绩效评价|绩效自评|部门决算|单位决算|决算说明|决算情况|决算公开"
)
# Web-page residue around a published report (source line, breadcrumbs, the portal's metadata fields, a
# document site's download box): never part of the report, never its title.
WEB_RESIDUE = re.compile(
    r"^[\[【\s\-•·–—]*(?:SOURCE:|您?(?:当前|现在)?所?在的?位置|当前位置|首页\s*[>＞»]|索引号|发布机构|发文机关|发文日期|"
    r"发布日期|发布时间|成文日期|主题分类|体裁分类|公开方式|公开范围|公开时限|统一登记号|信息时效性|时效性|"
    r"信息来源|来源\s*[:：]|文号\s*[:：]|发文字号|字号\s*[:：]|【?字体|打印|关闭|分享到?|下载积分|资源ID|资源大小|"
    r"全文页数|资源格式|快捷下载|会员登录|微信扫一扫|微信登录|三方登录|友情提示|归档时间|详细信息|公开具体内容|欢迎|浏览次数|"
    r"访问量|扫一扫|上一篇|下一篇|责任编辑|适老化|无障碍|字号大小|更换背景)"
    r"|由会员分享|请在.{0,12}上搜索|本站|下载本文档|版权说明|收益归属"
)


def is_web_residue(line: str) -> bool:
    return len(line) <= 160 and bool(WEB_RESIDUE.search(line.strip()[:40]))


def clean_inline(text: str) -> str:
    """One line of source → clean text (no layout, no markup, no stray spaces)."""
    text = text.translate(_WIDE)
    if "<" in text:
        text = _HTML_BREAK.sub(" ", text)
        text = _HTML_TAG.sub("", text)
    text = html.unescape(text)
    text = _EMPHASIS.sub("", text)
    if "\t" in text or text.lstrip().startswith("|") or text.count("|") >= 3:
        cells = [c.strip() for c in re.split(r"\t|\|", text.strip())]
        if text.lstrip().startswith("|"):  # markdown rows: the outer pipes open no cell
            cells = cells[1:-1] if len(cells) > 2 else cells
        # Empty cells stay, so that every row lines up with its header.
        return " | ".join(_clean_cell(c) for c in cells)
    return _clean_cell(text)


def _clean_cell(text: str) -> str:
    text = _SPACE_RUN.sub(" ", text).strip()
    text = _SPACE_CJK.sub("", text)
    return _SPACE_IN_NUMBER.sub("", text)


def match_key(text: str) -> str:
    """Canonical form for checking that a quote stands in the source, whitespace and markup aside."""
    text = text.translate(_WIDE)
    text = _HTML_TAG.sub("", text)
    text = html.unescape(text)
    return re.sub(r"[\s*#|_]+", "", text)


def enum_of(text: str) -> tuple[int, str] | None:
    for level, pattern in ENUM_PATTERNS:
        m = pattern.match(text)
        if m:
            return level, m.group(0)
    return None


def _wrap_width(lines: list[str]) -> int:
    """The width at which a file was hard-wrapped (0 when it was not): the commonest long-line length."""
    lengths = [len(s) for s in lines if len(s) >= 12]
    if len(lengths) < 10:
        return 0
    width, count = Counter(lengths).most_common(1)[0]
    near = sum(1 for n in lengths if abs(n - width) <= 2)
    # narrower than 16 characters no page is set: short headings and lines of a small file, not a wrap
    return width if near >= 0.3 * len(lengths) and 16 <= width <= 60 else 0


class _Line:
    __slots__ = ("src", "text", "md_level", "is_table", "chars")

    def __init__(
        self,
        src: SourceLine,
        text: str,
        md_level: int,
        is_table: bool,
        chars: list[SourceLine] | None = None,
    ) -> None:
        self.src, self.text, self.md_level, self.is_table = src, text, md_level, is_table
        self.chars = chars  # the source line of each character, for a row rebuilt from several lines

    def char_lines(self) -> tuple[list[int], list[int | None]]:
        chars = self.chars or [self.src] * len(self.text)
        return [c.number for c in chars], [c.page for c in chars]


def _rebuilt_row(raw: RawDocument, row: CellRow) -> _Line | None:
    """A row of a one-cell-per-line table as one line "a | b | c"; a row of one cell is a line of text."""
    text, chars = "", []
    for k, cell in enumerate(row.cells):
        if k:
            text += " | "
            chars += [chars[-1] if chars else raw.lines[cell[0][1]]] * 3
        for piece, at in cell:
            cleaned = _clean_cell(clean_inline(piece))
            text += cleaned
            chars += [raw.lines[at]] * len(cleaned)
    if not text.strip(" |"):
        return None
    return _Line(chars[0], text, 0, len(row.cells) > 1, chars)


def _prepare(raw: RawDocument) -> list[_Line | None]:
    """Clean each line; None stands for a paragraph gap (blank line or dropped page marker)."""
    out: list[_Line | None] = []
    texts = [src.text.strip() for src in raw.lines]
    residue = [is_web_residue(t) or _font_sizes(texts, n) for n, t in enumerate(texts)]
    runs = {
        run.start: run
        for run in find_cell_runs(["" if r else t for t, r in zip(texts, residue, strict=True)])
    }
    skip_to = 0
    for n, src in enumerate(raw.lines):
        if n < skip_to:
            continue
        if n in runs:
            out.extend(_rebuilt_row(raw, row) for row in runs[n].rows)
            out.append(None)
            skip_to = runs[n].end
            continue
        stripped = texts[n]
        if residue[n]:
            continue
        if not stripped or PAGE_MARKER.match(stripped) or TABLE_RULE.match(stripped):
            # A page marker is not a paragraph break: text runs on across pages.
            out.append(None if not stripped else _PAGE_BREAK)
            continue
        md = MD_HEADING.match(stripped)
        md_level = len(md.group(1)) if md else 0
        body = stripped[md.end() :] if md else stripped
        # tabs, markdown pipes, or cells a converter joined with " | " ("年度资金总额: | 320.5 | 318.2")
        is_table = "\t" in src.text or body.startswith("|") or body.count("|") >= 3
        text = clean_inline(body)
        if text:
            out.append(_Line(src, text, md_level, is_table))
    return out


_PAGE_BREAK = _Line(SourceLine(0, ""), "", 0, False)
_SIZES = ("大", "中", "小")


def _font_sizes(texts: list[str], n: int) -> bool:
    """A portal's font-size switch written as lines "大" / "中" / "小": residue, never the title's first words."""
    if texts[n] not in _SIZES:
        return False
    near = [t for t in texts[max(0, n - 4) : n + 5] if t]
    return any(tuple(near[i : i + 3]) == _SIZES for i in range(len(near) - 2))


def _is_heading(line: _Line, next_line: _Line | None, wrap_width: int) -> tuple[int, str | None] | None:
    """Heading level and list marker, or None for body text."""
    text = line.text
    enum = enum_of(text)
    if line.md_level:
        level = enum[0] if enum else max(1, line.md_level - 1)
        return level, enum[1] if enum else None
    if not enum or line.is_table:
        return None
    level, marker = enum
    body = text[len(marker) :]
    if len(text) > 40 or len(body) < 2:
        return None
    # A full-width line with no closing punctuation is the first line of a wrapped paragraph.
    full_width = wrap_width and len(line.src.text.strip()) >= 0.8 * wrap_width
    if full_width and not text.endswith(_TERMINAL) and (next_line is None or not enum_of(next_line.text)):
        return None
    if body.count("、") >= 2:
        return None  # an enumeration ("六一、端午、中秋") rather than a title
    sentences = [s for s in re.split(r"[。！？]", body) if s.strip()]
    # Two short sentences can still title a sub-section ("2.胜利抗击新冠疫情。妥善有效处置确诊病例。").
    if len(sentences) > 2 or (len(sentences) == 2 and len(body) > 24):
        return None
    if text.endswith(("。", "；")) and len(body) > 24:
        return None  # a one-sentence list item, not a title
    return level, marker


def normalize(raw: RawDocument) -> list[Block]:
    """Lines → blocks (title, headings, paragraphs re-joined across wraps, table rows)."""
    lines = _prepare(raw)
    wrap_width = _wrap_width(
        [ln.src.text.strip() for ln in lines if ln is not None and ln is not _PAGE_BREAK]
    )
    blocks: list[Block] = []
    current: Block | None = None

    def flush() -> None:
        nonlocal current
        if current is not None and current.text:
            blocks.append(current)
        current = None

    title_at = _find_title(lines)
    # the next content line after each line, found in one backward pass (no copy of the rest per line)
    following: list[_Line | None] = [None] * len(lines)
    upcoming: _Line | None = None
    for i in range(len(lines) - 1, -1, -1):
        following[i] = upcoming
        if lines[i] is not None and lines[i] is not _PAGE_BREAK:
            upcoming = lines[i]
    for i, line in enumerate(lines):
        if line is None or line is _PAGE_BREAK:
            continue
        nxt = following[i]
        n_src, pages = line.char_lines()

        if i in title_at:
            if current is None or current.kind != "title":
                flush()
                current = Block("title", line.text, n_src, pages)
            else:
                _append(current, line.text, n_src, pages)
            continue

        if line.is_table:
            flush()
            blocks.append(Block("table_row", line.text, n_src, pages))
            continue

        heading = _is_heading(line, nxt, wrap_width)
        if heading:
            flush()
            level, marker = heading
            blocks.append(Block("heading", line.text, n_src, pages, level=level, enum=marker))
            continue

        enum = enum_of(line.text)
        # Hard wraps put blank lines inside sentences, so a gap alone does not end a paragraph:
        # closing punctuation or a new list marker does.
        starts_new = (
            current is None
            or current.kind != "paragraph"
            or enum is not None
            or _CLOSED.search(current.text) is not None
        )
        if starts_new:
            flush()
            current = Block("paragraph", line.text, n_src, pages, enum=enum[1] if enum else None)
        else:
            assert current is not None
            _append(current, line.text, n_src, pages)
    flush()
    return blocks


def _find_title(lines: list[_Line | None]) -> set[int]:
    """Indexes of the lines that make up the title: the line naming the report and the one before it
    when the title wraps ("…南洲街道" / "办事处部门整体支出绩效自评报告")."""
    content = [(i, ln) for i, ln in enumerate(lines[:400]) if ln is not None and ln is not _PAGE_BREAK][:20]
    for k, (i, ln) in enumerate(content):
        # a portal's menu item "• 自评报告" or a numbered heading names no report
        named = re.sub(rf"{TITLE_WORDS.pattern}|[^{CJK}]", "", ln.text)
        if TITLE_WORDS.search(ln.text) and len(ln.text) <= 80 and len(named) >= 3 and not enum_of(ln.text):
            picked = {i}
            if k > 0:
                j, prev = content[k - 1]
                if (
                    not prev.text.endswith(_TERMINAL)
                    and len(re.sub(rf"[^{CJK}]", "", prev.text)) >= 5  # a menu word ("•主题词") is no title
                    and not re.search(r"[/>|｜»]", prev.text)  # nor a menu ("省委/市委/市人大")
                    and len(prev.src.text.split()) < 3  # nor a portal's bar ("适老化专区 注册 登录")
                    and not enum_of(prev.text)
                    and not ATTACHMENT.match(prev.text)
                ):
                    picked.add(j)
            return picked
    return set()


def _append(block: Block, text: str, lines: list[int], pages: list[int | None]) -> None:
    # ASCII words and numbers split by a wrap keep a space between them; CJK text joins directly.
    if (
        block.text
        and block.text[-1].isascii()
        and block.text[-1].isalnum()
        and text[:1].isascii()
        and text[:1].isalnum()
    ):
        block.text += " "
        block.char_lines.append(lines[0])
        block.pages.append(pages[0])
    block.text += text
    block.char_lines.extend(lines)
    block.pages.extend(pages)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) in `text`, cut after 。！？； (and their ASCII kin)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in re.finditer(r"[。！？；!?;]+[”’」』）)]*", text):
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]
