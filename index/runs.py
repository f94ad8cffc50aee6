"""Cells of a 自评表 budget row run together by a PDF or an OCR ("年度资金总额60606010100%10" for 年初预算数 60,
全年预算数 60, 全年执行数 60, 分值 10, 执行率 100%, 得分 10), read back by the arithmetic the row must obey.

The columns come from the table's header (itself often run together: "年初预算数全年预算数全年执行分值执行率得分").
A split of the digits is kept only when it is the one way to read them in which the executed amount over the
budget is the rate the row states (and a 分值/得分 is a plausible score); two readings that disagree give none.
Nothing is guessed: a row that no split makes consistent is left to the other readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from index.normalize import CJK

# header cells of the budget block, as they are written (执行数 is sometimes cut to 执行)
_COLUMN = re.compile(r"年初预算数?|全年预算数?|调整后预算数?|预算数|全年执行数?|执行数|分值|权重|执行率|得分")
# a row's name, then its digits run together up to the rate, then what follows (the score)
# the unit a cell of a run-together row may keep ("60万元57.2295.00%"): it cuts the digits there
CELL_UNIT = "万元"


def run_digits(text: str) -> str:
    """A run-together row's digits as its cells join back: the units cells kept, between digits, left out."""
    return re.sub(rf"(?<=\d){CELL_UNIT}(?=\d)", "", text)


_ROW = re.compile(
    rf"(?P<row>(?:其中[:：])?[{CJK}、（）()](?:[{CJK}、（）()]| (?=[{CJK}])){{1,16}}?)[:：]?\s*"
    # (a cell may keep its unit, "60万元57.2295.00%": the unit cuts the digits there)
    rf"(?P<pre>\d(?:[\d.]|{CELL_UNIT}(?=\d)){{3,}}?)(?P<rate>%)(?P<post>\d{{1,3}}(?:\.\d{{1,2}})?)?"
)
# a budget row names money: 年度资金总额, 其中:当年财政拨款, 上年结转资金, 中央补助, 其他资金
# the same row with its cells apart ("年度资金总额: 88.5万元 88.5万元 80万元 10 90.4% 9")
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SPACED_ROW = re.compile(
    rf"(?P<row>(?:其中[:：])?[{CJK}、（）()][{CJK}、（）() ]{{1,16}}?)[:：]?\s*(?P<cells>(?:(?:{_AMOUNT})(?:万元|元)?\s+){{2,6}})"
    rf"(?P<rate>{_AMOUNT})%(?:\s+(?P<post>\d{{1,3}}(?:\.\d{{1,2}})?)(?![\d.%]))?"
)
_MONEY_ROW = re.compile(r"资金|拨款|总额|合计|总计|补助|结转|经费|预算|收入|支出|奖补")
_NUMBER = re.compile(r"(?:0|[1-9]\d*)(?:\.\d{1,4})?")
MAX_SPLITS = 20000  # a row of a dozen digits has a few thousand readings; more is no budget row


@dataclass(frozen=True, slots=True)
class RunCell:
    column: str
    text: str  # the digits as the report prints them
    value: float


@dataclass(frozen=True, slots=True)
class RunRow:
    row: str
    start: int  # where the row's name begins in the line
    end: int
    cells: tuple[RunCell, ...]


def header_columns(text: str) -> list[str]:
    """The value columns a header names, in order ("年初预算数全年预算数全年执行分值执行率得分")."""
    return [m.group(0) for m in _COLUMN.finditer(text)]


@dataclass(frozen=True, slots=True)
class Header:
    start: int
    end: int
    columns: tuple[str, ...]
    named: bool = False  # a column of names before the values ("各县区名称"): its rows are any names


# a header's name column: the rows under it are places, units or projects, not only funds
_NAME_COLUMN = re.compile(r"(?:名称|单位|地区|市州|县区|区县)\s*$")


# between two column names of one header: a bracket ("(B/A×100%)"), spaces, pipes and a few characters
_BRACKET = re.compile(r"[（(][^（()）]{0,12}[）)]|[\s|]+")
_HEADER_GAP = 4


# "执行率(全年 执行数/全年 预算数)": a column's formula names no columns of its own
_FORMULA = re.compile(r"[（(][^（()）]{0,24}[）)]")


