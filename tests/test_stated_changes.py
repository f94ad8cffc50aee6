"""Changes against last year as a report states them (assistant/passages.stated_changes): last year's figure is
computed from an amount and its change, or from a rate and its change in 个百分点 — never from a rate and a
change in %, which is the amount's. Sentences are invented."""

from __future__ import annotations

from assistant.passages import stated_changes
from index.models import Chunk


def _chunk(text: str) -> Chunk:
    return Chunk("c1", "r.txt", "青禾镇", 2022, ("一、收支情况",), None, text, 1, 1)


def test_an_amount_and_its_change_give_last_years_amount():
    (c,) = stated_changes(
        [_chunk("全镇一般公共预算支出1,520.30万元，比上年减少210.5万元。")], ["一般公共预算支出"]
    )
    assert (c.value, c.unit, c.change, c.change_unit) == (1520.3, "万元", -210.5, "万元")


def test_a_rate_and_its_change_in_points():
    (c,) = stated_changes([_chunk("预算执行率为96.2%，比上年提高1.5个百分点。")], ["预算执行率"])
    assert (c.value, c.change) == (96.2, 1.5)


def test_a_rate_followed_by_a_change_in_percent_gives_no_last_year():
    chunk = _chunk("全镇一般公共预算支出2,034.16万元,为年初预算的112.4%,比上年降低18.6%。")
    assert stated_changes([chunk], ["一般公共预算支出"]) == []
