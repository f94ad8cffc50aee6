"""Extractive text answers: the items of a section, the report's own explanation of a figure, and the
sentences that best match a question. Every piece is a verbatim quote with its line."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.models import Citation
from index.models import Chunk
from index.normalize import split_sentences

# An item starts at a list marker or at 一是/二是…; a paragraph may hold several such items.
_ITEM_START = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[.、．](?!\d)|"
    r"[一二三四五六七八九十]是|[①-⑳]|首先|其次|再次|最后|此外|同时)"
)
MAX_ITEM_CHARS = 300


def _items_of_paragraph(para: str) -> list[tuple[int, int]]:
    """Spans of the items in a paragraph: sentences grouped from one item marker to the next."""
    spans = split_sentences(para)
    items: list[list[int]] = []
    for s, e in spans:
        sentence = para[s:e]
        # "…但仍存在一些问题：一是…" — an item marker may follow a colon inside the sentence
        inner = re.search(r"[：:]([一二三四五六七八九十]是)", sentence)
        if inner and inner.start(1) > 0:
            cut = s + inner.start(1)
            if items:
                items[-1][1] = cut
            else:
                items.append([s, cut])
            items.append([cut, e])
            continue
        if not items or _ITEM_START.match(sentence.lstrip()) or e - items[-1][0] > MAX_ITEM_CHARS:
            items.append([s, e])
        else:
            items[-1][1] = e
    return [(s, e) for s, e in items if para[s:e].strip()]


def section_items(chunks: Sequence[Chunk]) -> list[tuple[str, int, Chunk]]:
    """The items of a section in order, each a verbatim quote with the line it starts on."""
    out: list[tuple[str, int, Chunk]] = []
    for chunk in chunks:
        offset = 0
        for para in chunk.text.split("\n"):
            start = offset
            offset += len(para) + 1
            if len(para.strip()) < 6:
                continue
            for s, e in _items_of_paragraph(para):
                quote = para[s:e].strip()
                lead = len(para[s:e]) - len(para[s:e].lstrip())
                out.append((quote, chunk.line_at(start + s + lead), chunk))
    return out


def _grams(text: str) -> set[str]:
    return {
        text[i : i + 2]
        for i in range(len(text) - 1)
        if not re.search(r"[\s，。？！、：；“”]", text[i : i + 2])
    }


_QUESTION_NOISE = re.compile(
    r"是多少|多少|是什么|什么|哪些|哪个|怎么样|怎么|如何|有没有|是否|吗|呢|吧|啊|的|了|请问|一下"
)


def best_sentences(chunks: Sequence[Chunk], question: str, limit: int = 3) -> list[tuple[float, Citation]]:
    """Sentences ranked by how much of the question (less its question words) they contain."""
    grams = _grams(_QUESTION_NOISE.sub("〇", question))
    if not grams:
        return []
    scored: list[tuple[float, Citation]] = []
    for rank, chunk in enumerate(chunks):
        # a sentence under a heading that names the question's subject answers it ("部门整体支出绩效目标")
        heading = _grams(chunk.section_path[-1]) if chunk.section_path else set()
        for s, e in split_sentences(chunk.text):
            sentence = chunk.text[s:e].strip()
            if len(sentence) < 6:
                continue
            overlap = len(grams & (_grams(sentence) | heading)) / len(grams)
            score = overlap - 0.01 * rank  # a tie goes to the better-retrieved chunk
            lead = len(chunk.text[s:e]) - len(chunk.text[s:e].lstrip())
            cite = Citation(
                chunk.doc,
                chunk.org,
                " > ".join(chunk.section_path),
                sentence[:MAX_ITEM_CHARS],
                chunk.line_at(s + lead),
            )
            scored.append((score, cite))
    scored.sort(key=lambda x: -x[0])
    seen: set[str] = set()
    out = []
    for score, cite in scored:
        if cite.quote not in seen:
            seen.add(cite.quote)
            out.append((score, cite))
        if len(out) == limit:
            break
    return out


def explanation(chunk: Chunk, quote: str, line: int, after: int = 2) -> Citation | None:
    """The fact's own sentence and the next ones in its chunk: where reports say why a score is what it is."""
    spans = split_sentences(chunk.text)
    key = quote[:12]
    pos = chunk.text.find(key)
    if pos == -1:
        return None
    idx = next((i for i, (s, e) in enumerate(spans) if s <= pos < e), None)
    if idx is None:
        return None
    s0 = spans[idx][0]
    e0 = spans[min(idx + after, len(spans) - 1)][1]
    text = chunk.text[s0:e0]
    lead = len(text) - len(text.lstrip())
    return Citation(
        chunk.doc,
        chunk.org,
        " > ".join(chunk.section_path),
        text.strip()[:MAX_ITEM_CHARS],
        chunk.line_at(s0 + lead),
    )
