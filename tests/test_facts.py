"""Fact extraction: synthetic sentences for each rule and guard, then the real corpus (anchors, quotes that
stand in the source at their line, nothing invented)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from index.facts import extract_facts, parse_amount
from index.loaders import load_document
from index.metrics import BY_NAME
from index.models import Fact, RawDocument, Report, SourceLine
from index.normalize import match_key
from index.provenance import quote_is_verbatim
from index.structure import parse_report

TITLE = "广州市某某区人民政府某某街道办事处{year}年部门整体支出绩效自评报告"


def report_of(body: str, year: int = 2021, section: str = "（三）部门整体收支情况") -> Report:
    text = "\n".join([TITLE.format(year=year), "", "一、基本情况", "", section, "", body])
    lines = [SourceLine(i + 1, t) for i, t in enumerate(text.split("\n"))]
    return parse_report(RawDocument("t.txt", "txt", lines, "sha"))


def got(body: str, **kw: object) -> set[tuple[str, str | None, float, str]]:
    return {(f.metric, f.item, f.value, f.unit) for f in extract_facts(report_of(body, **kw))}


# ---- parse_amount -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27,330.07万元", (27330.07, "万元")),
        ("0.64万元", (0.64, "万元")),
        ("1.2亿元", (1.2, "亿元")),
        ("94.96%", (94.96, "%")),
        ("94.96％", (94.96, "%")),
        ("16898.11 万元", (16898.11, "万元")),
        ("0.64 万 元", (0.64, "万元")),
        ("91.3分", (91.3, "分")),
        ("12个", (12.0, "个")),
        ("27.24", (27.24, "")),
    ],
)
def test_parse_amount(text: str, expected: tuple[float, str]) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize("text", ["", "约", "百分之九十", "27.24万元左右", "2021年"])
def test_parse_amount_rejects(text: str) -> None:
    assert parse_amount(text) is None


# ---- sentence rules ---------------------------------------------------------------------------------
def test_budget_execution_rate() -> None:
    assert got("全年预算数34542.27万元，执行数28405.91万元，完成预算的82.2%。") == {
        ("全年预算数", None, 34542.27, "万元"),
        ("执行数", None, 28405.91, "万元"),
        ("预算执行率", None, 82.2, "%"),
    }


def test_adjustment_rate() -> None:
    assert got("预算调整率为3.5%。") == {("预算调整率", None, 3.5, "%")}


def test_change_after_figure_is_not_a_figure() -> None:
    assert got("三公经费支出12.3万元，比上年下降5%。") == {("三公经费", None, 12.3, "万元")}
    assert got("“三公”经费支出27.90万元，比年初预算数减少0.64万元，下降2.24%。") == {
        ("三公经费", None, 27.9, "万元")
    }


def test_sangong_budget_is_not_the_department_budget() -> None:
    assert got("“三公”经费预算数为30万元，实际支出27.9万元。") == {
        ("三公经费预算数", None, 30.0, "万元"),
        ("三公经费", None, 27.9, "万元"),
    }


def test_income_parts_and_all_of() -> None:
    assert got(
        "财政拨款收入合计27,330.07万元。其中：一般公共预算财政拨款收入17,475.38万元，政府性基金预算财政拨款收入9,854.68万元。"
    ) == {
        ("财政拨款收入", None, 27330.07, "万元"),
        ("一般公共预算财政拨款收入", None, 17475.38, "万元"),
        ("政府性基金预算财政拨款收入", None, 9854.68, "万元"),
    }
    assert got("本年度财政下达预算收入指标3982.33万元，均为一般公共预算财政拨款收入。") == {
        ("全年预算数", None, 3982.33, "万元"),
        ("一般公共预算财政拨款收入", None, 3982.33, "万元"),
        ("财政拨款收入", None, 3982.33, "万元"),
    }


def test_respectively() -> None:
    assert got("全年预算数、执行数分别为1,000万元、900万元，预算执行率为90%。") == {
        ("全年预算数", None, 1000.0, "万元"),
        ("执行数", None, 900.0, "万元"),
        ("预算执行率", None, 90.0, "%"),
    }


@pytest.mark.parametrize(
    "body",
    [
        "2021年前三季度，完成地区生产总值642198万元，完成财政收入24076万元，同比增长6.2%。",
        "实现税收收入22232万元，同比增长7.1%；完成固定资产投资额14.9亿元。",
        "上年预算执行率为90%，执行数为800万元。",
        "2020年全年预算数1000万元，执行数900万元。",
        "预计全年预算执行率可达98%。",
        "目标预算执行率100%。",
        "政府采购预算100万元，实际采购90万元，执行率90%。",
        "预算执行率达到95%以上。",
        "扣分原因为预算执行率和政府采购执行率未达100%，分别扣0.74分和0.05分。",
        "新建工会10家，完成率200%。",
        "在全市考核中得分98分。",
        "共涉及资金24957.99万元，其中500万以上的项目9项。",
        "基本支出执行率为95%。",
    ],
)
def test_guards(body: str) -> None:
    assert got(body) == set()


def test_overall_scores() -> None:
    assert got(
        "本部门整体支出绩效自评总分100分，得分91.3分，其中：管理效能总分45分，得分42.3分；履职效能总分50分，得分49分。",
        section="（一）自评结论",
    ) == {
        ("自评总分值", None, 100.0, "分"),
        ("自评得分", None, 91.3, "分"),
        ("指标分值", "管理效能", 45.0, "分"),
        ("指标得分", "管理效能", 42.3, "分"),
        ("指标分值", "履职效能", 50.0, "分"),
        ("指标得分", "履职效能", 49.0, "分"),
    }
    assert got("部门整体支出绩效自评得分为92.5分（满分100分）。", section="（一）自评结论") == {
        ("自评得分", None, 92.5, "分"),
        ("自评总分值", None, 100.0, "分"),
    }


def test_indicator_named_by_its_title() -> None:
    body = "4.绩效管理。该项指标分值15分，本次自评得分9分，得分率为60%。"
    assert got(body, section="（三）管理效率分析") == {
        ("指标分值", "绩效管理", 15.0, "分"),
        ("指标得分", "绩效管理", 9.0, "分"),
    }


def test_parts_kept_when_they_add_up() -> None:
    body = "1.管理效能方面，总分45分。其中，资金管理15.26分、采购管理1.95分、绩效管理28分，本项得分45.21分。"
    facts = got(body, section="（一）自评综述")
    assert ("指标得分", "资金管理", 15.26, "分") in facts
    assert ("指标分值", "管理效能", 45.0, "分") in facts
    # parts that add up to nothing stated are not read (they might be points or scores)
    odd = "1.管理效能方面，总分45分。其中，资金管理15分、采购管理2分，本项得分44分。"
    assert not {f for f in got(odd, section="（一）自评综述") if f[1] in ("资金管理", "采购管理")}


def test_project_rows_in_text() -> None:
    body = "重点项目：出租屋管理专项年初预算数908.18万元；实际支出数908.18万元，执行率100%；环卫保洁专项年初预算数300万元；实际支出数299.97万元，执行率99.99%。"
    assert got(body, section="（四）各重点任务项目支出完成情况分析") == {
        ("项目预算数", "出租屋管理专项", 908.18, "万元"),
        ("项目支出数", "出租屋管理专项", 908.18, "万元"),
        ("项目执行率", "出租屋管理专项", 100.0, "%"),
        ("项目预算数", "环卫保洁专项", 300.0, "万元"),
        ("项目支出数", "环卫保洁专项", 299.97, "万元"),
        ("项目执行率", "环卫保洁专项", 99.99, "%"),
    }


def test_project_score() -> None:
    body = "2021年度“拆违经费”项目的产出基本完成。经综合评价，评定2021年度某某街道办事处拆违经费项目绩效评价得分为82.26分，评价等级为“良”。"
    assert got(body, section="（三）各重点任务项目支出完成情况分析") == {
        ("项目评价得分", "拆违经费", 82.26, "分")
    }


def test_pipe_table_with_header() -> None:
    body = "\n".join(
        [
            "单位：万元",
            "",
            "| 项目名称 | 预算数 | 支出数 | 执行率 |",
            "| --- | --- | --- | --- |",
            "| 城市管理经费 | 210.62 | 200.10 | 95.01% |",
            "| 合计 | 210.62 | 200.10 | 95.01% |",
        ]
    )
    assert got(body, section="（三）各重点任务项目支出完成情况分析") == {
        ("项目预算数", "城市管理经费", 210.62, "万元"),
        ("项目支出数", "城市管理经费", 200.1, "万元"),
        ("项目执行率", "城市管理经费", 95.01, "%"),
    }


def test_a_total_row_first_with_its_breakdown_is_the_departments() -> None:
    body = "\n".join(
        [
            "| 项目 | 全年预算数（万元） | 全年执行数（万元） | 预算执行率 |",
            "| 合计 | 3,580.20 | 3,402.66 | 95.04% |",
            "| 其中：基本支出 | 2,113.90 | 2,101.38 | 99.41% |",
            "| 其中：项目支出 | 1,466.30 | 1,301.28 | 88.75% |",
        ]
    )
    assert got(body) == {
        ("全年预算数", None, 3580.2, "万元"),
        ("执行数", None, 3402.66, "万元"),
        ("预算执行率", None, 95.04, "%"),
        ("基本支出", None, 2101.38, "万元"),
        ("项目支出", None, 1301.28, "万元"),
    }
    # a 合计 under the projects it sums is no department figure
    projects = "\n".join(
        ["| 项目名称 | 预算数（万元） | 支出数（万元） |", "| 城市管理经费 | 210.62 | 200.10 |"]
    )
    assert ("全年预算数", None, 210.62, "万元") not in got(projects + "\n| 合计 | 210.62 | 200.10 |")


def test_table_without_unit_gives_no_money() -> None:
    body = "| 项目名称 | 预算数 | 支出数 |\n| 城市管理经费 | 210.62 | 200.10 |"
    assert got(body) == set()


def test_self_evaluation_table() -> None:
    body = "\n".join(
        [
            "单位：万元",
            "",
            "| 指标 | 年初预算数 | 全年预算数 | 全年执行数 | 执行率 | 分值 | 得分 |",
            "| 年度资金总额 | 1000 | 1200 | 1150 | 95.83% | 10 | 9.58 |",
            "| 其中：当年财政拨款 | 900 | 1100 | 1080 | 98.18% | 10 | 9.8 |",
            "| 主管部门 | 某某局 | 自评总分(分) | 97.6 |",
        ]
    )
    assert got(body) == {
        ("年初预算数", None, 1000.0, "万元"),
        ("全年预算数", None, 1200.0, "万元"),
        ("执行数", None, 1150.0, "万元"),
        ("预算执行率", None, 95.83, "%"),
        ("自评得分", None, 97.6, "分"),
    }


def test_more_phrasings() -> None:
    assert got("综合评价得分为92分，等级为优。", section="（一）自评结论") == {("自评得分", None, 92.0, "分")}
    assert got(
        "2021年度本单位基本支出总额为1,234.56万元，其中：人员经费1000万元。项目支出总额为500万元。"
    ) == {
        ("基本支出", None, 1234.56, "万元"),
        ("项目支出", None, 500.0, "万元"),
    }
    assert got("单位整体支出绩效自评得分为88.6分；其中预算执行率得分9.5分。", section="（一）自评结论") == {
        ("自评得分", None, 88.6, "分"),
        ("指标得分", "预算执行率", 9.5, "分"),
    }
    assert got(
        "年初预算数为1200万元，调整后预算数为1500万元，全年执行数为1450万元，预算执行率为96.67%。"
    ) == {
        ("年初预算数", None, 1200.0, "万元"),
        ("全年预算数", None, 1500.0, "万元"),
        ("执行数", None, 1450.0, "万元"),
        ("预算执行率", None, 96.67, "%"),
    }
    # a rate compared with last year is still this year's rate; last year's own rate is not
    assert got("预算执行率96.67%，较上年提高3个百分点。2020年预算执行率为93%。") == {
        ("预算执行率", None, 96.67, "%")
    }
    # not projects: words of the figure itself, a bare kind of money
    assert got("调整预算后项目预算861.46万元。专项资金执行率为90%。项目预算执行率为96%。") == set()


def test_flattened_score_table() -> None:
    body = "\n".join(
        [
            "4.绩效管理。该项指标分值15分，本次自评得分9分。",
            "",
            "序号指标名称指标分值指标得分实际完成值",
            "1 绩效管理制度建设 5 0 未完成。",
            "",
            "2 绩效结果应用 3 3 已应用。",
        ]
    )
    facts = got(body, section="（三）管理效率分析")
    assert {("指标分值", "绩效管理制度建设", 5.0, "分"), ("指标得分", "绩效管理制度建设", 0.0, "分")} <= facts
    assert {("指标分值", "绩效结果应用", 3.0, "分"), ("指标得分", "绩效结果应用", 3.0, "分")} <= facts


def test_same_figure_twice_is_one_fact_from_the_budget_section() -> None:
    body = "全年预算数100万元，执行数90万元。\n\n二、综合评价分析\n\n（三）管理效率分析\n\n全年预算数100万元，执行数90万元。"
    facts = extract_facts(report_of(body))
    assert sorted(f.metric for f in facts) == ["全年预算数", "执行数"]
    assert all("收支情况" in f.section for f in facts)


def test_no_score_when_none_is_stated() -> None:
    assert not {f for f in got("全年预算数100万元，执行数100万元，完成预算的100.0%。") if "得分" in f[0]}


# ---- the corpus -------------------------------------------------------------------------------------
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DOCS = sorted(p.name for p in CORPUS.glob("*.txt"))


@cache
def corpus_facts(name: str) -> tuple[Report, tuple[Fact, ...]]:
    report = parse_report(load_document(CORPUS / name))
    return report, tuple(extract_facts(report))


def has(name: str, metric: str, value: float, item: str | None = None, unit: str | None = None) -> bool:
    _, facts = corpus_facts(name)
    return any(
        f.metric == metric
        and f.item == item
        and abs(f.value - value) < 1e-6
        and (unit is None or f.unit == unit)
        for f in facts
    )


ANCHORS = {
    "000_dfbd2fd614bc8960.txt": [
        ("全年预算数", 34542.27, None, "万元"),
        ("执行数", 28405.91, None, "万元"),
        ("预算执行率", 82.2, None, "%"),
        ("自评得分", 91.92, None, "分"),
        ("财政拨款收入", 27330.07, None, "万元"),
        ("一般公共预算财政拨款收入", 17475.38, None, "万元"),
        ("政府性基金预算财政拨款收入", 9854.68, None, "万元"),
        ("财政拨款支出", 27330.07, None, "万元"),
        ("一般公共预算财政拨款支出", 17475.38, None, "万元"),
        ("政府性基金预算财政拨款支出", 9854.68, None, "万元"),
        ("项目评价得分", 82.26, "拆违经费", "分"),
        ("项目评价得分", 87.62, "市政环卫保洁及公园绿化养护经费", "分"),
        ("项目评价得分", 86.8, "市政设施建设及维护经费-提升人居环境质量", "分"),
    ],
    "001_f87c70ec8dc77d67.txt": [
        ("全年预算数", 24957.99, None, "万元"),
        ("执行数", 24957.99, None, "万元"),
        ("预算执行率", 100.0, None, "%"),
        ("项目预算数", 27.24, "业务工作经费（武装）", "万元"),
        ("项目支出数", 27.24, "业务工作经费（武装）", "万元"),
        ("项目预算数", 5.59, "社会事务业务工作经费", "万元"),
        ("项目支出数", 214.44, "新型冠状病毒肺炎疫情防控专项经费", "万元"),
        ("项目预算数", 3516.48, "市政环卫保洁及公园绿化养护经费(市政)", "万元"),
        ("项目预算数", 210.62, "业务工作经费（城管科）", "万元"),
        ("项目支出数", 229.96, "河涌整治工程项目", "万元"),
        ("项目预算数", 3516.48, "市政环卫保洁及公园绿化养护经费", "万元"),
    ],
    "002_9970a3a3f795190b.txt": [
        ("全年预算数", 16898.11, None, "万元"),
        ("执行数", 16045.66, None, "万元"),
        ("预算执行率", 94.96, None, "%"),
        ("自评得分", 91.3, None, "分"),
        ("自评总分值", 100.0, None, "分"),
        ("指标分值", 45.0, "管理效能", "分"),
        ("指标得分", 42.3, "管理效能", "分"),
        ("指标分值", 50.0, "履职效能", "分"),
        ("指标得分", 49.0, "履职效能", "分"),
        ("项目预算数", 908.18, "出租屋管理专项", "万元"),
        ("项目支出数", 908.18, "出租屋管理专项", "万元"),
        ("项目执行率", 100.0, "出租屋管理专项", "%"),
        ("项目预算数", 300.0, "环卫保洁专项", "万元"),
        ("项目支出数", 299.97, "环卫保洁专项", "万元"),
        ("项目执行率", 99.99, "环卫保洁专项", "%"),
    ],
    "003_ceb9afcdf1314de4.txt": [
        ("全年预算数", 23135.18, None, "万元"),
        ("执行数", 23033.06, None, "万元"),
        ("预算执行率", 99.56, None, "%"),
        ("自评得分", 91.46, None, "分"),
        ("自评总分值", 100.0, None, "分"),
        ("指标分值", 15.0, "绩效管理", "分"),
        ("指标得分", 9.0, "绩效管理", "分"),
        ("指标分值", 10.0, "部门预算资金支出率", "分"),
        ("指标得分", 9.96, "部门预算资金支出率", "分"),
        ("指标分值", 10.0, "资产管理", "分"),
        ("指标得分", 7.5, "资产管理", "分"),
        ("指标分值", 5.0, "绩效管理制度建设", "分"),
        ("指标得分", 0.0, "绩效管理制度建设", "分"),
        ("指标分值", 7.0, "绩效管理制度执行", "分"),
        ("指标得分", 6.0, "绩效管理制度执行", "分"),
        ("指标分值", 1.0, "资产盘点情况", "分"),
        ("指标得分", 0.0, "资产盘点情况", "分"),
        ("指标分值", 2.0, "资产管理合规性", "分"),
        ("指标得分", 0.5, "资产管理合规性", "分"),
        ("指标得分", 0.5, "采购意向公开合规性", "分"),
        ("指标得分", 3.0, "新增预算项目事前绩效评估", "分"),
        ("结转结余率", 2.33, None, "%"),
        ("三公经费", 27.9, None, "万元"),
    ],
    "004_99d524f8eeb46081.txt": [
        ("全年预算数", 3982.33, None, "万元"),
        ("财政拨款收入", 3982.33, None, "万元"),
        ("一般公共预算财政拨款收入", 3982.33, None, "万元"),
        ("执行数", 3752.63, None, "万元"),
        ("预算执行率", 94.23, None, "%"),
        ("基本支出", 3260.92, None, "万元"),
        ("项目支出", 491.71, None, "万元"),
        ("自评得分", 94.21, None, "分"),
        ("预算调整率", 5.77, None, "%"),
        ("指标分值", 45.0, "管理效能", "分"),
        ("指标得分", 44.21, "管理效能", "分"),
        ("指标得分", 15.26, "资金管理", "分"),
        ("指标得分", 1.95, "采购管理", "分"),
        ("指标分值", 50.0, "履职效能", "分"),
    ],
}


@pytest.mark.integration
@pytest.mark.parametrize(
    ("name", "metric", "value", "item", "unit"), [(n, *a) for n, rows in ANCHORS.items() for a in rows]
)
def test_corpus_anchor(
    corpus_dir: Path, name: str, metric: str, value: float, item: str | None, unit: str
) -> None:
    _, facts = corpus_facts(name)
    assert has(name, metric, value, item, unit), [f for f in facts if f.metric == metric]


@pytest.mark.integration
def test_corpus_project_table_is_complete(corpus_dir: Path) -> None:
    _, facts = corpus_facts("001_f87c70ec8dc77d67.txt")
    rows = {f.item for f in facts if f.metric == "项目预算数"}
    assert len(rows) == 30 and all(f.unit == "万元" for f in facts if f.metric.startswith("项目"))


@pytest.mark.integration
def test_corpus_invents_no_score(corpus_dir: Path) -> None:
    _, facts = corpus_facts("001_f87c70ec8dc77d67.txt")
    assert not [f for f in facts if f.metric in ("自评得分", "自评总分值", "指标得分", "指标分值")]


@pytest.mark.integration
def test_corpus_one_value_per_overall_metric(corpus_dir: Path) -> None:
    for name in DOCS:
        _, facts = corpus_facts(name)
        for metric in ("全年预算数", "执行数", "预算执行率", "自评得分"):
            values = {f.value for f in facts if f.metric == metric and f.item is None}
            assert len(values) <= 1, (name, metric, values)


@pytest.mark.integration
@pytest.mark.parametrize("name", DOCS)
def test_corpus_facts_are_well_formed(corpus_dir: Path, name: str) -> None:
    report, facts = corpus_facts(name)
    assert facts
    seen = set()
    for f in facts:
        assert f.metric in BY_NAME, f
        assert (f.item is not None) == BY_NAME[f.metric].per_item, f
        assert f.unit in BY_NAME[f.metric].units, f
        assert (f.doc, f.org, f.year) == (report.meta.doc, report.meta.org, report.meta.year)
        assert (f.metric, f.item, f.value) not in seen, f
        seen.add((f.metric, f.item, f.value))
        assert parse_amount(f.text) is not None and parse_amount(f.text)[0] == f.value, f


@pytest.mark.integration
@pytest.mark.parametrize("name", DOCS)
def test_corpus_quotes_stand_in_the_source(corpus_dir: Path, name: str) -> None:
    report, facts = corpus_facts(name)
    source = report.raw.text.split("\n")
    for f in facts:
        block = next(
            (b for b in report.blocks if f.quote in b.text and " > ".join(b.section_path) == f.section), None
        )
        assert block is not None, f
        # the figure, with what stands next to it on its own source lines, is at the fact's line
        at = block.text.index(f.quote)
        figure = rf"(?<![\d.,]){re.escape(f.text)}(?![\d.])"
        spots = [
            at + m.start() for m in re.finditer(figure, f.quote) if block.line_at(at + m.start()) == f.line
        ]
        assert spots, f
        n0 = spots[0]
        lo, hi, near = n0, n0, range(f.line - 1, f.line + 2)  # a wrapped unit may stand further down
        while lo > at and block.char_lines[lo - 1] in near and n0 - lo < 8:
            lo -= 1
        while hi < len(block.text) and block.char_lines[hi] in near and hi - n0 < 16:
            hi += 1
        window = match_key("".join(source[max(0, f.line - 2) : f.line + 1]))
        assert match_key(block.text[lo:hi]) in window, (f, block.text[lo:hi])
        assert quote_is_verbatim(report.raw.text, f.quote, f.line), f


@pytest.mark.integration
@pytest.mark.parametrize("name", DOCS)
def test_corpus_no_fact_from_economic_statistics(corpus_dir: Path, name: str) -> None:
    _, facts = corpus_facts(name)
    for f in facts:
        assert not re.search(r"GDP|生产总值|税收|财政收入|固定资产投资|产值|销售额", f.quote), f


def test_an_indicator_name_cut_at_its_points_keeps_only_the_name():
    from index.facts import _CUT_NAME_ENDS

    # a flattened score row "(一)项目管理(10分)…" read up to its digits
    assert _CUT_NAME_ENDS.sub("", "一)项目管理(") == "项目管理"
    assert _CUT_NAME_ENDS.sub("", "投入(") == "投入"
    assert _CUT_NAME_ENDS.sub("", "资金使用合规性") == "资金使用合规性"
