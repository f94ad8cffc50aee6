"""Understanding a question: which reports, which year, which metric or section, and what kind of answer.

Everything is resolved against what the index holds (its alias table and fact items), never against a list
written for one corpus.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.models import Kind, ParsedQuestion
from index.models import ReportMeta

# Question words for each metric, longest first at match time. Order of the tuple breaks ties.
METRIC_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("预算执行率", ("预算执行率", "执行率", "完成率", "支出率", "执行情况", "执行得怎么样", "执行进度")),
    ("年初预算数", ("年初预算",)),
    (
        "全年预算数",
        (
            "全年预算数",
            "全年预算",
            "预算总额",
            "总预算",
            "预算数",
            "预算是多少",
            "预算有多少",
            "多少预算",
            "预算规模",
            "预算",
        ),
    ),
    (
        "执行数",
        (
            "执行数",
            "实际支出",
            "全年支出",
            "支出总额",
            "总支出",
            "花了多少",
            "花了",
            "支出了多少",
            "支出多少",
            "用了多少钱",
            "执行金额",
        ),
    ),
    (
        "自评得分",
        (
            "自评得分",
            "自评分",
            "自评总分",
            "绩效得分",
            "得了多少分",
            "多少分",
            "打了几分",
            "几分",
            "得分",
            "评分",
            "分数",
        ),
    ),
    ("三公经费", ("三公经费", "“三公”经费", "三公")),
    ("基本支出", ("基本支出",)),
    ("项目支出", ("项目支出",)),
    ("一般公共预算财政拨款收入", ("一般公共预算财政拨款收入", "一般公共预算收入")),
    ("政府性基金预算财政拨款收入", ("政府性基金预算财政拨款收入", "政府性基金收入", "政府性基金")),
    ("财政拨款收入", ("财政拨款收入", "拨款收入", "财政拨款")),
    ("财政拨款支出", ("财政拨款支出",)),
    ("结转结余率", ("结转结余率", "结余率")),
    ("预算调整率", ("预算调整率", "调整率")),
)
SECTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "存在的主要问题",
        ("存在什么问题", "存在的问题", "主要问题", "什么问题", "哪些问题", "问题", "不足", "短板"),
    ),
    (
        "下一步改进措施",
        ("改进措施", "整改措施", "下一步", "怎么改进", "如何改进", "改进", "措施", "建议", "打算"),
    ),
    (
        "工作任务完成情况",
        ("做了什么", "做了哪些", "工作成效", "主要工作", "重点工作", "完成了哪些", "取得", "成效"),
    ),
    ("基本情况", ("基本情况", "部门概况", "内设机构", "职责", "机构设置", "下属单位", "概况")),
    ("绩效管理情况", ("绩效管理情况", "绩效管理工作", "怎么做绩效管理")),
)
REMAINING = re.compile(
    r"没花|未花|没用完|没有花|未使用|未执行(?!率)|没执行(?!率)|剩余|剩下|剩多少|还剩|结余了?多少|差多少没|没支出"
)
UNEXECUTED_RATE = re.compile(r"未执行率|没执行的比例|没花的比例|未完成的比例")
SHARE = re.compile(r"占比|占多少|占.{0,6}比例|比重|百分之多少")
DIFFERENCE = re.compile(r"相差|差多少|差了多少|高多少|低多少|高出|低出|多多少|少多少|差距|差额")
SUPERLATIVE_MAX = re.compile(r"最高|最多|最大|最好|第一|排名第一|谁高|哪个高|领先")
SUPERLATIVE_MIN = re.compile(r"最低|最少|最小|最差|垫底|谁低|哪个低")
COMPARE = re.compile(
    r"比较|对比|排名|排序|排一下|哪个|哪家|谁的|谁|各(?:个)?(?:街道|单位|部门)|几个|分别|都是多少"
)
YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
PLACE = re.compile(r"([\u4e00-\u9fff]{2,4}?)(?:街道办事处|街道办|街道|街|镇|区府办)")


class QuestionParser:
    def __init__(self, metas: Sequence[ReportMeta], items_by_doc: dict[str, set[str]]) -> None:
        self.metas = list(metas)
        self.items_by_doc = items_by_doc
        alias_pairs = [(alias, meta) for meta in self.metas for alias in meta.aliases]
        self.aliases = sorted(alias_pairs, key=lambda p: -len(p[0]))
        districts = {m.district for m in self.metas if m.district}
        self.districts = sorted(
            {(d, d) for d in districts} | {(d[:-1], d) for d in districts if len(d) > 2},
            key=lambda p: -len(p[0]),
        )

    def parse(self, question: str, previous: ParsedQuestion | None = None) -> ParsedQuestion:
        text = question.strip()
        units, rest = self._units(text)
        year_m = YEAR.search(rest)
        year = int(year_m.group(1)) if year_m else None
        metric, metric_word = _first_match(rest, METRIC_WORDS)
        section, _ = _first_match(rest, SECTION_WORDS)
        # An item name must not be read out of the metric's own words (预算执行 inside 预算执行率).
        item = self._item(rest.replace(metric_word, "〇") if metric_word else rest, units)
        if item and metric in (None, "自评得分", "全年预算数", "执行数", "预算执行率"):
            metric = self._item_metric(rest, metric)
        operation = None
        if UNEXECUTED_RATE.search(rest):
            operation, metric = "unexecuted_rate", "预算执行率"
        elif REMAINING.search(rest):
            operation, metric = (
                "remaining",
                metric if metric not in (None, "预算执行率", "全年预算数", "执行数") else None,
            )
        elif SHARE.search(rest) and metric in ("基本支出", "项目支出", "三公经费"):
            operation = "share"
        superlative = (
            "max" if SUPERLATIVE_MAX.search(rest) else "min" if SUPERLATIVE_MIN.search(rest) else None
        )

        # Follow-ups ("那洛浦街呢？") inherit what they leave out from the previous question.
        is_follow_up = previous is not None and (
            len(rest) <= 12 or rest.startswith(("那", "那么", "它", "他们", "其"))
        )
        if previous is not None and is_follow_up:
            if not units and not (self.districts and _district_in(rest, self.districts)):
                units = previous.units
            if metric is None and section is None and operation is None:
                metric, section, item = previous.metric, previous.section, item or previous.item
                operation = previous.operation
            year = year or previous.year

        district_units = self._district_units(rest) if not units or COMPARE.search(rest) else ()
        if not units and district_units:
            units = district_units
        if not units and len({m.org for m in self.metas}) == 1 and not PLACE.search(rest):
            units = tuple(self.metas)  # one unit indexed: a question naming none is about it
        units_in_year = tuple(u for u in units if u.year == year) if year is not None else units
        unknown = None
        if not units:
            place = PLACE.search(rest)
            if place:
                unknown = place.group(0)

        kind: Kind
        many = len({u.org for u in units_in_year}) > 1
        if operation == "difference" or (DIFFERENCE.search(rest) and many and metric):
            kind, operation = "derived", "difference"
        elif operation:
            kind = "derived"
        elif (
            metric
            and (many or (superlative and not units) or (COMPARE.search(rest) and not units))
            or metric
            and superlative
            and item is None
            and len(units_in_year) == 1
            and _asks_about_items(rest)
        ):
            kind = "compare"
        elif section and not metric:
            kind = "text"
        elif metric or item:
            kind = "lookup"
        elif section:
            kind = "text"
        else:
            kind = "unanswerable"
        if units and year is not None and not units_in_year:
            kind = "unanswerable"
        if unknown and not units:
            kind = "unanswerable"
        return ParsedQuestion(
            text=text,
            units=units_in_year if units_in_year else units,
            year=year,
            metric=metric,
            item=item,
            kind=kind,
            operation=operation,
            section=section,
            superlative=superlative or ("all" if kind == "compare" else None),
            unknown_unit=unknown,
        )

    def _units(self, text: str) -> tuple[tuple[ReportMeta, ...], str]:
        """Reports named in the text, longest alias first; a matched name is blanked out of the rest."""
        found: list[ReportMeta] = []
        rest = text
        for alias, _ in self.aliases:
            if alias in rest:
                found.extend(m for a, m in self.aliases if a == alias and m not in found)
                rest = rest.replace(alias, "〇")
        return tuple(found), rest

    def _district_units(self, text: str) -> tuple[ReportMeta, ...]:
        district = _district_in(text, self.districts)
        if not district:
            return ()
        metas = [m for m in self.metas if m.district == district]
        if "街道" in text or "街" in text:
            metas = [m for m in metas if "街道" in m.org]
        return tuple(metas)

    def _item(self, text: str, units: Sequence[ReportMeta]) -> str | None:
        docs = [u.doc for u in units] or list(self.items_by_doc)
        items = sorted({i for d in docs for i in self.items_by_doc.get(d, set())}, key=len, reverse=True)
        for item in items:
            core = re.sub(r"[（(].*?[）)]|项目|经费|专项|工作", "", item)
            if item in text or (len(core) >= 3 and core in text):
                return item
        return None

    @staticmethod
    def _item_metric(text: str, metric: str | None) -> str:
        if re.search(r"分值|满分|权重|总分", text):
            return "指标分值"
        if metric == "预算执行率" or "执行率" in text:
            return "项目执行率"
        if metric == "执行数" or re.search(r"支出|花了|用了", text):
            return "项目支出数"
        if metric == "全年预算数" or "预算" in text:
            return "项目预算数"
        return "得分"  # 指标得分 or 项目评价得分, whichever the report states


def _first_match(text: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[str | None, str | None]:
    """The entry whose longest word occurs in the text, and that word."""
    best: tuple[int, int, str, str] | None = None
    for order, (name, words) in enumerate(table):
        for word in words:
            if word in text:
                key = (-len(word), order, name, word)
                if best is None or key < best:
                    best = key
    return (best[2], best[3]) if best else (None, None)


def _district_in(text: str, districts: list[tuple[str, str]]) -> str | None:
    return next((full for name, full in districts if name in text), None)


def _asks_about_items(text: str) -> bool:
    return bool(re.search(r"哪个项目|哪项|哪个指标|哪一项|哪些项目", text))


def with_units(parsed: ParsedQuestion, units: tuple[ReportMeta, ...]) -> ParsedQuestion:
    return replace(parsed, units=units)