def budget_headers(text: str) -> list[Header]:
    """The budget-table headers written in `text`: column names close together, a rate among three or more.
    A long line holds prose before its table ("1.预算数:…"), whose words must not count as columns."""
    out: list[Header] = []
    run: list[re.Match[str]] = []
    masked = _FORMULA.sub(lambda m: " " * len(m.group(0)), text)
    for m in [*_COLUMN.finditer(masked), None]:
        if m is not None and (
            not run or len(_BRACKET.sub("", masked[run[-1].end() : m.start()])) <= _HEADER_GAP
        ):
            run.append(m)
            continue
        columns = tuple(c.group(0) for c in run)
        if len(columns) >= 3 and "执行率" in columns:
            end = run[-1].end()
            formula = _FORMULA.match(text, end)
            named = bool(_NAME_COLUMN.search(text[max(0, run[0].start() - 8) : run[0].start()]))
            out.append(Header(run[0].start(), formula.end() if formula else end, columns, named))
        run = [m] if m is not None else []
    return out


def _budget_spent(columns: Sequence[str]) -> tuple[int, int] | None:
    spent = next((i for i, c in enumerate(columns) if c.startswith(("全年执行", "执行数"))), None)
    budget = next((i for i, c in enumerate(columns) if c.startswith("全年预算")), None)
    if budget is None:
        budget = next((i for i, c in enumerate(columns) if "预算" in c), None)
    return (budget, spent) if budget is not None and spent is not None else None


def _splits(digits: str, parts: int) -> Iterator[list[str]]:
    """Every way to cut `digits` into `parts` well-formed numbers (no leading zeros, one decimal point)."""
    if parts == 1:
        if _NUMBER.fullmatch(digits):
            yield [digits]
        return
    for cut in range(1, len(digits) - parts + 2):
        head = digits[:cut]
        if not _NUMBER.fullmatch(head):
            continue
        for rest in _splits(digits[cut:], parts - 1):
            yield [head, *rest]


def _consistent(values: dict[str, float], rate: float, budget: str, spent: str) -> bool:
    if values[budget] <= 0 or values[spent] > values[budget] * 2:
        return False
    # the year's budget stays within a few times the budget set at its start
    budgets = [v for c, v in values.items() if "预算" in c]
    if len(budgets) > 1 and (min(budgets) <= 0 or max(budgets) > 5 * min(budgets)):
        return False
    if rate == 0:
        if values[spent] != 0:
            return False
    else:
        tolerance = 0.01 if rate != round(rate) else 0.5  # "31.00%" is stated to the hundredth
        if abs(values[spent] / values[budget] * 100 - rate) > max(tolerance, 0.006 * rate):
            return False
    # a 分值 or 权重 is a share of 100 points; the score no more than it
    weight = next((v for c, v in values.items() if c in ("分值", "权重")), None)
    return weight is None or 0 < weight <= 100


def _readings(pre: str, layout: Sequence[str], budget: str, spent: str) -> set[tuple[tuple[str, str], ...]]:
    """The consistent readings of the digits before "%" under one layout of columns (the rate's own digits
    are the split's last part)."""
    out: set[tuple[tuple[str, str], ...]] = set()
    *whole, pre = pre.split(CELL_UNIT)  # cells ended by their unit are read as they stand
    if any(not _NUMBER.fullmatch(c) for c in whole) or len(whole) >= len(layout):
        return out
    for tried, rest in enumerate(_splits(pre, len(layout) - len(whole) + 1)):
        parts = [*whole, *rest]
        if tried > MAX_SPLITS:
            return set()
        *cells, rate_text = parts
        rate = float(rate_text)
        if rate > 200:
            continue
        values = dict(zip(layout, (float(c) for c in cells), strict=True))
        weights = [t for c, t in zip(layout, cells, strict=True) if c in ("分值", "权重")]
        if any(len(t.partition(".")[2]) > 1 for t in weights):
            continue  # a weight is whole points, or half ones
        if len(values) == len(layout) and _consistent(values, rate, budget, spent):
            out.add((*zip(layout, cells, strict=True), ("执行率", f"{rate_text}%")))
    return out


