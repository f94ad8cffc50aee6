"""Section-aware, sentence-aware chunks for Chinese report text.

A chunk never crosses a section, never splits a number from its unit, and keeps table rows whole with their
header row. Each chunk keeps a run-length map from text offsets back to source lines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from index.models import Block, Chunk, Report

_NUMBER_WITH_UNIT = re.compile(r"\d[\d,.]*\s*(?:万元|亿元|千元|元|%|‰|分|个|人|项|次|户|件|宗|家)?")
_SOFT_CUTS = "。！？；;，,、 "


@dataclass
class _Piece:
    text: str
    lines: list[int]
    pages: list[int | None]
    continues: bool = False  # the next sentence of the same paragraph: joined without a line break


@dataclass
class _Draft:
    pieces: list[_Piece] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(len(p.text) + (0 if p.continues else 1) for p in self.pieces)


def _safe_cut(text: str, limit: int) -> int:
    """The last cut position ≤ limit after soft punctuation, never inside a number and its unit."""
    protected = [(m.start(), m.end()) for m in _NUMBER_WITH_UNIT.finditer(text)]

    def ok(pos: int) -> bool:
        return all(not (s < pos < e) for s, e in protected)

    for marks in ("。！？；;", "，,、 "):
        for pos in range(min(limit, len(text) - 1), limit // 3, -1):
            if text[pos - 1] in marks and ok(pos):
                return pos
    pos = min(limit, len(text))
    while pos > 1 and not ok(pos):
        pos -= 1
    return pos


def _sentence_pieces(block: Block, max_chars: int) -> Iterator[_Piece]:
    """A paragraph as sentences; a sentence longer than a chunk is cut at safe points."""
    text = block.text
    start = 0
    for m in re.finditer(r"[。！？；]+[”’」』）)]*", text + "。"):
        end = min(m.end(), len(text))
        while end - start > max_chars:
            cut = start + _safe_cut(text[start:end], max_chars)
            yield _Piece(text[start:cut], block.char_lines[start:cut], block.pages[start:cut], start > 0)
            start = cut
        if end > start:
            yield _Piece(text[start:end], block.char_lines[start:end], block.pages[start:end], start > 0)
        start = end
        if start >= len(text):
            break


def _line_marks(pieces: list[_Piece]) -> tuple[str, tuple[tuple[int, int], ...], list[int | None]]:
    text_parts: list[str] = []
    marks: list[tuple[int, int]] = []
    pages: list[int | None] = []
    offset = 0
    for i, piece in enumerate(pieces):
        if i and not piece.continues:
            text_parts.append("\n")
            offset += 1
        for j, line in enumerate(piece.lines):
            if not marks or marks[-1][1] != line:
                marks.append((offset + j, line))
        text_parts.append(piece.text)
        pages.extend(piece.pages)
        offset += len(piece.text)
    return "".join(text_parts), tuple(marks), pages


def _is_item_heading(blocks: list[Block], i: int) -> bool:
    """A heading that is itself the content: a sentence ("（一）部分资金支付进度滞后。") with no body under it,
    as brief reports list their problems and measures."""
    block = blocks[i]
    if block.kind != "heading" or not block.text.endswith(("。", "；", ";")):
        return False
    following = blocks[i + 1] if i + 1 < len(blocks) else None
    return following is None or following.kind in ("heading", "title")


def _groups(report: Report) -> Iterator[list[Block]]:
    """Consecutive non-heading blocks of one section (a bodiless sentence heading counts as a block)."""
    group: list[Block] = []
    blocks = report.blocks
    for i, block in enumerate(blocks):
        if block.kind in ("heading", "title") and not _is_item_heading(blocks, i):
            if group:
                yield group
            group = []
            continue
        if group and group[-1].section_path != block.section_path:
            yield group
            group = []
        group.append(block)
    if group:
        yield group


def context_header(report: Report, section_path: tuple[str, ...]) -> str:
    meta = report.meta
    short = next((a for a in reversed(meta.aliases) if a.endswith(("街道", "镇", "区府办"))), meta.org)
    year = f"{meta.year}年" if meta.year else ""
    section = " > ".join(section_path[-2:])
    return " · ".join(
        x for x in (meta.org if short == meta.org else f"{meta.org}（{short}）", year, section) if x
    )


def chunk_report(report: Report, min_chars: int = 200, max_chars: int = 600) -> list[Chunk]:
    meta = report.meta
    digest = hashlib.sha256(report.raw.sha256.encode() + meta.doc.encode()).hexdigest()[:12]
    chunks: list[Chunk] = []

    def emit(draft: _Draft, blocks: list[Block]) -> None:
        if not draft.pieces:
            return
        text, marks, pages = _line_marks(draft.pieces)
        first = blocks[0]
        lines = [line for piece in draft.pieces for line in piece.lines]
        chunks.append(
            Chunk(
                id=f"{digest}-{len(chunks):04d}",
                doc=meta.doc,
                org=meta.org,
                year=meta.year,
                section_path=first.section_path,
                canonical=first.canonical,
                text=text,
                line_start=min(lines),
                line_end=max(lines),
                page=next((p for p in pages if p is not None), None),
                header=context_header(report, first.section_path),
                line_marks=marks,
            )
        )

    for blocks in _groups(report):
        draft = _Draft()
        table_header: _Piece | None = None
        for block in blocks:
            if block.kind == "table_row":
                piece = _Piece(block.text, block.char_lines, block.pages)
                if table_header is None:
                    table_header = piece  # the first row of a run of rows names the columns
                if draft.size + len(piece.text) + 1 > max_chars and draft.pieces:
                    emit(draft, blocks)
                    draft = _Draft([table_header] if table_header is not piece else [])
                draft.pieces.append(piece)
                continue
            table_header = None
            for piece in _sentence_pieces(block, max_chars):
                if draft.size + len(piece.text) + 1 > max_chars and draft.size >= min_chars // 2:
                    emit(draft, blocks)
                    draft = _Draft()
                    piece.continues = False
                draft.pieces.append(piece)
        emit(draft, blocks)
    return chunks
