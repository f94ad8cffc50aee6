"""HTML for the app, as pure functions: the conversation with its citation chips, and the source passage with
the quoted words highlighted. All report text and all user text is HTML-escaped here, nowhere else."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from index.normalize import match_key
from index.provenance import locate

CONTEXT_LINES = 3
LONG_LINE = 360  # characters of a long line kept on each side of the highlight
_TOKEN = re.compile(r"<[a-zA-Z/][^>]*>|&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});")
_MARKER = re.compile(r"\[(\d{1,3})\]")
_HEADING = re.compile(r"^\s*#{1,6}\s*")
_EMPHASIS = re.compile(r"\*{1,3}|_{2,3}")


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def line_span(line: int, line_end: int | None) -> str:
    return f"第{line}行" if not line_end or line_end == line else f"第{line}–{line_end}行"


# ---- citations and the conversation ---------------------------------------------------------------------
def chip(turn: int, number: int, citation: Mapping[str, object], names: Mapping[str, str]) -> str:
    doc = str(citation["doc"])
    unit = names.get(doc) or str(citation.get("org") or "")
    line = int(citation["line"])  # type: ignore[call-overload]
    label = f"[{number}] {unit} · {line_span(line, citation.get('line_end'))}"  # type: ignore[arg-type]
    tip = f"{doc}｜{citation.get('section') or ''}｜{str(citation.get('quote') or '')[:80]}"
    return (
        f'<button type="button" class="cite-chip" data-turn="{turn}" data-cite="{number}" '
        f'title="{esc(tip)}">{esc(label)}</button>'
    )


def answer_text_html(text: str, turn: int, count: int) -> str:
    """The answer's words, escaped, line breaks kept, its [n] marks turned into clickable superscripts."""
    out = []
    for line in text.split("\n"):
        escaped = esc(line)

        def mark(m: re.Match[str]) -> str:
            n = int(m.group(1))
            if 1 <= n <= count:
                return f'<sup><a class="cite-ref" data-turn="{turn}" data-cite="{n}">[{n}]</a></sup>'
            return m.group(0)

        out.append(_MARKER.sub(mark, escaped))
    return "<br>".join(out)


def turn_html(turn: int, t: Mapping[str, object], names: Mapping[str, str], pending: bool = False) -> str:
    question = f'<div class="msg user"><div class="bubble">{esc(t.get("q"))}</div></div>'
    citations: Sequence[Mapping[str, object]] = t.get("citations") or []  # type: ignore[assignment]
    text = str(t.get("text") or "")
    body = answer_text_html(text, turn, len(citations)) if text else '<span class="muted">正在查找…</span>'
    classes = "bubble" + ("" if t.get("found", True) else " not-found") + (" pending" if pending else "")
    parts = [f'<div class="{classes}"><div class="answer-text">{body}</div>']
    if citations:
        chips = "".join(chip(turn, i, c, names) for i, c in enumerate(citations, 1))
        parts.append(f'<div class="chips"><span class="chips-label">引文</span>{chips}</div>')
    dropped: Sequence[str] = t.get("dropped") or []  # type: ignore[assignment]
    if dropped:
        items = "".join(f"<li>{esc(d)}</li>" for d in dropped)
        parts.append(
            f'<details class="dropped"><summary>核验时删除的内容（{len(dropped)}）</summary><ul>{items}</ul></details>'
        )
    parts.append("</div>")
    return question + f'<div class="msg bot">{"".join(parts)}</div>'


def conversation_html(
    turns: Sequence[Mapping[str, object]], names: Mapping[str, str], pending: bool = False
) -> str:
    if not turns:
        return (
            '<div class="chat-log empty"><div class="hint">请输入问题，例如“永平街的预算执行率是多少？”。'
            "每个回答都附有引文编号，点击编号即可查看所引的原文段落。</div></div>"
        )
    body = "".join(turn_html(i, t, names, pending and i == len(turns) - 1) for i, t in enumerate(turns))
    return f'<div class="chat-log">{body}</div>'


# ---- the source passage ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Passage:
    first: int  # first line shown (1-based)
    lines: list[str]  # raw source lines first..first+len-1
    cited: tuple[int, int]  # cited lines (1-based, inclusive)
    marks: dict[int, list[tuple[int, int]]]  # line → [start, end) character ranges to highlight
    exact: bool  # the quote was found word for word (whitespace and markup aside)


def _key_map(text: str) -> tuple[str, list[int]]:
    """`match_key` of `text`, character by character, with each key character's position in `text`."""
    key: list[str] = []
    where: list[int] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m:
            token = m.group(0)
            if token.startswith("&"):
                for ch in match_key(html.unescape(token)):
                    key.append(ch)
                    where.append(i)
            i = m.end()
            continue
        for ch in match_key(text[i]):
            key.append(ch)
            where.append(i)
        i += 1
    return "".join(key), where


