"""Last year's figure, read from this year's report.

A question may ask a year the library holds no report of ("白沙镇2022年的收支总计是多少") while the next year's
report states this year's figure with its change against the year before ("2023年度收、支总计均为3105.20万元。
与2022年度相比，收、支总计各减少1204.75万元") — 决算 pages say so of every total. Last year's figure is then
this year's less the change, both cited and the formula shown. Only a change stated against last year (上年,
去年 or the year asked) counts; one against a budget ("比上年预算数下降") or another year does not, and without
one there is no answer: this year's figure is never shown as last year's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.open_derive import formula_number as _fmt
from assistant.open_figures import CHANGE, TO_YUAN, best_figure, position_in
from assistant.passages import coverage
from index.models import Figure

_DOWN = re.compile(r"减少|下降|降低|节约|节省|压减|缩减")
_UP = re.compile(r"增加|增长|上升|提高|多")
# the base a change is stated against, the nearest one before it: "比上年", "较上年决算数", "与2022年度相比"
_BASE = re.compile(
    r"(?:比|较|与|同|和)\s*(?P<base>上年|去年|上一年度?|上年度|(?P<year>(?:19|20)\d{2})\s*年度?)"
    r"(?P<against>决算数?字?|预算数?字?|同期)?(?:相比|比较)?"
)
_YEAR_WORDS = re.compile(r"(?:19|20)\d{2}\s*年度?|上年|去年|本年|当年|全年")


@dataclass(frozen=True, slots=True)
class LastYear:
    current: Figure  # this year's figure, as the report states it
    change: Figure  # its change against last year
    value: float  # last year's figure, in the current figure's unit
    formula: str  # "3105.2 + 1204.75 = 4309.95"
    # the numbers the formula shows (a change converted to the figure's unit)
    operands: tuple[float, ...] = ()


def _base_of(change: Figure) -> re.Match[str] | None:
    """The base the change figure is stated against: the last one before it in its sentence, with no other
    comparison or figure between ("较上年减少3.50万元,下降8.75%,较年初预算数减少0.50万元": 0.50 is against the
    budget)."""
    pos = position_in(change)
    before = change.context[: pos if pos >= 0 else len(change.context)]
    found = list(_BASE.finditer(before))
    if not found or re.search(r"比|较|\d", before[found[-1].end() :]):
        return None
    return found[-1]


def _against_last_year(change: Figure, year: int, budget_asked: bool) -> bool:
    base = _base_of(change)
    if base is None:
        return False
    if base.group("year") and int(base.group("year")) != year:
        return False
    return not (base.group("against") or "").startswith("预算") or budget_asked


def _named(change: Figure) -> str:
    """What a change is stated of, in its own clause: "2023年度全镇“三公”经费较上年减少3.50万元" → 全镇三公经费."""
    clause = change.quote
    base = _BASE.search(clause)
    clause = clause[: base.start()] if base else clause[: max(position_in(change, clause), 0)]
    clause = CHANGE.sub("", _YEAR_WORDS.sub("", clause))
    return re.sub(r"[^\u4e00-\u9fff]|[各均为和与]", "", clause)


def _follows(current: Figure, change: Figure, between: Sequence[Figure]) -> bool:
    """The change is stated of the current figure: right after it in its sentence, or in a sentence that
    names nothing the current figure's does not ("…3105.20万元。与2022年度相比，收、支总计各减少…"; "全镇“三公”
    经费较上年减少3.50万元" of "全镇“三公”经费支出合计36.50万元"), on its line or anywhere in the report."""
    if change.line == current.line and change.context == current.context:
        return position_in(current) < position_in(change)
    named = _named(change)
    said = re.sub(r"[^\u4e00-\u9fff]", "", current.quote)
    if change.line == current.line:
        # ("收入总计1250.40万元,支出总计1250.40万元。收支较上年决算数增加150.40万元": no other figure between)
        alone = all(f.value == current.value for f in between) and bool(set(named) & set(said))
        return not named or coverage(named, said) >= 0.5 or alone
    return len(named) >= 2 and coverage(named, said) >= 0.75


@dataclass(frozen=True, slots=True)
class YearAsked:
    """A question about a year its unit has no report of, asked of one report (its figures and names)."""

    question: str
    asked: str  # what is asked, less the unit's names
    year: int  # the year asked
    figures: Sequence[Figure]
    names: Sequence[str]
    topic: str = ""


