""" "两个服务项目的中标价各是多少": that many figures named alike, each answered with its own citation. The
report is invented; the engine runs on the fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine
from assistant.open_derive import each_counted

REPORT = """云岭县融媒体中心2023年项目支出绩效自评报告
一、项目基本情况
云岭县融媒体中心客户端升级改造项目年度预算50万元。
二、项目实施情况
云岭县融媒体中心客户端升级改造扩充服务项目中标价格31.6万元,升级改造视频直播技术对接服务项目中标价格15.2万元。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "yunling.txt", REPORT)


def test_the_question_names_how_many_and_what():
    assert each_counted("两批钱各下了多少") == ("钱下了", 2, "多少")
    assert each_counted("石川和松溪两个项目各多少钱") is None  # items named: a question of parts
    assert each_counted("两个项目一共多少钱") is None


def test_each_of_that_many_figures_named_alike(engine: Engine):
    answer, _ = engine.ask("云岭县融媒体中心升级改造两个服务项目的中标价各是多少？")
    assert answer.found and [p.value for p in answer.parts] == [31.6, 15.2], answer.answer
    assert [c.line for c in answer.citations] == [5, 5]
    # a third figure named as well would leave which two are meant unclear: nothing is guessed
    three, _ = engine.ask("云岭县融媒体中心三个服务项目的中标价各是多少？")
    assert not three.parts or len(three.parts) != 3 or not all(p.found for p in three.parts)