def consistent_reading(cells: Sequence[str]) -> bool:
    """A reading as a citation carries it (amounts, then the rate with "%"): some amount over another is the
    rate, so that a reading of the same digits cut elsewhere ("25|279|31.00%") does not pass for it."""
    if len(cells) == 3 and _scored_readings("".join(cells)) == {tuple(cells)}:
        return True  # rate, weight, score: the score is the weight times the rate
    rates = [float(c[:-1]) for c in cells if c.endswith("%") and _NUMBER.fullmatch(c[:-1])]
    amounts = [float(c) for c in cells if _NUMBER.fullmatch(c)]
    if len(rates) != 1:
        return False
    (rate,) = rates
    tolerance = max(0.01 if rate != round(rate) else 0.5, 0.006 * rate)
    return any(
        (a > 0 and abs(b / a * 100 - rate) <= tolerance) or (rate == 0 and b == 0)
        for i, a in enumerate(amounts)
        for j, b in enumerate(amounts)
        if i != j
    )


def read_row(line: str, columns: Sequence[str], named: bool = False) -> list[RunRow]:
    """The budget rows of `line` whose run-together digits have exactly one consistent reading under
    `columns` (the header's value columns, in order). `named`: the header has a column of names, so a row
    may be any name (a city, a unit), not only a fund."""
    if "执行率" not in columns:
        return []
    at = columns.index("执行率")
    before, after = list(columns[:at]), list(columns[at + 1 :])
    pair = _budget_spent(before)
    if pair is None:
        return []
    budget, spent = before[pair[0]], before[pair[1]]
    rows = []
    for m in _ROW.finditer(line):
        pre = m.group("pre")
        readings: set[tuple[tuple[str, str], ...]] = set()
        # a 分值 stands in the total row only; the rows under it ("其中:当年财政拨款") have none
        unweighted = [c for c in before if c not in ("分值", "权重")]
        total = re.search(r"资金总额|合计|总计", m.group("row"))
        layouts = [before] if total or unweighted == before else [unweighted, before]
        # an empty 年初预算数 cell leaves no digits ("年度资金总额484810100%": 48|48|10|100%)
        layouts += [
            [c for c in lay if not c.startswith("年初")] for lay in layouts if lay[0].startswith("年初")
        ]
        # a rate of 0% is read only when nothing else fits ("520520|10|0" is no reading of 520|520|100%)
        zero: set[tuple[tuple[str, str], ...]] = set()
        for layout in layouts:
            found = _readings(pre, layout, budget, spent)
            readings = {r for r in found if r[-1][1] != "0%"}
            zero = zero or found - readings
            if readings:
                break
        readings = readings or zero
        if len(readings) != 1:
            continue  # none, or two that disagree: no reading
        (reading,) = readings
        cells_out = [RunCell(c, t, float(t.rstrip("%"))) for c, t in reading]
        post = m.group("post")
        if post and after and after[0] == "得分":
            weight = next((c.value for c in cells_out if c.column in ("分值", "权重")), 100.0)
            if float(post) <= weight:
                cells_out.append(RunCell("得分", post, float(post)))
        # the header's last words may run into the row's name ("…执行率得分年度资金总额")
        row = re.sub(
            r"^.*(?:执行率|得分|分值|权重|执行数?|预算数?)(?:[（(][A-Z/]+[）)])?", "", m.group("row")
        )
        # (a name wrapped by the PDF: "青禾县射箭运动管理 中心")
        row = re.sub(r"^[)）:：、\s]+", "", row).strip(":： ").replace(" ", "")
        if not (_MONEY_ROW.search(row) or (named and len(row) >= 2)):
            continue  # an indicator's row ("验收合格率 15100%95") is no budget row
        rows.append(RunRow(row, m.start("row"), m.end(), tuple(cells_out)))
    return rows or _spaced_rows(line, before, after, budget, spent)


