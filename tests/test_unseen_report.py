"""Reports in other provinces' styles (hand-written, synthetic: tests/data/synthetic_*), so that
the pipeline is checked on phrasing the corpus does not use: 年初预算数 beside 全年预算数, 结转结余, indicator
weights written as "预算编制20分，得分18分"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engine import Engine
from index.pipeline import Indexer
from index.settings import Settings

DATA = Path(__file__).parent / "data" / "synthetic_hunan_2022.txt"


def engine_of(tmp_path_factory, path: Path, org: str, year: int) -> Engine:
    """A fresh index of one report (real embedder and Chroma), after checking what ingest read from it."""
    settings = Settings(index_dir=tmp_path_factory.mktemp(path.stem))
    outcome = Indexer(settings).ingest([path])[0]
    assert (outcome.status, outcome.org, outcome.year) == ("added", org, year), outcome.message
    return Engine.open(settings)


def engine_of_text(tmp_path_factory, name: str, text: str, org: str, year: int) -> Engine:
    """A fresh index of one report written here, in a shape the corpus lacks."""
    path = tmp_path_factory.mktemp("text") / name
    path.write_text(text, encoding="utf-8")
    return engine_of(tmp_path_factory, path, org, year)


@pytest.fixture(scope="module")
def unseen_engine(tmp_path_factory):
    return engine_of(tmp_path_factory, DATA, "湘潭市雨湖区教育局", 2022)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("雨湖区教育局的预算执行率是多少？", 95.49, "%"),
        ("教育局年初预算多少", 45678.90, "万元"),
        ("雨湖区教育局三公经费支出多少", 12.34, "万元"),
        ("教育局结转结余率", 4.51, "%"),
        ("教育局自评得分", 92.5, "分"),
        ("教育局预算编制得了几分", 18.0, "分"),
        ("教育局产出效益扣了几分", 4.0, "分"),
        ("教育局还有多少预算没花", 2175.43, "万元"),
        ("教育局基本支出占比", 82.81, "%"),
    ],
)
def test_figures_from_an_unseen_style(unseen_engine, question, value, unit):
    answer, _ = unseen_engine.ask(question)
    assert answer.found and answer.value == pytest.approx(value) and answer.unit == unit, answer.answer


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("question", ["教育局绩效管理得分", "教育局2021年的执行率", "教育局有多少个食堂"])
def test_absent_figures_are_refused(unseen_engine, question):
    answer, _ = unseen_engine.ask(question)
    assert not answer.found and answer.value is None, answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_a_count_the_report_states_in_passing_is_answered_from_its_sentence(unseen_engine):
    answer, _ = unseen_engine.ask("教育局有多少所学校")
    assert answer.found and (answer.value, answer.unit) == (32, "所"), answer.answer
    assert "下属学校32所" in answer.citations[0].quote  # the clause that states it


@pytest.mark.slow
@pytest.mark.integration
def test_problems_and_measures_of_an_unseen_style(unseen_engine):
    problems, _ = unseen_engine.ask("教育局存在哪些问题")
    measures, _ = unseen_engine.ask("教育局下一步怎么改进")
    assert [c.line for c in problems.citations] == [36, 38, 40]
    assert "规范资产管理" in measures.answer and len(measures.citations) == 3


MD = Path(__file__).parent / "data" / "synthetic_jiangsu_2023.md"


@pytest.fixture(scope="module")
def md_engine(tmp_path_factory):
    return engine_of(tmp_path_factory, MD, "南京市鼓楼区卫生健康委员会", 2023)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("卫健委自评得分", 88.6, "分"),  # the report's own 以下简称“区卫健委”
        ("鼓楼区卫健委预算执行率", 96.05, "%"),
        ("区卫健委三公经费年初预算多少", 18.60, "万元"),
        ("卫健委三公经费实际支出多少", 15.20, "万元"),
        ("卫健委疫情防控专项执行率", 78.59, "%"),
    ],
)
def test_markdown_report_with_a_table_and_a_short_form(md_engine, question, value, unit):
    answer, _ = md_engine.ask(question)
    assert answer.found and answer.value == pytest.approx(value) and answer.unit == unit, answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_a_project_rate_in_the_problems_section_is_not_the_department_rate(md_engine):
    rates = [f.value for f in md_engine.facts if f.metric == "预算执行率"]
    assert rates == [96.05]


SICHUAN = Path(__file__).parent / "data" / "synthetic_sichuan_2024.txt"


@pytest.fixture(scope="module")
def sichuan_engine(tmp_path_factory):
    return engine_of(tmp_path_factory, SICHUAN, "成都市武侯区财政局", 2024)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit", "line"),
    [
        ("武侯区财政局2024年预算执行率是多少？", 94.08, "%", 29),
        ("区财政局自评得分多少分？", 91, "分", 27),  # the score table's 合计 row,
        ("武侯财政局预算执行得分是多少？", 26, "分", 24),  # a tab-separated score table
        ("武侯区财政局还有多少预算没执行？", 391.05, "万元", 29),
        # figures no extracted metric covers, stated right after the asker's words
        ("武侯区财政局的公务接待费是多少？", 3.20, "万元", 32),
        ("武侯区财政局年末实有人数多少？", 81, "人", 9),
        ("区财政局其他收入多少", 222.21, "万元", 14),
        ("财政局第三季度支出进度是多少？", 58.3, "%", 38),
    ],
)
def test_sichuan_style_figures_with_their_lines(sichuan_engine, question, value, unit, line):
    answer = sichuan_engine.check(sichuan_engine.answer(sichuan_engine.parser.parse(question)))
    assert answer.found and answer.value == pytest.approx(value) and answer.unit == unit, answer.answer
    assert line in [c.line for c in answer.citations], answer.citations
    assert not answer.dropped


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    "question",
    [
        "武侯区财政局的资产负债率是多少？",  # not in the report
        "区财政局上半年的预算执行率",  # only the year's rate is stated: never answered with it
        "区财政局差旅费多少",
    ],
)
def test_sichuan_absent_figures_are_refused(sichuan_engine, question):
    answer, _ = sichuan_engine.ask(question)
    assert not answer.found and answer.value is None, answer.answer


@pytest.fixture(scope="module")
def two_years_engine(tmp_path_factory):
    """The Sichuan report and its previous year: the same text with 2023's figures put in."""
    folder = tmp_path_factory.mktemp("two_years_src")
    text = SICHUAN.read_text(encoding="utf-8")
    (folder / "武侯区财政局2024.txt").write_text(text, encoding="utf-8")
    earlier = text.replace("2024", "2023").replace("94.08%", "91.37%").replace("6,601.50", "6,402.30")
    (folder / "武侯区财政局2023.txt").write_text(
        earlier.replace("自评得分91分", "自评得分88分"), encoding="utf-8"
    )
    settings = Settings(index_dir=tmp_path_factory.mktemp("two_years"))
    assert {o.status for o in Indexer(settings).ingest([folder])} == {"added"}
    return Engine.open(settings)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit", "formula"),
    [
        ("武侯区财政局预算执行率比上年提高了多少？", 2.71, "个百分点", "94.08 − 91.37 = 2.71个百分点"),
        ("武侯区财政局2024年执行率比2023年高几个百分点", 2.71, "个百分点", "94.08 − 91.37"),
        ("武侯区财政局全年预算数同比增长多少", 199.2, "万元", "199.2 ÷ 6402.3 × 100% = 3.11%"),
        ("区财政局自评得分同比变化", 3, "分", "91 − 88 = 3分"),
    ],
)
def test_year_on_year_from_two_reports(two_years_engine, question, value, unit, formula):
    answer, _ = two_years_engine.ask(question)
    assert answer.found and answer.value == pytest.approx(value) and answer.unit == unit, answer.answer
    assert formula in answer.answer and not answer.dropped
    assert {c.doc for c in answer.citations} == {"武侯区财政局2024.txt", "武侯区财政局2023.txt"}


