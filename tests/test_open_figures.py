"""The open layer: every stated figure with its label (index/figures.py), question → figure matching
(assistant/open_figures.py), computations over open figures (assistant/open_derive.py), multi-part questions
and unit resolution from messy real-world files. Reports here are invented, in the shapes published ones take."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.multipart import split_question
from assistant.open_derive import compute, plan
from assistant.open_figures import (
    best_figure,
    expected_units,
    head_grams,
    score_figures,
    shown_label,
    shown_value,
)
from assistant.passages import field_value
from assistant.units import FuzzyUnits, org_mentions, strip_places
from index.figures import extract_figures
from index.models import RawDocument, SourceLine
from index.structure import parse_report

REPORT = """SOURCE: https://example.org/zwgk/1.html
您当前所在位置：首页 > 政务公开 > 财政信息
[ 索引号 ] 1150-2024-001 [ 发文字号 ]
[ 发布机构 ] 青禾县农业农村局
2023年度青禾县农业农村局部门整体支出绩效自评报告
一、基本情况
本局核定编制45名，实有人数41人，退休人员12人。
2023年年初预算安排1200.5万元，全年预算数1500万元，全年执行数1425.3万元，执行率95.02%。
下达高标准农田建设资金380万元，实际到位资金350万元。
新建机耕道路12.5公里，购置农机设备36台，受益群众3200人。
老年人体检数 5662人 4044人；群众满意度≥90%。
二、项目情况
项目名称 | 预算数（万元） | 执行数（万元） | 执行率
耕地保护补助 | 200 | 180 | 90%
种业振兴项目 | 150 | 150 | 100%
"""


def _report(text: str, name: str = "r.txt"):
    lines = [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)]
    return parse_report(RawDocument(name, "txt", lines, "0" * 64))


@pytest.fixture(scope="module")
def report():
    return _report(REPORT)


@pytest.fixture(scope="module")
def figures(report):
    return extract_figures(report)


def _ask(figures, report, question: str):
    names = (report.meta.org, *report.meta.aliases)
    match = best_figure(question, question, figures, names)
    return match.figure if match is not None and match.confident else None


def test_unit_from_title_past_web_residue(report):
    assert report.meta.org == "青禾县农业农村局"
    assert report.meta.year == 2023
    assert "青禾县农业农村局" in report.meta.aliases


def test_every_figure_with_its_label_and_line(figures):
    by_text = {(f.value, f.unit): f for f in figures}
    assert by_text[(45.0, "名")].label.endswith("核定编制")
    assert by_text[(12.5, "公里")].label == "新建机耕道路"
    assert by_text[(36.0, "台")].line == 10
    assert by_text[(350.0, "万元")].label == "实际到位资金"
    satisfaction = next(f for f in figures if f.label == "群众满意度")
    assert (satisfaction.value, satisfaction.qualifier) == (90.0, "bound")  # ≥90%: a target, not a result
    first, second = by_text[(5662.0, "人")], by_text[(4044.0, "人")]
    assert (first.qualifier, second.qualifier) == ("first", "second")
    assert first.label == second.label == "老年人体检数"


def test_table_cells_named_by_row_and_column(figures):
    cell = next(f for f in figures if f.row == "耕地保护补助" and f.column.startswith("执行数"))
    assert (cell.value, cell.unit) == (180.0, "万元")  # the unit from the column header
    rate = next(f for f in figures if f.row == "种业振兴项目" and f.column == "执行率")
    assert (rate.value, rate.unit) == (100.0, "%")


def test_vertical_and_run_together_tables():
    vertical = _report(
        "华岭镇2022年度部门整体支出绩效评价基础数据表\n财政供养人员情况(人\n编制数\n实际在职人数\n控制率\n46\n50\n108.70%\n"
    )
    cells = {f.column: (f.value, f.unit) for f in extract_figures(vertical) if f.column}
    assert cells["实际在职人数"] == (50.0, "人")
    assert cells["控制率"] == (108.7, "%")
    flat = _report(
        "华岭镇项目支出绩效自评表\n项目资金 年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额 64.8 64.8 60 10 92.59% 9\n"
    )
    cells = {f.column: f for f in extract_figures(flat) if f.column}
    assert cells["全年执行数"].value == 60.0
    assert cells["全年执行数"].row == "年度资金总额"
    assert (cells["得分"].value, cells["得分"].unit) == (9.0, "分")


def test_expected_kind_of_figure():
    assert expected_units("到位资金有多少") == ("亿元", "万元", "千元", "元")
    for asked in ("这个项目县里安排了多少", "分配多少给白沙镇", "今年争取到多少", "总保费多少"):
        assert expected_units(asked) == ("亿元", "万元", "千元", "元"), asked
    assert expected_units("满意度是多少") == ("%", "‰")
    assert "人" in expected_units("退休的有几个人")
    assert expected_units("道路修了多少公里")[0] == "公里"
    assert expected_units("得了几分") == ("分",)
    assert "算数" in head_grams("全年预算数是多少万元")
    # a count of people is headed by who they are: "退休42人" answers, "人员编制45人" does not
    assert head_grams("退休人员有多少") == {"退休"}
    assert head_grams("临聘人员多少") == {"临聘"}


@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("钱到位了多少？", 350.0, "万元"),
        ("下达的高标准农田资金是多少", 380.0, "万元"),
        ("新建机耕道路多少公里", 12.5, "公里"),
        ("购置了几台农机设备", 36.0, "台"),
        ("退休人员有多少", 12.0, "人"),
        ("老年人体检实际查了多少人", 4044.0, "人"),
        ("老年人体检数目标定的多少", 5662.0, "人"),
    ],
)
def test_question_to_figure(figures, report, question, value, unit):
    found = _ask(figures, report, question)
    assert found is not None, question
    assert (found.value, found.unit) == (value, unit)


def test_no_figure_rather_than_a_guess(figures, report):
    assert _ask(figures, report, "三公经费是多少") is None  # nothing states it
    assert _ask(figures, report, "公务用车有几辆") is None
    # a computation is never answered with one stated figure
    assert best_figure("还剩多少钱没执行", "还剩多少钱没执行", figures) is None


def test_a_score_answers_only_a_question_about_scoring():
    report = _report("石川县禁捕项目自评表\n一、评分情况\n项目支出执行情况(万元) 20分。")
    figures = extract_figures(report)
    assert best_figure("禁捕项目执行情况多少", "禁捕项目执行情况多少", figures) is None
    found = best_figure("禁捕项目执行情况得了几分", "禁捕项目执行情况得了几分", figures)
    assert found is not None and (found.figure.value, found.figure.unit) == (20.0, "分")


def test_computations_over_stated_figures(figures, report):
    names = (report.meta.org, *report.meta.aliases)
    assert plan("编制和实有人数差几个人").kind == "difference"
    assert plan("在职加退休一共多少人").kind == "sum"
    assert plan("到位资金占下达资金的比例").kind == "share"
    assert plan("执行率是多少") is None
    # "A和B两个项目全年预算加起来": the budget of each, not of B alone
    both = plan("设备更新和人员培训两个项目全年预算加起来是多少")
    assert both.kind == "sum" and both.operands == ("设备更新全年预算", "人员培训全年预算")
    gap = compute("核定编制和实有人数差几个人", figures, names)
    assert gap is not None and gap.value == 4.0 and "45 − 41 = 4" in gap.formula
    vacant = compute("青禾县农业农村局缺编多少人", figures, names)  # posts allowed less people had
    assert vacant is not None and vacant.value == 4.0 and "45 − 41 = 4" in vacant.formula
    # shapes of a share: "占…的百分之几", "…里…占几成"; 中 of 中央 is no "in"
    assert plan("拿到的前期经费占这条路估算投资的百分之几").operands == ("拿到的前期经费", "这条路估算投资")
    assert plan("拨付的钱里项目支出占几成").operands == ("项目支出", "拨付的钱")
    assert plan("2021年中央文化资金中重点项目占了多大比例").operands == ("重点项目", "2021年中央文化资金")
    # a result against its target, however the target is called: the pair a report states
    for asked in (
        "满意度比目标值差了多少个百分点",
        "播发稿件比年初定的指标多发了多少篇",
        "完成户数跟目标比还差几户",
    ):
        assert plan(asked).pair_label, asked
    over = plan("超编几个人")
    assert over is not None and over.operands == ("实有人数", "编制数")
    total = compute("实有人数加退休人员一共多少人", figures, names)
    assert total is not None and total.value == 53.0
    share = compute("实际到位资金占下达资金的比例是多少", figures, names)
    assert share is not None and share.value == pytest.approx(92.11) and share.unit == "%"
    left = compute("耕地保护补助还剩多少钱没执行", figures, names)
    assert left is not None and left.value == 20.0 and left.inputs[0].row == "耕地保护补助"
    achieved = compute("老年人体检离目标还差多少人", figures, names)
    assert achieved is not None and achieved.value == 1618.0


def test_multi_part_questions_split():
    assert split_question("青禾县农业农村局支出多少，执行率多少？") == [
        "青禾县农业农村局支出多少",
        "执行率多少",
    ]
    assert split_question("行政编制和事业编制各多少名?") == ["行政编制多少名?", "事业编制多少名?"]
    assert split_question("预算执行率是多少？") == ["预算执行率是多少？"]
    assert split_question("存在什么问题？") == ["存在什么问题？"]


def test_units_named_loosely_but_never_elsewhere():
    reports = [
        _report("2023年度青禾县农业农村局部门整体支出绩效自评报告\n正文。", "a.txt").meta,
        _report("2023年度白鹭市数据发展中心部门整体支出绩效自评报告\n正文。", "b.txt").meta,
        _report("2022年度红枫区财政局部门整体支出绩效自评报告\n正文。", "c.txt").meta,
    ]
    fuzzy = FuzzyUnits(reports)
    found, rest = fuzzy.find("白鹭数据中心的预算执行率")
    assert [m.doc for m in found] == ["b.txt"]
    assert "执行率" in rest
    assert fuzzy.find("绿洲区财政局的预算是多少")[0] == ()  # another place's 财政局 is not ours
    assert fuzzy.elsewhere("绿洲区财政局的预算", reports[2])
    assert not fuzzy.elsewhere("红枫财政局的预算", reports[2])
    assert org_mentions("永平街的执行率") == ["永平街"]


def test_unit_from_fields_publisher_and_short_form():
    table = _report(
        "项目支出绩效自评表\n项目名称 | 乡村道路养护 | 主管部门 | 石川县交通运输局 | 实施单位 | 石川县公路站\n"
    )
    assert table.meta.org == "石川县公路站"
    assert "乡村道路养护" in table.meta.aliases  # a project report is known by its project
    short = _report("2021年度林业局(本级)部门整体支出绩效自评报告\n来源：松原区林业局\n一、基本情况\n")
    assert short.meta.org == "松原区林业局"


def test_readable_excerpt_without_headings_is_indexed(tmp_path: Path, fake_embedder):
    from index.pipeline import Indexer
    from index.settings import Settings

    excerpt = tmp_path / "excerpt.txt"
    excerpt.write_text(
        "为做好2022年衔接资金项目绩效管理工作，现将石川县交通运输局农村公路项目自评情况报告如下：计划投资1860万元，"
        "已拨付1795.40万元，新建道路27.5公里。",
        encoding="utf-8",
    )
    outcome = Indexer(Settings(index_dir=tmp_path / "idx"), embedder=fake_embedder).ingest_file(excerpt)
    assert outcome.status == "added"
    assert "未找到" in outcome.message  # it says what it did not find


def test_a_form_of_fields_one_per_line_names_each_value():
    """ "人员编制" / "46" / "实有人数" / "52": each value named by the field above it; a phone number or an
    amount whose unit is not said is no figure."""
    text = "\n".join(
        [
            "青禾县石桥镇2021年度部门整体支出绩效自评报告",
            "一、基本概况",
            "联系人",
            "张三",
            "联络电话",
            "0000-1234567",
            "人员编制",
            "46",
            "实有人数",
            "52",
            "职能职责概述",
            "负责全镇经济发展。",
        ]
    )
    found = {(f.label, f.value, f.unit) for f in extract_figures(_report(text))}
    assert {("人员编制", 46.0, "人"), ("实有人数", 52.0, "人")} <= found
    assert not any(label == "联络电话" for label, _, _ in found)


def test_a_rate_after_a_change_is_of_the_same_subject():
    """ "收、支总计各增加42.10万元，增长6.20%": the 6.20% is the 收支总计's growth, not a bare 增长."""
    text = "青禾县第一幼儿园2023年度单位决算\n一、收入支出决算总体情况说明\n2023年度收、支总计各增加42.10万元，增长6.20%。"
    labels = {f.value: f.label for f in extract_figures(_report(text))}
    assert labels[6.2].endswith("收、支总计增长")