def _spaced_rows(
    line: str, before: Sequence[str], after: Sequence[str], budget: str, spent: str
) -> list[RunRow]:
    """Budget rows whose cells stand apart: each amount is a cell, so only which columns they fill is read,
    by the same arithmetic (the executed amount over the budget is the rate)."""
    rows = []
    unweighted = [c for c in before if c not in ("分值", "权重")]
    for m in _SPACED_ROW.finditer(line):
        if not re.search(r"\d(?:万元|元)", m.group("cells")):
            continue  # bare cells apart are the aligned reader's (index/figures.py), which knows their unit
        cells = re.findall(_AMOUNT, m.group("cells"))
        rate_text = m.group("rate")
        layouts = [before, unweighted, [c for c in before if not c.startswith("年初")]]
        layout = next(
            (
                lay
                for lay in layouts
                if len(lay) == len(cells)
                and budget in lay
                and spent in lay
                and _consistent(
                    dict(zip(lay, (float(c.replace(",", "")) for c in cells), strict=True)),
                    float(rate_text.replace(",", "")),
                    budget,
                    spent,
                )
            ),
            None,
        )
        row = re.sub(r"^.*(?:执行率|得分|分值|权重|执行数?|预算数?)", "", re.sub(r"\s+", "", m.group("row")))
        row = row.strip(":：)）")
        if layout is None or not _MONEY_ROW.search(row):
            continue
        out = [RunCell(c, t, float(t.replace(",", ""))) for c, t in zip(layout, cells, strict=True)]
        out.append(RunCell("执行率", f"{rate_text}%", float(rate_text.replace(",", ""))))
        post = m.group("post")
        weight = next((c.value for c in out if c.column in ("分值", "权重")), 100.0)
        if post and after and after[0] == "得分" and float(post) <= weight:
            out.append(RunCell("得分", post, float(post)))
        rows.append(RunRow(row, m.start("row"), m.end(), tuple(out)))
    return rows


# rate, weight and score run together after a header "执行率 执行率权重 执行率得分" ("86.42108.64", "92%109.2")
_SCORED = re.compile(r"[\d.%]{4,}")
SCORED_REACH = (
    80  # the budget rows stand right under their header; an indicator table further on is no such row
)
_ROW_NAME = re.compile(rf"([{CJK}]{{2,12}})[:：]?\s*$")


def _rounds_to(score: float, exact: float) -> bool:
    """The score as a table rounds it: to whole points, tenths or hundredths, halves rounded up."""
    from decimal import ROUND_HALF_UP, Decimal

    value = Decimal(repr(exact))
    return any(
        float(value.quantize(Decimal(step), rounding=ROUND_HALF_UP)) == score for step in ("1", "0.1", "0.01")
    )


def _scored_readings(token: str) -> set[tuple[str, str, str]]:
    out = set()
    for s_at in range(len(token) - 1, 0, -1):
        score = token[s_at:]
        if not _NUMBER.fullmatch(score) or len(score.partition(".")[2]) > 2:
            continue
        for w_at in range(s_at - 1, 0, -1):
            weight = token[w_at:s_at]
            if not re.fullmatch(r"[1-9]\d?|100", weight):
                continue
            head = token[:w_at]
            for r_at in range(len(head) - 1, -1, -1):
                rate = head[r_at:]
                # the rate may follow damaged amounts ("…08.3|86.42"): where it starts is left to the arithmetic
                if not _NUMBER.fullmatch(rate.rstrip("%")) or rate.count("%") > (
                    1 if rate.endswith("%") else 0
                ):
                    continue
                r, w, sc = float(rate.rstrip("%")), float(weight), float(score)
                if 0 < r <= 200 and 0 < sc <= w and _rounds_to(sc, w * min(r, 100) / 100):
                    out.add((rate, weight, score))
    return out


def read_scored_rate(segment: str, columns: Sequence[str]) -> list[RunRow]:
    """Rows of a table whose columns end 执行率, 权重 (分值), 执行率得分, the three run together after a row's
    damaged amounts: kept where exactly one cut makes the score the weight times the rate."""
    rate_at = [i for i, c in enumerate(columns) if c == "执行率"]
    weight_at = [i for i, c in enumerate(columns) if c in ("权重", "分值")]
    if not (rate_at and weight_at and columns[-1] == "得分" and weight_at[-1] > rate_at[0]):
        return []
    rows = []
    for m in _SCORED.finditer(segment[:SCORED_REACH]):
        readings = _scored_readings(m.group(0))
        if len(readings) != 1:
            continue
        ((rate, weight, score),) = readings
        name = _ROW_NAME.search(segment[: m.start()])
        cells = (
            RunCell("执行率", rate, float(rate.rstrip("%"))),
            RunCell("权重", weight, float(weight)),
            RunCell("得分", score, float(score)),
        )
        rows.append(
            RunRow(name.group(1) if name else "", name.start(1) if name else m.start(), m.end(), cells)
        )
    return rows
