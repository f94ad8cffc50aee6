"""“三公”经费 a report never totals is the sum of the three parts it does state, each cited — and no total at
all when a part is missing; a quoted name the report never says has no answer. Invented reports; fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine

THREE_PARTS = """白沙镇2022年度部门整体支出绩效自评报告
一、部门整体支出情况
2022年部门支出合计860.5万元。2022年因公出国(境)费0万元，2022年公务用车购置及运行维护费11.2万元，2022年公务接待费6.35万元。
"""
TWO_PARTS = """松溪街道2022年度部门整体支出绩效自评报告
一、部门整体支出情况
2022年部门支出合计612万元。2022年公务用车购置及运行维护费8.4万元，2022年公务接待费3.1万元。
"""


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "baisha.txt", THREE_PARTS)


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "songxi.txt", TWO_PARTS)


def test_sangong_from_its_three_stated_parts(three: Engine):
    answer, _ = three.ask("白沙镇2022年三公经费一共多少？")
    assert (answer.found, answer.value, answer.unit) == (True, 17.55, "万元"), answer.answer
    assert "0 + 11.2 + 6.35 = 17.55万元" in answer.answer and len(answer.citations) == 3


def test_no_sangong_total_when_a_part_is_missing(two: Engine):
    answer, _ = two.ask("松溪街道2022年三公经费一共多少？")
    assert not answer.found and answer.value is None, answer.answer


def test_a_quoted_name_the_report_never_says_has_no_answer(two: Engine):
    answer, _ = two.ask("松溪街道2022年“三公”经费财政拨款支出了多少？")
    assert answer.value is None and "612" not in answer.answer.split("以下是")[0], answer.answer