def test_two_parts_never_answered_with_one_figure():
    """ "指标多少、实际拨了多少": if both parts find the same figure one is misread, so the later one is refused."""
    from assistant.models import Answer, Citation
    from assistant.multipart import ask_parts

    cite = Citation("r.txt", "青禾县司法局", "", "指标金额是110万元", 4)

    def answer(parsed):
        return Answer(parsed.text, "指标金额 110万元。[1]", True, 110.0, "万元", [cite], "lookup")

    from assistant.understand import QuestionParser

    joined, _ = ask_parts(
        "青禾县司法局经费指标多少、实际拨了多少", None, QuestionParser([], {}).parse, answer
    )
    first, second = joined.parts
    assert first.found and first.value == 110.0
    assert not second.found and second.value is None


def test_a_difference_keeps_every_decimal_its_figures_state():
    report = _report(
        "青禾县2021年良种补助项目绩效自评报告\n下达良种补助资金512.36万元,实际执行401.259837万元。"
    )
    left = compute("良种补助资金还有多少没执行", extract_figures(report), (report.meta.org,))
    assert left is not None and left.value == 111.100163  # (not 111.1002: the formula must hold exactly)
    assert left.formula.endswith("= 111.100163万元")


def test_what_is_left_of_two_amounts_the_asker_states_is_read_from_where_the_report_states_them():
    report = _report(
        "青禾县2023年农村危房改造补助资金绩效自评报告\n"
        "1、项目资金到位情况。2023年共下达补助资金318.6万元。\n"
        "2、项目资金执行情况。2023年全县共完成发放补助资金205.3万元。"
    )
    figures, names = extract_figures(report), (report.meta.org,)
    left = compute("危改补助资金下达了318.6万,发了205.3万,还剩多少没发出去", figures, names)
    assert left is not None and left.value == 113.3 and len(left.inputs) == 2
    # stated on two lines with no rate confirming them, and not told by the asker: no pair is guessed
    assert compute("危改补助资金还剩多少没发出去", figures, names) is None
    # amounts the report does not state are the asker's, never cited as the report's
    assert compute("危改补助资金下达了300万,发了200万,还剩多少没发出去", figures, names) is None


def test_an_average_per_head_asked_every_way_staff_ask_it():
    aid = _report(
        "青禾县2022年学生营养补助项目绩效自评报告\n2022年实际发放营养补助资金312.48万元,帮助4120人次。"
    )
    per_head = compute("营养补助平均每人次补了多少元", extract_figures(aid), (aid.meta.org,))
    assert per_head is not None and per_head.value == 758.45  # 3,124,800元 ÷ 4120
    report = _report(
        "青禾县2022年部门决算说明\n国内公务接待1380人次,接待120批次。新院总建筑面积26,400平方米,开放病床320张。"
    )
    figures, names = extract_figures(report), (report.meta.org,)
    per_batch = compute("公务接待平均一批多少人", figures, names)
    assert per_batch is not None and per_batch.value == 11.5
    per_bed = compute("新院平均每张开放病床对应多少平方米建筑面积", figures, names)
    assert per_bed is not None and per_bed.value == 82.5


def test_a_later_part_asks_of_the_thing_not_of_what_was_done_to_it():
    """ "…资金已经拨付使用了多少，执行率多少": the second part asks the 资金's 执行率, not its "拨付使用执行率"."""
    from assistant.models import Answer
    from assistant.multipart import ask_parts
    from assistant.understand import QuestionParser

    asked: list[str] = []

    def answer(parsed):
        asked.append(parsed.text)
        return Answer(parsed.text, "没有载明。", False, kind="lookup")

    parse = QuestionParser([], {}).parse
    ask_parts("青禾县衔接资金已经拨付使用了多少，执行率多少", None, parse, answer)
    assert asked[1] == "青禾县衔接资金执行率多少"
    asked.clear()
    ask_parts("青禾县校舍维修建了多大面积、计划投资多少", None, parse, answer)
    assert asked[1] == "青禾县校舍维修计划投资多少"


def test_a_table_split_by_spaces_one_row_per_line():
    """ "资金来源 年初预算数 全年预算数 全年执行数 分值 执行率 得分" over "年度资金总额 6.40 2.50 2.50 10 100.00% 10":
    every cell named by its row and column, equal values in two columns both kept, the unit from "(万元)"."""
    text = "\n".join(
        [
            "青禾县统计局住户调查经费项目支出绩效自评表",
            "项目资金",
            "(万元)",
            "资金来源 年初预算数 全年预算数 全年执行数 分值 执行率 得分",
            "年度资金总额 6.40 2.50 2.50 10 100.00% 10",
            "其中:当年财政拨款 6.40 2.50 2.50 - - -",
        ]
    )
    cells = {(f.row, f.column): (f.value, f.unit) for f in extract_figures(_report(text)) if f.column}
    assert cells[("年度资金总额", "年初预算数")] == (6.4, "万元")
    assert cells[("年度资金总额", "全年执行数")] == (2.5, "万元")
    assert cells[("年度资金总额", "执行率")] == (100.0, "%")
    assert cells[("其中:当年财政拨款", "全年预算数")] == (2.5, "万元")


def test_a_unit_cell_between_header_and_values_names_no_column():
    """One cell per line: "…执行率" / "得分" / "(万元)" / "年度资金总额" / "300" …: the (万元) says the unit."""
    cells = [
        "项目资金",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
        "(万元)",
        "年度资金总额",
        "300",
        "300",
        "255.6",
        "10",
        "85.2%",
        "9",
    ]
    text = "\n\n".join(["青禾市文化馆项目支出绩效自评表", *cells])
    got = {f.column: (f.value, f.unit) for f in extract_figures(_report(text)) if f.row == "年度资金总额"}
    assert (
        got["全年执行数"] == (255.6, "万元") and got["执行率"] == (85.2, "%") and got["得分"] == (9.0, "分")
    )


def test_an_indicator_table_one_cell_per_line_with_group_titles_and_notes():
    """ "预算数(A)" / "执行数(B)" / "执行率(B/A)" / "得分" / "(20分*执行率)" / "年度财政资金总额" / "60" / "45" / "75" / "15":
    the note under 得分 names no column; "产出指标(40分)" / "数量指标" title rows; the row's "(≥**平方米)" its unit."""
    cells = [
        "预算执行情况(万元)",
        "(20分)",
        "预算数(A)",
        "执行数(B)",
        "执行率(B/A)",
        "得分",
        "(20分*执行率)",
        "年度财政资金总额",
        "60",
        "45",
        "75",
        "15",
        "一级指标",
        "二级指标",
        "三级指标",
        "年初目标值(A)",
        "实际完成值(B)",
        "得分",
        "产出指标(40分)",
        "数量指标",
        "围墙修缮(≥**平方米)",
        "180",
        "180",
        "2",
    ]
    text = "\n\n".join(["青禾县农机站农机库房建设项目绩效自评表", *cells])
    got = {(f.row, f.column): (f.value, f.unit) for f in extract_figures(_report(text)) if f.column}
    assert got[("年度财政资金总额", "执行数(B)")] == (45.0, "万元")
    assert got[("年度财政资金总额", "得分")] == (15.0, "分")
    assert got[("围墙修缮(≥**平方米)", "实际完成值(B)")] == (180.0, "平方米")


def test_a_project_named_only_in_the_title_is_what_the_figures_are_about():
    """ "农村公路危桥改造项目全年执行数": the project's words stand in the title, near no figure; the report still
    speaks of it, and its table's total row answers."""
    text = "\n".join(
        [
            "青禾县交通局农村公路危桥改造项目绩效自评表",
            "项目资金 (万元) |",
            "全年预算数(A) | 全年执行数(B) | 预算执行率(B/A) |",
            "年度资金总额: | 526.30 | 526.30 | 100% |",
            "其中:中央财政资金 | 480.0 | 480.0 | 100.00% |",
        ]
    )
    report = _report(text)
    figures = extract_figures(report)
    question = "农村公路危桥改造项目全年执行数是多少"
    assert best_figure(question, question, figures) is None  # the words near no figure: not spoken of
    match = best_figure(question, question, figures, topic=report.meta.title)
    assert match is not None and match.confident and match.figure.value == 526.3


def test_two_things_asked_each_made_whole():
    assert split_question("青禾县水利局东渠一期和石门段的监理费各是多少?") == [
        "青禾县水利局东渠一期的监理费多少?",
        "石门段的监理费多少?",
    ]
    assert split_question("青禾县基本公卫预拨资金中中央和省级各多少?") == [
        "青禾县基本公卫预拨资金中中央多少?",
        "青禾县基本公卫预拨资金中省级多少?",
    ]
    assert split_question("仓储基地的物流中心和加工车间面积各多大?")[1] == "加工车间面积多大?"
    # a measure the second thing alone says is the first one's too; a name of its own is not
    assert split_question("白沙小学学生和家长满意度实际完成值分别是多少?") == [
        "白沙小学学生满意度实际完成值多少?",
        "家长满意度实际完成值多少?",
    ]
    assert split_question("青禾县救助资金里医疗救助和教育资助各多少?")[0] == "青禾县救助资金里医疗救助多少?"
    assert expected_units("水塔多大") is not None and "座" not in expected_units("水塔多大")