def last_year(q: YearAsked, report_year: int | None) -> LastYear | None:
    """Last year's figure from this year's report's figure and its stated change, or None."""
    question, year, figures = q.question, q.year, q.figures
    budget_asked = "预算" in question and "决算" not in question
    changes = [
        f
        for f in figures
        if CHANGE.search(f.label) and f.qualifier != "bound" and _against_last_year(f, year, budget_asked)
    ]
    if not changes:
        return None
    plain = [f for f in figures if not CHANGE.search(f.label) and not re.search(r"上年|去年", f.label)]
    without_year = _YEAR_WORDS.sub("", question)
    match = best_figure(without_year, q.asked, plain, q.names, year=report_year, topic=q.topic)
    if match is None or not match.confident:
        return None
    current = match.figure
    if current.unit == "%":
        return None  # a rate's last value is not had from a change in %
    at = {id(f): i for i, f in enumerate(figures)}

    def between(change: Figure) -> list[Figure]:
        lo, hi = sorted((at[id(current)], at[id(change)]))
        return [f for f in figures[lo + 1 : hi] if not CHANGE.search(f.label)]

    stated = [c for c in changes if _follows(current, c, between(c))]
    # the nearest first, and a change in the figure's own unit before one in %
    # (on one line, the change written closest after the figure: "在校生791人,比上年减少91人;教师69人,比上年
    # 减少6人" — the 91)
    stated.sort(
        key=lambda c: (c.line != current.line, c.unit == "%", abs(c.line - current.line), _gap(current, c))
    )
    for change in stated:
        computed = _apply(current, change)
        if computed is not None:
            value, formula, operand = computed
            return LastYear(current, change, value, formula, (operand,))
    return None


def _gap(current: Figure, change: Figure) -> int:
    """Characters from the figure to its change in their shared sentence (large when not shared)."""
    if change.context != current.context:
        return 10**6
    here, there = position_in(current), position_in(change)
    return there - here if there >= here >= 0 else 10**6


def stated_for(q: YearAsked) -> Figure | None:
    """A figure the report states for the year asked in so many words ("2022年度农机购置补贴结余资金3.25万元"
    in the 2023 report; "2024年，白沙镇获批…专项债券资金1.2亿元" in the 2023 one), matched as a lookup would be."""
    own = [f for f in q.figures if not CHANGE.search(f.label) and _year_before(f) == q.year]
    match = best_figure(q.question, q.asked, own, q.names, year=q.year, topic=q.topic)
    return match.figure if match is not None and match.confident else None


def _year_before(fig: Figure) -> int | None:
    """The last year its sentence names before the figure ("2024年，白沙镇获批…1.2亿元": 2024)."""
    pos = position_in(fig)
    years = re.findall(r"(?<!\d)((?:19|20)\d{2})\s*年", fig.context[:pos] if pos >= 0 else fig.label)
    return int(years[-1]) if years else None


def change_words(change: Figure) -> str:
    """The report's words from the base to the change ("与2022年度相比,收、支总计各减少1204.75万元")."""
    base = _base_of(change)
    end = position_in(change)
    if base is None or end < 0:
        return change.quote
    return change.context[base.start() : end + len(change.text)]


def _apply(current: Figure, change: Figure) -> tuple[float, str, float] | None:
    down = bool(_DOWN.search(change.label))
    if not down and not _UP.search(change.label):
        return None
    v = current.value
    if change.unit == "%":
        r = change.value / 100
        if down and r >= 1:
            return None
        before = v / (1 - r) if down else v / (1 + r)
        sign = "−" if down else "+"
        shown = round(before, 2)
        return shown, f"{_fmt(v)} ÷ (100% {sign} {_fmt(change.value)}%) ≈ {_fmt(shown)}", 100.0
    if change.unit not in TO_YUAN or current.unit not in TO_YUAN:
        if change.unit != current.unit:
            return None
        d = change.value
    else:
        d = change.value * TO_YUAN[change.unit] / TO_YUAN[current.unit]
    places = max(_places(current.text), _places(change.text))
    before = round(v + d if down else v - d, places)
    op = "+" if down else "−"
    return before, f"{_fmt(v)} {op} {_fmt(d)} = {_fmt(before)}", d


def _places(text: str) -> int:
    """Decimal places a figure is written with ("1,204.750695万元": 6)."""
    m = re.search(r"\.(\d+)", text)
    return len(m.group(1)) if m else 0
