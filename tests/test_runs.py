"""Budget rows whose cells a PDF or an OCR ran together (index/runs.py), read back by their arithmetic and
cited so that the checker can join the reading back into the quote. Rows here are invented."""

from __future__ import annotations

from assistant.models import Answer, Citation
from assistant.verify import verify
from index.runs import budget_headers, consistent_reading, header_columns, read_row, read_scored_rate

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


def test_headers_are_column_names_close_together_not_words_of_the_prose_before():
    line = "1.预算数:下达补助资金90万元,执行数见下表。资金情况(万元)全年预算数(A)全年执行数(B)预算执行率(B/A×100%)年度资金总额:9090100%"
    (header,) = budget_headers(line)
    assert header.columns == ("全年预算数", "全年执行数", "执行率")
    assert line[header.end :].startswith("年度资金总额")  # the rate's formula is the header's own
    # a formula naming columns ("(全年 执行数/全年 预算数)") adds none
    (spaced,) = budget_headers(
        "年初预算数 全年预算数 全年执行数 分值 执行率(全年 执行数/全年 预算数) 年度资金总额:"
    )
    assert spaced.columns == ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率")
    assert budget_headers("全年预算数与执行率详见附表") == []  # two names, no table


def test_a_run_row_after_prose_on_one_long_line_is_read_with_its_own_header():
    from index.figures import extract_figures
    from index.models import RawDocument, SourceLine
    from index.structure import parse_report

    line = (
        "石川市文化馆专项资金绩效自评报告一、预算数:2023年下达资金360万元,执行数见自评表。"
        "资金情况(万元)全年预算数(A)全年执行数(B)预算执行率(B/A)年度资金总额:360342.995.25%其中:中央财政资金36034395.28%"
    )
    text = f"SOURCE: https://example.org/1.html\n{line}\n"
    lines = [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)]
    figures = extract_figures(parse_report(RawDocument("r.txt", "txt", lines, "0" * 64)))
    cells = {(f.row, f.column): (f.value, f.unit) for f in figures if f.column}
    assert cells[("年度资金总额", "全年预算数")] == (360.0, "万元")
    assert cells[("年度资金总额", "全年执行数")] == (342.9, "万元")
    assert cells[("年度资金总额", "执行率")] == (95.25, "%")


def test_rate_weight_and_score_run_together_are_read_by_the_score():
    header = header_columns("执行率(%)执行率权重执行率得分(分)")
    rows = read_scored_rate("年度总金额.41.08.3其中财政拨款.41.08.386.42108.64年初绩效目标", header)
    assert [(r.row, [c.text for c in r.cells]) for r in rows] == [("其中财政拨款", ["86.42", "10", "8.64"])]
    assert [c.text for c in read_scored_rate("O92%109.2当年绩效目标", header)[0].cells] == [
        "92%",
        "10",
        "9.2",
    ]
    assert consistent_reading(["86.42", "10", "8.64"])
    assert not consistent_reading(["86.42", "10", "7.64"])  # the score is no 10 × 86.42%
    assert read_scored_rate("O92%109.2", header_columns("分值执行率得分")) == []  # no weight after the rate


def test_an_empty_first_budget_cell_leaves_the_other_columns_read():
    header = "项目资金(万元)年初预算数全年预算数全年执行分值执行率得分"
    assert _cells("年度资金总额484810100%", header) == [
        ("年度资金总额", [("全年预算数", "48"), ("全年执行", "48"), ("分值", "10"), ("执行率", "100%")])
    ]


def test_digits_a_row_was_read_from_give_no_other_figure():
    from index.figures import extract_figures
    from index.models import RawDocument, SourceLine
    from index.structure import parse_report

    line = (
        "资金投入情况(万元)全年预算数(A)全年执行数(B)预算执行率(B/A×100%)"
        "年度资金总额:21112559.24%其中:中央财政资金8600%地方资金125125100%"
    )
    lines = [SourceLine(i, t) for i, t in enumerate(["SOURCE: https://example.org/1.html", line], 1)]
    figures = extract_figures(parse_report(RawDocument("r.txt", "txt", lines, "0" * 64)))
    assert all(f.value <= 200 for f in figures if f.unit == "%"), [(f.label, f.value) for f in figures]
    assert {(f.row, f.column, f.value) for f in figures if f.column} >= {
        ("年度资金总额", "执行率", 59.24),
        ("其中:中央财政资金", "全年预算数", 86.0),
        ("其中:中央财政资金", "执行率", 0.0),
    }


