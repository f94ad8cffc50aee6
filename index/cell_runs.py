"""Tables that a web page's text export wrote one cell per line: rebuilt into rows.

Portals and document sites often export a 自评表 with every cell on its own line and the cell borders as lines of
pipes::

    巡护到位            年度资金总额 |
    |                   52.30 |
    巡护记录完整…得2分   |
    |                   ||||
    2
    |
    0
    |
    |

A single pipe closes a cell; two or more in a row (a "||||" line, or "|" after a cell that already ended in
"|") close the row. Read line by line these are hundreds of one-word paragraphs, and no figure has its row or
column; rebuilt, each row is one "a | b | c" line that the table reader names cell by cell. The rows keep each
character's source line, so a quote still leads back to the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PIPES = re.compile(r"^[|｜](?:\s*[|｜])*$")
_NUMBER_CELL = re.compile(r"^[≥≧≤≦>＞<＜=＝]?\s*[+-]?\d[\d,.]*\s*(?:%|‰|[^\d\s|]{1,3})?$")
_LONG_ROW = 10  # cells; a longer row is rows run together, its borders lost
_MIN_BORDERS = 6  # fewer pipe lines than this is a stray pipe, not a table


@dataclass(slots=True)
class CellRow:
    """One rebuilt row: each cell as its pieces, (text, index of its line), a cell wrapped over lines having
    several."""

    cells: list[list[tuple[str, int]]] = field(default_factory=list)

    def texts(self) -> list[str]:
        return ["".join(t for t, _ in cell) for cell in self.cells]


def _kind(text: str) -> str:
    if not text:
        return "blank"
    if _PIPES.match(text):
        return "pipes"
    if "|" not in text and "｜" not in text:
        return "text"
    if text.endswith(("|", "｜")) and text.count("|") + text.count("｜") == 1 and len(text) > 1:
        return "cell"  # "年度资金总额 |": a cell and the border after it
    return "other"  # a row written whole ("a | b | c"), read as it is


def _members(kinds: list[str]) -> list[bool]:
    """Which lines belong to a run: every border line, and a line with no pipe when a border follows it, or
    borders stand on both sides of it (of the lines of a cell wrapped over several)."""
    member = [k in ("pipes", "cell") for k in kinds]
    after = "end"  # the kind of the next non-blank line, and whether it belongs
    after_member = False
    before = ["end"] * len(kinds)
    last = "end"
    for i, kind in enumerate(kinds):
        before[i] = last
        if kind != "blank":
            last = kind
    for i in range(len(kinds) - 1, -1, -1):
        kind = kinds[i]
        if kind == "blank":
            continue
        if kind == "text":
            bordered = before[i] in ("pipes", "cell")
            member[i] = after == "pipes" or (
                bordered and (after == "cell" or (after == "text" and after_member))
            )
        after, after_member = kind, member[i]
    return member


def _number_like(text: str) -> bool:
    return bool(_NUMBER_CELL.match(text.replace(" ", "")))


@dataclass(frozen=True, slots=True)
class CellRun:
    start: int  # index of the run's first line
    end: int  # index after its last line
    rows: list[CellRow]


def find_cell_runs(texts: list[str]) -> list[CellRun]:
    """Runs of one-cell-per-line table text in `texts` (stripped lines), each with its rebuilt rows."""
    kinds = [_kind(t) for t in texts]
    member = _members(kinds)
    runs: list[CellRun] = []
    i = 0
    while i < len(texts):
        if not member[i]:
            i += 1
            continue
        j = i
        while j < len(texts) and (member[j] or kinds[j] == "blank"):
            j += 1
        while kinds[j - 1] == "blank":
            j -= 1
        if sum(kinds[k] in ("pipes", "cell") for k in range(i, j)) >= _MIN_BORDERS:
            rows = _rows(texts, kinds, range(i, j))
            if sum(len(r.cells) for r in rows) >= 3:
                runs.append(CellRun(i, j, rows))
        i = j
    return runs


def _rows(texts: list[str], kinds: list[str], span: range) -> list[CellRow]:
    rows: list[CellRow] = [CellRow()]
    pending: list[tuple[str, int]] = []  # the pieces of the cell being read: (text, line index)
    borders = 0

    def close_cell() -> None:
        if pending:
            rows[-1].cells.append(list(pending))
            pending.clear()

    for k in span:
        kind, text = kinds[k], texts[k]
        if kind == "blank":
            continue
        if kind == "pipes":
            close_cell()
            borders += text.count("|") + text.count("｜")
            continue
        body = text[:-1].strip() if kind == "cell" else text
        if borders >= 2 and rows[-1].cells:
            rows.append(CellRow())
        borders = 0
        # a cell wrapped onto a second line runs on; a bare value after a title is a cell of its own
        if pending and (_number_like(body) or _number_like(pending[-1][0])):
            close_cell()
        if body:
            pending.append((body, k))
        if kind == "cell":
            close_cell()
            borders = 1
    close_cell()
    return [part for r in rows if r.cells for part in _split_repeats(r)]


def _split_repeats(row: CellRow) -> list[CellRow]:
    """A run with no row borders reads as one long row; rows of one table repeat their shape, each opening
    with a title cell named alike (产出指标 … 效益指标 …), so such a row is cut where that shape repeats."""
    texts = row.texts()
    for width in range(3, 9):
        if len(texts) % width or len(texts) < 2 * width:
            continue
        openers = texts[::width]
        if all(2 <= len(t) <= 12 and not _number_like(t) for t in openers) and (
            len({t[-2:] for t in openers}) == 1
        ):
            return [CellRow(row.cells[k : k + width]) for k in range(0, len(texts), width)]
    if len(texts) <= _LONG_ROW:
        return [row]
    # a form's fields one after another ("项目期 | 长期 | 年度资金总额 | 1620.40万元 | 其中:财政拨款 | …"): each
    # value closes its own row, so that it is named by the words just before it
    parts, start = [], 0
    for k in range(1, len(texts)):
        if _number_like(texts[k - 1]) and not _number_like(texts[k]):
            parts.append(CellRow(row.cells[start:k]))
            start = k
    parts.append(CellRow(row.cells[start:]))
    return parts
