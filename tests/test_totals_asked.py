"""Totals asked of one report: “三公”经费 a report never totals is the sum of the three parts it does state, each
cited (no total when a part is missing); "一共多少" naming no parts is the report's own total, also in a report dated
the next year; a quoted name the report never says has no answer. Invented reports; fake embedder."""

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

TOTAL_STATED = """白沙乡2024年度部门整体支出绩效自评报告
一、部门整体支出情况
白沙乡2024年共支出812.4万元。其中基本支出503.2万元,项目支出309.2万元。
二、绩效目标完成情况
全年完成农村人居环境整治任务,群众满意度达到95%以上,各项工作按计划推进。
三、存在的问题
部分项目资金支付进度偏慢,绩效目标设置不够细化,需要进一步加强预算绩效管理。
"""
PUBLISHED_NEXT_YEAR = """石川区财政局彩票公益金绩效自评报告
发布日期:2025年6月27日
一、彩票公益金分配情况
2024年省财政下达我区中央专项彩票公益金支持社会公益项目资金360万元,已分配下达到项目建设单位。
二、项目实施情况
各项目按照年初计划组织实施,资金使用符合彩票公益金管理办法的规定,项目进度总体正常。
三、存在的问题
个别项目前期工作准备不足,开工时间推迟,资金拨付进度较慢。
"""
REPORTS = {
    "baisha.txt": THREE_PARTS,
    "songxi.txt": TWO_PARTS,
    "baishaxiang.txt": TOTAL_STATED,
    "shichuan_cp.txt": PUBLISHED_NEXT_YEAR,
}


@pytest.fixture(scope="module")
def engine_for(tmp_path_factory: pytest.TempPathFactory):
    """One engine per invented report, built the first time a test asks for it."""
    built: dict[str, Engine] = {}

    def get(name: str) -> Engine:
        if name not in built:
            built[name] = engine_of_text(tmp_path_factory, name, REPORTS[name])
        return built[name]

    return get


def test_sangong_from_its_three_stated_parts(engine_for):
    answer, _ = engine_for("baisha.txt").ask("白沙镇2022年三公经费一共多少？")
    assert (answer.found, answer.value, answer.unit) == (True, 17.55, "万元"), answer.answer
    assert "0 + 11.2 + 6.35 = 17.55万元" in answer.answer and len(answer.citations) == 3


def test_no_sangong_total_when_a_part_is_missing(engine_for):
    answer, _ = engine_for("songxi.txt").ask("松溪街道2022年三公经费一共多少？")
    assert not answer.found and answer.value is None, answer.answer


def test_a_quoted_name_the_report_never_says_has_no_answer(engine_for):
    answer, _ = engine_for("songxi.txt").ask("松溪街道2022年“三公”经费财政拨款支出了多少？")
    assert answer.value is None and "612" not in answer.answer.split("以下是")[0], answer.answer


def test_a_total_asked_with_yigong_and_no_parts_is_the_reports_own(engine_for):
    answer, _ = engine_for("baishaxiang.txt").ask("白沙乡全年一共花了多少钱？")
    assert (answer.found, answer.value) == (True, 812.4), answer.answer


def test_a_total_stated_for_the_year_asked_in_a_report_dated_the_next(engine_for):
    answer, _ = engine_for("shichuan_cp.txt").ask("石川区2024年拿到的中央专项彩票公益金一共多少？")
    assert (answer.found, answer.value) == (True, 360.0), answer.answer
