"""Table cells as figures: rows of cells ("a | b | c", as the loaders write PDF, Word and pasted tables), each
numeric cell named by its row's label and its column's header.

Real 自评表 rows rarely line up with their header cell for cell: the header starts with merged titles (一级指标,
二级指标) that later rows leave out, sub-rows (其中…) hold only the target and the achieved value, a row's title
stands alone on the line above its values, and a group title (质量指标) sits on a row of its own. So a row's
values are matched to the header's *value columns* in order, never by raw position alone, and a cell with a
count unit (亩, 只) never takes a score column (分值, 得分).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from index.facts import NUM
from index.models import Block, Figure

# the unit words a cell may carry after its number (longest first)
CELL_UNITS = (
    "万平方米|平方公里|平方米|立方米|万人次|个百分点|百分点|百分比|个月|亿美元|万美元|美元|亿元|万元|千元|元|万人|万户|万亩|万吨|人次|户次|"
    "批次|场次|TB|GB|公里|千米|公顷|学时|课时|小时|%|‰|㎡|亩|吨|米|分|个|人|名|项|台|套|辆|次|场|家|户|所|座|处|"
    "件|宗|篇|份|批|条|间|张|册|卷|部|棵|株|只|头|天|床|期|块|口|眼|盏|种|年|月|日"
)
_BOUND = r"(?:[≥≧≤≦>＞<＜]=?|不低于|不少于|不高于|不超过|大于|小于)"
_VALUE = re.compile(rf"^({_BOUND})?\s*([+-]?(?:{NUM}))\s*({CELL_UNITS})?$")
_EQUAL_TARGET = re.compile(r"^[=＝﹦]\s*(?=\d)")
# a cell holding only the comparison of the target beside it ("≥ | 90"): it names nothing
_OPERATOR_CELL = re.compile(r"^(?:[=＝﹦≥≧≤≦>＞<＜]=?|不低于|不少于|不高于|不超过|大于|小于|等于)$")
_NO_VALUE = re.compile(r"^(?:[-—–/／]+|无|—|／)$")
_SCORE_COLUMN = re.compile(r"分值|得分|权重|满分|评分")
_LABEL_COLUMN = re.compile(
    r"^(?:[一二三四]级指标|指标名称|指标内容|绩效指标|项目|项目名称|内容|名称|指标|序号)$"
)
# words that head a column of values
_VALUE_COLUMN = re.compile(
    r"数|率|值|分|额|权重|目标|完成|实际|预算|执行|金额|资金|人|时间|偏差|原因|措施|说明|备注|[（(][A-Z][）)]"
)
_UNIT_IN = re.compile(
    r"[（(]\s*(亿元|万元|千元|元|%|人|个|项|分|公里|亩|吨|户|所|家|台|次|天|只|头)\s*[）)]?"
)
_TABLE_UNIT = re.compile(
    r"(?:单位|金额单位)\s*[:：]\s*(亿元|万元|千元|元)|[（(]\s*(亿元|万元|千元|元)\s*[）)]?"
)
_NOT_VALUE_HEAD = re.compile(r"^序号$|名称|单位|部门|^项目$")
_NAME_HEAD = re.compile(r"项目名称|指标名称|^名称$|单位名称|^项目$")
MONEY_COLUMN = re.compile(r"预算|执行数|决算|资金|金额|拨款|支出|投资|结转|收入")
YEARISH = re.compile(r"^(?:19|20)\d{2}$")
_UNIT_ALIASES = {"百分比": "%"}


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    start: int  # offset in the row's text
    value: float | None = None
    unit: str = ""
    bound: bool = False

    @property
    def numeric(self) -> bool:
        return self.value is not None

    @property
    def blank_value(self) -> bool:  # "-", "—", "无": a value cell that holds nothing
        return bool(_NO_VALUE.match(self.text))


def read_cell(text: str, start: int) -> Cell:
    squeezed = text.replace(" ", "").replace(",", "")
    m = _VALUE.match(squeezed)
    if not m or (YEARISH.match(squeezed)):
        return Cell(text, start)
    unit = _UNIT_ALIASES.get(m.group(3) or "", m.group(3) or "")
    if unit in ("年", "月", "日"):
        return Cell(text, start)  # a date, not a figure
    return Cell(text, start, float(m.group(2)), unit, bool(m.group(1)))


def split_cells(row: str) -> list[Cell]:
    """A row's cells with their offsets; empty cells at the end (padding of merged columns) dropped."""
    cells: list[Cell] = []
    offset = 0
    for part in row.split("|"):
        text = part.strip()
        at = row.find(text, offset) if text else offset
        cell = read_cell(text, at)
        if cell.value is None and (equal := _EQUAL_TARGET.match(text)):
            # "=230亩" in a 自评表's target column: a target stated as an equality, a bound like "≥"
            cell = replace(read_cell(text[equal.end() :], at), text=text, bound=True)
        cells.append(cell)
        offset += len(part) + 1
    while cells and not cells[-1].text:
        cells.pop()
    return cells