def test_three_stated_figures_added_up():
    figures = extract_figures(
        _report(
            "青禾县水利局专项资金绩效评价报告\n东渠一期治理工程监理费18万元，建设用地测量费3.62万元，青苗补偿费12.45万元。"
        )
    )
    done = compute("东渠一期治理工程监理费、测量费和青苗补偿费加起来是多少", figures, ())
    assert done is not None and done.value == pytest.approx(34.07) and done.unit == "万元"
    assert done.formula == "18 + 3.62 + 12.45 = 34.07万元"


def test_a_share_after_a_figure_is_that_figures_share():
    text = "青禾县卫生院2023年度部门决算\n其中:财政拨款收入1520.40万元,占本年收入71%;上级补助收入0万元。"
    labels = {f.value: f.label for f in extract_figures(_report(text))}
    assert labels[71.0].endswith("财政拨款收入占本年收入")


def test_indicator_rows_one_cell_per_line_under_a_header_far_above():
    """ "一级指标 … 年度 指标值 实际 完成值 分值 得分 偏差原因…" then rows "指标2工程验收合格率 100 98 10 9" with group titles
    and "……" between: each row's values under the header's value columns, in order."""
    cells = [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度",
        "指标值",
        "实际",
        "完成值",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
        "产出指标",
        "数量指标",
        "指标1工程资金金额",
        "52.6",
        "48.1",
        "10",
        "9",
        "已完工，尾款未付。",
        "指标2",
        "……",
        "满意度",
        "指标",
        "服务对象满意度指标",
        "指标1学生满意度",
        "95",
        "96",
        "10",
        "10",
        "0",
    ]
    text = "\n\n".join(["青禾市职业学校校舍维修项目支出绩效自评表", *cells])
    got = {(f.row, f.column): (f.value, f.unit) for f in extract_figures(_report(text)) if f.column}
    assert got[("指标1工程资金金额", "实际完成值")] == (48.1, "")
    assert got[("指标1学生满意度", "得分")] == (10.0, "分")
    assert got[("指标1学生满意度", "实际完成值")] == (96.0, "%")
    assert not any(col in ("满意度", "指标", "……") for _, col in got)


def test_a_figure_alone_under_its_heading_is_named_by_the_heading():
    text = "石川市图书馆2022年度项目支出绩效自评报告\n一、自评结论\n(一)自评得分\n\n96分。\n\n(二)绩效目标完成情况\n年度服务读者12万人次。"
    report = _report(text)
    figures = extract_figures(report)
    question = "石川市图书馆项目自评得了多少分"
    match = best_figure(question, "自评得了多少分", figures, (report.meta.org,))
    assert match is not None and match.confident and match.figure.value == 96
    assert shown_label(match.figure) == "自评得分"


def test_remaining_from_what_arrived_and_what_was_spent():
    text = "云岭县退役军人事务局优抚资金绩效自评报告\n2023年收到财政资金共812.6万元,其中:中央资金500万元。2023年支出790.35万元。"
    done = compute("优抚资金收到的钱还剩多少没支出", extract_figures(_report(text)), ())
    assert done is not None and done.value == pytest.approx(22.25)
    assert done.formula == "812.6 − 790.35 = 22.25万元"


def test_the_fund_named_right_before_what_was_spent_of_it_is_its_budget():
    text = (
        "石川市民政局彩票公益金项目绩效自评报告\n2023年度中央集中彩票公益金支持社会福利事业专项资金86.40万元,"
        "全年执行数80.15万元,预算执行率92.8%。"
    )
    done = compute("石川市民政局彩票公益金还剩多少没花", extract_figures(_report(text)), ())
    assert done is not None and done.formula == "86.4 − 80.15 = 6.25万元"


def test_a_formula_keeps_every_stated_digit():
    text = "云岭县土肥站项目绩效自评表\n预算执行情况(万元) | 预算数(A) | 执行数(B) | 执行率\n年度财政资金总额 | 156.2371 | 40.00 | 25.6%"
    done = compute("土肥站项目还剩多少钱没执行", extract_figures(_report(text)), ())
    assert done is not None and done.formula.startswith("156.2371 − 40 = 116.2371")


def test_a_share_reads_the_part_after_its_whole_and_is_never_over_a_whole():
    assert plan("青禾县医院改革项目中重点专科建设占总预算的比例是多少").operands[0] == "重点专科建设"
    text = "青禾县卫健局医院改革项目绩效自评报告\n安排医院改革项目预算资金 9000万元。其中重点专科建设安排 6000万元。"
    figures = extract_figures(_report(text))
    done = compute("重点专科建设占医院改革项目预算资金的比例是多少", figures, ())
    assert done is not None and done.value == pytest.approx(66.67)


def test_a_unit_a_portal_calls_by_its_kind_and_a_common_word_is_no_unit():
    text = "首页 > 政务公开\n农村学生补助经费2023年度绩效自评报告\n来源:云岭县教育和科技单位 作者:云岭县人民政府\n一、基本情况\n安排预算120万元。"
    meta = _report(text).meta
    assert meta.org == "云岭县教育和科技单位" and "云岭县教科局" in meta.aliases
    other = _report("城乡居民补助经费2023年度绩效自评报告\n一、基本情况\n城乡居民补助安排预算80万元。").meta
    assert other.org != "城乡"


def test_a_place_the_report_speaks_of_is_what_is_asked():
    report = _report("石川省水利厅救灾资金绩效自评报告\n资金已分解到位,其中青禾市780万元、云岭市835万元。")
    figures = extract_figures(report)
    quotes = "".join(f.quote for f in figures)
    asked = strip_places("石川省救灾资金分给云岭市多少", report.meta, quotes)
    assert "云岭市" in asked and "石川省" not in asked
    match = best_figure("资金分给云岭市多少", asked, figures, (report.meta.org,))
    assert match is not None and match.confident and match.figure.value == 835


def test_a_field_value_the_question_holds_is_no_answer():
    lines = list(
        enumerate(["项目名称", "自评分数", "自评等级", "青禾医院扩建工程", "其他项目收益专项债券"], 1)
    )
    assert field_value(lines, "青禾医院扩建工程自评等级是什么") is None
    assert field_value(list(enumerate(["联系人", "王五"], 1)), "联系人是谁") == ("联系人", "王五", 2)


def test_a_long_label_is_never_cut_inside_a_number():
    text = "青禾县交通局车购税资金绩效自评报告\n2024年度车辆购置税收入补助地方预算资金转移支付资金共5820.36万元。"
    (fig,) = [f for f in extract_figures(_report(text)) if f.value == 5820.36]
    assert not fig.label[0].isdigit()


def test_units_of_schools_townships_and_portals():
    school = _report(
        "目 录\n第一部分 部门概况\n一、部门职责\n我校担负着石门村的义务教育。\n"
        "青禾回族自治县松溪镇石门中学是一所九年一贯制学校,担负着石门村及周边的初中教育。\n"
        "青禾回族自治县松溪镇石门中学为全额拨款事业单位,现有教职工73人。"
    ).meta
    assert school.org == "青禾回族自治县松溪镇石门中学"
    assert {"青禾县松溪镇石门中学", "松溪镇石门中学", "石门中学"} <= set(school.aliases)
    kindergarten = _report(
        "目 录\n一、部门职责\n促进学前教育发展。担负着石川镇的幼儿保育。\n青禾县第四幼儿园归青禾县教育局主管。\n"
        "单位:青禾回族自治县第四幼儿园 | 2024年度 | 金额单位:万元"
    ).meta
    assert kindergarten.org.endswith("第四幼儿园") and "石川镇" not in kindergarten.org
    assert "青禾县四幼" in kindergarten.aliases
    township = _report(
        "2024年沅石县火塘土家族乡人民政府部门整体支出绩效自评报告\n一、基本情况\n共支出1187.42万元。"
    ).meta
    assert "火塘乡" in township.aliases
    portal = _report(
        "欢迎访问石川县人民政府网站!\n今天是\n• 发布机构 石川县第二小学\n• 名称 2023年度石川县第二小学本级决算\n"
        "第一部分 单位概况"
    ).meta
    assert portal.org == "石川县第二小学" and "石川县二小" in portal.aliases
    town = _report("2020年度云岭省青州市石川县大石乡人民政府部门决算\n来源:大石乡\n第一部分 部门概况").meta
    assert town.org.endswith("大石乡人民政府")
    form = _report(
        "市财政局2019年度项目支出绩效自评表\n项目名称 | 购买服务 | 主管部门 | 主管部门市财政局\n主管部门市财政局 实施单位"
    ).meta
    assert form.org == "市财政局" and not (form.city or "").startswith("主管")


def test_several_forms_split_by_spaces_each_read_under_its_project():
    form = (
        "项目支出绩效自评表\n项目名称 {name}\n主管部门 市财政局 实施单位 市财政局\n"
        "项目资金   年初预算数 全年预算数 全年执行数 分值 执行率 得分\n(万元)\n"
        "  年度资金总额 {budget} {budget} {spent} 10 {rate}% {score}\n"
        "  其中:当年财政拨款 {budget} {budget} {spent}\n"
    )
    text = "青禾市财政局2019年度项目支出绩效自评表\n" + "\n".join(
        [
            form.format(name="购买评审服务", budget=180, spent=120, rate=67, score=7),
            form.format(name="政务平台维护", budget=90, spent=45, rate=50, score=5),
        ]
    )
    report = _report(text)
    figures = extract_figures(report)
    spent = {(f.section, f.value) for f in figures if f.unit == "万元" and "执行数" in f.label}
    assert spent >= {("项目 购买评审服务", 120.0), ("项目 政务平台维护", 45.0)}
    question = "政务平台维护项目执行率是多少"
    match = best_figure(question, question, figures, (report.meta.org,))
    assert match is not None and match.confident and match.figure.value == 50


def test_a_count_is_named_by_the_words_after_its_verb():
    text = "石川街道2023年度部门整体支出绩效自评报告\n完成6个背街小巷改造和120个小区(院落)管网改造工程;完成上级交办的5个信访事项;安全生产事故发生0起。"
    report = _report(text)
    labels = {f.value: f.label for f in extract_figures(report)}
    assert labels[6.0] == "完成背街小巷改造"
    assert labels[120.0] == "小区(院落)管网改造工程"
    assert labels[5.0].endswith("的信访事项")
    match = best_figure(
        "完成了几个背街小巷改造", "完成了几个背街小巷改造", extract_figures(report), (report.meta.org,)
    )
    assert match is not None and match.confident and match.figure.value == 6
    assert expected_units("安全生产事故发生了几起") == ("起", "件", "次")


def test_all_but_a_part_is_the_whole_less_it_and_never_negative():
    text = "青禾县卫生院2023年度部门决算\n2023年度收入3716.42万元,其中:财政拨款收入2240.18万元。"
    figures = extract_figures(_report(text))
    done = compute("除财政拨款外的收入有多少", figures, ())
    assert done is not None and done.value == pytest.approx(1476.24)
    assert plan("除财政拨款外其他收入有多少") is None  # the report states 其他收入: a lookup


