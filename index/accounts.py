"""The rows of a 决算 table (收入支出决算总表, 财决公开01表 …) pasted as text: "项目 行次 金额" over rows such as
"五教育支出 36 3,208.11" or "九、卫生健康支出 39 18,204,117.52". Each row is its item's name, the row's number
(行次, no figure) and the amount, always written to the fen. The amount's unit is the one the table states
("金额单位:万元"); a table that states none gives no figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from index.models import Figure, Report
from index.normalize import CJK

_HEADER = re.compile(r"行\s*次")
_MONEY = re.compile(r"(?:金额单位|单位)\s*[:：]\s*(万元|元)|[（(]\s*(万元|元)\s*[）)]")
# a row: its name (a list number before it: "五", "九、"), the row number, the amount to the fen
_ROW = re.compile(
    rf"(?<![{CJK}])(?P<name>[{CJK}（）()、:：]{{2,40}}?)\s*\|?\s*(?P<no>\d{{1,3}})\s*\|?\s*"
    r"(?P<amount>-?\d{1,3}(?:,\d{3})+\.\d{2}|-?\d+\.\d{2})(?![\d.,])"
)
# "五事业收入" → 事业收入, "一一般公共服务支出" → 一般公共服务支出, "九、" → ""
_LIST_NUMBER = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|十?[一二三四五六七八九](?!般)|十(?![一二三四五六七八九]))"
)
_TITLE = re.compile(rf"[{CJK}]{{0,20}}决算(?:总)?表")
REACH = 60  # lines a table's rows may run after its header


def _name(raw: str) -> str:
    name = raw.strip("、:：（( ")
    name = re.sub(r"^(?:其中|栏次|金额|行次|项目)[:：]?", "", name)
    return _LIST_NUMBER.sub("", name).strip("、:： ")


def account_figures(doc: str, report: Report) -> Iterator[Figure]:
    """The amounts of the 决算 tables in `report`, each labelled by its row's name."""
    lines = report.raw.lines
    header_at: int | None = None
    unit = ""
    title = ""
    for i, src in enumerate(lines):
        text = src.text
        if _HEADER.search(text):
            header_at = i
            before = " ".join(ln.text for ln in lines[max(0, i - 10) : i + 1])
            hints = [m.group(1) or m.group(2) for m in _MONEY.finditer(before)]
            unit = hints[-1] if hints else ""
            titles = _TITLE.findall(before)
            title = titles[-1] if titles else ""
        if header_at is None or i - header_at > REACH or not unit:
            continue
        for m in _ROW.finditer(text):
            name = _name(m.group("name"))
            if len(name) < 2 or _HEADER.search(name):
                continue
            # the table's own unit line may stand between rows ("金额单位:元") and change it
            hints = [h.group(1) or h.group(2) for h in _MONEY.finditer(text[: m.start()])]
            row_unit = hints[-1] if hints else unit
            amount = m.group("amount")
            yield Figure(
                doc=doc,
                value=float(amount.replace(",", "")),
                unit=row_unit,
                text=amount,
                label=name,
                quote=text[m.start("name") : m.end()].strip(),
                line=src.number,
                column="金额",
                row=name,
                context=f"{title} {name} {amount}".strip(),
            )