def _is_header(cells: list[Cell]) -> bool:
    texts = [c.text for c in cells if c.text]
    return (
        not any(c.numeric for c in cells)
        and len(texts) >= 2
        and sum(bool(_VALUE_COLUMN.search(t)) for t in texts) >= 2
    )


_TEXT_COLUMN = re.compile(r"原因|方法|说明|措施|备注|情况说明|偏差|依据")
_UNIT_COLUMN = re.compile(r"(?:计量|度量)?单位$")
_UNIT_WORD = re.compile(rf"^(?:{CELL_UNITS}|元/[^\d|]{{1,4}}|万元|亿元)$")
_ATTRIBUTE_COLUMN = re.compile(r"指标性质|指标方向|指标类型|性质$|方向$")
_TEXT_ENDING = re.compile(r"(?:原因|方法|说明|措施|备注|依据)$")
_RATE_COLUMN = re.compile(r"率|[（(]%[）)]")
_TARGET_COLUMN = re.compile(r"指标值|目标|计划|预期")
_FILLED_COLUMN = re.compile(r"值|目标|完成|实际|指标")


def _fit(cell: Cell, column: str) -> float:
    """How well a cell reads as a value of a column: + fits, − contradicts, 0 says nothing."""
    if _LABEL_COLUMN.match(column) or re.search(r"来源|名称|^项目$|情况", column):
        return -2.0 if cell.numeric else 0.0
    score_col = bool(_SCORE_COLUMN.search(column))
    unit_col = bool(_UNIT_COLUMN.search(column))
    if _UNIT_WORD.match(cell.text):
        return 1.5 if unit_col else -1.0  # "次", "%": the 计量单位 column's cell
    if unit_col or _ATTRIBUTE_COLUMN.search(column):
        return -1.5 if cell.numeric else 0.5
    if not cell.numeric:
        if _TEXT_COLUMN.search(column):
            return 1.0
        return -2.0 if score_col else (0.0 if _FILLED_COLUMN.search(column) else -0.5)
    if _TEXT_ENDING.search(column) or (_TEXT_COLUMN.search(column) and not _FILLED_COLUMN.search(column)):
        return -1.0  # a number under 指标说明 or 偏差原因 is a cell out of place
    if cell.bound:
        return 1.0 if _TARGET_COLUMN.search(column) else (-2.0 if score_col else -0.5)
    if cell.unit == "%":
        return 1.0 if _RATE_COLUMN.search(column) else (-2.0 if score_col else 0.0)
    if cell.unit == "分":
        return 1.0 if score_col else -0.5
    if cell.unit:
        if score_col or _RATE_COLUMN.search(column):
            return -2.0
        return 1.0 if _FILLED_COLUMN.search(column) else 0.0
    return 0.5 if MONEY_COLUMN.search(column) else 0.0


def _columns_for(header: list[str], n_labels: int, slots: list[Cell]) -> list[str] | None:
    """The column of each value slot. A row as long as its header reads by position; a shorter one (merged
    title columns left out, a sub-row with only target and achieved value) takes the run of consecutive
    columns its cells fit best, preferring the first run after the header's title columns."""
    k, n = len(header), len(slots)
    if not header or n > k:
        return None
    first = next(
        (i for i, t in enumerate(header) if _VALUE_COLUMN.search(t) and not _LABEL_COLUMN.match(t)), 0
    )
    best: tuple[float, bool, int, int] | None = None
    for offset in range(0, k - n + 1):
        fit = sum(_fit(c, col) for c, col in zip(slots, header[offset : offset + n], strict=True))
        # ties: the row read by position under its header (its label cells under the title columns)
        key = (fit, offset == k - n and k == n_labels + n, -abs(offset - first), -offset)
        if best is None or key > best:
            best = key
    assert best is not None
    offset = -best[3]
    return header[offset : offset + n]


