"""Tables a web page's text export wrote one cell per line, with the borders as lines of pipes: rebuilt into
rows, each figure named by its row and column, and every quote still found in the file. Tables here are
invented, in the shapes real exports take."""

from __future__ import annotations

from index.cell_runs import find_cell_runs
from index.figures import extract_figures
from index.models import RawDocument, SourceLine
from index.normalize import match_key
from index.structure import parse_report


def _report(text: str):
    lines = [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)]
    return parse_report(RawDocument("t.txt", "txt", lines, "0" * 64))


def _lines(*cells_and_borders: str) -> str:
    return "\n".join(cells_and_borders)


# a score sheet: every cell on its own line between "|" lines, "|" "|" closing a row, a two-row header
SCORE_SHEET = _lines(
    "2022年度青禾县村道养护项目绩效自评表",
    "|", "|",
    "填报单位:青禾县交通运输局",
    "|", "|",
    "序号", "|", "一级指标", "|", "二级指标", "|", "指标说明", "|", "指标", "|", "自评", "|", "|",
    "分值", "|", "评分", "|", "|",
    "1", "|", "决策(20)", "|", "项目立项", "|", "立项程序规范,得6分", "|", "6", "|", "6", "|", "|",
    "2", "|", "资金到位", "|", "资金按时到位,得8分", "|", "8", "|", "5", "|", "|",
    "3", "|", "过程(30)", "|", "资金拨付", "|", "支付手续完备,得4分", "|", "4", "|", "4", "|", "|",
    "三、存在的问题",
)  # fmt: skip

# cells ending in " |", rows closed by a line of pipes, a cell wrapped over two lines
CELL_PIPE_FORM = _lines(
    "项目名称 |",
    "松溪镇饮水巩固提升工程 |",
    "||||||",
    "预算执行情况(万元)",
    "(20分)",
    "|",
    "|",
    "预算数(A) |",
    "执行数(B) |",
    "执行率(B/A) |",
    "得分 |",
    "||||",
    "年度资金总额 |",
    "60.5 |",
    "48.4 |",
    "80% |",
    "16 |",
    "|||||",
    "总分 |",
    "90 |",
    "|||||",
)


def test_rows_are_rebuilt_from_one_cell_per_line():
    texts = [t.strip() for t in SCORE_SHEET.split("\n")]
    runs = find_cell_runs(texts)
    assert len(runs) == 1
    rows = [row.texts() for row in runs[0].rows]
    assert ["分值", "评分"] in rows
    assert ["2", "资金到位", "资金按时到位,得8分", "8", "5"] in rows
    assert texts[runs[0].end] == "三、存在的问题"  # the prose after the table is no cell


def test_a_score_sheet_names_each_score_by_its_row_and_two_row_header():
    report = _report(SCORE_SHEET)
    figures = extract_figures(report)
    given = [f for f in figures if "资金到位" in f.row and f.column == "自评评分"]
    weight = [f for f in figures if "资金到位" in f.row and f.column == "指标分值"]
    assert [(f.value, f.unit) for f in given] == [(5.0, "分")]
    assert [(f.value, f.unit) for f in weight] == [(8.0, "分")]
    # the serial number (序号) is no figure of the row
    assert not [f for f in figures if "资金到位" in f.row and f.value == 2.0]
    # the quote is found in the file, the borders and line breaks aside
    source = match_key(SCORE_SHEET)
    assert match_key(given[0].quote) in source
    assert report.raw.lines[given[0].line - 1].text == "5"


def test_the_units_field_of_a_rebuilt_form_names_the_unit():
    assert _report(SCORE_SHEET).meta.org == "青禾县交通运输局"


def test_cells_closed_by_their_own_pipe_and_a_wrapped_cell():
    texts = [t.strip() for t in CELL_PIPE_FORM.split("\n")]
    rows = [row.texts() for run in find_cell_runs(texts) for row in run.rows]
    assert ["预算执行情况(万元)(20分)"] in rows  # one cell over two lines
    assert ["年度资金总额", "60.5", "48.4", "80%", "16"] in rows
    figures = extract_figures(_report(CELL_PIPE_FORM))
    rate = [f for f in figures if f.column == "执行率(B/A)"]
    assert [(f.value, f.unit, f.row) for f in rate] == [(80.0, "%", "年度资金总额")]


