"""The report's own score, asked without naming an indicator: "机关整体支出绩效自评得了多少分", "XX资金这次自评
得了几分". Reports are invented; the engine runs on the fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine

DEPARTMENT = """石川县青禾局2021年部门整体支出绩效自评报告
一、部门基本情况
石川县青禾局内设股室4个。2021年全年预算数512.30万元，执行数498.10万元。
二、自评结论
经自评，综合评分：96分，评价等级为优。
"""

FUND = """白沙县2022年松溪流域保护资金绩效自评报告
一、资金安排情况
下达白沙县2022年松溪流域保护资金用于年度重点项目保护补助。自评得分87.35,评价结果为良。
二、绩效指标完成情况
资金到位率100%,资金使用率97%。
"""


@pytest.fixture(scope="module")
def department(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "qinghe.txt", DEPARTMENT)


@pytest.fixture(scope="module")
def fund(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "songxi.txt", FUND)


def test_the_whole_units_score_asked_as_its_spending_as_a_whole(department: Engine):
    answer, _ = department.ask("石川县青禾局2021年机关整体支出绩效自评得了多少分？")
    assert (answer.found, answer.value, answer.unit) == (True, 96.0, "分"), answer.answer


def test_a_funds_report_score_asked_by_the_fund_name(fund: Engine):
    answer, _ = fund.ask("白沙县松溪流域保护资金这次自评得了几分？")
    assert (answer.found, answer.value, answer.unit) == (True, 87.35, "分"), answer.answer
    assert "自评得分87.35" in answer.citations[0].quote
    # an indicator the report does not score is not answered with the whole score
    named, _ = fund.ask("白沙县松溪流域保护资金里资产管理那块(10分)得了几分？")
    assert named.value != 87.35, named.answer
