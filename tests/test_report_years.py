"""Which report answers a year asked: one that names no year of its own may be the one, and a year asked is
answered with that year's figure, not a total run up over the years. The report is invented; fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine

REPORT = """松溪新区科创园建设工程项目绩效自评情况
一、项目概况
该项目位于松溪新区北园，计划总投资6.2亿元，用地3.1万平方米。
二、资金情况
当年，该项目成功获批1.5亿元政府专项债券资金，已全额完成支付。截至目前，该项目累计获批政府专项债券资金4.6亿元。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "songxi_kechuang.txt", REPORT)


def test_a_report_naming_no_year_answers_a_question_naming_one(engine: Engine):
    assert engine.metas[0].year is None
    answer, _ = engine.ask("松溪新区科创园项目2024年总投资多少？")
    assert (answer.found, answer.value, answer.unit) == (True, 6.2, "亿元"), answer.answer
    assert "没有" not in answer.answer


def test_a_running_total_does_not_answer_for_one_year(tmp_path_factory: pytest.TempPathFactory):
    dated = REPORT.replace("绩效自评情况", "2024年度绩效自评情况").replace("当年，", "2024年，")
    engine = engine_of_text(tmp_path_factory, "songxi_kechuang24.txt", dated)
    answer, _ = engine.ask("松溪新区科创园项目2024年批了多少专项债？")
    assert answer.value in (1.5, None), answer.answer  # that year's, or none: never the running total
    answer, _ = engine.ask("松溪新区科创园项目累计获批多少专项债？")
    assert (answer.found, answer.value) == (True, 4.6), answer.answer