def test_a_unit_in_a_one_character_county_is_not_another_county_s():
    from dataclasses import replace as _replace

    meta = _replace(_report("石县民政局2023年度部门整体支出绩效自评报告\n一、基本情况").meta)
    assert meta.district == "石县"
    assert FuzzyUnits([meta]).elsewhere("青禾县民政局的低保人数是多少", meta)
    coded = _report("(临时救助)绩效目标自评表\n项目名称 |\n临时救助 |\n主管部门 |\n[208]青禾县民政局 |").meta
    assert coded.org == "青禾县民政局"


def test_spending_asked_is_not_answered_by_an_allocation():
    text = "青禾县交通运输局车购税资金绩效自评报告\n2024年度车辆购置税收入补助地方预算资金转移支付共5200.5万元。其中:中央资金5200.5万元。"
    report = _report(text)
    figures = extract_figures(report)
    question = "青禾县交通局车购税资金实际支出了多少"
    match = best_figure(question, "车购税资金实际支出了多少", figures, (report.meta.org,))
    assert match is None or not match.confident
    allocated = best_figure("车购税资金下达了多少", "车购税资金下达了多少", figures, (report.meta.org,))
    assert allocated is not None and allocated.figure.value == 5200.5


def test_a_special_fund_form_names_its_project():
    text = (
        "石川乡2021年度项目绩效自评表\n专项(项目)名称  青禾县石川乡东坪村饮水巩固提升项目 负责人及电话  王五\n"
        "项目资金(万元)\n全年预算数(A)  全年执行数(B)  执行率(B/A)\n年度资金总额:  215.5万元 215.5万元 100%"
    )
    report = _report(text)
    assert any("东坪村饮水巩固提升" in a for a in report.meta.aliases)


def test_cells_under_header_fragments_keep_their_sentence_reading():
    cells = [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标值",
        "完成值",
        "分值",
        "得分",
        "效益指标",
        "30分)",
        "经济效",
        "益指标",
        "林下经济收入",
        "900万元",
        "870万元",
        "6",
        "5",
    ]
    text = "\n\n".join(["青禾县林业局2021年度部门整体支出绩效自评表", *cells])
    labels = {f.value: f.label for f in extract_figures(_report(text)) if f.unit == "万元"}
    assert labels[900.0].endswith("林下经济收入") and labels[870.0].endswith("林下经济收入")


def test_a_bracketed_word_inside_a_name_and_a_list_number():
    text = (
        "石川省文旅厅2021年度转移支付绩效自评报告\n包含补助35名市级传承人资金70万元、补助省级民俗文化保护(试点)区资金620万元,"
        "补助12项年度省级非物质文化遗产代表性项目保护补助资金730万元。\n单位:元\n项目支出:1、业务工作专项2、运行维护"
    )
    report = _report(text)
    figures = extract_figures(report)
    assert {f.value: f.label for f in figures}[620.0] == "补助省级民俗文化保护(试点)区资金"
    assert not any(f.value == 1.0 and f.unit == "元" for f in figures)  # "1、" numbers a list
    question = "省级民俗文化保护(试点)区补助资金是多少"
    match = best_figure(question, question, figures, ("石川省文化和旅游厅", "非物质文化遗产保护资金"))
    assert match is not None and match.confident and match.figure.value == 620


def test_the_project_named_in_the_title_names_no_row_so_the_total_row_answers():
    text = (
        "青禾县农业局2023年度水产养殖补助资金转移支付区域绩效自评表\n项目资金(万元)\n"
        "年初预算数 全年预算数 全年执行数 执行率\n年度资金总额 260 260 235 90.38%\n"
        "其中:中央财政资金 180 180 160 88.89%\n地方资金 80 80 75 93.75%"
    )
    report = _report(text)
    figures = extract_figures(report)
    question = "青禾县农业局水产养殖补助资金全年执行数是多少"
    match = best_figure(
        question, "水产养殖补助资金全年执行数是多少", figures, (report.meta.org,), topic=report.meta.title
    )
    assert match is not None and match.confident and match.figure.value == 235


def test_a_word_written_with_a_joining_mark_is_matched_whole():
    report = _report(
        "SOURCE: https://example.org/2.html\n青禾县松溪街道办事处2022年度部门决算\n"
        "一、收入支出决算总体情况说明\n2022年度收、支总3,210.55万元,比上年增加120.4万元。\n"
        "二、收入决算情况说明\n本年收入合计3,150.00万元。"
    )
    fig = _ask(extract_figures(report), report, "松溪街道2022年收支总计多少")
    assert fig is not None and (fig.value, fig.unit) == (3210.55, "万元")


def test_the_joining_mark_is_no_gap_when_words_are_matched():
    from assistant.open_figures import _overlap

    assert _overlap({"收支": 1.0, "支总": 1.0}, "2022年度收、支总") == 1.0
    assert _overlap({"收支": 1.0}, "收入、支出") == 0.0  # two words listed: no 收支 between them


def test_the_table_asked_about_is_no_row_of_it():
    from assistant.open_figures import names_row

    # "区域绩效自评表里预算执行率": the document and the measure, no row ("年度资金总额" answers)
    assert not names_row(["区域", "绩效", "自评", "表里", "预算", "执行", "行率", "率"], "石川市转移支付区域")
    assert names_row(["中央", "央财", "财政", "执行", "行率"], "石川市转移支付区域")  # 中央财政资金 is a row


def test_the_words_asked_written_whole_in_a_label_win_over_a_label_sharing_part_of_them():
    report = _report(
        "SOURCE: https://example.org/4.html\n石川市统计局2018年度部门整体支出绩效评价报告\n(二)部门整体支出情况\n"
        "2018年本年支出1520.40万元,其中:基本支出910.25万元,项目支出610.15万元。"
        "2018年一般公共预算财政拨款支出700.6万元。"
    )
    fig = _ask(extract_figures(report), report, "石川市统计局2018年本年支出多少万")
    assert fig is not None and fig.value == 1520.4


def test_a_sum_of_two_named_things_of_a_project():
    assert (
        plan("金声乡李子苗加起来一共买了多少株") is None
        or "起来" not in plan("金声乡李子苗加起来一共买了多少株").operands
    )
    assert plan("青禾馆图书项目投入和过程两项加起来得了多少分").operands == ("青禾馆图书项目投入", "过程")
    report = _report(
        "SOURCE: https://example.org/5.html\n石川市水务局2022年蔬菜园项目绩效自评报告\n"
        "新建机井1座,配套Ф160PVC干管管长900m、Ф110PVC分干管管长900m及其他配套设施。"
    )
    done = compute(
        "石川市水务局白沙村蔬菜园项目干管加分干管一共铺了多长",
        extract_figures(report),
        (report.meta.org, *report.meta.aliases),
        report.meta.title,
    )
    assert done is not None and (done.value, done.unit) == (1800.0, "m"), done


def test_spending_asked_is_never_answered_with_a_budget_and_a_kind_of_spending_is_no_spending_asked():
    report = _report(
        "SOURCE: https://example.org/6.html\n青禾县文化馆2022年补助资金绩效自评报告\n"
        "2022年省财政厅下达公共文化服务体系建设补助资金预算412.5万元。\n"
        "2022年年初预算安排5210.30万元,其中:基本支出:1890.45万元,项目支出3319.85万元。"
    )
    figures = extract_figures(report)
    assert _ask(figures, report, "青禾县文化馆公共文化补助资金实际花了多少") is None
    fig = _ask(figures, report, "青禾县文化馆2022年基本支出是多少")
    assert fig is not None and fig.value == 1890.45


def test_a_classifier_asked_names_the_unit_of_the_answer():
    assert expected_units("完成了多少卷档案的数字化") == ("卷",)
    assert expected_units("新建了几栋楼") == ("栋",)
    report = _report(
        "SOURCE: https://example.org/7.html\n石川市档案馆2020年完成档案数字化1200卷，经费10万元。"
    )
    assert {(f.value, f.unit) for f in extract_figures(report)} >= {(1200.0, "卷"), (10.0, "万元")}


def test_a_figure_with_no_label_is_shown_with_the_words_before_it_in_its_quote():
    from assistant.open_figures import lead_words
    from index.models import Figure

    fig = Figure("r.txt", 95.0, "%", "95%", "", "时效指标,资金支出率达到目标值95%", 3)
    assert lead_words(fig) == "资金支出率达到目标值"
    assert lead_words(Figure("r.txt", 100.0, "%", "100%", "", "100%", 3)) == ""


def test_a_count_is_named_by_the_noun_it_counts_and_an_approximate_count_is_read():
    text = (
        "松溪镇2023年度部门整体支出绩效自评报告\n"
        "松溪镇人民政府内设6个机构,下辖社区12家。全镇依靠8家养老院、160家农家书屋、30家文化站开展惠民服务。"
        "现有中学生520余人,幼儿90余人。数量指标800吨玉米、90吨面粉储备到位。"
        "全镇共有公务车辆2辆,其中:应急保障用车0辆、其他用车2辆。"
    )
    report = _report(text)
    figures = extract_figures(report)
    labels = {(f.value, f.unit): f.label for f in figures}
    assert labels[(6.0, "个")].endswith("内设机构")
    assert labels[(30.0, "家")].startswith("文化站")  # not the item listed before it
    assert "中学生" in labels[(520.0, "人")] and "玉米" in labels[(800.0, "吨")]
    assert _ask(figures, report, "松溪镇管着多少个社区？").value == 12  # 个 asked, 家 stated
    assert _ask(figures, report, "松溪镇大概有多少中学生？").value == 520
    assert head_grams("截至年底一共有几辆车") == {"车"}
    # "一共": the total the report states, not one of the kinds listed after it
    assert _ask(figures, report, "松溪镇一共有几辆车？").value == 2


def test_what_is_left_is_of_the_year_s_budget_unless_the_start_s_is_asked():
    report = _report(
        "石川市司法局项目支出绩效自评表\n项目资金(万元) 年初预算数 全年预算数 全年执行数 分值 执行率(全年 执行数/全年 预算数) "
        "得分 年度资金总额: 300万元 400万元 380万元 10 95% 9.5 其中:财政拨款 300万元 400万元 300万元 75%\n"
    )
    figures = extract_figures(report)
    names = (report.meta.org, *report.meta.aliases)
    left = compute("石川市司法局年底还剩多少没花", figures, names)
    assert left is not None and left.value == 20.0  # 400 − 380 of the total row, never 300 − 380
    assert {i.column for i in left.inputs} == {"全年预算数", "全年执行数"}


def test_a_figure_after_a_clause_comma_and_counted_in_部_or_万美元_is_read():
    report = _report(
        "白沙中学2021年度整体支出绩效自评报告\n我校现有30个教学班,1520名学生。拍摄1部专题片,编制2套预案。"
        "货物出口(万美元) 18000 19500.5 10\n2021年全年支出2300.5万元,其中基本支出1700万元。"
    )
    figures = extract_figures(report)
    found = {(f.value, f.unit) for f in figures}
    assert {(1520.0, "名"), (1.0, "部"), (2.0, "套")} <= found  # after "," too: no thousands separator
    assert all(f.unit != "元" for f in figures if f.value in (18000.0, 19500.5))  # 万美元 is no 元
    assert _ask(figures, report, "白沙中学现在有多少学生？").value == 1520
    assert _ask(figures, report, "白沙中学拍了几部专题片？").value == 1


