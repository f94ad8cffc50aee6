"""Reading 自评表 as they are published: pipe tables whose rows do not line up with their header, run-together
cells split by a PDF, labelled numbers with no unit, reposts in traditional characters. Tables here are
invented, in the shapes real ones take."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.multipart import ask_parts
from assistant.open_figures import best_figure, expected_units
from index.figures import extract_figures
from index.loaders import load_document
from index.models import RawDocument, SourceLine
from index.structure import parse_report
from index.tables import read_cell, split_cells


def _parsed(text: str):
    lines = [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)]
    return parse_report(RawDocument("t.txt", "txt", lines, "0" * 64))


SELF_EVAL_TABLE = """项目支出绩效自评表
项目名称 | 青禾县山地果园补助项目 | 实施单位 | 青禾县林果站 | | | |
资金情况 (万元) |
全年预算数(A) | 全年执行数(B) | 分值 | 执行率(B/A) | 得分 | | |
年度资金总额: | 8.40 | 7.98 | 10 | 95% | 9.5 | | |
其中:本年财政拨款 | 8.40 | 7.98 | | | | | |
二级指标 | 三级指标 | 分值 | 年度指标值 | 全年实际值 | 得分 | 未完成原因 | |
数量指标 | 补助果园面积 | 20 | 35亩 | 33亩 | 18 | | |
其中苹果园面积 | 12亩 | 12亩 | | | | | |
质量指标 |
苗木成活率 | 10 | 90% | 94% | 10 | | |
补助农户数量(户) |
8 | 15 | 14 | 8 | | |
"""


def _report(text: str, name: str = "t.txt"):
    lines = [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)]
    return parse_report(RawDocument(name, "txt", lines, "0" * 64))


@pytest.fixture(scope="module")
def table_figures():
    return extract_figures(_report(SELF_EVAL_TABLE))


def _cell(figures, row: str, column: str):
    found = [f for f in figures if row in f.row and f.column == column]
    assert found, f"no cell {row} / {column}"
    return found[0]


def test_cells_read_with_their_units():
    assert read_cell("≥50个", 0).bound and read_cell("≥50个", 0).unit == "个"
    assert read_cell("29.5亩", 0).value == 29.5
    assert read_cell("≥100百分比", 0).unit == "%"
    assert read_cell("2021年", 0).value is None  # a date is no figure
    cells = split_cells("其中羊数量 | 180只 | 180只 |  |  | ")
    assert [c.text for c in cells] == ["其中羊数量", "180只", "180只"]


def test_amount_row_in_the_table_unit(table_figures):
    total = _cell(table_figures, "年度资金总额", "全年执行数(B)")
    assert (total.value, total.unit) == (7.98, "万元")
    assert (
        _cell(table_figures, "年度资金总额", "得分").value,
        _cell(table_figures, "年度资金总额", "得分").unit,
    ) == (
        9.5,
        "分",
    )


def test_indicator_rows_skip_the_header_title_columns(table_figures):
    actual = _cell(table_figures, "补助果园面积", "全年实际值")
    assert (actual.value, actual.unit) == (33, "亩")
    assert _cell(table_figures, "补助果园面积", "得分").value == 18
    # past a group title on a row of its own, the header still holds
    assert _cell(table_figures, "苗木成活率", "全年实际值").value == 94


def test_sub_rows_never_take_score_columns(table_figures):
    """A sub-row holds only the target and what was achieved: 12亩 is no 分值."""
    target = _cell(table_figures, "其中苹果园面积", "年度指标值")
    assert (target.value, target.unit) == (12, "亩")
    assert not [f for f in table_figures if "苹果园" in f.row and f.unit == "分"]


def test_a_row_title_on_the_line_above_its_values(table_figures):
    """ "补助农户数量(户)" alone on a line, its values on the next: they are counted in 户, quoted together."""
    actual = _cell(table_figures, "补助农户数量", "全年实际值")
    assert (actual.value, actual.unit) == (14, "户")
    assert "补助农户数量" in actual.quote


def test_questions_find_the_right_cell(table_figures):
    def ask(question: str):
        match = best_figure(question, question, table_figures)
        return match.figure.value if match is not None and match.confident else None

    assert ask("苗木成活率实际达到多少？") == 94
    assert ask("果园面积实际补了多少亩？") == 33
    assert ask("苹果园面积实际多少亩？") == 12
    assert ask("全年实际执行了多少钱？") == 7.98


def test_a_later_part_is_looked_for_in_the_first_parts_row(table_figures):
    """ "…实际执行了多少，预算执行得了几分": the score of the row the first part was read from."""
    first = best_figure("项目全年执行了多少钱", "全年执行", table_figures)
    assert first is not None and first.figure.value == 7.98
    later = best_figure("预算执行得了几分", "预算执行得分", table_figures, near=first.figure.line)
    assert later is not None and later.confident and later.figure.value == 9.5


def test_run_together_header_split_by_a_pdf():
    text = "项目资金(万元) 年初 预算数 全年 预算数 全年 执行数 分值 执行率 得分 年度资金总额 50 48 45.6 10 95% 9.5"
    figures = extract_figures(_report("青禾县林果站项目支出绩效自评表\n" + text))
    spent = [f for f in figures if f.column.replace(" ", "") == "全年执行数"]
    assert spent and (spent[0].value, spent[0].unit) == (45.6, "万元")


def test_labelled_numbers_without_units():
    report = _report(
        "青禾县林果站项目支出绩效自评表\n单位：万元\n自评总分: 92项目实施单位青禾县林果站\n项目支出:36.50\n"
    )
    figures = extract_figures(report)
    assert any(f.value == 92 and f.unit == "分" for f in figures)
    assert any(f.value == 36.5 and f.unit == "万元" for f in figures)
    assert not any(f.unit == "项" for f in figures)  # "92项目…" counts no 项


def test_a_number_with_no_declared_unit_is_not_guessed():
    figures = extract_figures(_report("青禾县林果站自评报告\n项目支出:36.50\n"))
    assert not any(f.value == 36.5 for f in figures)


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("计划采购多少册图书", "册"),
        ("设计使用年限是多少年", "年"),
        ("有几个人", "人"),
        ("设了几个样地", "个"),
    ],
)
def test_the_asked_unit(question, unit):
    units = expected_units(question)
    assert units is not None and unit in units


def test_traditional_characters_read_as_simplified(tmp_path: Path):
    path = tmp_path / "repost.txt"
    path.write_text(
        "青禾縣疾控中心2023年度整體支出績效自評報告\n預(yù)算執(zhí)行率為96.5%，滿(mǎn)意度98%。\n",
        encoding="utf-8",
    )
    text = "\n".join(line.text for line in load_document(path).lines)
    assert "整体支出绩效自评报告" in text and "预算执行率为96.5%" in text


def test_multi_part_passes_the_first_parts_line():
    seen = []

    def parse(text, previous=None, carry=False):
        from assistant.models import ParsedQuestion

        return ParsedQuestion(text, (), None, None, None, "lookup")

    def answer(parsed):
        from assistant.models import Answer, Citation

        seen.append(parsed.near)
        return Answer(parsed.text, "x", True, 1.0, "万元", [Citation("d.txt", "u", "", "q", 7)], "lookup")

    ask_parts("执行了多少，得了几分？", None, parse, answer)
    assert seen == [None, ("d.txt", 7)]


def test_one_cell_per_line_records_under_their_header():
    """A table pasted one cell per line (each closed by a pipe, as some portals render them): records of as
    many cells as the header has, read by position."""
    cells = ["一级指标", "二级指标", "指标名称", "目标值", "实际完成值"]
    for name, target, actual in (
        ("学生知晓率", "100%", "98%"),
        ("补助发放率", "95%", "97%"),
        ("覆盖率", "90%", "92%"),
    ):
        cells += ["产出指标", "质量指标", name, target, actual]
    text = "青禾县第二中学资助项目自评报告\n" + "\n".join(f"{c} |" for c in cells)
    figures = extract_figures(_report(text))
    got = {(f.row.split()[-1], f.column): f.value for f in figures if f.column in ("目标值", "实际完成值")}
    assert got[("补助发放率", "实际完成值")] == 97
    assert got[("覆盖率", "目标值")] == 90


def test_a_unit_wide_figure_from_a_sentence_about_a_part_is_not_taken():
    from assistant.engine import _about_a_part

    quote = "2023年度项目支出年初预算安排370.2万元，全年预算数497.5万元"
    assert _about_a_part(quote, "青禾县残联全年预算是多少")
    assert not _about_a_part(quote, "青禾县残联项目支出全年预算是多少")
    assert not _about_a_part("2023年度全年预算为635.1万元", "青禾县残联全年预算是多少")


def test_rows_numbered_under_a_header_are_named_by_their_name_cell_and_read_by_position():
    text = (
        "青禾县住建局2024年度专项债券项目绩效评价表\n"
        "序号 | 主管部门 | 项目单位 | 项目名称 | 发行金额(亿元) | 评价得分 | 评价结果 |\n"
        "1 | 青禾县住建局 | 青禾县市政事务中心 | 青禾县污水管网工程 | 0.5 | 88 | 良 |\n"
        "2 | 青禾县住建局 | 青禾县市政事务中心 | 青禾县白沙溪治理工程 | 1.25 | 92 | 优 |\n"
    )
    report = _parsed(text)
    figures = extract_figures(report)
    cells = {(f.row, f.column): (f.value, f.unit) for f in figures if f.column}
    assert cells[("青禾县白沙溪治理工程", "发行金额(亿元)")] == (1.25, "亿元")  # not a wrapped row of row 1
    assert cells[("青禾县白沙溪治理工程", "评价得分")] == (92.0, "分")
    assert not any(f.column == "序号" for f in figures)  # a row's number is no figure
    names = (report.meta.org, *report.meta.aliases)
    match = best_figure("白沙溪治理工程发了多少专项债", "白沙溪治理工程发了多少专项债", figures, names)
    assert match is not None and match.confident and match.figure.value == 1.25
    # spending asked is never answered by the money raised
    spent = best_figure("白沙溪治理工程实际支出了多少", "白沙溪治理工程实际支出了多少", figures, names)
    assert spent is None or not spent.confident


@pytest.mark.parametrize(
    ("line", "score"),
    [
        ("满意度指标 群众满意度 100% 100% 20 20 总分10091项目名称青禾县演出设备经费", 91.0),
        ("总分 | 100 | 96.5 | 优 |", 96.5),
        ("总分(分)96.41年初预算数全年预算数", 96.41),
        ("总分 100 100", 100.0),
    ],
)
def test_a_self_evaluation_s_total_score_row_is_read_apart_or_run_together(line, score):
    text = f"青禾县文旅局项目支出绩效自评表\n{line}\n"
    report = _parsed(text)
    scores = [(f.value, f.unit) for f in extract_figures(report) if f.row == "总分" and f.column == "得分"]
    assert scores == [(score, "分")]


def test_an_amount_like_a_year_under_a_money_column_is_an_amount():
    text = (
        "青禾县体育中心项目绩效自评表\n资金投入情况 (万元) |\n全年预算数(A) | 全年执行数(B) | 预算执行率(B/A×100%) |\n"
        "年度资金总额: | 2000 | 1160 | 58% |\n"
    )
    report = _parsed(text)
    cells = {f.column: (f.value, f.unit) for f in extract_figures(report) if f.column}
    assert cells["全年预算数(A)"] == (2000.0, "万元") and cells["全年执行数(B)"] == (1160.0, "万元")


def test_a_form_s_label_value_pairs_are_named_by_their_own_label_under_their_group():
    text = (
        "青禾县文化专项资金项目绩效评价报告\n"
        "计划安排资金(万元) | 500.00 | 实际到位资金(万元) | 480.50 |\n"
        "其中:中央财政 | 其中:中央财政 |\n"
        "市财政 | 40.00 | 市财政 | 40.00 |\n"
        "县财政 | 460.00 | 县财政 | 440.50 |\n"
    )
    report = _parsed(text)
    labels = {(f.value, f.label) for f in extract_figures(report) if f.unit == "万元"}
    assert (480.5, "实际到位资金(万元)") in labels  # not the left pair's label
    assert {(460.0, "计划安排资金(万元) 县财政"), (440.5, "实际到位资金(万元) 县财政")} <= labels


# a 自评表 a PDF wrote with spaces between cells: a header cell wrapped over two lines ("年度 实际" above
# "指标值 完成值"), blank lines inside the table, indicator rows named under their group's title, and a
# sub-row of the budget block that fills only its amount columns
SPACED_SHEET = """石川市档案馆2022年度项目支出绩效自评表
项目名称 档案修复
项目资金   年初预算数 全年预算数 全年执行数 分值 执行率 得分
(万元)
  年度资金总额 64 64 51.2 10 80% 8
  其中:当年财政拨款 60 60 48