@pytest.mark.slow
@pytest.mark.integration
def test_two_years_named_give_both_figures(two_years_engine):
    answer, _ = two_years_engine.ask("武侯区财政局2023年和2024年的执行率分别是多少")
    assert "91.37%" in answer.answer and "94.08%" in answer.answer and len(answer.citations) == 2


@pytest.mark.slow
@pytest.mark.integration
def test_year_on_year_without_the_previous_report(two_years_engine, unseen_engine):
    refused, _ = two_years_engine.ask("武侯区财政局2023年执行率比上年提高了多少")
    assert not refused.found and refused.value is None
    assert refused.answer.startswith("索引中没有武侯区财政局2022年的报告")
    # no change against last year stated for the asked metric: refused, naming the missing year
    stated, _ = unseen_engine.ask("教育局执行率同比提高了多少")
    assert (
        not stated.found and stated.value is None and stated.answer.startswith("索引中没有雨湖区教育局2021年")
    )


@pytest.mark.slow
@pytest.mark.integration
def test_last_years_change_as_the_report_states_it(unseen_engine):
    answer, _ = unseen_engine.ask("教育局三公经费比上年减少多少")
    assert answer.found and (answer.value, answer.unit) == (pytest.approx(2.10), "万元"), answer.answer
    assert "上年 = 12.34 + 2.1 = 14.44万元" in answer.answer and not answer.dropped
    assert "较上年减少2.10万元" in answer.citations[0].quote