def test_a_project_code_before_its_name_is_no_part_of_it():
    text = (
        "青禾中学2023年项目绩效自评表\n项目名称: 46000021T000000001234-学生资助 填报人: 某\n"
        "资金构成(元) 年初预算数 全年预算数 执行数 分值 执行率(%) 得分\n资金总额: 1,000.00 1,000.00 500.00 10.00 50 5\n"
        "项目名称: 46000021T000000005678-校舍维修 填报人: 某\n"
        "资金构成(元) 年初预算数 全年预算数 执行数 分值 执行率(%) 得分\n资金总额: 2,000.00 2,000.00 2,000.00 10.00 100 10\n"
    )
    sections = {f.section for f in extract_figures(_report(text)) if f.column}
    assert sections == {"项目 学生资助", "项目 校舍维修"}


def test_a_count_of_bodies_asked_in_具_is_not_answered_by_a_count_of_departments():
    report = _report(
        "石川市殡仪馆2024年度整体支出绩效自评报告\n本馆设业务科、车辆队、办公室、财务室部门4个。"
    )
    assert expected_units("一共火化了多少具遗体") == ("具",)
    assert _ask(extract_figures(report), report, "石川市殡仪馆一共火化了多少具遗体？") is None


def test_counts_in_chinese_numerals_are_figures_and_roles_are_counted_in_people():
    report = _report(
        "白沙乡中心学校2022年项目支出绩效自评报告\n现有校长1名、副支部书记1名、副校长两名;"
        "有教导处、总务处、德育处、安全办、信息中心五个内设处室。第二个目标已完成。"
    )
    figures = extract_figures(report)
    assert {(f.value, f.unit, f.text) for f in figures} >= {(2.0, "名", "两名"), (5.0, "个", "五个")}
    assert not any(f.text == "二个" for f in figures)  # 第二个 is an ordinal
    assert _ask(figures, report, "白沙乡中心学校有几个副校长？").value == 2  # 几个 of a role: people
    assert _ask(figures, report, "白沙乡中心学校一共设了几个内设处室？").value == 5


def test_an_average_per_thing_is_a_stated_total_over_a_stated_count():
    report = _report(
        "白沙小学2022年度部门整体支出绩效自评报告\n学校现有教学班24个,学生1080人。受益人群四个村360人。"
    )
    figures = extract_figures(report)
    names = (report.meta.org, *report.meta.aliases)
    per_class = compute("白沙小学平均每个教学班多少学生", figures, names)
    assert per_class is not None and (per_class.value, per_class.unit) == (45.0, "人")
    assert per_class.formula == "1080 ÷ 24 = 45人"
    per_village = compute("白沙小学平均每个村受益多少人", figures, names)
    assert per_village is not None and per_village.value == 90.0
    assert plan("白沙小学平均每个月多少") is None or compute("白沙小学平均每个月多少", figures, names) is None


def test_a_share_of_the_whole_a_part_is_said_to_be_in():
    assert plan("白沙乡编报单位里事业单位占了几成").operands == ("事业单位", "白沙乡编报单位")
    assert plan("青禾县预拨资金里中央资金占比多少").operands == (
        "中央资金",
        "青禾县预拨资金",
    )  # 比 is no whole
    report = _report("白沙乡2022年度部门决算\n白沙乡2022年纳入决算的单位12个,其中行政单位4个,事业单位8个。")
    share = compute("白沙乡编报单位里事业单位占了几成", extract_figures(report), (report.meta.org,))
    assert share is not None and share.value == 66.67  # counts, though 几成 asks a share


def test_a_question_naming_the_project_of_the_title_is_answered_by_the_table_s_total_row():
    text = (
        "青禾县统计局2023年调查队专项经费项目支出绩效自评表\n"
        "项目资金(万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分\n"
        "年度资金总额 5.28 1.96 1.9 10 96.94% 9.7\n其中:当年财政拨款 5.28 1.96 1.9\n其他资金 0 0 0\n"
    )
    report = _report(text)
    figures = extract_figures(report)
    names = (report.meta.org, *report.meta.aliases)
    topic = report.meta.title
    total = best_figure(
        "调查队专项经费年初预算多少", "调查队专项经费年初预算多少", figures, names, topic=topic
    )
    assert total is not None and total.confident and total.figure.row == "年度资金总额"
    # a row the title does not name is named by the question: no total row stands in for it
    other = best_figure("本年财政拨款年初预算多少", "本年财政拨款年初预算多少", figures, names, topic=topic)
    assert other is None or not other.confident or other.figure.row != "年度资金总额"


def test_what_was_achieved_is_never_answered_by_a_target_bound():
    report = _report("石川市民政局2020年度部门整体支出绩效自评报告\n养老服务对象满意度≥90%。")
    figures = extract_figures(report)
    assert _ask(figures, report, "石川市民政局养老服务满意度实际达到多少？") is None
    assert _ask(figures, report, "石川市民政局养老服务满意度目标是多少？").value == 90


WHOLE_AND_PARTS = """2023年度石川市乡村振兴资金绩效自评报告
一、项目基本情况
(一)总体情况
全市共安排项目31个，完成投资2.35亿元，实施项目31个。
(二)分县情况
云岭县实施项目12个，完成投资8600万元。
松溪县实施项目9个，完成投资5200万元。
"""

ROADS_BY_BATCH = """2023年度青禾县道路建设项目绩效自评报告
一、项目安排情况
第一标段覆盖6个村，新建道路52000平方米。
第二标段覆盖4个村，新建道路21000平方米。
第三标段覆盖3个村，新建道路9000平方米。
"""


def test_a_whole_stated_first_answers_over_its_parts_named_alike():
    report = _report(WHOLE_AND_PARTS)
    figures = extract_figures(report)
    # "完成投资" and "实施项目" are said of the city and of each county: the city's sentence says it is the whole
    assert _ask(figures, report, "石川市一共完成投资多少？").value == 2.35
    assert _ask(figures, report, "石川市实施了几个项目？").value == 31
    # a question naming a part is never answered by the whole
    part = _ask(figures, report, "云岭县完成投资多少？")
    assert part is None or part.value == 8600


def test_parts_named_alike_with_no_whole_stated_stay_unanswered():
    # three batches' roads, none of them said to be the whole: which one is asked is not guessed
    report = _report(ROADS_BY_BATCH)
    assert _ask(extract_figures(report), report, "青禾县建了多少平方米道路？") is None


TASKS_BY_KIND = """2020年度青禾县文化惠民项目绩效评价报告
一、项目基本情况
全市创建星级农家书屋30家，其中青禾县承担1家；全市创建星级文化大院20家，其中青禾县承担2家；
全市创建星级乡村戏台10家，其中青禾县承担5家；
"""


def test_figures_named_alike_are_told_apart_by_the_words_before_them():
    report = _report(TASKS_BY_KIND)
    figures = extract_figures(report)
    assert _ask(figures, report, "星级乡村戏台青禾县承担几家？").value == 5
    assert _ask(figures, report, "星级文化大院青禾县承担几家？").value == 2
    # words that tell none of them apart answer nothing
    assert _ask(figures, report, "青禾县承担几家？") is None


def test_a_development_zone_is_the_unit_of_the_reports_it_publishes():
    report = _report(
        "SOURCE: https://example.org/1.html\n2020年度文化惠民工程项目绩效评价报告\n"
        "发布时间:2021-10-12 09:54信息来源: 石川经济技术开发区阅读次数:\n一、项目基本情况\n全年下达资金30万元。\n"
    )
    assert report.meta.org == "石川经济技术开发区"
    assert "石川经开区" in report.meta.aliases


def test_a_form_run_into_one_line_gives_the_fields_that_state_their_unit():
    # a 项目基本概况 form a PDF ran into one line: only a field that says its unit gives a figure
    text = (
        "青禾县残疾人联合会项目支出绩效评价报告\n"
        "项目名称 村级文化管理员补贴 项目负责人 张三 联系电话 6612345 实际到位资金(万元) 18.6 其中:中央财政 "
        "省财政 市县财政 18.6 计划安排资金(万元) 联系电话 其它 18.6 实际支出(万元) 二、项目支出明细情况\n"
    )
    report = _report(text)
    found = {(f.label, f.value, f.unit) for f in extract_figures(report)}
    assert ("实际到位资金(万元)", 18.6, "万元") in found
    assert not any(f.value == 6612345 or f.label in ("市县财政", "其它") for f in extract_figures(report))


def test_项目_tells_no_figure_of_a_project_report_apart():
    """ "…改造项目用户满意度": 项目 (once read as its 目, matching 目标值) names nothing; the one figure the table
    states is a completion rate's target, which answers no question about satisfaction."""
    report = _report(
        "石川市青禾街道2022年度燃气改造项目绩效自评表\n"
        "一级指标 | 三级指标 | 目标值 | 实际完成值 | 分值 | 得分\n"
        "产出指标 | 年度入户安装完成率 | 100% | 100% | 5 | 5\n"
    )
    match = best_figure(
        "青禾街道燃气改造项目用户满意度是多少？",
        " 燃气改造项目用户满意度是多少？",
        extract_figures(report),
        ("青禾街道",),
    )
    assert match is None or not match.confident


def test_an_increase_asked_is_never_answered_with_a_negative_difference():
    """ "调整后预算比年初收支预算多了多少": figures that give a negative increase are not the ones asked."""
    report = _report("2023年度调整后预算为80万元。2023年度年初收支预算为120万元。")
    assert compute("调整后预算比年初收支预算增加了多少", extract_figures(report), ("青禾县",)) is None


def _best(text: str, question: str, asked: str, names: tuple[str, ...]):
    """The figure a question asks of a report made of `text` (the unit's names say who, not what)."""
    return best_figure(question, asked, extract_figures(_report(text)), names)


def test_a_part_asked_of_a_whole_is_named_by_the_part():
    # "义务教育补助里省级补助": the words of the whole stand beside every figure of it; the part names one
    text = (
        "青禾县教育局2022年度义务教育补助资金绩效自评报告\n"
        "年度完成义务教育学校公用经费补助860.5万元,省级补助312.4万元,县级补助548.1万元。"
    )
    match = _best(
        text,
        "青禾教育局义务教育公用经费补助里省级补助有多少?",
        "义务教育公用经费补助里省级补助有多少?",
        ("青禾县教育局",),
    )
    assert match is not None and match.figure.value == 312.4


def test_the_measure_words_after_an_indicator_name_do_not_head_it():
    # "满意度指标目标值": 满意度 is what is asked; 指标/目标值 only say which column
    assert head_grams("受益群众满意度指标目标值定的多少") == {"满意", "意度"}


