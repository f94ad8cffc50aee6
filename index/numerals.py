"""Counts written in Chinese numerals ("六个内设处室", "两名副校长"): read as figures at ingest and accepted as
support for a figure when an answer is checked, by one rule."""

from __future__ import annotations

import re

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# the measure words that make Chinese numerals a count ("五个事业单位", not "一是"); 分 is never one (十分 = very)
CN_UNITS = "个|家|所|项|名|人|次|处|座|条|辆|台|部|套"
CN_COUNT = re.compile(rf"([一二两三四五六七八九十]{{1,3}})(?={CN_UNITS})")


def cn_count(text: str) -> int | None:
    """一..九十九 (or digits) as a number; None for anything else."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN.get(text)
    tens, _, ones = text.partition("十")
    if (tens and tens not in _CN) or (ones and ones not in _CN):
        return None
    return (_CN[tens] if tens else 1) * 10 + (_CN[ones] if ones else 0)