def find_passage(source: str, quote: str, line: int, line_end: int | None = None) -> Passage:
    """The cited lines ±3 and where in them the quote stands, found the way `verify` finds it."""
    lines = source.split("\n")
    where = locate(source, quote, line) if quote else None
    start, end = where if where else (line, line_end or line)
    start = min(max(start, 1), len(lines))
    end = min(max(end, start), len(lines))
    first = max(1, start - CONTEXT_LINES)
    last = min(len(lines), end + CONTEXT_LINES)
    shown = lines[first - 1 : last]

    marks: dict[int, list[tuple[int, int]]] = {}
    exact = False
    key = match_key(quote)
    if key:
        # the cited lines, joined, as one key string mapped back to (line, column)
        keys: list[str] = []
        owner: list[tuple[int, int]] = []
        for number in range(start, end + 1):
            k, cols = _key_map(lines[number - 1])
            keys.append(k)
            owner.extend((number, c) for c in cols)
        joined = "".join(keys)
        pos = joined.find(key)
        if pos != -1:
            exact = True
            for number, col in owner[pos : pos + len(key)]:
                spans = marks.setdefault(number, [])
                if spans and spans[-1][1] >= col:
                    spans[-1] = (spans[-1][0], col + 1)
                else:
                    spans.append((col, col + 1))
    if not exact:
        for number in range(start, end + 1):
            if lines[number - 1].strip():
                marks[number] = [(0, len(lines[number - 1]))]
    return Passage(first, shown, (start, end), marks, exact)


def _display(text: str, line_start: bool = False) -> str:
    """Markdown heading marks and emphasis left out of what is shown (they are not the report's words)."""
    return _EMPHASIS.sub("", _HEADING.sub("", text) if line_start else text)


def _render_line(text: str, spans: list[tuple[int, int]], cited: bool) -> str:
    if not spans:
        shown = _display(text, True)
        limit = LONG_LINE if cited else LONG_LINE // 2
        return esc(shown if len(shown) <= limit else shown[:limit] + "…")
    # merge highlight spans that only markup or spaces separate
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and not match_key(text[merged[-1][1] : s]):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    lo = max(0, merged[0][0] - LONG_LINE)
    hi = min(len(text), merged[-1][1] + LONG_LINE)
    out = ["…" if lo > 0 else ""]
    cursor = lo
    for s, e in merged:
        out.append(esc(_display(text[cursor:s], cursor == 0)))
        out.append(f"<mark>{esc(_display(text[s:e], s == 0))}</mark>")
        cursor = e
    out.append(esc(_display(text[cursor:hi])))
    out.append("…" if hi < len(text) else "")
    return "".join(out)


def source_html(
    source: str | None, citation: Mapping[str, object], unit: str = "", number: int | None = None
) -> str:
    """The panel shown when a citation is clicked: file, unit, lines, then the lines with the quote marked."""
    doc = str(citation.get("doc") or "")
    quote = str(citation.get("quote") or "")
    line = int(citation.get("line") or 1)  # type: ignore[call-overload]
    line_end = citation.get("line_end")
    label = f"引文 [{number}] 的原文出处" if number else "原文出处"
    if source is None:
        return (
            f'<div class="source-view"><div class="src-title">{esc(label)}</div>'
            f'<p class="warn">报告 {esc(doc)} 已不在报告库中，无法显示原文。</p>'
            f'<blockquote class="src-quote">{esc(quote)}</blockquote></div>'
        )
    passage = find_passage(source, quote, line, line_end if isinstance(line_end, int) else None)
    start, end = passage.cited
    rows = []
    for offset, text in enumerate(passage.lines):
        number_ = passage.first + offset
        cited = start <= number_ <= end
        body = _render_line(text, passage.marks.get(number_, []), cited)
        rows.append(
            f'<div class="src-line{" cited" if cited else ""}{" blank" if not text.strip() else ""}">'
            f'<span class="ln">{number_}</span><span class="tx">{body}</span></div>'
        )
    note = "" if passage.exact else '<p class="warn">未能逐字定位引文，已标出所引的行。</p>'
    section = str(citation.get("section") or "")
    meta = [
        f"<b>{esc(unit or citation.get('org') or '')}</b>",
        f"文件 <code>{esc(doc)}</code>",
        esc(line_span(start, end)),
    ]
    if section:
        meta.append(f"章节：{esc(section)}")
    return (
        f'<div class="source-view"><div class="src-title">{esc(label)}</div>'
        f'<div class="src-meta">{" · ".join(meta)}</div>{note}'
        f'<div class="src-body">{"".join(rows)}</div></div>'
    )


def placeholder(text: str) -> str:
    return f'<div class="source-view empty"><p class="muted">{esc(text)}</p></div>'