def _docx_report(path: Path) -> Path:
    """A Word report whose figures stand only in tables: a budget table whose 合计 row comes first with its
    其中 rows under it, and an indicator table of 分值/得分."""
    from docx import Document

    doc = Document()
    doc.add_heading("江西省赣州市章贡区农业农村局2023年度部门整体支出绩效自评报告", 0)
    doc.add_paragraph("一、部门基本情况")
    doc.add_paragraph("（一）预算收支情况。")
    rows = [
        ["项目", "年初预算数（万元）", "全年预算数（万元）", "全年执行数（万元）", "预算执行率"],
        ["合计", "3,210.50", "3,580.20", "3,402.66", "95.04%"],
        ["其中：项目支出", "1,200.00", "1,466.30", "1,301.28", "88.75%"],
    ]
    scores = [
        ["一级指标", "二级指标", "分值", "得分"],
        ["投入", "预算编制", "10", "9"],
        ["过程", "预算执行", "30", "27.5"],
    ]
    for table_rows in (rows, scores):
        table = doc.add_table(rows=len(table_rows), cols=len(table_rows[0]))
        for r, row in enumerate(table_rows):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        doc.add_paragraph("二、绩效自评情况" if table_rows is rows else "三、存在的问题")
    doc.add_paragraph("1.项目支出执行进度偏慢，项目支出执行率仅为88.75%。")
    doc.save(path)
    return path


@pytest.fixture(scope="module")
def docx_engine(tmp_path_factory):
    path = _docx_report(tmp_path_factory.mktemp("docx_src") / "章贡区农业农村局2023.docx")
    return engine_of(tmp_path_factory, path, "江西省赣州市章贡区农业农村局", 2023)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("章贡区农业农村局预算执行率是多少", 95.04, "%"),  # not the project rate of the 其中 row or the text
        ("农业农村局年初预算多少", 3210.50, "万元"),
        ("农业农村局全年预算数", 3580.20, "万元"),
        ("农业农村局项目支出多少", 1301.28, "万元"),
        ("农业农村局还有多少预算没花", 177.54, "万元"),
        ("农业农村局预算执行扣了几分", 2.5, "分"),
    ],
)
def test_figures_from_word_tables(docx_engine, question, value, unit):
    answer, _ = docx_engine.ask(question)
    assert answer.found and answer.value == pytest.approx(value) and answer.unit == unit, answer.answer
    assert not answer.dropped


DEYANG = Path(__file__).parent / "data" / "synthetic_sichuan_deyang_2022.txt"


@pytest.fixture(scope="module")
def deyang_engine(tmp_path_factory):
    """第X部分 headings, amounts in 元, a full-width ％, problems and measures as bodiless one-line headings."""
    return engine_of(tmp_path_factory, DEYANG, "德阳市旌阳区市场监督管理局", 2022)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("旌阳区市场监管局预算执行率", 97.32, "%"),
        ("市场监管局年初预算是多少", 45612300.00, "元"),  # "年初预算安排…元"
        ("市场监管局全年预算多少", 48822300.00, "元"),  # after an unclear "年中追加预算"
        ("市场监管局实际支出多少", 47513201.56, "元"),
        ("市场监管局自评得分", 95.5, "分"),
        ("市场监管局还剩多少钱没花", 1309098.44, "元"),
    ],
)
def test_part_headings_and_amounts_in_yuan(deyang_engine, question, value, unit):
    answer, _ = deyang_engine.ask(question)
    assert answer.found and answer.value == pytest.approx(value) and answer.unit == unit, answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_problems_and_measures_written_as_bare_headings(deyang_engine):
    problems, _ = deyang_engine.ask("市场监管局存在什么问题")
    measures, _ = deyang_engine.ask("市场监管局下一步措施")
    assert [c.quote for c in problems.citations] == [
        "（一）部分资金支付进度滞后。",
        "（二）绩效监控不够深入。",
    ]
    assert [c.line for c in problems.citations] == [17, 18]
    assert "（二）强化绩效运行监控。" in measures.answer and problems.citations[0].section.startswith(
        "第四部分"
    )