def test_a_budget_row_with_its_cells_apart_is_read_by_the_same_arithmetic():
    from index.runs import read_row

    columns = ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    line = " 年度资金总额: 320.5万元 400万元 380万元 10 95% 9.5 其中:当年财政 拨款 320.5万元 400万元 380万元 95% "
    total, part = read_row(line, columns)
    assert total.row == "年度资金总额" and part.row == "其中:当年财政拨款"
    assert [(c.column, c.value) for c in total.cells] == [
        ("年初预算数", 320.5),
        ("全年预算数", 400.0),
        ("全年执行数", 380.0),
        ("分值", 10.0),
        ("执行率", 95.0),
        ("得分", 9.5),
    ]
    assert [c.column for c in part.cells] == ["年初预算数", "全年预算数", "全年执行数", "执行率"]
    # cells the arithmetic does not fit (380 of 400 is no 90%) are no reading
    assert read_row(" 年度资金总额: 320.5万元 400万元 380万元 10 90% 9 ", columns) == []


def test_a_table_of_named_rows_reads_every_name_even_past_its_header_repeated_on_a_new_page():
    header = "序号各县区名称全年预算数全年执行数预算执行率"
    (head,) = budget_headers(f"1、青禾县体育局{header}2石川县63.5050.8080.00%")
    assert head.named and head.columns == ("全年预算数", "全年执行数", "执行率")
    rows = read_row("11松溪县84.784.70100.00%18白沙县52.5039.3875.01%", head.columns, head.named)
    assert [(r.row, [c.text for c in r.cells]) for r in rows] == [
        ("松溪县", ["84.7", "84.70", "100.00%"]),
        ("白沙县", ["52.50", "39.38", "75.01%"]),
    ]
    # without a column of names, a row must name a fund
    assert read_row("18白沙县52.5039.3875.01%", head.columns) == []


def test_a_row_name_the_pdf_wrapped_and_amounts_of_a_table_stating_no_unit():
    from assistant.open_figures import best_figure, shown_value
    from index.figures import extract_figures
    from index.models import RawDocument, SourceLine
    from index.structure import parse_report

    header = "序号各县区名称全年预算数全年执行数预算执行率"
    (head,) = budget_headers(f"1、青禾县体育局{header}2石川县72.5058.0080.00%")
    rows = read_row("7青禾县射箭运动管理 中心188.4030.5016.19%", head.columns, head.named)
    assert [(r.row, [c.text for c in r.cells]) for r in rows] == [
        ("青禾县射箭运动管理中心", ["188.40", "30.50", "16.19%"])
    ]
    text = f"青禾县2021年体彩公益金绩效自评报告\n1、青禾县体育局{header}2石川县72.5058.0080.00%3松溪县96.396.30100.00%"
    report = parse_report(
        RawDocument("t.txt", "txt", [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)], "0" * 64)
    )
    figures = extract_figures(report)
    match = best_figure("石川县执行了多少钱", "石川县执行了多少钱", figures)
    # the table never says 万元 or 元: the amount is shown as printed, its unit said to be unstated
    assert match is not None and match.figure.value == 58.0 and match.figure.unit == ""
    assert shown_value(match.figure) == "58.00（报告未注明单位）"


def test_a_cell_keeping_its_unit_in_a_run_is_cut_there():
    # "60万元57.2295.00%": the budget cell keeps its unit; the rest runs into the rate (57.22 ÷ 60 is 95.37%, the
    # report prints 95.00% — within what reports print)
    (row,) = read_row("年度资金总额60万元57.2295.00%", ["全年预算数", "全年执行数", "执行率"])
    assert [(c.column, c.text) for c in row.cells] == [
        ("全年预算数", "60"),
        ("全年执行数", "57.22"),
        ("执行率", "95.00%"),
    ]
    # a cell with its unit that is no well-formed number reads nothing
    assert read_row("年度资金总额060万元57.2295.00%", ["全年预算数", "全年执行数", "执行率"]) == []


def test_cells_read_where_one_kept_its_unit_are_verified_against_their_quote():
    quote = "年度资金总额60万元57.2295.00%"
    source = f"标题\n{quote}\n"
    cited = Citation("a.txt", "青禾县福彩中心", "", quote, 2, cells=("60", "57.22", "95.00%"))
    answer = Answer(
        "实际花了多少",
        "青禾县福彩中心报告载明：年度资金总额 全年执行数 57.22万元。[1]",
        True,
        57.22,
        "万元",
        [cited],
        "lookup",
    )
    assert verify(answer, lambda doc: source, {}).found
