"""Derived answers: computed in code from cited figures, never guessed, with the formula shown.

Each function returns an Answer or None when an input is missing; the engine then says what is missing.
"""

from __future__ import annotations

import re

from assistant.facts_view import (
    FactIndex,
    fact_citation,
    fmt_number,
    metric_label,
    short_name,
    stated,
    year_of,
)
from assistant.models import Answer, ParsedQuestion
from index.models import Fact, ReportMeta


def _answer(
    parsed: ParsedQuestion, text: str, result: float, unit: str, facts: list[Fact], constants=()
) -> Answer:
    citations = [fact_citation(f) for f in facts]
    return Answer(
        parsed.text, text, True, result, unit, citations, "derived", [result, abs(result), *constants]
    )


def remaining(parsed: ParsedQuestion, meta: ReportMeta, facts: FactIndex) -> Answer | None:
    """Budget not spent: 全年预算数 − 执行数 (or a project's 预算 − 支出)."""
    if parsed.item:
        budget, spent = (
            facts.best(meta.doc, "项目预算数", parsed.item),
            facts.best(meta.doc, "项目支出数", parsed.item),
        )
        subject = parsed.item
    else:
        budget, spent = facts.best(meta.doc, "全年预算数"), facts.best(meta.doc, "执行数")
        subject = ""
    if not (budget and spent) or budget.unit != spent.unit:
        return None
    result = round(budget.value - spent.value, 2)
    text = (
        f"{short_name(meta)}{year_of(meta)}{subject}预算{stated(budget)}[1]，实际支出{stated(spent)}[2]；"
        f"未支出的预算 = {fmt_number(budget.value)} − {fmt_number(spent.value)} = {fmt_number(result)}{budget.unit}。"
    )
    return _answer(parsed, text, result, budget.unit, [budget, spent])


def unexecuted_rate(parsed: ParsedQuestion, meta: ReportMeta, facts: FactIndex) -> Answer | None:
    rate = facts.best(meta.doc, "预算执行率")
    if not rate:
        return None
    result = round(100 - rate.value, 2)
    text = f"{short_name(meta)}{year_of(meta)}预算执行率为{stated(rate)}[1]，未执行率 = 100% − {fmt_number(rate.value)}% = {fmt_number(result)}%。"
    return _answer(parsed, text, result, "%", [rate], constants=[100.0])


def share(parsed: ParsedQuestion, meta: ReportMeta, facts: FactIndex) -> Answer | None:
    part = facts.best(meta.doc, parsed.metric, parsed.item)
    base = facts.best(meta.doc, parsed.base_metric)
    if not (part and base) or part.unit != base.unit or not base.value or part == base:
        return None  # a figure's share of itself is no answer: the part asked is not stated
    result = round(part.value / base.value * 100, 2)
    text = (
        f"{short_name(meta)}{year_of(meta)}{part.item or metric_label(part.metric)}{stated(part)}[1]，"
        f"{metric_label(base.metric)}{stated(base)}[2]；"
        f"占比 = {fmt_number(part.value)} ÷ {fmt_number(base.value)} × 100% = {fmt_number(result)}%。"
    )
    return _answer(parsed, text, result, "%", [part, base], constants=[100.0])


def lost_points(parsed: ParsedQuestion, meta: ReportMeta, facts: FactIndex) -> Answer | None:
    """Points lost: 分值 − 得分 of an indicator, or the total's 满分 − 自评得分."""
    if parsed.item:
        weight, score = (
            facts.best(meta.doc, "指标分值", parsed.item),
            facts.best(meta.doc, "指标得分", parsed.item),
        )
        subject = parsed.item
    else:
        weight, score = facts.best(meta.doc, "自评总分值"), facts.best(meta.doc, "自评得分")
        subject = "自评"
    if not (weight and score):
        return None
    result = round(weight.value - score.value, 2)
    text = (
        f"{short_name(meta)}{year_of(meta)}{subject}分值{stated(weight)}[1]，得分{stated(score)}[2]；"
        f"扣分 = {fmt_number(weight.value)} − {fmt_number(score.value)} = {fmt_number(result)}分。"
    )
    return _answer(parsed, text, result, "分", [weight, score])