def _unit_of(cell: Cell, column: str, row_label: str, row_units: list[str], table_unit: str) -> str:
    if cell.unit:
        return cell.unit
    own = _UNIT_IN.search(column)
    if own:
        return own.group(1)
    if _SCORE_COLUMN.search(column) or (re.search(r"总分|得分|评分", row_label) and (cell.value or 0) <= 100):
        return "分"
    if column.endswith("率") or re.search(r"率[（(]", column):
        return "%"
    in_label = _UNIT_IN.search(row_label)
    if in_label and not _SCORE_COLUMN.search(column):
        return in_label.group(1)
    if row_units and re.search(r"值|目标|完成|实际", column):
        return row_units[0]  # "≥50个 | 50": the achieved value is counted as its target is
    counted = re.search(
        r"(人|户|个|次|家|所|台|辆|项|场|件)(?:次)?数$", re.sub(r"[（(][^）)]*[）)]$", "", row_label)
    )
    if counted and re.search(r"值|目标|完成|实际", column):
        return counted.group(1)  # "培训学员人数 | 320": a count of people
    if table_unit and (MONEY_COLUMN.search(column) or MONEY_COLUMN.search(row_label)):
        return table_unit
    return ""


def _amounts_not_years(cells: list[Cell], columns: list[str]) -> list[Cell]:
    """ "年度资金总额 | 2000 | 1157.97" under 全年预算数 | 全年执行数 | 执行率: a cell like a year that stands
    under a money column, in a row as long as the header, is an amount."""
    filled = [c for c in cells if c.text]
    if len(filled) != len(columns) + 1 or filled[0].numeric:
        return cells
    out = []
    for cell in cells:
        if cell.text and not cell.numeric and YEARISH.match(cell.text):
            column = columns[filled.index(cell) - 1]
            if MONEY_COLUMN.search(column) and not re.search(r"年度|年份|时间", column):
                cell = Cell(cell.text, cell.start, float(cell.text))
        out.append(cell)
    return out


def _pairs(cells: list[Cell]) -> list[tuple[Cell, Cell]] | None:
    """A form's row of label | value pairs ("计划安排资金(万元) | 500.00 | 实际到位资金(万元) | 480.50"), or None."""
    filled = [c for c in cells if c.text]
    if len(filled) < 4 or len(filled) % 2:
        return None
    labels, values = filled[::2], filled[1::2]
    if any(c.numeric or c.blank_value or len(c.text) > 20 for c in labels) or not all(
        c.numeric or c.blank_value for c in values
    ):
        return None
    return list(zip(labels, values, strict=True))


def _pair_figures(
    doc: str, row: Block, section: str, pairs: list[tuple[Cell, Cell]], groups: list[str], table_unit: str
) -> Iterator[Figure]:
    """Each value named by its own label, under the group its place in the row had above ("县财政 | 460.00"
    under 计划安排资金(万元)); `groups` is updated with the labels that state a unit."""
    for k, (label, cell) in enumerate(pairs):
        own = _UNIT_IN.search(label.text)
        if own:
            groups.extend([""] * (k + 1 - len(groups)))
            groups[k] = label.text
        group = groups[k] if k < len(groups) and not own else ""
        named = f"{group} {label.text}".strip()
        unit = cell.unit or (own.group(1) if own else "") or _unit_in(group) or ""
        if not cell.numeric or not unit:
            continue  # an amount whose unit neither its label nor its group says is not guessed
        yield _cell_figure(
            doc,
            row,
            section,
            cell,
            unit,
            (named, group or label.text, label.text),
            row.text.strip(" |")[:160],
            row.text.strip(),
        )


