"""Finding a quote in its source text, whitespace and markup aside: the check behind every citation."""

from __future__ import annotations

from functools import lru_cache

from index.normalize import match_key


@lru_cache(maxsize=32)
def _line_keys(source_text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A source's lines and their match keys, computed once per source: every citation of an answer is
    checked against the same few reports."""
    lines = tuple(source_text.split("\n"))
    return lines, tuple(match_key(line) for line in lines)


def locate(
    source_text: str, quote: str, near_line: int | None = None, window: int = 60
) -> tuple[int, int] | None:
    """(first line, last line) where `quote` stands in `source_text`, searching near `near_line` first."""
    key = match_key(quote)
    if not key:
        return None
    lines, keys = _line_keys(source_text)
    candidates = range(len(lines))
    if near_line is not None:
        lo, hi = max(0, near_line - 1 - window), min(len(lines), near_line + window)
        candidates = sorted(range(lo, hi), key=lambda i: abs(i - (near_line - 1)))
    for start in candidates:
        if not keys[start] or not key.startswith(keys[start][-len(key) :][:1]) and key[0] not in keys[start]:
            continue
        joined = ""
        for end in range(start, len(lines)):
            joined += keys[end]
            if len(joined) >= len(key) + len(keys[start]):
                break
        pos = joined.find(key)
        if pos != -1 and pos < len(keys[start]):
            # the quote begins on this line; find where it ends
            consumed, end_line = len(keys[start]), start
            while consumed < pos + len(key) and end_line + 1 < len(lines):
                end_line += 1
                consumed += len(keys[end_line])
            return start + 1, end_line + 1
    if near_line is not None:
        return locate(source_text, quote, None)
    return None


def quote_is_verbatim(source_text: str, quote: str, line: int) -> bool:
    """True when `quote` begins at or spans `line` of the source (whitespace and markup aside)."""
    found = locate(source_text, quote, line, window=3)
    return found is not None and found[0] <= line <= found[1] + 1
