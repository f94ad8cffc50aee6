"""Names that hold a joining word of their own ("社会保障和就业支出", "对个人和家庭的补助", "公务用车购置及运行维护费",
"文化旅游体育与传媒"): a question listing several things is split at its 和/与/及, never inside one of these.

`protect` masks their joining words before a split and `restore` puts them back in each piece.
"""

from __future__ import annotations

import re

# the budget classes and account names that reports (决算 tables above all) write with 和/与/及 in them
_COMPOUNDS = (
    "社会保障和就业",
    "对个人和家庭",
    "商品和服务",
    "文化旅游体育与传媒",
    "文化体育与传媒",
    "灾害防治及应急管理",
    "购置及运行",
    "购置和运行",
    "结转和结余",
    "房屋和构筑物",
    "资源勘探工业信息",
    "自然资源海洋气象",
    "粮油物资储备",
)
_JOINS = {"和": "\ue000", "与": "\ue001", "及": "\ue002"}
_PATTERN = re.compile("|".join(map(re.escape, _COMPOUNDS)))
_BACK = re.compile("[\ue000\ue001\ue002]")
_BACK_MAP = {v: k for k, v in _JOINS.items()}


def protect(text: str) -> str:
    """`text` with the joining words inside known compound names masked."""
    return _PATTERN.sub(lambda m: "".join(_JOINS.get(c, c) for c in m.group(0)), text)


def restore(text: str) -> str:
    return _BACK.sub(lambda m: _BACK_MAP[m.group(0)], text)
