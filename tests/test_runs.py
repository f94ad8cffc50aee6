"""Budget rows whose cells a PDF or an OCR ran together (index/runs.py), read back by their arithmetic and
cited so that the checker can join the reading back into the quote. Rows here are invented."""

from __future__ import annotations

from assistant.models import Answer, Citation
from assistant.verify import verify
from index.runs import header_columns, read_row

HEADER = "项目资金(万元)年初预算数全年预算数全年执行数分值执行率得分"


def _cells(line: str, header: str = HEADER) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(r.row, [(c.column, c.text) for c in r.cells]) for r in read_row(line, header_columns(header))]


def test_a_total_row_and_the_rows_under_it_each_read_one_way():
    rows = _cells(f"{HEADER}年度资金总额6060581096.67%9其中:当年财政拨款60605896.67%")
    assert rows == [
        (
            "年度资金总额",
            [
                ("年初预算数", "60"),
                ("全年预算数", "60"),
                ("全年执行数", "58"),
                ("分值", "10"),
                ("执行率", "96.67%"),
                ("得分", "9"),
            ],
        ),
        (
            "其中:当年财政拨款",
            [("年初预算数", "60"), ("全年预算数", "60"), ("全年执行数", "58"), ("执行率", "96.67%")],
        ),
    ]


def test_the_rate_decides_where_the_digits_split():
    header = "全年预算数(A) 全年执行数(B) 执行率(B/A)"
    assert _cells("年度资金总额:2527931.00%", header) == [
        ("年度资金总额", [("全年预算数", "252"), ("全年执行数", "79"), ("执行率", "31.00%")])
    ]
    assert _cells("地方资金5151100%", header) == [
        ("地方资金", [("全年预算数", "51"), ("全年执行数", "51"), ("执行率", "100%")])
    ]


def test_no_reading_when_two_disagree_or_none_fits_or_the_row_is_no_budget_row():
    header = "全年预算数(A) 全年执行数(B) 执行率(B/A)"
    assert _cells("年度资金总额:1111100%", header) == [
        ("年度资金总额", [("全年预算数", "11"), ("全年执行数", "11"), ("执行率", "100%")])
    ]
    assert _cells("年度资金总额:123456789%", header) == []  # no split makes the rate
    assert _cells("验收合格率 15100%95", header) == []  # an indicator, not money
    assert read_row("年度资金总额:520520100%", ["年度指标值", "实际完成值"]) == []  # no rate column


def test_a_reading_counts_as_quoted_only_when_it_joins_back_into_the_quote():
    quote = "年度资金总额:2527931.00%"
    source = f"标题\n{quote}\n"
    good = Citation("a.txt", "青禾县农业局", "", quote, 2, cells=("252", "79", "31.00%"))
    answer = Answer(
        "执行了多少",
        "青禾县农业局报告载明：年度资金总额 全年执行数 79。[1]",
        True,
        79.0,
        "万元",
        [good],
        "lookup",
    )
    assert verify(answer, lambda doc: source, {}).found
    forged = Citation("a.txt", "青禾县农业局", "", quote, 2, cells=("25", "279", "31.00%"))
    lie = Answer(
        "执行了多少", "青禾县农业局报告载明：全年执行数 279。[1]", True, 279.0, "万元", [forged], "lookup"
    )
    assert not verify(lie, lambda doc: source, {}).found
