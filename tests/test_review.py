"""Reviewing a report against itself: the arithmetic and tolerance with hand-made facts (fast), and the five
corpus reports (real index): 洛浦's 27,330.06 vs 27,330.07 gap is found, the rest is consistent, all cited."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from assistant.review import decimals, findings_json, indicator_tree, judge, render_review, review
from index.models import Fact, ReportMeta
from index.normalize import match_key
from index.provenance import locate

DOC = "t.txt"
META = ReportMeta(DOC, "某街道办事处", ("某街道",), None, None, None, 2021, "部门整体支出", "标题")


def fact(metric: str, value: float, text: str, quote: str, line: int = 1, item: str | None = None) -> Fact:
    unit = "%" if text.endswith("%") else "分" if text.endswith("分") else "万元"
    return Fact(DOC, META.org, 2021, metric, value, unit, quote, line, item, text, "收支情况")


def fake_engine(facts: list[Fact]) -> SimpleNamespace:
    """Just what review() reads: the facts, and a source text holding each quote on its own line."""
    quotes = list(dict.fromkeys(f.quote for f in facts))
    placed = [replace(f, line=quotes.index(f.quote) + 1) for f in facts]
    source = "\n".join(quotes)
    return SimpleNamespace(facts=placed, store=SimpleNamespace(source_text=lambda doc: source))


@pytest.mark.parametrize(
    ("computed", "text", "verdict"),
    [
        (27330.07, "27,330.07万元", "consistent"),
        (27330.06, "27,330.07万元", "rounding"),  # one unit of the last digit
        (27330.05, "27,330.07万元", "inconsistent"),
        (82.2355, "82.2%", "consistent"),  # rounds to the stated precision
        (82.27, "82.2%", "rounding"),  # within one unit of the last digit (0.1)
        (82.35, "82.2%", "inconsistent"),
        (100.0, "100.0%", "consistent"),
        (91.3, "91.3分", "consistent"),
        (0.004, "0分", "consistent"),
        (0.6, "0分", "rounding"),
        (2.0, "0分", "inconsistent"),
    ],
)
def test_tolerance_is_measured_against_the_stated_precision(computed, text, verdict):
    stated = fact("x", float(text.rstrip("%分万元").replace(",", "")), text, "q")
    assert judge(computed, stated)[0] == verdict


def test_decimals_follow_the_figure_as_written():
    assert decimals(fact("x", 82.2, "82.2%", "q")) == 1
    assert decimals(fact("x", 27330.07, "27,330.07万元", "q")) == 2
    assert decimals(fact("x", 100.0, "100分", "q")) == 0
    assert decimals(fact("x", 2.5, "", "q")) == 1


def test_parts_against_totals_and_rates_against_their_inputs():
    income = "财政拨款收入合计27,330.07万元。"
    parts = "其中：一般公共预算财政拨款收入17,475.38万元，政府性基金预算财政拨款收入9,854.68万元。"
    budget = "全年预算数34542.27万元，执行数28405.91万元，完成预算的82.2%。"
    spending = "基本支出3000万元，项目支出405.91万元。"
    facts = [
        fact("财政拨款收入", 27330.07, "27,330.07万元", income),
        fact("一般公共预算财政拨款收入", 17475.38, "17,475.38万元", parts),
        fact("政府性基金预算财政拨款收入", 9854.68, "9,854.68万元", parts),
        fact("全年预算数", 34542.27, "34542.27万元", budget),
        fact("执行数", 28405.91, "28405.91万元", budget),
        fact("预算执行率", 82.2, "82.2%", budget),
        fact("基本支出", 3000.0, "3000万元", spending),
        fact("项目支出", 405.91, "405.91万元", spending),
    ]
    found = {f.check: f for f in review(fake_engine(facts), META)}
    assert set(found) == {"预算执行率", "财政拨款收入构成", "支出构成"}
    gap = found["财政拨款收入构成"]
    assert gap.verdict == "rounding" and gap.computed == pytest.approx(27330.06)
    assert gap.difference == pytest.approx(-0.01) and gap.stated.value == 27330.07
    assert [f.metric for f in gap.inputs] == ["一般公共预算财政拨款收入", "政府性基金预算财政拨款收入"]
    assert "27,330.06万元" in gap.formula and "尾差" in gap.message
    assert found["预算执行率"].verdict == "consistent" and "82.24%" in found["预算执行率"].formula
    wrong = found["支出构成"]  # 3000 + 405.91 = 3405.91, not 28405.91
    assert wrong.verdict == "inconsistent" and wrong.difference == pytest.approx(-25000.0)
    assert {c.quote for c in gap.citations} == {income, parts}
    text = render_review(META, list(found.values()))
    assert "共3项核对，1项一致，1项存在尾差，1项不一致" in text


def _scores() -> list[Fact]:
    total = "自评得分91.46分。"
    head_a = "4.绩效管理。该项指标分值15分，本次自评得分9分。"
    head_b = "5.采购管理。该项指标分值10分，本次自评得分10分。"
    rows = {
        "绩效管理制度建设": ("1绩效管理制度建设5 0未完成。", 5, 0),
        "绩效结果应用": ("2绩效结果应用3 3", 3, 3),
    }
    facts = [
        fact("自评得分", 91.46, "91.46分", total),
        fact("指标分值", 15, "15分", head_a, item="绩效管理"),
        fact("指标得分", 9, "9分", head_a, item="绩效管理"),
    ]
    for item, (quote, weight, score) in rows.items():
        facts += [
            fact("指标分值", weight, str(weight), quote, item=item),
            fact("指标得分", score, str(score), quote, item=item),
        ]
    return facts + [
        fact("指标分值", 10, "10分", head_b, item="采购管理"),
        fact("指标得分", 10, "10分", head_b, item="采购管理"),
    ]


def test_indicator_rows_belong_to_the_enumerated_indicator_above_them():
    engine = fake_engine(_scores())
    roots = indicator_tree(engine.facts)
    assert [r.item for r in roots] == ["绩效管理", "采购管理"]
    assert [k.item for k in roots[0].children] == ["绩效管理制度建设", "绩效结果应用"] and not roots[
        1
    ].children
    assert roots[0].short_of_weight and roots[0].children[0].short_of_weight
    assert not roots[0].children[1].short_of_weight


def test_score_parts_against_their_totals():
    found = {f.check: f for f in review(fake_engine(_scores()), META)}
    # 9 + 10 = 19 ≠ 91.46: the parts listed do not make up the total score
    assert found["自评得分构成"].verdict == "inconsistent"
    # 0 + 3 = 3 ≠ 9 (rows do not add up to their indicator's score); weights 5 + 3 = 8 ≠ 15 either
    assert found["指标得分构成：绩效管理"].verdict == "inconsistent"
    assert found["指标分值构成：绩效管理"].verdict == "inconsistent"
    assert found["指标得分构成：绩效管理"].computed == 3


def test_a_score_above_its_weight_is_inconsistent():
    quote = "1.资产管理。该项指标分值10分，本次自评得分12分。"
    facts = [
        fact("指标分值", 10, "10分", quote, item="资产管理"),
        fact("指标得分", 12, "12分", quote, item="资产管理"),
    ]
    (finding,) = review(fake_engine(facts), META)
    assert finding.check == "指标得分不超过分值：资产管理" and finding.verdict == "inconsistent"


# ---- the five corpus reports ----------------------------------------------------------------------------
UNITS = ("洛浦街", "小谷围", "永平", "南洲", "区府办")


@pytest.mark.slow
@pytest.mark.integration
def test_review_finds_luopu_rounding_gap_and_the_rest_consistent(engine):
    from assistant.draft import resolve_unit

    gaps = []
    for name in UNITS:
        meta = resolve_unit(engine, name)
        findings = review(engine, meta)
        assert findings, name
        source = engine.store.source_text(meta.doc)
        for finding in findings:
            # each check cites its inputs and the stated figure, verifiably
            quotes = {match_key(c.quote) for c in finding.citations}
            assert all(match_key(f.quote) in quotes for f in (*finding.inputs, finding.stated))
            for c in finding.citations:
                assert locate(source, c.quote, c.line) is not None
            if finding.verdict != "consistent":
                gaps.append((name, finding))
        assert findings_json(meta, findings)["findings"]
    assert {(name, f.check, f.verdict) for name, f in gaps} == {
        ("洛浦街", "财政拨款收入构成", "rounding"),
        ("洛浦街", "财政拨款支出构成", "rounding"),  # the same parts, stated again for expenditure
    }
    income = next(f for name, f in gaps if f.check == "财政拨款收入构成")
    assert income.stated.value == 27330.07 and income.computed == pytest.approx(27330.06)
    assert sorted(f.value for f in income.inputs) == [9854.68, 17475.38]
    assert income.difference == pytest.approx(-0.01)


@pytest.mark.slow
@pytest.mark.integration
def test_review_checks_rates_and_score_structure(engine):
    checks = {f.check: f for f in review(engine, "南洲")}
    assert checks["预算执行率"].verdict == "consistent"
    assert checks["自评得分构成"].computed == pytest.approx(91.46)
    assert checks["指标得分构成：资产管理"].computed == pytest.approx(7.5)
    assert checks["指标分值构成：绩效管理"].computed == pytest.approx(15)
    office = {f.check: f for f in review(engine, "区府办")}
    assert office["指标得分构成：管理效能"].computed == pytest.approx(44.21)
    assert office["支出构成"].verdict == "consistent"
