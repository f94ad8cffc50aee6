"""A sum asked that the report states as a total ("共计下达中央、省级补助资金1250万元") is answered with it — only
when the total names the parts asked: "各级财政共投入…" is more than 中央 + 省级. Invented reports; fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine

PARTS_NAMED = """石川县民政局2024年度转移支付资金绩效自评报告
一、绩效目标分解下达情况
2024年共计下达中央、省级补助资金1250万元，用于困难群众救助。
"""
ALL_LEVELS = """青禾市2023年度衔接推进乡村振兴补助资金绩效自评报告
一、资金投入情况
2023年青禾市共投入各级财政衔接推进乡村振兴补助资金2380万元，全部用于产业发展和基础设施。
"""


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "shichuan.txt", PARTS_NAMED)


@pytest.fixture(scope="module")
def all_levels(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "qinghe.txt", ALL_LEVELS)


def test_a_total_naming_the_parts_asked_answers_their_sum(named: Engine):
    answer, _ = named.ask("石川县民政局中央和省级补助资金一共下达了多少？")
    assert (answer.found, answer.value) == (True, 1250.0), answer.answer


def test_a_total_of_every_level_is_not_the_sum_of_two(all_levels: Engine):
    answer, _ = all_levels.ask("青禾市2023年衔接资金里中央和省级加起来多少？")
    assert answer.value != 2380.0 and "2380" not in answer.answer, answer.answer


PARTS_IN_ONE_ROW = """松溪县文物局2020年项目支出绩效自评报告
一、项目基本情况
松溪文庙管护项目由县文物局实施，全年开放参观，接待游客并做好文物日常保养和安全巡查工作。
二、绩效指标完成情况
三级指标 | 指标值 | 全年实际完成值
聘用讲解员、保洁员以及安保人员 | 21人 | 21人
门票收入 | 38万元 | 41万元
"""


@pytest.fixture(scope="module")
def one_row(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "songxi.txt", PARTS_IN_ONE_ROW)


def test_the_one_figure_of_a_row_naming_the_parts_together_is_their_total(one_row: Engine):
    answer, _ = one_row.ask("松溪县文物局聘用讲解员、保洁员和安保人员一共多少人？")
    assert (answer.found, answer.value) == (True, 21.0), answer.answer