def test_a_numbered_paragraphs_opening_words_tell_its_figures_from_the_next_ones():
    # two projects' paragraphs state the same sentence ("目前项目资金已拨付…"): the words that open each say which
    text = (
        "白沙乡人民政府2021年度项目支出绩效单位自评报告\n一、基本情况\n"
        "1.2021年第一批统筹整合使用财政涉农资金茶叶加工厂建设项目,项目建设内容:建设厂房800平方米。"
        "统筹整合使用财政涉农资金210万元,目前项目资金已拨付180万元。\n"
        "2.2021年第一批统筹整合使用财政涉农资金村组道路建设项目,项目建设内容:硬化道路3公里。"
        "统筹整合使用财政涉农资金95万元,目前项目资金已拨付90.5万元。"
    )
    match = _best(
        text,
        "白沙乡茶叶加工厂项目目前拨付了多少?",
        "茶叶加工厂项目目前拨付了多少?",
        ("白沙乡人民政府", "白沙乡"),
    )
    assert match is not None and match.confident and match.figure.value == 180


def test_a_fund_the_report_never_names_is_not_answered_with_its_other_funds():
    text = (
        "石川省人社厅2022年城乡居民基本养老保险转移支付绩效自评报告\n"
        "中央分两批向我省下达城乡居民基本养老保险转移支付资金58126万元。"
    )
    figures = extract_figures(_report(text))
    question = "中央给石川下达的农机报废更新资金一共多少?"
    assert best_figure(question, "中央给 下达的农机报废更新资金一共多少?", figures, ("石川省人社厅",)) is None
    asked = "中央给 下达的养老保险转移支付资金一共多少?"
    match = best_figure(asked, asked, figures, ("石川省人社厅",))
    assert match is not None and match.figure.value == 58126


def test_a_share_asked_of_each_place_is_never_the_total():
    text = "石川省生态环境厅2022年农机报废更新资金绩效自评报告\n中央下达石川农机报废更新资金共36250万元,分配至各市。"
    figures = extract_figures(_report(text))
    question = "石川把这笔农机报废更新资金分给各市具体多少?"
    assert best_figure(question, question, figures, ("石川省生态环境厅",)) is None
    assert (
        best_figure("石川农机报废更新资金一共多少?", "农机报废更新资金一共多少?", figures, ()).figure.value
        == 36250
    )


def test_a_score_stated_only_as_a_score_is_named_by_its_heading():
    text = (
        "云岭市财政局2024年度衔接资金绩效评价自评报告\n一、资金管理方面,指标评价得分9\n(一)县级配套资金落实情况\n"
        "2024年度县本级预算安排的衔接资金为76万元,指标评价得分7分。\n(二)资金拨付情况\n资金及时拨付,指标评价得分5分。"
    )
    match = _best(
        text, "云岭县级配套资金落实那一项得了几分?", "县级配套资金落实那一项得了几分?", ("云岭市财政局",)
    )
    assert match is not None and match.confident and match.figure.value == 7


def test_a_total_score_asked_is_never_one_indicators_weight():
    text = (
        "松溪县菌菇加工车间建设项目绩效自评表\n"
        "三级指标 | 分值 | 得分\n冷库设备购置 | 8.5 | 8.5\n车间建设完成率 | 10 | 10"
    )
    match = _best(text, "松溪菌菇加工车间项目自评总分多少分?", "菌菇加工车间项目自评总分多少分?", ("松溪县",))
    assert match is None or not match.confident


def test_an_average_the_report_states_is_looked_up():
    text = "白沙镇2020年村管费项目支出绩效自评报告\n各村村干报酬为支部书记年均29860元,村主任年均27500元。全镇共14个行政村。"
    match = _best(text, "白沙镇支部书记一年报酬平均多少?", "支部书记一年报酬平均多少?", ("白沙镇",))
    assert match is not None and match.figure.value == 29860
    # an average of figures it lists is still computed, not looked up
    assert _best(text, "白沙镇每个村平均多少个行政村?", "每个村平均多少个行政村?", ("白沙镇",)) is None


def test_people_counted_are_headed_by_who_they_are():
    # "在职的有几个人": 在职 is asked, not any count of people
    assert head_grams("现在在职的有几个人") == {"在在", "在职"}
    text = "石川县文化馆2024年部门整体支出绩效自评报告\n单位现有人员41人,其中在职17人,退休24人。"
    match = _best(text, "石川县文化馆现在在职的有几个人？", "现在在职的有几个人？", ("石川县文化馆",))
    assert match is None or match.figure.value == 17


def test_a_count_of_batches_is_answered_in_批次_not_in_people():
    assert expected_units("国内公务接待多少批") == ("批", "批次")
    text = "石川市白沙镇2021年三公经费决算情况\n国内公务接待35批次,共接待420人次。"
    figures = extract_figures(_report(text))
    match = best_figure("白沙镇2021年国内公务接待多少批", "国内公务接待多少批", figures, ())
    assert match is not None and (match.figure.value, match.figure.unit) == (35, "批次")


def test_a_body_sentence_stating_amounts_names_no_report():
    from assistant.units import name_title

    assert name_title("2.会议费支出3.6万元,完成预算90%。会议费支出决算比上年减少") == ""
    assert name_title("云岭县白沙镇2023年度部门决算说明") == "云岭县白沙镇2023年度部门决算说明"


def test_a_share_asked_as_how_big_a_part_of_what_it_is_in():
    # "占多大比例": 多大 is no whole; the whole is what the part is said to be in
    assert plan("松溪县纳入评价的车购税资金里中央资金占多大比例").operands == (
        "中央资金",
        "松溪县纳入评价的车购税资金",
    )
    report = _report(
        "松溪县交通运输局2023年车购税资金绩效自评表\n"
        "纳入评价的车购税资金共1,200.00万元,其中:中央资金300.00万元,执行率100%,地方资金900.00万元,执行率100%。"
    )
    figures = extract_figures(report)
    share = compute("纳入评价的车购税资金里中央资金占多大比例", figures, (report.meta.org,))
    # the part is an amount, never the 100% execution rate stated beside it
    assert share is not None and share.value == 25.0 and "300 ÷ 1200" in share.formula


def test_a_change_named_by_its_verb_alone_is_of_what_its_sentence_opens_with():
    report = _report(
        "石川市白沙区总工会2024年度决算说明\n2024年度收、支总计均为357.00万元。收、支与2023年度相比,减少18.00万元,"
        "下降5.6%,主要原因是公用经费减少。"
    )
    figures = [f for f in extract_figures(report) if f.unit == "%"]
    match = best_figure("收支比上年下降了百分之几", "收支比上年下降了百分之几", figures, (report.meta.org,))
    assert match is not None and match.confident and match.figure.value == 5.6


def test_a_score_under_an_indicator_carrying_its_points_is_that_indicators_score():
    text = (
        "石川市青禾乡人民政府部门整体支出绩效评价报告\n绩效评价指标体系明细表\n一级指标\n二级指标\n三级指标\n得分\n"
        "过程(40分)\n预算执行(18分)\n预算完成率(3分)\n\n2.25\n公用经费变动率(3分)\n\n1.50\n总分(100分)\n\n81.5\n"
    )
    report = _report(text)
    figures = extract_figures(report)
    got = {f.label: f.value for f in figures if f.label.endswith("得分")}
    assert got["预算完成率得分"] == 2.25 and got["公用经费变动率得分"] == 1.5
    match = best_figure("青禾乡预算完成率得了多少分", "预算完成率得了多少分", figures, (report.meta.org,))
    # the score under the indicator, never the 3 points its name carries
    assert match is not None and match.confident and match.figure.value == 2.25
    assert "预算完成率(3分)" in match.figure.quote


def test_a_rates_denominator_is_part_of_its_unit():
    report = _report(
        "青禾县民政局2021年项目支出绩效自评报告\n2021年最低生活保障标准1150元/人/月,全年发放救助资金12万元。\n"
        "数量指标:中水回用86万吨/年。"
    )
    figures = extract_figures(report)
    units = {f.value: f.unit for f in figures}
    assert units[1150.0] == "元/人/月" and units[86.0] == "万吨/年" and units[12.0] == "万元"
    match = best_figure("低保标准是多少元", "低保标准是多少元", figures, (report.meta.org,))
    # asked in 元: a rate in 元/人/月 is of the kind asked
    assert match is not None and match.confident and match.figure.unit == "元/人/月"


def test_what_each_is_given_is_money_and_an_area_in_square_kilometres_is_an_area():
    assert expected_units("每个学生每学期补多少") == ("亿元", "万元", "千元", "元")
    assert "km²" in (expected_units("小流域治理面积多大") or ())
    report = _report(
        "石川市青禾区水利局2023年项目支出绩效评价报告\n完成坡耕地改造面积18.5km²,受益群众3200人。"
    )
    units = {f.value: f.unit for f in extract_figures(report)}
    assert units[18.5] == "km²"


def test_an_actual_named_by_that_word_alone_is_of_the_figure_before_it():
    report = _report(
        "石川市青禾区档案馆2023年度部门决算说明\n本部门行政编制0人,实有人数0人;事业编制32人,实际27人。\n"
        "全镇本级一般公共预算收入实现90.5万元,为年初预算的110.2%,其中税收收入80.1万元,增长12.5%。"
    )
    figures = extract_figures(report)
    names = (report.meta.org,)
    actual = best_figure("事业编制实际有多少人", "事业编制实际有多少人", figures, names)
    assert actual is not None and actual.confident and actual.figure.value == 27.0
    posts = best_figure("事业编制有多少人", "事业编制有多少人", figures, names)
    assert posts is not None and posts.confident and posts.figure.value == 32.0
    # a change after a named figure is that figure's, not the sentence's first subject's
    grew = best_figure("税收收入增长了百分之几", "税收收入增长了百分之几", figures, names)
    assert grew is not None and grew.confident and grew.figure.value == 12.5


def test_each_ones_share_of_an_amount_in_wan_yuan_is_shown_in_yuan():
    report = _report(
        "青禾县人民政府办公室2022年衔接资金绩效自评报告\n第三季度小额贷款共贴息1.234567万元,共贴息56户次。"
    )
    done = compute("小额贷款贴息平均每户次贴了多少钱", extract_figures(report), (report.meta.org,))
    # 0.02万元 at two places would lose the figure: 220.46元, its formula showing both units
    assert done is not None and (done.value, done.unit) == (220.46, "元")
    assert done.formula == "1.234567万元 ÷ 56 = 220.46元"


def test_a_fund_asked_must_be_named_where_its_figure_is():
    report = _report(
        "青禾县白沙镇人民政府2021年度部门决算说明\n经汇总,2021年度全镇“三公”经费支出合计41.20万元。\n"
        "公务用车购置及运行维护费30.10万元,较上年减少1.20万元。"
    )
    figures = extract_figures(report)
    names = (report.meta.org,)
    # 机关运行经费 is stated nowhere: the 三公 total (whose label lost its quoted word) is no answer to it
    running = best_figure("白沙镇机关运行经费是多少", "机关运行经费是多少", figures, names)
    assert running is None or not running.confident
    cars = best_figure("白沙镇公务用车运行维护费是多少", "公务用车运行维护费是多少", figures, names)
    assert cars is not None and cars.confident and cars.figure.value == 30.1


