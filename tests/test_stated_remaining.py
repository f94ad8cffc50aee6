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
