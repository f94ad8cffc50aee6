"""决算 tables pasted as text (index/accounts.py): "项目 行次 金额" rows read as name → amount in the table's unit,
the row number never taken for a figure. Tables here are invented, in the shape of 财决公开01表."""

from __future__ import annotations

from index.accounts import account_figures
from index.figures import extract_figures
from index.models import RawDocument, SourceLine
from index.structure import parse_report

ONE_LINE = (
    "财决公开01表 部门:青禾县职业中学 金额单位:万元 收入 支出 项目 行次 金额 项目 行次 金额 栏次 1 栏次 2 "
    "一一般公共预算财政拨款收入 1 3,512.40 一一般公共服务支出 32 0.00 五事业收入 5 61.25 五教育支出 36 3,208.11 "
    "八社会保障和就业支出 39 270.06 9 九卫生健康支出 40 75.30 10"
)
ROWS = "收入支出决算总表\n金额单位:元\n项目 行次 金额\n九、卫生健康支出 39 18,204,117.52 十、节能环保支出 40\n总计 30 19,006,254.10"


def _report(text: str):
    lines = [
        SourceLine(i, t) for i, t in enumerate(f"SOURCE: https://example.org/1.html\n{text}".split("\n"), 1)
    ]
    return parse_report(RawDocument("r.txt", "txt", lines, "0" * 64))


def test_rows_are_name_and_amount_in_the_tables_unit():
    got = {f.label: (f.value, f.unit) for f in account_figures("r.txt", _report(ONE_LINE))}
    assert got["一般公共预算财政拨款收入"] == (3512.4, "万元")
    assert got["一般公共服务支出"] == (0.0, "万元")
    assert got["事业收入"] == (61.25, "万元")
    assert got["教育支出"] == (3208.11, "万元")
    assert got["社会保障和就业支出"] == (270.06, "万元")
    assert got["卫生健康支出"] == (75.3, "万元")
    assert all(f.value not in (1, 5, 32, 36, 39, 40) for f in extract_figures(_report(ONE_LINE)))


def test_list_numbers_go_and_an_empty_row_gives_nothing():
    got = {f.label: (f.value, f.unit, f.quote) for f in account_figures("r.txt", _report(ROWS))}
    assert got == {
        "卫生健康支出": (18204117.52, "元", "九、卫生健康支出 39 18,204,117.52"),
        "总计": (19006254.1, "元", "总计 30 19,006,254.10"),
    }


def test_a_table_without_a_stated_unit_gives_no_amounts():
    assert list(account_figures("r.txt", _report("项目 行次 金额\n教育支出 36 3,208.11"))) == []