def _cell_figure(
    doc: str,
    row: Block,
    section: str,
    cell: Cell,
    unit: str,
    names: tuple[str, str, str],
    quote: str,
    context: str,
) -> Figure:
    """A table cell as a figure; `names` is its (label, column, row)."""
    assert cell.value is not None
    label, column, row_label = names
    return Figure(
        doc=doc,
        value=cell.value,
        unit=unit,
        text=cell.text,
        label=label[:60],
        quote=quote,
        line=row.line_at(max(cell.start, 0)),
        section=section,
        column=column,
        row=row_label,
        qualifier="bound" if cell.bound else "",
        context=context[:240],
    )


def _two_row_header(above: list[Cell], cells: list[Cell]) -> list[Cell]:
    """A header over two rows: "序号 | 一级指标 | … | 指标 | 自评 | 复核" above "分值 | 评分 | 评分". The titles
    spanning both rows come first, so the short lower row names the last columns of the upper one: 指标分值,
    自评评分, 复核评分."""
    lower = [c for c in cells if c.text]
    if (
        len(above) <= len(lower)
        or any(c.numeric or c.blank_value for c in above)
        or any(len(c.text) > 8 for c in lower)
    ):
        return cells
    k = len(above) - len(lower)
    merged = [c.text for c in above[:k]] + [a.text + b.text for a, b in zip(above[k:], lower, strict=True)]
    return [Cell(text, 0) for text in merged]


def _without_serial(cells: list[Cell]) -> list[Cell]:
    """ "4 | 巡护到位 | … | 2 | 0": a row's leading serial number (序号) is no value of the row."""
    if (
        len(cells) >= 3
        and cells[0].numeric
        and not cells[0].unit
        and (cells[0].value or 0) < 1000
        and float(cells[0].value or 0).is_integer()
        and not cells[1].numeric
        and len(cells[1].text) >= 2
        and not cells[1].blank_value
    ):
        return [Cell("", cells[0].start), *cells[1:]]
    return cells


def _unit_in(text: str) -> str:
    m = _UNIT_IN.search(text)
    return m.group(1) if m else ""


def _headerless_reading(slots: list[Cell]) -> dict[int, tuple[str, str]]:
    """A 自评表 row with no header in sight ("环境整治率 | ≥ | 90 | % | 93 | 10"): the bare number before its
    计量单位 cell is the row's target (指标值); the bare number after it is the achieved value (完成值) only
    when a weight or score still follows — a 绩效目标表 row ("= | 6 | 万元 | 5") has a weight there. Keyed by
    the cell's offset in the row."""
    read: dict[int, tuple[str, str]] = {}
    at = next((i for i, c in enumerate(slots) if i and _UNIT_WORD.match(c.text)), None)
    if at is None or not slots[at - 1].numeric or slots[at - 1].unit:
        return read
    unit = _UNIT_ALIASES.get(slots[at].text, slots[at].text)
    read[slots[at - 1].start] = ("指标值", unit)
    rest = slots[at + 1 :]
    if len(rest) >= 2 and rest[0].numeric and not rest[0].unit and rest[1].numeric:
        read[rest[0].start] = ("完成值", unit)
        weight, score = rest[1], rest[-1]
        # "… | 93 | 10 | 9": the standard form's 分值 then 得分
        if (
            len(rest) == 3
            and score.numeric
            and not (weight.unit or score.unit)
            and 0 <= (score.value or 0) <= (weight.value or 0) <= 100
        ):
            read[weight.start] = ("分值", "分")
            read[score.start] = ("得分", "分")
    return read


