"""What is left, asked in the report's own word ("结余多少"): the figure the report states answers, not a
computation; a question the report states no 结余 for is still computed from the budget and the spending.
The report is invented; the engine runs on the fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine

REPORT = """石川市青禾区老龄服务中心2023年度项目支出绩效自评报告
一、项目基本情况
高龄津贴项目区级资金年初预算860.40万元，全年随月发放812.15万元，结余48.25万元，结转下年使用。
养老服务补贴项目全年预算120万元，全年支出96万元，预算执行率80%。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "laoling.txt", REPORT)


def test_a_stated_balance_answers_a_question_in_its_word(engine: Engine):
    answer, _ = engine.ask("青禾区老龄服务中心高龄津贴区级资金结余多少？")
    assert (answer.found, answer.value, answer.unit, answer.kind) == (True, 48.25, "万元", "lookup"), (
        answer.answer
    )
    assert "结余48.25万元" in answer.citations[0].quote


def test_what_is_left_is_still_computed_where_no_balance_is_stated(engine: Engine):
    answer, _ = engine.ask("青禾区老龄服务中心养老服务补贴还剩多少没花？")
    assert (answer.found, answer.value, answer.kind) == (True, 24.0, "derived"), answer.answer


def test_what_is_left_stated_in_the_reports_own_words_answers_a_colloquial_question(
    tmp_path_factory: pytest.TempPathFactory,
):
    engine = engine_of_text(
        tmp_path_factory,
        "baisha.txt",
        "白沙县司法局专项业务费(项目)2019年度绩效自评报告\n"
        "一、项目资金情况\n我单位2019年专项业务费预算金额62.80万元,上年结转结余资金8.40万元。\n"
        "该项目资金实际执行51.60万元,尚余11.20万元未支付。\n",
    )
    answer, _ = engine.ask("白沙县司法局专项业务费还剩多少没付？")
    assert (answer.found, answer.value, answer.unit) == (True, 11.2, "万元"), answer.answer
    assert "尚余11.20万元" in answer.citations[0].quote
