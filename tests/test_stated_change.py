"""A change the report states ("收、支总计各减少…万元"), asked as one ("比上年少了多少"): only a figure stated
as a change answers it; the year's own total beside it is no rival. The report is invented; fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine

REPORT = """云岭县松溪卫生院2023年度部门决算说明
一、收入支出决算总体情况说明
2023年度收、支总计均3,105.20万元。与2022年相比，收、支总计各减少1,204.75万元，下降28%。主要原因是基建项目完工。
二、收入决算情况说明
本年收入合计3,105.20万元，其中：财政拨款收入2,011.40万元，占本年收入65%。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "songxi.txt", REPORT)


def test_a_stated_change_answers_beside_the_years_total(engine: Engine):
    answer, _ = engine.ask("松溪卫生院23年收支总计比上年少了多少？")
    assert (answer.found, answer.value, answer.unit) == (True, 1204.75, "万元"), answer.answer


def test_a_change_in_percent_when_percent_is_asked(engine: Engine):
    answer, _ = engine.ask("松溪卫生院2023年收支下降了百分之几？")
    assert (answer.found, answer.value, answer.unit) == (True, 28.0, "%"), answer.answer