def aggregate(parsed: ParsedQuestion, meta: ReportMeta, facts: FactIndex) -> Answer | None:
    """Sum or average over a report's items ("四个重点项目预算加起来"); the count must match when stated."""
    rows = facts.items(meta.doc, parsed.metric, parsed)
    # one item is no sum ("投入和过程两项加起来" finding only one of them is no answer)
    if len(rows) < 2 or (parsed.count is not None and parsed.count != len(rows)):
        return None
    units = {f.unit for f in rows}
    if len(units) != 1:
        return None
    unit = units.pop()
    total = round(sum(f.value for f in rows), 2)
    terms = " + ".join(fmt_number(f.value) for f in rows)
    lines = [f"{short_name(meta)}{year_of(meta)}各项{metric_label(rows[0].metric)}："]
    lines += [f"{i}. {f.item}：{stated(f)} [{i}]" for i, f in enumerate(rows, 1)]
    if parsed.operation == "average":
        result = round(total / len(rows), 2)
        lines.append(f"平均 = （{terms}）÷ {len(rows)} = {fmt_number(result)}{unit}。")
        constants = [total, float(len(rows))]
    else:
        result = total
        lines.append(f"合计 = {terms} = {fmt_number(result)}{unit}。")
        constants = []
    answer = _answer(parsed, "\n".join(lines), result, unit, rows, constants)
    return answer


def difference(parsed: ParsedQuestion, facts: FactIndex) -> Answer | None:
    have = [(m, f) for m in parsed.units if (f := facts.best(m.doc, parsed.metric, parsed.item))]
    if len(have) < 2:
        return None
    (ma, fa), (mb, fb) = have[:2]
    if fa.unit != fb.unit:
        return None
    result = round(fa.value - fb.value, 2)
    unit = "个百分点" if fa.unit == "%" else fa.unit
    text = (
        f"{short_name(ma)}{year_of(ma)}{metric_label(fa.metric)}{stated(fa)}[1]，{short_name(mb)}{year_of(mb)}{stated(fb)}[2]；"
        f"相差 {fmt_number(fa.value)} − {fmt_number(fb.value)} = {fmt_number(result)}{unit}"
    )
    if result:
        text += f"，即{short_name(ma)}比{short_name(mb)}{'高' if result > 0 else '低'}{fmt_number(abs(result))}{unit}"
    return _answer(parsed, text + "。", as_asked(parsed.text, result), unit, [fa, fb])


def across_units(parsed: ParsedQuestion, metas: list[ReportMeta], facts: FactIndex) -> Answer | None:
    """A sum or an average of one figure over units, each input cited; units lacking it are named."""
    rows = [(m, f) for m in metas if (f := facts.best(m.doc, parsed.metric))]
    units = {f.unit for _, f in rows}
    if len(rows) < 2 or len(units) != 1:
        return None
    unit = units.pop()
    if parsed.operation == "sum" and unit in ("%", "分"):
        return None  # rates and scores do not add up
    values = [f.value for _, f in rows]
    terms = " + ".join(fmt_number(v) for v in values)
    lines = [f"各单位{metric_label(rows[0][1].metric)}："]
    lines += [f"{i}. {short_name(m)}{year_of(m)}：{stated(f)} [{i}]" for i, (m, f) in enumerate(rows, 1)]
    total = round(sum(values), 2)
    if parsed.operation == "average":
        result = round(total / len(values), 2)
        lines.append(
            f"平均 = （{terms}）÷ {len(values)} = {fmt_number(result)}{unit}（简单平均，未按预算规模加权）。"
        )
        constants = [total, float(len(values))]
    else:
        result = total
        lines.append(f"合计 = {terms} = {fmt_number(result)}{unit}。")
        constants = []
    years = sorted({m.year for m, _ in rows if m.year})
    if len(years) > 1:
        lines.append(f"注意：各单位报告年度不同（{'、'.join(f'{y}年' for y in years)}），计算未区分年度。")
    missing = [short_name(m) for m in metas if all(m is not r[0] for r in rows)]
    if missing:
        lines.append(f"报告中未载明该数字、未计入的单位：{'、'.join(missing)}。")
    return _answer(parsed, "\n".join(lines), result, unit, [f for _, f in rows], constants)


