"""A year the library holds no report of, asked of the next year's report: last year's figure is this year's
less the change the report states against last year — both cited, the formula shown — and never this year's
figure. The reports are invented; fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine

REPORT = """云岭县白沙镇人民政府2023年度部门决算说明
一、收入支出决算总体情况说明
2023年度收入总计1,250.40万元，支出总计1,250.40万元。收支较上年决算数增加150.40万元，增长13.67%。
二、“三公”经费支出情况说明
2023年度全镇“三公”经费支出合计36.50万元，其中：公务接待费6.50万元。
经比较，2023年度全镇“三公”经费较上年减少3.50万元，较年初预算数减少0.50万元。
三、机关运行经费支出情况说明
2023年机关运行经费支出80万元，比上年决算数字下降20%。
四、政府采购支出情况说明
2023年政府采购支出总额45万元，比年初预算减少5万元。
五、其他
2022年度农机购置补贴结余资金3.25万元，已于2023年统筹使用。镇中心校在校学生391人(其中住校生35人)，比上年同期减少91人；教师49人，比上年减少了6人。
2024年，白沙镇获批污水管网专项债券资金1.2亿元。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "baisha23.txt", REPORT)


def test_last_years_total_is_this_years_less_the_stated_change(engine: Engine):
    answer, _ = engine.ask("白沙镇2022年收入总计是多少？")
    assert (answer.found, answer.value, answer.unit) == (True, 1100.0, "万元"), answer.answer
    assert "1250.4 − 150.4 = 1100" in answer.answer and "2023年" in answer.answer
    assert any("较上年决算数增加150.40万元" in c.quote for c in answer.citations)


def test_a_change_stated_apart_from_the_figure_counts_when_it_names_the_same_thing(engine: Engine):
    answer, _ = engine.ask("白沙镇2022年三公经费是多少？")
    assert (answer.found, answer.value) == (True, 40.0), answer.answer
    assert "36.5 + 3.5 = 40" in answer.answer


def test_a_change_in_percent_is_divided_out(engine: Engine):
    answer, _ = engine.ask("白沙镇2022年机关运行经费大概多少？")
    assert (answer.found, answer.value) == (True, 100.0), answer.answer
    assert "80 ÷ (100% − 20%)" in answer.answer


def test_a_change_against_the_budget_is_no_last_years_figure(engine: Engine):
    answer, _ = engine.ask("白沙镇2022年政府采购支出是多少？")
    assert not answer.found and answer.value is None, answer.answer
    assert "45" not in answer.answer and "没有白沙镇2022年的报告" in answer.answer


def test_two_years_back_is_not_read_from_this_report(engine: Engine):
    answer, _ = engine.ask("白沙镇2021年收入总计是多少？")
    assert not answer.found and answer.value is None and "2021年的报告" in answer.answer


def test_the_reports_own_year_is_answered_as_before(engine: Engine):
    answer, _ = engine.ask("白沙镇2023年收入总计是多少？")
    assert (answer.found, answer.value) == (True, 1250.4), answer.answer


def test_a_figure_stated_for_the_year_asked_is_looked_up(engine: Engine):
    answer, _ = engine.ask("白沙镇2022年农机购置补贴结余资金有多少？")
    assert (answer.found, answer.value, answer.unit) == (True, 3.25, "万元"), answer.answer


def test_the_year_a_report_was_written_in_is_read_where_it_is_named(engine: Engine):
    answer, _ = engine.ask("白沙镇2024年获批了多少专项债券资金？")
    assert (answer.found, answer.value, answer.unit) == (True, 1.2, "亿元"), answer.answer
    refused, _ = engine.ask("白沙镇2024年收入总计是多少？")
    assert not refused.found and refused.value is None, refused.answer


def test_the_change_written_right_after_the_figure_is_its_own(engine: Engine):
    # (two figures of one unit on one line, each followed by its change; "91人" stands inside "391人" too)
    answer, _ = engine.ask("白沙镇2022年在校学生有多少人？")
    assert (answer.found, answer.value) == (True, 482.0), answer.answer
    assert "391 + 91 = 482" in answer.answer