@pytest.mark.slow
@pytest.mark.integration
def test_a_draft_from_bare_heading_items_answers_each_problem(deyang_engine):
    from assistant.draft import build_draft

    draft = build_draft(deyang_engine, "市场监管局")
    assert [p.title for p in draft.problems] == ["部分资金支付进度滞后", "绩效监控不够深入"]
    # a one-sentence measure is its own text (no title repeating it)
    assert [(m.text, m.answers) for m in draft.measures] == [
        ("加快资金支付进度。", [1]),
        ("强化绩效运行监控。", [2]),
    ]


@pytest.mark.slow
@pytest.mark.integration
def test_the_year_a_report_covers_cited_from_its_title(unseen_engine):
    answer, _ = unseen_engine.ask("雨湖区教育局这份自评报告是哪个年度的？")
    assert answer.found and answer.value == 2022 and answer.unit == "年"
    assert "2022" in answer.citations[0].quote


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    "question", ["雨湖区教育局编制人数多少人、实际有多少人", "教育局编制多少人，实际在职多少人"]
)
def test_a_later_part_takes_the_next_figure_of_the_list_the_first_was_read_from(unseen_engine, question):
    """ "全局编制人数1,856人，实有在职人员1,802人": "实际有多少人" is the figure after the first, never it again."""
    answer, _ = unseen_engine.ask(question)
    assert [(p.value, p.unit) for p in answer.parts] == [(1856.0, "人"), (1802.0, "人")], answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_the_budget_row_s_score_answers_what_budget_execution_scored(tmp_path_factory):
    text = (
        "白沙镇2023年度道路养护项目支出绩效自评表\n项目名称 | 道路养护 | 实施单位 | 白沙镇人民政府 |\n"
        "项目资金(万元) | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |\n"
        "年度资金总额 | 120 | 120 | 96 | 10 | 80% | 8 |\n"
        "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |\n"
        "产出指标 | 数量指标 | 养护道路里程 | 12公里 | 12公里 | 20 | 20 |\n"
    )
    engine = engine_of_text(tmp_path_factory, "白沙镇项目自评表.txt", text, "白沙镇", 2023)
    for question in ("白沙镇道路养护预算执行那块得了几分？", "白沙镇执行率得分多少"):
        answer, _ = engine.ask(question)
        assert answer.found and (answer.value, answer.unit) == (8.0, "分"), answer.answer
    answer, _ = engine.ask("白沙镇道路养护执行率是多少")
    assert (answer.value, answer.unit) == (80.0, "%"), answer.answer  # the rate itself is no score
    # said as staff say it: the 全年执行数 column answers "实际花了多少钱"
    answer, _ = engine.ask("白沙镇道路养护项目实际花了多少钱？")
    assert (answer.value, answer.unit) == (96.0, "万元"), answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_a_figure_stated_in_several_places_is_listed_and_said_to_be_several(tmp_path_factory):
    text = (
        "青禾县财政局2020年度农业保险保费补贴绩效自评报告\n一、基本情况\n"
        "1、水稻保险:承保面积40万亩,总保费1200.5万元。\n2、油菜保险:承保面积8万亩,总保费70万元。\n"
    )
    engine = engine_of_text(tmp_path_factory, "青禾县农业保险.txt", text, "青禾县财政局", 2020)
    answer, _ = engine.ask("青禾县财政局总保费多少？")
    assert answer.value is None and "多处载明" in answer.answer, answer.answer  # no one figure chosen
    assert "1200.5万元" in answer.answer and "70万元" in answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_a_change_asked_with_no_unit_is_answered_by_the_rate_the_report_states(tmp_path_factory):
    text = (
        "青禾乡人民政府2020年度部门整体支出绩效自评报告\n一、基本情况\n青禾乡位于县城东部，辖8个行政村，"
        "全年围绕乡村振兴和民生保障开展工作，部门整体支出管理规范。全乡农民人均可支配收入12000元,比上年增长8%。\n"
        "二、存在的主要问题\n预算编制不够细化。\n三、下一步改进措施\n加强预算管理。\n"
    )
    engine = engine_of_text(tmp_path_factory, "青禾乡整体支出.txt", text, "青禾乡人民政府", 2020)
    answer, _ = engine.ask("青禾乡人均可支配收入比上年增长了多少？")
    assert (answer.value, answer.unit) == (8.0, "%") and answer.question.endswith("增长了多少？"), (
        answer.answer
    )