def table_figures(doc: str, rows: list[Block], section: str, unit_hint: str) -> Iterator[Figure]:
    """Each numeric cell of a run of table rows as a figure named by its row and column."""
    header: list[Cell] = []
    groups: list[
        str
    ] = []  # the unit-stating labels of a form's label | value pairs, by their place in the row
    table_unit = unit_hint
    pending_label = ""  # a row title standing alone on the line above its values
    previous: tuple[str, int] | None = None  # the last row's label and the column after its last value
    for at, row in enumerate(rows):
        cells = _without_serial(_amounts_not_years(split_cells(row.text), [c.text for c in header if c.text]))
        texts = [c.text for c in cells if c.text]
        if not texts:
            continue
        for c in cells:
            m = None if c.numeric else _TABLE_UNIT.search(c.text)
            if m:
                table_unit = m.group(1) or m.group(2)
        above = [c for c in split_cells(rows[at - 1].text) if c.text] if at else []
        if _is_header(cells):
            header, pending_label, previous = _two_row_header(above, cells), "", None
            continue
        pairs = _pairs(cells)
        if pairs is not None:
            yield from _pair_figures(doc, row, section, pairs, groups, table_unit)
            pending_label, previous = "", None
            continue
        heads = [c.text for c in header]
        # a row as long as its header reads by position: its 序号 and name cells are no values
        positional = len(cells) == len(heads) and any(_LABEL_COLUMN.match(h) for h in heads)
        first_value = next(
            (
                i
                for i, c in enumerate(cells)
                if (c.numeric or c.blank_value) and not (positional and _NOT_VALUE_HEAD.search(heads[i]))
            ),
            None,
        )
        if first_value is None:
            # a group title (质量指标) or a row title whose values follow on the next line
            short = len(texts) <= 3 and all(len(t) <= 40 for t in texts)
            pending_label = " ".join(texts)[-40:] if short else ""
            previous = None
            continue
        label_cells = [
            c.text
            for c in cells[:first_value]
            if c.text and len(c.text) <= 40 and not c.numeric and not _OPERATOR_CELL.match(c.text)
        ]
        if positional:
            # "序号 | 主管部门 | 项目单位 | 项目名称 | …": the row is named by its name cell
            named_cell = next(
                (c.text for c, h in zip(cells, heads, strict=True) if _NAME_HEAD.search(h) and c.text), ""
            )
            label_cells = [named_cell] if named_cell else label_cells
        slots = [c for c in cells[first_value:] if c.text]
        columns = [c.text for c in header if c.text]
        headerless = _headerless_reading(slots) if not columns else {}
        if not any(_UNIT_COLUMN.search(h) for h in columns):
            # "5600 | 元 | 5600 | 10.00 | 8.00" under a header with no 单位 column: the unit cell belongs to
            # the value before it and fills no column of its own
            units_said = [_UNIT_ALIASES.get(c.text, c.text) for c in slots if _UNIT_WORD.match(c.text)]
            slots = [c for c in slots if not _UNIT_WORD.match(c.text)]
        else:
            units_said = []
        quote = row.text.strip(" |")
        if not label_cells and (pending_label or previous is not None):
            # quoted with the row above, which names it
            quote = f"{rows[at - 1].text.strip(' |')} {quote}" if at else quote
        if not label_cells and not pending_label and previous is not None:
            # the rest of the row above, wrapped onto its own line ("基本支出 | 985.19 | 914.97" / "10 | 10")
            row_label, done = previous
            named = columns[done : done + len(slots)] if done + len(slots) <= len(columns) else None
        else:
            row_label = (
                " ".join(label_cells)[-40:] or pending_label
            )  # the words nearest the value name it best
            named = _columns_for(columns, len(label_cells), slots)
        pending_label = ""
        if named:
            previous = (row_label, columns.index(named[-1]) + 1)
        row_units = [c.unit for c in slots if c.numeric and c.unit and c.unit != "分"]
        # "100 | 100 | % | 8 | 8": a 计量单位 cell gives its unit to the target and the achieved value
        row_units += units_said + [
            _UNIT_ALIASES.get(c.text, c.text) for c in slots if _UNIT_WORD.match(c.text)
        ]
        for k, cell in enumerate(slots):
            if not cell.numeric:
                continue
            column, unit = named[k] if named else "", ""
            if cell.start in headerless:
                column, unit = headerless[cell.start]
            unit = unit or _unit_of(cell, column, row_label, row_units, table_unit)
            if not column and not unit:
                continue  # a bare number neither a column nor a unit names
            yield _cell_figure(
                doc,
                row,
                section,
                cell,
                unit,
                (" ".join(x for x in (row_label, column) if x), column, row_label),
                quote if len(quote) <= 160 else cell.text,
                " | ".join(x for x in (" ".join(c.text for c in header), row.text) if x),
            )