def test_rows_run_together_without_borders_are_cut_where_their_shape_repeats():
    texts = _lines(
        *[
            cell
            for row in (
                ("产出指标", "数量指标", "培训人次", "200人次", "230人次"),
                ("产出指标", "质量指标", "培训合格率", "90%", "96%"),
                ("效益指标", "社会效益指标", "群众知晓率", "85%", "88%"),
            )
            for text in row
            for cell in (text, "|")
        ]
    ).split("\n")
    rows = [row.texts() for run in find_cell_runs(texts) for row in run.rows]
    assert rows == [
        ["产出指标", "数量指标", "培训人次", "200人次", "230人次"],
        ["产出指标", "质量指标", "培训合格率", "90%", "96%"],
        ["效益指标", "社会效益指标", "群众知晓率", "85%", "88%"],
    ]


def test_stray_pipes_in_prose_make_no_table():
    texts = ["一、基本情况", "|", "全年支出120万元。", "|", "二、存在的问题"]
    assert find_cell_runs(texts) == []


def test_a_file_of_several_projects_tables_is_known_by_none_of_them():
    """Two 自评表 in one file: neither project's name is the unit's alias, so a question naming one project
    keeps its name and is told its table's figures, not the other's."""
    text = "\n".join(
        [
            "石川市财政局2021年度项目支出绩效自评表",
            "项目名称 山林巡护补助 主管部门 石川市财政局",
            "年初预算数 全年预算数 全年执行数 执行率",
            "年度资金总额 40 40 36 90%",
            "项目名称 票据电子化 主管部门 石川市财政局",
            "年初预算数 全年预算数 全年执行数 执行率",
            "年度资金总额 25 25 20 80%",
        ]
    )
    report = _report(text)
    assert "山林巡护补助" not in report.meta.aliases
    single = _report("\n".join(text.split("\n")[:4]))
    assert "山林巡护补助" in single.meta.aliases


def test_a_count_row_of_a_rebuilt_table_keeps_its_columns_and_takes_its_unit_from_its_name():
    """Cells on lines of their own are read under the rebuilt row's columns (no guess by position over the
    same lines stands beside them), and a row named "…人数" counts people."""
    text = "\n".join(
        [
            "一级指标 |",
            "二级指标 |",
            "指标名称 |",
            "目标值 |",
            "实际完成值 |",
            "|",
            "产出指标 |",
            "数量指标 |",
            "培训农民人数 |",
            "300 |",
            "326 |",
            "|",
            "产出指标 |",
            "质量指标 |",
            "培训合格率 |",
            "90% |",
            "95% |",
            "|",
        ]
    )
    figures = extract_figures(_report(text))
    trained = sorted((f.column, f.value, f.unit) for f in figures if f.row == "培训农民人数")
    assert trained == [("实际完成值", 326.0, "人"), ("目标值", 300.0, "人")]
    assert not [f for f in figures if f.value == 326.0 and f.column != "实际完成值"]


def test_a_unit_cell_under_no_unit_column_leaves_the_values_in_their_columns():
    """ "90 | % | 93 | 20 | 18" under 年度指标值 | 实际完成值 | 分值 | 得分: the % is the values' unit, not a cell of
    a column of its own, so 18 is the score and 20 the weight."""
    text = "\n".join(
        [
            "| 绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析 |",
            "| 效益指标 | 社会效益指标 | 群众投诉办结率 | ≥ | 90 | % | 93 | 20 | 18 |",
        ]
    )
    figures = extract_figures(_report(text))
    got = sorted((f.column, f.value, f.unit) for f in figures if "投诉办结率" in f.row)
    assert got == [
        ("分值", 20.0, "分"),
        ("实际完成值", 93.0, "%"),
        ("年度指标值", 90.0, "%"),
        ("得分", 18.0, "分"),
    ]