def test_how_much_was_spent_is_never_answered_with_a_rate():
    report = _report("青禾县体育局2021年体彩公益金绩效自评报告\n白沙县全年执行数未载明,执行率92.17%。")
    figures = extract_figures(report)
    assert best_figure("白沙县执行了多少", "白沙县执行了多少", figures, (report.meta.org,)) is None
    rate = best_figure("白沙县执行率多少", "白沙县执行率多少", figures, (report.meta.org,))
    assert rate is not None and rate.figure.value == 92.17


def test_what_is_stated_only_as_a_rate_is_answered_by_the_rate_or_by_nothing():
    report = _report(
        "青禾县2022年农村改厕项目绩效自评报告\n"
        "全县2022年农村改厕任务数为320户,实际完成改厕410户。实际改厕数超任务28%,群众满意度96%。"
    )
    figures = extract_figures(report)
    names = (report.meta.org,)
    over = best_figure("改厕实际超任务多少", "改厕实际超任务多少", figures, names)
    assert over is not None and (over.figure.value, over.figure.unit) == (28.0, "%")
    # a question asking no rate never gets the rate; a count it names less well is no answer either
    report = _report(
        "青禾县2022年农村改厕项目绩效自评报告\n"
        "全县2022年农村改厕任务数为320户,实际完成改厕410户。实际改厕数多出任务28%,群众满意度96%。"
    )
    figures = extract_figures(report)
    assert best_figure("改厕实际数多出任务多少", "改厕实际数多出任务多少", figures, names) is None
    done = best_figure("实际完成改厕多少户", "实际完成改厕多少户", figures, names)
    assert done is not None and done.figure.value == 410.0


def test_a_figure_of_the_sibling_item_never_answers_the_item_asked():
    report = _report(
        "青禾县2022年生猪养殖项目绩效自评报告\n"
        "项目新购种公猪实际完成12头,建成圈舍800平方米。开展宣传活动,线下观众共计3万人次。"
        "县级配套资金到位45万元。"
    )
    figures = extract_figures(report)
    names = (report.meta.org,)
    boars = best_figure("种公猪实际完成多少头", "种公猪实际完成多少头", figures, names)
    assert boars is not None and boars.figure.value == 12.0
    # 种母猪 is not 种公猪, 线上 not 线下, 市级 not 县级: the report does not state what is asked
    for asked in ("种母猪实际完成多少头", "线上观众多少人次", "市级配套资金到位多少"):
        match = best_figure(asked, asked, figures, names)
        assert match is None or not match.confident, asked
    county = best_figure("县级配套资金到位多少", "县级配套资金到位多少", figures, names)
    assert county is not None and county.figure.value == 45.0


def test_money_a_government_grants_never_says_what_was_spent():
    report = _report(
        "青禾县档案局2021年项目绩效自评报告\n文化站修缮项目资金:2021年区财政拨款120.5万元,用于库房改造。"
    )
    figures = extract_figures(report)
    names = (report.meta.org,)
    spent = best_figure("文化站修缮项目2021年实际花了多少", "文化站修缮项目实际花了多少", figures, names)
    assert spent is None or not spent.confident
    granted = best_figure("文化站修缮项目区财政拨款多少", "文化站修缮项目区财政拨款多少", figures, names)
    assert granted is not None and granted.confident and granted.figure.value == 120.5


def test_a_name_closed_by_its_quote_or_bracket_labels_the_figure():
    text = (
        "云岭县文旅局公共文化资金绩效自评报告\n下达公共文化资金420万元。其中,“文化进万家”60万元,"
        "花灯演出(进社区)85.5万元,白沙农业救灾资金(农业部分),共计730万元。"
    )
    labels = {f.value: f.label for f in extract_figures(_report(text))}
    assert labels[60] == "文化进万家"
    assert labels[85.5] == "花灯演出(进社区)"
    assert labels[730] == "白沙农业救灾资金(农业部分)"


def test_a_unit_in_brackets_is_no_name():
    from index.figures import _closed_name

    assert _closed_name("年度资金总额(万元)") == ""
    assert _closed_name("指标得分(分)") == ""
    assert _closed_name("花灯演出(进社区)") == "花灯演出(进社区)"


@pytest.mark.parametrize(
    ("question", "operands"),
    [
        ("政府采购里服务类占了百分之多少", ("服务类", "政府采购")),
        ("公共文化资金中文化进万家占了多大比例", ("文化进万家", "公共文化资金")),
        ("财政拨款占收入多少", ("财政拨款", "收入")),
    ],
)
def test_a_share_asked_in_percent_words_takes_its_whole_from_what_it_is_in(question, operands):
    op = plan(question)
    assert op is not None and op.kind == "share" and op.operands == operands


def test_a_target_and_its_result_named_alike_are_one_pair():
    text = "石川市中心医院新院区建设项目绩效自评报告\n经济效益指标:新院区医疗收入达到3亿元3亿元4.25亿元10分。"
    done = compute("新院区医疗收入实际比目标多了多少亿元", extract_figures(_report(text)), ())
    assert done is not None and done.formula == "4.25 − 3 = 1.25亿元"


def test_a_result_short_of_its_target_is_target_less_result():
    text = "石川市中心医院新院区建设项目绩效自评报告\n经济效益指标:新院区医疗收入达到3亿元3亿元2.75亿元10分。"
    figures = extract_figures(_report(text))
    short = compute("新院区医疗收入比年度指标值少了多少亿元", figures, ())
    assert short is not None and short.formula == "3 − 2.75 = 0.25亿元"
    more = compute("新院区医疗收入比目标多收了多少亿元", figures, ())  # (the 少 of 多少 says nothing)
    assert more is not None and more.formula == "2.75 − 3 = -0.25亿元"


def test_a_rate_the_report_does_not_state_is_the_part_done_of_its_whole():
    text = (
        "云岭县白沙乡涉农资金项目自评报告\n2.道路硬化项目,方便松溪村群众往来。"
        "共安排衔接补助资金88.40万元,截至年底项目资金已拨付66.30万元。"
    )
    op = plan("道路硬化项目资金拨付率是多少")
    assert op is not None and op.kind == "share" and op.stated_first
    done = compute("道路硬化项目资金拨付率是多少", extract_figures(_report(text)), ())
    assert done is not None and done.formula == "66.3 ÷ 88.4 × 100% = 75%"
    assert plan("预算执行率是多少") is None  # a 自评表 states it; never recomputed from cells


def test_a_remaining_amount_stated_apart_is_the_pair_its_stated_rate_confirms():
    text = (
        "松溪县森林防火经费绩效自评报告\n2023年共投入森林防火补助经费预算820万元。"
        "其中中央补助经费执行300万元。\n项目资金执行情况:实际执行738万元,项目执行率90%。"
    )
    done = compute("松溪县森林防火经费还有多少没执行", extract_figures(_report(text)), ())
    assert done is not None and done.formula == "820 − 738 = 82万元"
    # no stated rate confirms a pair: no guess between 300 and 738
    bare = text.replace(",项目执行率90%", "")
    assert compute("松溪县森林防火经费还有多少没执行", extract_figures(_report(bare)), ()) is None


def test_a_counted_sum_adds_that_many_figures_named_alike():
    text = (
        "云岭县农村饮水维修养护项目绩效自评报告\n白沙村铺设输水管线2100m,松溪村改建铺设输水管线1650m。"
        "新建蓄水池2座。"
    )
    figures = extract_figures(_report(text))
    assert plan("两个村的输水管线加起来多长").count == 2
    done = compute("两个村的输水管线加起来多长", figures, ())
    assert done is not None and done.value == 3750
    # three asked where two are stated: no sum
    assert compute("三个村的输水管线加起来多长", figures, ()) is None
    # "第二批和第三批" are named items, not a count
    assert plan("第二批和第三批资金合计多少").count == 0


def test_a_remaining_amount_in_two_units_shows_each_with_its_unit():
    text = (
        "石川市非遗保护资金绩效自评报告\n下达我市白沙县文化馆花灯戏保护补助40万元。\n"
        "2021年我市非遗保护资金下达42万元,花灯戏项目资金使用251730元,资金使用率62.93%。"
    )
    done = compute("花灯戏保护补助还剩多少钱没用", extract_figures(_report(text)), ())
    assert done is not None and done.formula == "40万元 − 251730元 = 14.827万元"


def test_what_was_paid_out_is_not_an_amount_allotted():
    text = (
        "松溪县彩票公益金绩效自评报告\n资金已分配下达到项目建设单位:白沙村生产道路改造工程项目资金140万元。"
    )
    figures = extract_figures(_report(text))
    assert _ask(figures, _report(text), "白沙村生产道路改造工程已经拨付了多少钱") is None
    assert _ask(figures, _report(text), "白沙村生产道路改造工程项目资金多少") is not None


def test_of_two_alike_figures_the_one_the_asked_words_stand_by():
    text = (
        "石川市非遗保护资金绩效自评报告\n传承人补助已及时划拨,资金使用率100%;"
        "花灯戏(白沙花灯戏)项目资金使用33.5万元,资金使用率71.28%。"
    )
    report = _report(text)
    question = "花灯戏项目资金使用率是百分之几"
    match = best_figure(question, question, extract_figures(report), (report.meta.org,))
    assert match is not None and match.figure.value == 71.28 and match.told_apart


def test_a_label_written_out_in_the_question_tells_it_from_a_rival_named_nearly_alike():
    text = "青禾县康养中心建设项目绩效自评报告\n项目总建筑面积约14215.5㎡,其中地上建筑面积9325.3㎡,地下建筑面积4890.2㎡。"
    report = _report(text)
    figures = extract_figures(report)
    assert _ask(figures, report, "康养中心项目总建筑面积多大").value == 14215.5
    assert _ask(figures, report, "康养中心项目地下建筑面积多大").value == 4890.2


def test_a_target_and_its_result_asked_together_are_read_as_one_pair():
    from assistant.open_derive import pair_asked, target_and_actual

    assert pair_asked("白沙镇养老服务满意度目标和实际完成各是多少?") == ("白沙镇养老服务满意度", "多少?")
    assert pair_asked("助残服务,目标定的多少人、实际做到多少人?") == ("助残服务", "多少人?")
    assert pair_asked("预算数和执行数各多少") is None  # two measures, not a target and its result
    text = (
        "青禾县民政局养老服务项目绩效自评表\n一级指标 | 二级指标 | 三级指标 | 指标值 | 完成值\n"
        "满意度指标 | 服务对象满意度指标 | 养老服务对象满意度 | ≥90% | 97%"
    )
    pair = target_and_actual("养老服务满意度", "多少", extract_figures(_report(text)), ())
    assert pair is not None and [f.value for f in pair] == [90, 97]


