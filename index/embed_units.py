"""What of a chunk is embedded. Embedding is nearly all of ingest, and its cost grows with the text's length,
so the vectors are made from less than the chunks hold; the chunk itself stays whole in SQLite and BM25.

- Lines no question is about are left out of the vectors: tables of contents, a portal's breadcrumbs, menus
  and footer, page numbers, and lines repeated across a report's chunks (a running page header or footer).
- A chunk left with no words (all such lines, or a grid of numbers) gets no vector at all; it is still found
  by its keywords (BM25), which read the chunk whole.
- A chunk is embedded from its context header and the first `head_chars` characters of its text: the head
  of a passage says what it is about (an e5 vector is the mean over all its tokens: the tail adds little).
- Chunks of one report with the same text to embed share one vector (the embedder sees it once).

Everything here is a function of one report's chunks and the settings, so ingest, the repair of missing
vectors and `ingest --rebuild` make the same vectors from the same chunks. `embed_units="whole"` embeds
every chunk whole, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from index.models import Chunk
from index.settings import Settings

_NOT_WORD = re.compile(r"[^\u3400-\u9fffA-Za-z]+")
_NOT_SIGN = re.compile(r"[\s|]+")
# a table-of-contents entry: a title, then dot leaders and its page number (the parser may have taken it
# for a heading: then it stands in the chunk's header, not in its text)
_TOC_LEADER = re.compile(r"[.…·．。_]{2}\s*\d{1,3}\s*$")
_HAN = re.compile(r"[\u3400-\u9fff]")
_TOC_TITLE = re.compile(r"^目\s*录$")
_BOILERPLATE = re.compile(
    r"^(?:当前位置|您的位置|您现在的位置|所在位置|现在位置)\s*[:：]"
    r"|首页\s*[>›»/＞→]"
    r"|版权所有|ICP\s*备|公网安备|网站标识码|技术支持\s*[:：]|主办单位\s*[:：]|承办单位\s*[:：]"
    r"|【\s*(?:打印|关闭|收藏)\s*】|浏览次数\s*[:：]|访问量\s*[:：]|分享到\s*[:：]"
    r"|字[体号]\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中"
)
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－~]+\s*\d{1,4}\s*[-—–－~]+|第\s*\d{1,4}\s*页.*)\s*$")
REPEATED_IN = 3  # a line standing in this many chunks of a report is a running header or footer
MIN_WORD_SHARE = 0.15  # word characters (汉字, Latin letters) among a grid's visible characters at most
MIN_GRID_SIGNS = 12  # a short statement ("无。", "100分。") is no grid: its section header gives it a meaning


def _is_table_row(line: str) -> bool:
    return " | " in line


def _menu_line(line: str) -> bool:
    """A portal's navigation bar: '首页 机构概况 政务公开 …' — short items, no figures, the home page among them."""
    items = line.split()
    return (
        len(items) >= 4
        and "首页" in items
        and all(len(i) <= 6 and not any(ch.isdigit() for ch in i) for i in items)
    )


def _boilerplate(line: str) -> bool:
    """A line no question is about: a portal's breadcrumbs, menus and footer, a page number, a table of
    contents' title or entry."""
    stripped = line.strip()
    return bool(
        _BOILERPLATE.search(stripped)
        or _PAGE_NUMBER.match(stripped)
        or _menu_line(stripped)
        or _TOC_TITLE.match(stripped)
        or bool(_TOC_LEADER.search(stripped) and _HAN.search(stripped))
    )


def in_toc(chunk: Chunk) -> bool:
    """A chunk under a heading 目录: the table of contents of a document whose entries carry no page numbers."""
    return bool(chunk.section_path) and bool(_TOC_TITLE.match(chunk.section_path[-1].strip()))


def has_words(text: str) -> bool:
    """Text a reader reads, not a grid of figures or a row of dots: some 汉字 or Latin letters, and where
    there are many signs, a fair share of them."""
    words = len(_NOT_WORD.sub("", text))
    signs = len(_NOT_SIGN.sub("", text))
    return words > 0 and (signs < MIN_GRID_SIGNS or words >= MIN_WORD_SHARE * signs)


def repeated_lines(chunks: Sequence[Chunk]) -> set[str]:
    """Lines (not table rows: a table's header row is repeated on purpose) that stand in REPEATED_IN or more
    of a report's chunks."""
    seen: dict[str, int] = {}
    for chunk in chunks:
        for line in dict.fromkeys(s.strip() for s in chunk.text.split("\n")):
            if len(line) >= 4 and not _is_table_row(line):
                seen[line] = seen.get(line, 0) + 1
    return {line for line, n in seen.items() if n >= REPEATED_IN}


def vector_texts(chunks: Sequence[Chunk], settings: Settings) -> list[str | None]:
    """The text each of one report's chunks is embedded from, in order; None: the chunk gets no vector."""
    if settings.embed_units == "whole":
        return [c.embed_text for c in chunks]
    running = repeated_lines(chunks)
    out: list[str | None] = []
    for chunk in chunks:
        if in_toc(chunk):
            out.append(None)
            continue
        kept = [
            line for line in chunk.text.split("\n") if line.strip() not in running and not _boilerplate(line)
        ]
        text = "\n".join(kept).strip()
        if not has_words(text):
            out.append(None)
            continue
        if settings.embed_head_chars:
            text = text[: settings.embed_head_chars]
        out.append(f"{chunk.header}\n{text}" if chunk.header else text)
    return out


def embed_unique(texts: Sequence[str], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Vectors for `texts`, each distinct text embedded once (in order of first appearance) and shared."""
    unique = list(dict.fromkeys(texts))
    vectors = embed(unique)
    row = {text: i for i, text in enumerate(unique)}
    return vectors[[row[t] for t in texts]]


def needing_vectors(chunks: Sequence[Chunk], settings: Settings) -> list[tuple[Chunk, str]]:
    """One report's chunks that get a vector, each with the text it is made from."""
    return [(c, t) for c, t in zip(chunks, vector_texts(chunks, settings), strict=True) if t is not None]