@pytest.mark.slow
@pytest.mark.integration
def test_a_text_question_is_answered_by_its_own_words_not_by_the_unit_named_in_the_title(tmp_path_factory):
    text = (
        "石川市白沙实验小学2023年度部门整体支出绩效自评报告\n"
        "一、部门基本情况\n"
        "（一）主要职能\n"
        "1.石川市白沙实验小学实施小学阶段义务教育。\n"
        "2.坚持划片招生原则，不组织任何入学测试。\n"
        "3.实行混合编班，不设快慢班。\n"
        "二、绩效自评情况\n"
        "全年预算数500万元，全年执行数480万元，预算执行率96%。\n"
    )
    engine = engine_of_text(tmp_path_factory, "baisha.txt", text, "石川市白沙实验小学", 2023)
    answer, _ = engine.ask("白沙实验小学招生坚持什么原则？")
    assert answer.found and "划片招生" in answer.citations[0].quote, answer.answer
    answer, _ = engine.ask("白沙实验小学是怎么编班的？")
    assert answer.found and "混合编班" in answer.citations[0].quote, answer.answer


CULTURE_PROJECT = (
    "青禾县文化和旅游局2021年度项目支出绩效自评报告\n"
    "一、项目基本情况\n"
    "2021年乡村文化振兴补助资金下达我局200万元，用于村级文化活动。\n"
    "二、自评结论\n"
    "项目自评得分95分。\n"
)
STUDENT_AID = (
    "青禾县教育局2023年学生资助经费项目绩效自评报告\n"
    "一、项目基本情况\n"
    "2023年学生资助经费下达我局520万元，用于家庭经济困难学生资助。\n"
    "二、自评结论\n"
    "学生资助经费项目自评得分93.6分。\n"
)
TRANSFER_TOTAL = (
    "石川县民政局2024年度转移支付资金绩效自评报告\n"
    "一、绩效目标分解下达情况\n"
    "2024年共计下达中央、省级补助资金1250万元，用于困难群众救助。\n"
    "二、机构情况\n"
    "全局共设8个股室。\n"
)
RATE_NOT_STATED = (
    "石川市人民政府办公室2021年度项目支出绩效自评报告\n"
    "一、项目基本情况\n"
    "驻外联络经费用于驻外联络处房屋租金，安排资金预算80万元。\n"
    "二、项目资金执行情况\n"
    "全年实际支出64万元，主要用于租金和物业费。\n"
)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("name", "org", "year", "text", "question", "value", "kind", "shown"),
    [
        # a project the whole report is about: the report's own score answers for it
        pytest.param(
            "qinghe_wl.txt",
            "青禾县文化和旅游局",
            2021,
            CULTURE_PROJECT,
            "青禾文旅局乡村文化振兴项目自评得了几分？",
            95,
            "lookup",
            "项目自评得分",
            id="project-of-the-report",
        ),
        # "这个项目": words that point at a project name none of its own
        pytest.param(
            "qinghe_jy.txt",
            "青禾县教育局",
            2023,
            STUDENT_AID,
            "青禾县教育局学生资助经费这个项目自评得了几分？",
            93.6,
            "lookup",
            "93.6分",
            id="deictic-project",
        ),
        # a sum asked that the report states as a total
        pytest.param(
            "shichuan_mz.txt",
            "石川县民政局",
            2024,
            TRANSFER_TOTAL,
            "石川县民政局中央和省级补助资金一共下达了多少？",
            1250,
            "lookup",
            "共计",
            id="stated-total",
        ),
        # an execution rate not stated: computed from the amounts stated, the formula shown
        pytest.param(
            "shichuan_zfb.txt",
            "石川市人民政府办公室",
            2021,
            RATE_NOT_STATED,
            "石川市政府办驻外联络经费的执行率算下来是多少？",
            80.0,
            "derived",
            "64 ÷ 80",
            id="computed-rate",
        ),
    ],
)
def test_reports_written_here_answer_what_they_state(
    tmp_path_factory, name, org, year, text, question, value, kind, shown
):
    engine = engine_of_text(tmp_path_factory, name, text, org, year)
    answer, _ = engine.ask(question)
    assert answer.found and answer.value == pytest.approx(value), answer.answer
    assert answer.kind == kind and shown in answer.answer, answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_a_project_the_report_is_not_about_is_not_answered_with_its_score(tmp_path_factory):
    engine = engine_of_text(tmp_path_factory, "qinghe_wl2.txt", CULTURE_PROJECT, "青禾县文化和旅游局", 2021)
    answer, _ = engine.ask("青禾文旅局非遗保护传承项目自评得了几分？")
    assert not answer.found and answer.value is None, answer.answer
