"""Questions for words, not figures ("下面有哪些事业单位", "用在哪几个方面", "依据的文件是哪个"): answered with
the report's sentences, read with and without the unit's names. The report is invented; fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine

REPORT = """青禾县白沙乡人民政府2024年度部门整体支出绩效自评报告
一、部门基本情况
白沙乡人民政府是一级政府，为全额拨款行政单位。
内设机构：党政综合办公室、经济发展办公室、社会事务办公室。
事业单位：农业综合服务中心、社会事务综合服务中心、退役军人服务站。
二、绩效自评依据
根据《青禾县财政局关于开展2024年度部门整体支出绩效自评工作的通知》（青财绩〔2025〕3号）开展自评。
三、资金使用情况
2024年共支出986.40万元，上级补助资金统筹用于基础设施建设、产业发展和民生保障三个方面。
四、资金发放
危房改造补助资金的发放方式按县级文件严格执行。资金通过“一卡通”直接打到农户账户。
预 算 编 码: 305017
联系人:李青
报告日期:2025年3月18日
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "baisha.txt", REPORT)


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("白沙乡下面有哪些事业单位？", "退役军人服务站"),
        ("白沙乡上级补助资金统筹用在哪几个方面？", "产业发展"),
        ("白沙乡这次整体支出绩效自评依据的文件是哪个？", "青财绩〔2025〕3号"),
        ("白沙乡人民政府是什么性质的单位？", "全额拨款行政单位"),
    ],
)
def test_a_question_for_words_is_answered_with_the_reports_sentence(
    engine: Engine, question: str, phrase: str
):
    answer, _ = engine.ask(question)
    assert answer.found and answer.kind == "text", answer.answer
    assert any(phrase in c.quote for c in answer.citations), answer.answer


def test_which_and_unit_words_do_not_ask_a_figure():
    from assistant.understand import ASKS_FIGURE, TEXT_ASK

    assert not ASKS_FIGURE.search("统筹用在哪几个方面") and not ASKS_FIGURE.search("决算总表金额单位是什么")
    assert ASKS_FIGURE.search("安排了几个项目") and ASKS_FIGURE.search("金额是多少")
    assert TEXT_ASK.search("依据的文件是哪个")


def test_spending_said_as_共支出_is_the_years_spending(engine: Engine):
    answer, _ = engine.ask("白沙乡全年一共花了多少钱？")
    assert (answer.found, answer.value, answer.unit) == (True, 986.4, "万元"), answer.answer


SHEET = """青禾县白沙乡2024年度项目支出绩效自评表
项目名称 | 村组道路维修 | | | | |
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 全年实际值 | 未完成原因及改进措施
产出指标 | 数量指标 | 养护农村公路里程 | 120公里 | 96公里 | 雨季停工路段顺延至次年养护
产出指标 | 质量指标 | 养护路段合格率 | 95% | 97% | 无
产出指标 | 时效指标 | 按期完工率 | 100% | 100% | 无
"""


@pytest.fixture(scope="module")
def sheet_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "baisha_sheet.txt", SHEET)


def test_why_an_indicator_fell_short_is_its_rows_reason_cell(sheet_engine: Engine):
    answer, _ = sheet_engine.ask("白沙乡养护农村公路里程为什么没完成？")
    assert answer.found and answer.kind == "text", answer.answer
    assert len(answer.citations) == 1
    assert "雨季停工路段顺延至次年养护" in answer.citations[0].quote
    assert (
        "养护农村公路里程" in answer.citations[0].quote
    )  # the row, so the reason is seen with its indicator


def test_a_row_stating_one_value_twice_answers_both_parts(sheet_engine: Engine):
    """ "按期完工率 | 100% | 100%" under 年度指标值 | 全年实际值: each part is answered by its own cell, not
    refused as a repeat of the first part's figure."""
    answer, _ = sheet_engine.ask("白沙乡按期完工率年度指标值多少，按期完工率全年实际值多少？")
    assert answer.found, answer.answer
    assert "年度指标值 100%" in answer.answer and "全年实际值 100%" in answer.answer, answer.answer


def test_a_later_part_naming_only_a_measure_asks_it_of_the_same_indicator(sheet_engine: Engine):
    answer, _ = sheet_engine.ask("白沙乡养护路段合格率的年度指标值和全年实际值分别是多少？")
    assert answer.found, answer.answer
    assert "年度指标值 95%" in answer.answer and "全年实际值 97%" in answer.answer, answer.answer


def test_when_a_report_came_out_is_its_date_field(engine: Engine):
    answer, _ = engine.ask("白沙乡2024年的自评报告是哪天出的？")
    assert answer.found and "2025年3月18日" in answer.answer, answer.answer


def test_the_sentence_after_one_repeating_the_question_is_shown_beside_it(engine: Engine):
    answer, _ = engine.ask("白沙乡危房改造补助资金是通过什么方式发放的？")
    assert answer.found and "一卡通" in answer.answer, answer.answer
    assert len(answer.citations) <= 3


def test_a_code_asked_is_a_field_of_the_form_not_a_figure(engine: Engine):
    answer, parsed = engine.ask("白沙乡的预算编码是多少？")
    assert parsed.metric is None and not parsed.asks_figure
    assert answer.found and "305017" in answer.answer and answer.value is None, answer.answer