@pytest.mark.parametrize(
    ("question", "kind", "operands"),
    [
        ("合计批复投资里，建筑工程以外的部分有多少", "difference", ("合计批复投资", "建筑工程")),
        ("实际支出比预算少了多少", "difference", ("实际支出", "预算")),
        ("调整后预算比年初增加了多少", "difference", ("调整后预算", "年初")),
    ],
)
def test_differences_asked_in_other_words(question, kind, operands):
    op = plan(question)
    assert op is not None and (op.kind, op.operands) == (kind, operands)


def test_a_change_against_last_year_is_not_two_figures_of_this_report():
    assert plan("公车运行维护费比上年决算降了多少") is None
    assert plan("收支总计比2023年增长了百分之几") is None


def test_a_figure_that_is_the_total_of_both_parts_asked_is_no_part_of_their_sum():
    text = (
        "云岭省住建厅安居工程资金绩效自评报告\n中央和省级财政资金用于保障性住房和老旧小区改造96.5亿元,"
        "其中省级财政安排补助资金12.3亿元。"
    )
    assert compute("用于保障房和旧改的中央省级资金一共多少", extract_figures(_report(text)), ()) is None


def test_a_list_is_never_split_inside_a_name_that_holds_a_joining_word():
    assert split_question("青禾中学人员经费里,工资福利支出和对个人和家庭的补助各是多少?") == [
        "青禾中学人员经费里,工资福利支出多少?",
        "对个人和家庭的补助多少?",
    ]
    op = plan("一般公共服务、社会保障和就业、卫生健康三项支出加起来多少")
    assert op is not None and op.operands == ("一般公共服务支出", "社会保障和就业支出", "卫生健康支出")


def test_a_row_number_under_a_numbering_column_is_never_the_answer():
    text = (
        "青禾县政务服务中心2023年度部门决算\n收入支出决算总表 单位:万元\n项目 | 行次 | 金额\n"
        "八、社会保障和就业支出 | 27 | 31.46\n九、卫生健康支出 | 28 | 9.72"
    )
    report = _report(text)
    found = _ask(extract_figures(report), report, "社会保障和就业支出是多少")
    assert found is not None and found.value == 31.46


def test_the_own_level_share_is_asked_by_name():
    text = (
        "石川县衔接资金绩效自评报告\n2024年度下达石川县衔接推进乡村振兴补助资金1860万元,用于产业发展。"
        "县本级预算安排的配套资金58万元,已全部到位。"
    )
    report = _report(text)
    figures = extract_figures(report)
    assert _ask(figures, report, "石川县本级安排了多少配套资金").value == 58
    assert _ask(figures, report, "石川县衔接推进乡村振兴补助资金下达了多少").value == 1860


def test_wan_alone_is_wan_yuan_only_where_the_label_names_money():
    report = _report(
        "白沙镇2022年部门整体支出绩效自评报告\n"
        "项目批复资金260万已全部到位,全镇总人口4.6万,自评得分91.5,评价等级为优。\n"
        "2022年度收入总计812.3万元。"
    )
    figures = extract_figures(report)
    got = {(f.value, f.unit) for f in figures}
    assert (260.0, "万元") in got and (91.5, "分") in got
    assert not any(f.value == 4.6 for f in figures)  # people, not money
    match = best_figure("白沙镇批复资金多少", "批复资金多少", figures, (report.meta.org,))
    assert match is not None and shown_value(match.figure) == "260万元"
    # 收入总计 never answers a question about 支出总计
    income = [f for f in figures if f.value == 812.3]
    names = (report.meta.org,)
    assert [s for s, _ in score_figures("白沙镇支出总计多少", "支出总计多少", income, names)] == [0.0]
    assert [s > 0.3 for s, _ in score_figures("白沙镇收入总计多少", "收入总计多少", income, names)] == [True]


def test_the_whole_left_of_a_part_is_the_total_stated():
    report = _report(
        "松溪卫生院2023年部门整体支出绩效自评报告\n"
        "2023年度收入合计1520.40万元。其中:财政拨款收入980.10万元,上级补助收入0万,事业收入540.30万元。"
    )
    left = compute("松溪卫生院除财政拨款外的收入有多少", extract_figures(report), (report.meta.org,))
    assert left is not None and left.value == 540.3
    assert [f.value for f in left.inputs] == [1520.4, 980.1]


def test_what_is_left_of_the_reports_own_project_by_the_rate_it_states():
    report = _report(
        "云岭县青禾村道路养护项目绩效自评报告\n"
        "(一)项目资金到位情况\n项目申请资金620.50万元,年初预算620.50万元,资金到位率100%。\n"
        "(二)项目资金使用情况\n截止2023年12月31日,项目实际使用资金601.30万元,资金使用率97%。\n"
        "(三)资金支付情况\n项目累计收到资金620.50万元。项目累计支付601.30万元,到位资金支付率96.91%。"
    )
    figures, names, topic = extract_figures(report), (report.meta.org,), report.meta.title
    # the subject asked is the report's own project: the rate it states confirms the pair, stated apart
    left = compute("青禾村道路养护项目还剩多少钱没用", figures, names, topic)
    assert left is not None and left.value == 19.2
    # 支付 is spending; what arrived is what a question about 没支付 leaves it of — and of figures stating
    # the same amounts, the two stated together are cited
    unpaid = compute("道路养护项目收到的钱还有多少没支付", figures, names, topic)
    assert unpaid is not None and unpaid.value == 19.2
    assert [f.label for f in unpaid.inputs] == ["项目累计收到资金", "项目累计支付"]


def test_a_share_takes_the_part_stated_beside_its_whole():
    report = _report(
        "石川县农业农村局2021年部门整体支出绩效自评报告\n"
        "全年中央下达资金84.6万元,县级配套资金20万元。\n"
        "云岭村灌溉渠修复项目批复总投资42.3万元,拨付中央财政资金16.92万元,县级财政资金25.38万元。"
    )
    figures, names = extract_figures(report), (report.meta.org,)
    # "中央资金" names the year's 84.6 as well as the project's 16.92: the one beside 总投资 is the part
    share = compute("灌溉渠修复项目里中央资金占总投资的比例是多少", figures, names)
    assert share is not None and share.value == 40.0
    assert [f.value for f in share.inputs] == [16.92, 42.3]


def test_items_listed_with_their_count_each_take_the_words_after_it():
    report = _report(
        "松溪县政务服务中心2022年部门整体支出绩效自评报告\n"
        "一般公共服务支出210.40万元,社会保障和就业支出18.25万元,卫生健康支出9.05万元。\n"
        "山核桃保险:总保费50万元,中央财政补贴40%为20万元,省级财政补贴30%为15万元。"
    )
    figures, names = extract_figures(report), (report.meta.org,)
    total = compute("一般公共服务、社会保障和就业、卫生健康三项支出加起来多少", figures, names)
    assert total is not None and total.value == 237.7  # (its operands: test_a_list_is_never_split_…)
    # ("投入和过程两项": a count with nothing after it adds nothing to the items)
    assert plan("投入和过程两项加起来多少分").operands == ("投入", "过程")
    # an amount stated after its rate ("补贴40%为20万元") is named by what the rate names
    assert {f.label for f in figures if f.value in (20.0, 15.0) and f.unit == "万元"} == {
        "中央财政补贴",
        "省级财政补贴",
    }


def test_of_two_figures_tied_the_one_whose_label_holds_more_of_the_typed_question():
    report = _report(
        "松溪县中央农田建设补助资金绩效自评报告\n"
        "下达松溪县2023年中央农田建设补助资金1846万元,下达松溪县2023年资金615万元用于配套。"
    )
    figures, names = extract_figures(report), (report.meta.org,)
    # the report's topic words are blanked from what is matched; the tie is told by what was typed
    question = "松溪县2023年下达的中央农田建设补助资金是多少"
    match = best_figure(question, " 下达的 资金是多少", figures, names, topic=report.meta.title)
    assert match is not None and match.figure.value == 1846.0 and match.confident


def test_one_line_naming_one_thing_twice_states_the_target_first():
    # a 年度目标 | 实际完成 row pasted as one line: the same words, the target's cell first
    report = _report(
        "白沙区商务局2021年部门整体支出绩效自评报告\n"
        "1、线上销售额8.6亿元,同比增长12%。 1、线上销售额11.35亿元,同比增长19%。"
    )
    figures, names = extract_figures(report), (report.meta.org,)
    actual = best_figure("白沙区商务局线上销售额实际做到多少", "线上销售额实际做到多少", figures, names)
    target = best_figure("白沙区商务局线上销售额目标是多少", "线上销售额目标是多少", figures, names)
    assert actual is not None and actual.confident and actual.figure.value == 11.35
    assert target is not None and target.confident and target.figure.value == 8.6
    # asked neither way, the two stay rivals
    plain = best_figure("白沙区商务局线上销售额多少", "线上销售额多少", figures, names)
    assert plain is None or not plain.confident


def test_a_budget_table_whose_columns_carry_numbers_and_formulas_is_read_by_column():
    # columns named with their number and formula ("支出实现率(%)⑤=④/③"), one formula on a line of its own
    # under the header, rows after a serial of their own ("① 项目支出") or spaced apart by the PDF ("合 计")
    text = (
        "白沙县气象局部门整体支出绩效自评表\n"
        "部门(单位)名称 白沙县气象局 部门预算编码 409001\n"
        "财政资金安排和使用情况 资金结构 预算安排 拨付情况 结余情况\n"
        "(万元) 年初部门预算安排金额(含历年结余结转)① 年中调整金额② 小计 年度拨付金额 "
        "支出实现率(%)⑤=④/③ 本年度结余金额⑥=③-④ 资金结余率(%)⑦=⑥/③\n"
        "  ③=①+②\n"
        "财政资金小计 120.50 30.10 150.60 150.40 99.87 0.20 0.13\n"
        "① 项目支出 20 0 20 20 100 0 0\n"
        "合 计 120.50 30.10 150.60 150.40 99.87 0.20 0.13\n"
    )
    figures = extract_figures(_report(text))
    read = {(f.row, f.column): (f.value, f.unit) for f in figures if f.column}
    assert read[("财政资金小计", "支出实现率")] == (99.87, "%")
    assert read[("财政资金小计", "年度拨付金额")] == (150.40, "万元")
    assert read[("项目支出", "年度拨付金额")] == (20, "万元")
    assert read[("合计", "本年度结余金额")] == (0.20, "万元")
    assert read[("财政资金小计", "年初部门预算安排金额(含历年结余结转)")] == (120.50, "万元")


def test_what_is_left_when_the_budgets_execution_is_a_column_named_预算执行数():
    # "预算执行数" is what was spent of the budget, never a budget: all of it spent leaves nothing
    report = _report(
        "青禾县林业局护林员补助项目绩效自评表(2023年度)\n"
        "| 项目资金(万元) | 年初预算 | 调整后预算数 | 预算执行数 | 预算执行率 |\n"
        "| 总额 | 8.00 | 8.00 | 8.00 | 100.00% |\n"
    )
    left = compute("护林员补助还剩多少没花", extract_figures(report), (report.meta.org,))
    assert left is not None and left.value == 0 and "8 − 8" in left.formula