一级指标 二级指标 三级指标 年度 实际 分值 得分 偏差原因分析及改进措施
指标值 完成值

  产出指标 数量指标 修复档案卷数 1200卷 1250卷 20 20
    质量指标 修复合格率 95% 97% 20 18
总分 100 88
"""


def test_a_spaced_sheet_reads_its_indicator_rows_under_the_rejoined_header():
    figures = extract_figures(_report(SPACED_SHEET))

    def cell(row: str, column: str):
        found = [(f.value, f.unit) for f in figures if f.row == row and f.column == column]
        assert len(found) == 1, (row, column, found)
        return found[0]

    assert cell("修复合格率", "实际完成值") == (97.0, "%")
    assert cell("修复合格率", "年度指标值") == (95.0, "%")
    assert cell("修复合格率", "得分") == (18.0, "分")
    assert cell("修复档案卷数", "分值") == (20.0, "分")
    # the sub-row of the budget block: its amounts under the first columns, no score read into it
    assert cell("其中:当年财政拨款", "年初预算数") == (60.0, "万元")
    assert cell("其中:当年财政拨款", "全年执行数") == (48.0, "万元")
    assert not [f for f in figures if f.row == "其中:当年财政拨款" and f.column in ("分值", "执行率", "得分")]


def test_a_target_written_as_an_equality_is_read_as_a_bound():
    report = _report(
        "绩效指标 | 一级指标 | 二级指标 | 三级指标 | 指标值 | 全年实际完成值\n"
        "产出指标 | 数量指标 | 管护林地面积 | =180亩 | =180亩\n"
    )
    figures = extract_figures(report)
    target = [f for f in figures if f.row.endswith("管护林地面积") and f.column == "指标值"]
    assert [(f.value, f.unit, f.qualifier) for f in target] == [(180.0, "亩", "bound")]


def test_a_score_in_brackets_is_named_by_the_words_before_them():
    report = _report("各指标得分情况如下:1.决策(得18分)，项目立项规范。2.过程(得27分)，资金管理规范。")
    named = {f.value: f.label for f in extract_figures(report) if f.unit == "分"}
    assert named[18.0].startswith("决策") and named[27.0].startswith("过程"), named


def test_a_row_with_no_header_in_sight_reads_its_unit_cell():
    # an excerpt that starts below the header: "指标 | 比较 | 指标值 | 单位 | 完成值 | 分值 | 得分"
    figures = extract_figures(
        _report(
            "石川县2022年河道保洁项目绩效自评表\n"
            "数量指标 | 河道保洁长度 | ≥ | 42 | 公里 | 45 | 10 | 9 |\n"
            "成本指标 | 保洁人员经费 | = | 7.5 | 万元 | 7.5 | 10 |\n"
            "年度目标 | 河道保洁覆盖率 | = | 100 | % | 8 |\n"
        )
    )
    got = {(f.row, f.column): (f.value, f.unit) for f in figures}
    assert got[("数量指标 河道保洁长度", "指标值")] == (42.0, "公里")
    assert got[("数量指标 河道保洁长度", "完成值")] == (45.0, "公里")
    assert got[("数量指标 河道保洁长度", "分值")] == (10.0, "分")
    assert got[("数量指标 河道保洁长度", "得分")] == (9.0, "分")
    assert got[("成本指标 保洁人员经费", "完成值")] == (7.5, "万元")
    # a 绩效目标表 row: the number after the unit is its weight, never an achieved value
    assert got[("年度目标 河道保洁覆盖率", "指标值")] == (100.0, "%")
    assert ("年度目标 河道保洁覆盖率", "完成值") not in got
    # the comparison cell names nothing
    assert not any("≥" in f.label or "=" in f.label for f in figures)
