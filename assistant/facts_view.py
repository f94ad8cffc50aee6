"""Choosing facts for a question, and saying them the way the report does."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.models import Citation, ParsedQuestion
from assistant.units import TITLE_LIKE
from index.models import Fact, ReportMeta

# Where a metric is stated with most authority when a report states it more than once.
_SECTION_RANK = ("收支情况", "自评结论", "绩效管理情况", "工作任务完成情况")
ITEM_SCORES = ("指标得分", "项目评价得分")
_ITEM_LEVEL = {
    "预算执行率": "项目执行率",
    "自评得分": "得分",
    "执行数": "项目支出数",
    "全年预算数": "项目预算数",
}


def short_name(meta: ReportMeta) -> str:
    if meta.org == "未知单位":  # the file the user gave, and the place its text keeps naming
        # named by its title (no digits: every number an answer shows must be a cited figure)
        title = re.sub(r"(?:19|20)\d{2}\s*年度?|[^\u4e00-\u9fff（）()]", "", meta.title)[:24]
        if not TITLE_LIKE.search(meta.title[:60]):
            # the first sentence of an excerpt stood in for a title: the file's own name says more
            # (no digits: every number an answer shows must be a cited figure)
            stem = re.sub(r"(?:19|20)\d{2}\s*年度?|\d+|\.\w+$", "", meta.doc).strip("_-. ")
            return f"{meta.district or meta.city or ''}文件“{stem or '未识别单位的报告'}”"
        return f"{meta.district or meta.city or ''}《{title or '未识别单位的报告'}》"
    for alias in reversed(meta.aliases):  # shortest first
        if alias.endswith(("街道", "镇", "乡")) or (alias.endswith(("区府办", "县府办")) and len(alias) > 3):
            return alias
    for place in (meta.district, meta.city):  # 雨湖区教育局: a bare 教育局 would fit every district
        with_place = [a for a in meta.aliases if place and a.startswith(place) and a != place]
        if with_place:
            return min(with_place, key=len)
    return meta.aliases[-1] if meta.aliases and len(meta.aliases[-1]) >= 3 else meta.org


MAX_NAMES_LISTED = 12


def indexed_names(metas: Sequence[ReportMeta], near: str) -> str:
    """The indexed units to show someone whose unit is not there: those whose names share most with what
    they typed first, at most a dozen (a library holds thousands)."""
    typed = {near[i : i + 2] for i in range(len(near) - 1)}
    names = sorted({short_name(m) for m in metas})
    ranked = sorted(names, key=lambda n: (-len(typed & {n[i : i + 2] for i in range(len(n) - 1)}), "《" in n))
    shown = "、".join(ranked[:MAX_NAMES_LISTED])
    return shown if len(names) <= MAX_NAMES_LISTED else f"{shown}等"


def year_of(meta: ReportMeta) -> str:
    return f"{meta.year}年" if meta.year else ""


def fmt_number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def stated(fact: Fact) -> str:
    """The figure as the report writes it (82.2% stays 82.2%); a bare table cell gets its header's unit."""
    if fact.text and re.search(r"\d", fact.text):
        return fact.text if fact.unit in fact.text else f"{fact.text}{fact.unit}"
    return f"{fmt_number(fact.value)}{fact.unit}"


def metric_label(metric: str | None) -> str:
    labels = {
        "执行数": "执行数（实际支出）",
        "项目评价得分": "评价得分",
        "指标得分": "得分",
        "指标分值": "分值",
    }
    labels |= {"项目预算数": "预算", "项目支出数": "支出", "项目执行率": "执行率", "得分": "得分"}
    return labels.get(metric or "", metric or "")


def fact_citation(fact: Fact) -> Citation:
    return Citation(fact.doc, fact.org, fact.section, fact.quote, fact.line)


def item_level(metric: str | None) -> str | None:
    return _ITEM_LEVEL.get(metric or "", metric)


@dataclass
class FactIndex:
    facts: list[Fact]

    def __post_init__(self) -> None:
        # each report's facts in the library's order: a question reads the reports it names, not the library
        self._by_doc: dict[str, list[Fact]] = {}
        for fact in self.facts:
            self._by_doc.setdefault(fact.doc, []).append(fact)

    def find(
        self, doc: str, metric: str | None, item: str | None = None, any_item: bool = False
    ) -> list[Fact]:
        """Facts of one report for a metric, the most authoritative first. `item=None` means the unit's own
        figure unless `any_item` asks for every item's."""
        metrics = ITEM_SCORES if metric == "得分" else (metric,) if metric else ()
        out = [f for f in self._by_doc.get(doc, ()) if f.metric in metrics]
        if item is not None:
            out = [f for f in out if f.item == item]
        elif not any_item:
            out = [f for f in out if f.item is None]

        def rank(f: Fact) -> tuple[int, int]:
            canon = next((i for i, name in enumerate(_SECTION_RANK) if name in f.section), len(_SECTION_RANK))
            return canon, f.line

        return sorted(out, key=rank)

    def best(self, doc: str, metric: str | None, item: str | None = None) -> Fact | None:
        found = self.find(doc, metric, item)
        return found[0] if found else None

    def items(self, doc: str, metric: str | None, parsed: ParsedQuestion) -> list[Fact]:
        """Every item's figure for a per-item metric, limited to the key-projects part when asked."""
        facts = [f for f in self.find(doc, item_level(metric), any_item=True) if f.item]
        if parsed.scope:
            scoped = [f for f in facts if parsed.scope in f.section]
            facts = scoped or facts
        # one figure per item: a project listed in two tables counts once
        seen: dict[str, Fact] = {}
        for fact in facts:
            seen.setdefault(fact.item or "", fact)
        return list(seen.values())