_ASKS_UP = re.compile(r"增加|增长|提高|提升|上升|多了|高了|高几|高多少|多多少")
_ASKS_DOWN = re.compile(r"减少|下降|降低|少了|低了|低几|低多少|少多少|节约|压减")


def as_asked(question: str, change: float) -> float:
    """The change as the question frames it: "减少了多少" with a fall of 2.1 is 2.1; "变化" keeps the sign."""
    if (change > 0 and _ASKS_UP.search(question)) or (change < 0 and _ASKS_DOWN.search(question)):
        return abs(change)
    return change


_SYMBOL = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


def meets(value: float, threshold: tuple[str, float, str, str]) -> bool:
    op, limit = threshold[0], threshold[1]
    return {">": value > limit, ">=": value >= limit, "<": value < limit, "<=": value <= limit}[op]


def threshold_line(fact: Fact, threshold: tuple[str, float, str, str]) -> str:
    """ "94.96% ≥ 90%：是，达到90%" — the check the question asks for, shown."""
    op, limit, unit, words = threshold
    ok = meets(fact.value, threshold)
    sign = _SYMBOL[op] if ok else {">": "≤", ">=": "<", "<": "≥", "<=": ">"}[op]
    return (
        f"{fmt_number(fact.value)}{fact.unit} {sign} {fmt_number(limit)}{unit or fact.unit}："
        f"{'是' if ok else '否'}，{'' if ok else '不'}符合“{re.sub(r'^(?:有没有|是否|是不是|有无)', '', words)}”。"
    )


def year_pair(parsed: ParsedQuestion, metas: list[ReportMeta]) -> tuple[int | None, int | None]:
    """(this year, the year compared with): the two years named, else the year named and the one before,
    else the latest report and the one before it."""
    named = sorted(parsed.years)
    if len(named) >= 2:
        return named[-1], named[0]
    if named:
        return named[0], named[0] - 1
    years = sorted({m.year for m in metas if m.year is not None})
    if not years:
        return None, None
    return years[-1], years[-2] if len(years) > 1 else years[-1] - 1


def year_on_year(
    parsed: ParsedQuestion, now: ReportMeta, before: ReportMeta, facts: FactIndex
) -> Answer | None:
    """This year's figure against the earlier report's: the change, and for amounts the growth rate."""
    fa, fb = (
        facts.best(now.doc, parsed.metric, parsed.item),
        facts.best(before.doc, parsed.metric, parsed.item),
    )
    if not (fa and fb) or fa.unit != fb.unit:
        return None
    change = round(fa.value - fb.value, 2)
    unit = "个百分点" if fa.unit == "%" else fa.unit
    what = parsed.item or metric_label(fa.metric)
    text = (
        f"{short_name(now)}{year_of(now)}{what}{stated(fa)}[1]，{year_of(before)}{stated(fb)}[2]；"
        f"变化 = {fmt_number(fa.value)} − {fmt_number(fb.value)} = {fmt_number(change)}{unit}"
    )
    constants: list[float] = []
    if fa.unit in ("万元", "元", "亿元", "千元") and fb.value:
        rate = round(change / fb.value * 100, 2)
        text += f"，增长率 = {fmt_number(change)} ÷ {fmt_number(fb.value)} × 100% = {fmt_number(rate)}%"
        constants = [rate, abs(rate), 100.0]
    direction = "增加" if change > 0 else "减少" if change < 0 else "持平"
    text += f"（{direction}）。"
    return _answer(parsed, text, as_asked(parsed.text, change), unit, [fa, fb], constants)


SINGLE_UNIT = {
    "remaining": remaining,
    "unexecuted_rate": unexecuted_rate,
    "share": share,
    "lost_points": lost_points,
    "sum": aggregate,
    "average": aggregate,
}
