"""A project form a PDF ran into one line ("计划安排资金(万元)实际到位资金(万元)64实际支出(万元)…"), and a unit
asked by a shortened name its report never uses ("文旅广电局" for 文化旅游广电局): the field is read with the
unit it states, and the name is who is asked about, not what. The report is invented; fake embedder."""

from __future__ import annotations

import pytest
from conftest import engine_of_text

from assistant.engine import Engine
from index.figures import _run_fields

REPORT = """青禾县文化旅游广电局2022年度项目支出绩效自评报告
项目名称乡村文化站运行保障经费项目单位青禾县文化旅游广电局主管部门青禾县人民政府项目起止时间2022年1月起至2022年12月止计划安排资金(万元)实际到位资金(万元)64实际支出(万元)58+3结余(万元)其中:中央财政
一、项目基本概况
乡村文化站运行保障经费用于全县乡镇文化站日常运行,全年组织送戏下乡演出42场。
二、存在的问题
部分文化站设备老化。
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return engine_of_text(tmp_path_factory, "qinghe_wenlv22.txt", REPORT)


def test_a_field_that_states_its_unit_is_read_when_the_next_field_follows_at_once():
    line = "计划安排资金(万元)实际到位资金(万元)64实际支出(万元)58+3结余(万元)其中"
    read = [(f.label, f.value, f.unit, f.quote) for f in _run_fields("d.txt", line, 3)]
    # 58+3 is OCR residue, not a value; a field with no value reads nothing
    assert read == [("实际到位资金", 64.0, "万元", "实际到位资金(万元)64")]


def test_a_header_row_of_units_then_values_is_no_field_run():
    assert (
        list(_run_fields("d.txt", "年初预算数(万元) 全年预算数(万元) 全年执行数(万元) 64.8 64.8 60", 1)) == []
    )
    assert list(_run_fields("d.txt", "年初预算数(万元)全年预算数(万元)64.864.8 50", 1)) == []


def test_a_unit_asked_by_a_short_name_is_not_taken_for_what_is_asked(engine: Engine):
    answer, parsed = engine.ask("青禾县文旅广电局实际到位资金多少钱？")
    assert "文旅" not in (parsed.asked or ""), parsed.asked
    assert (answer.found, answer.value, answer.unit) == (True, 64.0, "万元"), answer.answer
    assert "实际到位资金(万元)64" in answer.citations[0].quote


def test_a_name_matched_in_part_leaves_none_of_itself_in_the_question(engine: Engine):
    _, parsed = engine.ask("青禾县文旅广电局送戏下乡演出了多少场？")
    assert parsed.asked is not None and "局" not in parsed.asked, parsed.asked
