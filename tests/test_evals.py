"""The eval harness: number reading and comparing, the per-kind checks on hand-made answers, retrieval and
extraction scoring; one slow end-to-end run on the corpus."""

from __future__ import annotations

import json

import pytest

from evals.checks import (
    Sources,
    Target,
    check_answer,
    check_text,
    evaluate_extraction,
    first_rank,
    holds,
    items_match,
    names_winner,
    rank_metrics,
    retrieval_targets,
    uncited_numbers,
)
from evals.numbers import compare, decimals, parse_number
from evals.report import NUMERIC_GROUP, render, summarize, threshold_failures

SOURCE = "\n".join(
    [
        "# 永平街道办事处2021年部门整体支出绩效自评报告",  # 1
        "",  # 2
        "全年预算数 16898.11 万元，执行数为 16045.66 万元，",  # 3
        "执行率为 94.96%。",  # 4
        "财政拨款收入合计 27,330.07",  # 5
        "万元。",  # 6
        "三、存在的主要问题",  # 7
        "（一）因疫情原因，个别项目预算编制未能充分考虑实际，造成预算执行率不高。",  # 8
        "绩效管理制度建设\t5 0",  # 9
    ]
)
DOC = "002.txt"
SOURCES = Sources({DOC: SOURCE}.get)


def cite(quote: str, line: int, doc: str = DOC, org: str = "永平街道办事处") -> dict:
    return {"doc": doc, "org": org, "section": "", "quote": quote, "line": line}


def answer(text: str, found: bool = True, value=None, unit=None, citations=(), kind: str = "lookup") -> dict:
    return {
        "question": "",
        "answer": text,
        "found": found,
        "value": value,
        "unit": unit,
        "citations": list(citations),
        "kind": kind,
    }


LOOKUP = {
    "id": "q001",
    "doc": DOC,
    "question": "永平街的预算执行率是多少？",
    "answer_value": 94.96,
    "answer_unit": "%",
    "kind": "lookup",
    "quote": "执行率为 94.96%",
    "answer_text": None,
}


# --- numbers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("执行率为 94.96%", [(94.96, "%")]),
        ("财政拨款收入合计 27,330.07 万元", [(27330.07, "万元")]),
        ("预算收入指标 ３９８２．３３ 万，", [(3982.33, "万元")]),
        ("比年初预算数减少 0.64 万 元 ， 下 降", [(0.64, "万元")]),
        ("三十五万元", [(35.0, "万元")]),
        ("两个亿", [(2.0, "亿元")]),
        ("一百零五个", [(105.0, "个")]),
        ("九十一点三分", [(91.3, "分")]),
        ("百分之九十一点三", [(91.3, "%")]),
        ("下属五个事业单位", [(5.0, "个")]),
        ("高 4.6 个百分点", [(4.6, "个百分点")]),
        ("3.5亿元", [(3.5, "亿元")]),
        ("5万人", [(50000.0, "人")]),
        ("61,363,600元", [(61363600.0, "元")]),
        ("500千元", [(500.0, "千元")]),
        ("三亿五千万元", [(350000000.0, "元")]),
        ("2021-2022年", [(2021.0, ""), (2022.0, "")]),
        ("-0.64万元", [(-0.64, "万元")]),
    ],
)
def test_parse_number(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text", ["一是绩效考核体系不够完善", "一般公共预算", "十分重视", "围绕一个核心、两个重点"]
)
def test_parse_number_ignores_words_made_of_numerals(text):
    assert parse_number(text) == []


def test_parse_number_arabic_only():
    assert parse_number("五个单位，共 11 个", chinese=False) == [(11.0, "个")]


def test_decimals():
    assert (decimals(82.2), decimals(94.96), decimals(100), decimals(100.0), decimals("82.20")) == (
        1,
        2,
        0,
        0,
        2,
    )


@pytest.mark.parametrize(
    ("gold", "got", "value_ok", "scale_ok"),
    [
        ((82.2, "%"), (82.20, "%"), True, True),
        ((82.2, "%"), ("82.20", "%"), True, True),
        ((94.96, "%"), (95, "%"), False, True),
        ((94.96, "%"), (94.96, "%"), True, True),
        ((86.9, "%"), (86.896, "%"), True, True),  # a computed value at two places matches the stated one
        ((9, "分"), (9.4, "分"), False, True),
        ((100.0, "%"), (100, "%"), True, True),
        ((6136.36, "万元"), (61363600, "元"), True, False),  # right value, wrong scale
        ((6136.36, "万元"), (6136.36, "元"), False, False),
        ((2, "亿元"), (20000, "万元"), True, False),
        ((4.6, "个百分点"), (4.6, "%"), True, True),
        ((91.3, "分"), (91.3, "%"), False, False),
        ((3982.33, "万元"), (3982.33, "万"), True, True),
        ((3982.33, "万元"), (3982.33, None), True, False),  # a bare number: value read in the gold unit
        ((0.03, "万元"), (300, "元"), True, False),
    ],
)
def test_compare(gold, got, value_ok, scale_ok):
    assert compare(gold[0], gold[1], got[0], got[1]) == {"value_ok": value_ok, "scale_ok": scale_ok}


def test_compare_none_value():
    assert compare(1.0, "%", None, "%") == {"value_ok": False, "scale_ok": False}


# --- sources and citations --------------------------------------------------------------------------------


def test_sources_occurrences_and_status():
    assert SOURCES.occurrences(DOC, "执行数为16045.66万元，执行率为94.96%") == [(3, 4)]
    assert SOURCES.occurrences(DOC, "财政拨款收入合计27,330.07万元") == [(5, 6)]
    assert SOURCES.citation_status(DOC, "执行率为94.96%。", 4) == "ok"
    assert SOURCES.citation_status(DOC, "执行率为94.96%。", 3) == "ok"  # within the tolerance
    assert SOURCES.citation_status(DOC, "执行率为94.96%。", 9) == "far"
    assert SOURCES.citation_status(DOC, "执行率为 95%", 4) == "missing"
    assert SOURCES.citation_status("other.txt", "执行率", 4) == "no_source"


def test_lookup_correct_verifiable_grounded():
    got = answer(
        "永平街道2021年预算执行率为94.96%。[1]",
        value=94.96,
        unit="%",
        citations=[cite("执行率为94.96%。", 4)],
    )
    r = check_answer(LOOKUP, got, SOURCES)
    assert r["correct"] and not r["failed"], r["reasons"]
    assert (r["n_citations"], r["n_verifiable"], r["right_doc"], r["grounded"]) == (1, 1, True, True)


def test_lookup_wrong_value_and_unverifiable_quote():
    got = answer("执行率为95%。[1]", value=95, unit="%", citations=[cite("执行率为95%。", 4)])
    r = check_answer(LOOKUP, got, SOURCES)
    assert r["correct"] is False and r["failed"]
    assert r["n_verifiable"] == 0 and r["unverifiable"][0]["status"] == "missing"
    assert "wrong value" in r["reasons"]


def test_lookup_value_from_text_when_value_null():
    got = answer("预算执行率为94.96%。[1]", value=None, citations=[cite("执行率为94.96%。", 4)])
    assert check_answer(LOOKUP, got, SOURCES)["correct"] is True


def test_refusal_is_counted_apart_from_wrong():
    r = check_answer(LOOKUP, answer("报告中没有载明。", found=False), SOURCES)
    assert r["refusal"] and r["correct"] is False
    s = summarize([r])["lookup"]
    assert (s["refusals"], s["wrong"], s["correct"]) == (1, 0, 0)


def test_headline_number_must_stand_in_a_cited_quote():
    got = answer("执行率为94.96%。[1]", value=94.96, unit="%", citations=[cite("全年预算数16898.11万元", 3)])
    r = check_answer(LOOKUP, got, SOURCES)
    assert r["correct"] and r["grounded"] is False and r["failed"]


def test_wrong_doc_cited():
    other = dict(LOOKUP, doc="000.txt")
    got = answer("执行率为94.96%。[1]", value=94.96, unit="%", citations=[cite("执行率为94.96%。", 4)])
    assert check_answer(other, got, SOURCES)["right_doc"] is False


def test_derived_inputs_cited():
    row = {
        "id": "q059",
        "doc": DOC,
        "question": "永平街2021年预算结余了多少？",
        "answer_value": 852.45,
        "answer_unit": "万元",
        "kind": "derived",
        "quote": "全年预算数 16898.11 万元",
        "inputs": [
            {"doc": DOC, "quote": "全年预算数 16898.11 万元", "value": 16898.11},
            {"doc": DOC, "quote": "执行数为 16045.66 万元", "value": 16045.66},
        ],
    }
    text = "全年预算数16898.11万元[1]，执行数16045.66万元[2]；16898.11 − 16045.66 = 852.45万元。"
    both = [cite("全年预算数16898.11万元，执行数为16045.66万元，", 3)]
    r = check_answer(row, answer(text, value=852.45, unit="万元", citations=both, kind="derived"), SOURCES)
    assert r["correct"] and r["grounded"] and not r["uncited"] and not r["failed"], r["reasons"]
    one = [cite("全年预算数16898.11万元", 3)]
    r = check_answer(row, answer(text, value=852.45, unit="万元", citations=one, kind="derived"), SOURCES)
    assert r["grounded"] is False
    assert r["uncited"] == [16045.66]


def test_uncited_numbers_ignore_markers_years_and_lists():
    got = answer(
        "1. 永平街道2021年：94.96% [1]\n2. 其他 12.5%",
        citations=[cite("执行率为94.96%。", 4)],
        kind="compare",
    )
    assert uncited_numbers(got) == [12.5]


def test_compare_winner():
    row = {
        "id": "q079",
        "doc": "*",
        "question": "永平街和洛浦街谁的自评得分高？",
        "answer_value": 91.92,
        "answer_unit": "分",
        "kind": "compare",
        "answer_text": "广州市番禺区人民政府洛浦街道办事处",
        "docs": ["000.txt", DOC],
    }
    luopu, yongping = "广州市番禺区人民政府洛浦街道办事处", "广州市白云区人民政府永平街道办事处"
    cites = [cite("91.92分", 1, "000.txt", luopu), cite("91.3分", 1, DOC, yongping)]
    good = answer(
        "各单位情况：\n1. 洛浦街道：91.92分 [1]\n2. 永平街道：91.3分 [2]",
        value=91.92,
        unit="分",
        citations=cites,
    )
    bad = answer(
        "各单位情况：\n1. 永平街道：91.3分 [1]\n2. 洛浦街道：91.92分 [2]",
        value=91.92,
        unit="分",
        citations=cites,
    )
    assert check_numeric_winner(row, good) is True
    assert check_numeric_winner(row, bad) is False
    assert names_winner("各项中得分最高的是市政环卫保洁经费，为87.62分。", "市政环卫保洁经费")
    assert not names_winner("洛浦街道自评得分为91.92分。", "市政环卫保洁经费")


def check_numeric_winner(row, got):
    from evals.checks import check_numeric

    return check_numeric(row, got)["winner_ok"]


def test_text_question():
    row = {
        "id": "q091",
        "doc": DOC,
        "question": "永平街存在什么问题？",
        "kind": "text",
        "quote": "造成预算执行率不高",
        "answer_text": "预算执行率不高",
        "answer_value": None,
        "answer_unit": None,
    }
    quote = "（一）因疫情原因，个别项目预算编制未能充分考虑实际，造成预算执行率不高。"
    r = check_answer(
        row, answer("报告列出：\n" + quote + "[1]", citations=[cite(quote, 8)], kind="text"), SOURCES
    )
    assert r["correct"] and not r["failed"], r["reasons"]
    r = check_answer(row, answer("报告列出：项目绩效编制人员业务素质有待提升。", kind="text"), SOURCES)
    assert r["correct"] is False and "key phrase missing" in r["reasons"]


def test_unanswerable():
    row = {
        "id": "q112",
        "doc": DOC,
        "question": "永平街基本支出是多少",
        "kind": "unanswerable",
        "quote": None,
    }
    refused = answer("报告中没有载明基本支出。", found=False, kind="unanswerable")
    assert check_answer(row, refused, SOURCES)["correct"] is True
    answered = answer(
        "执行数为16045.66万元。[1]", value=16045.66, unit="万元", citations=[cite("执行数为16045.66万元", 3)]
    )
    r = check_answer(row, answered, SOURCES)
    assert r["correct"] is False and r["failed"]


# --- retrieval --------------------------------------------------------------------------------------------


def test_retrieval_targets_and_holds():
    targets = retrieval_targets(LOOKUP, SOURCES, [DOC])
    assert targets == [Target(DOC, "执行率为94.96%", ((4, 4),))]
    t = targets[0]
    assert holds(t, DOC, "全年预算数16898.11万元，执行数为16045.66万元，执行率为94.96%。", (3, 4))
    assert not holds(t, "000.txt", "执行率为94.96%", (3, 4))  # wrong report
    # cut by a chunk boundary: the chunk covers the gold line and holds most of the quote
    assert holds(t, DOC, "……执行率为94.9", (2, 4))
    assert not holds(t, DOC, "……执行率为94.9", (5, 8))


def test_short_quote_must_sit_on_its_line():
    row = dict(LOOKUP, quote="5 0", answer_value=0, answer_unit="分")
    (t,) = retrieval_targets(row, SOURCES, [DOC])
    assert t.spans == ((9, 9),)
    assert holds(t, DOC, "绩效管理制度建设 | 5 | 0", (9, 9))
    assert not holds(t, DOC, "年初预算 150 万元", (3, 4))


def test_rank_metrics():
    t = Target(DOC, "执行率为94.96%", ((4, 4),))
    retrieved = [(DOC, "全年预算数", (3, 3)), (DOC, "执行率为94.96%。", (4, 4))]
    assert first_rank([t], retrieved) == 2
    m = rank_metrics([1, 2, None, 6])
    assert m["n"] == 4 and m["hit@1"] == 0.25 and m["hit@5"] == 0.5
    assert m["mrr"] == pytest.approx((1 + 0.5 + 1 / 6) / 4)


# --- extraction -------------------------------------------------------------------------------------------


def test_items_match():
    assert items_match("业务工作经费（城管科）", "业务工作经费(城管科)")
    assert items_match("出租屋管理专项", "出租屋管理")
    assert items_match(None, None)
    assert not items_match(None, "出租屋管理专项")
    assert not items_match("资产管理", "采购管理")


def test_evaluate_extraction():
    gold = [
        {
            "doc": DOC,
            "metric": "预算执行率",
            "item": None,
            "value": 94.96,
            "unit": "%",
            "line": 4,
            "quote": "q",
        },
        {
            "doc": DOC,
            "metric": "项目预算数",
            "item": "业务工作经费（城管科）",
            "value": 210.62,
            "unit": "万元",
            "line": 9,
            "quote": "q",
        },
        {
            "doc": DOC,
            "metric": "全年预算数",
            "item": None,
            "value": 16898.11,
            "unit": "万元",
            "line": 3,
            "quote": "q",
        },
    ]
    facts = [
        {
            "doc": DOC,
            "metric": "预算执行率",
            "item": None,
            "value": 94.96,
            "unit": "%",
            "line": 4,
            "quote": "q",
        },
        {
            "doc": DOC,
            "metric": "项目预算数",
            "item": "业务工作经费 (城管科)",
            "value": 210.624,
            "unit": "万元",
            "line": 9,
            "quote": "q",
        },
        {
            "doc": DOC,
            "metric": "全年预算数",
            "item": None,
            "value": 16045.66,
            "unit": "万元",
            "line": 3,
            "quote": "q",
        },
        {
            "doc": DOC,
            "metric": "三公经费",
            "item": None,
            "value": 1.0,
            "unit": "万元",
            "line": 8,
            "quote": "q",
        },  # not judged
        {
            "doc": "other.txt",
            "metric": "预算执行率",
            "item": None,
            "value": 1.0,
            "unit": "%",
            "line": 1,
            "quote": "q",
        },
    ]
    r = evaluate_extraction(facts, gold, [DOC])
    assert (r["n_gold"], r["n_found"], r["n_scoped"], r["n_scoped_matched"]) == (3, 2, 3, 2)
    assert r["recall"] == pytest.approx(2 / 3) and r["precision"] == pytest.approx(2 / 3)
    assert r["missed"][0]["metric"] == "全年预算数" and r["missed"][0]["near"][0].startswith("value differs")
    assert r["false_positives"][0]["value"] == 16045.66


# --- report -----------------------------------------------------------------------------------------------


def test_report_and_thresholds():
    good = answer("执行率为94.96%。[1]", value=94.96, unit="%", citations=[cite("执行率为94.96%。", 4)])
    results = [
        check_answer(LOOKUP, good, SOURCES),
        check_answer(LOOKUP, answer("没有。", found=False), SOURCES),
    ]
    summary = summarize(results)
    assert summary[NUMERIC_GROUP]["correct_rate"] == 0.5
    extraction = {"recall": 0.9, "n_found": 9, "n_gold": 10}
    failures = threshold_failures(summary, extraction)
    assert len(failures) == 2 and failures[0].startswith("numeric") and failures[1].startswith("extraction")
    text = render(summary, results, {}, None, {"total": 1.0}, ["note"], failures)
    assert "| lookup | 2 | 1 | 50.0% |" in text and "q001" in text and "FAIL" in text


# --- end to end -------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.integration
def test_harness_end_to_end(corpus_dir, corpus_settings, tmp_path, capsys):
    from evals.__main__ import main

    out = tmp_path / "evals.json"
    code = main(
        [
            "--corpus",
            str(corpus_dir),
            "--index",
            str(corpus_settings.index_dir),
            "--no-baseline",
            "--json",
            str(out),
        ]
    )
    assert code == 0  # without --check the run itself succeeds
    printed = capsys.readouterr().out
    for heading in (
        "## Answers by kind",
        "## Retrieval",
        "## Extraction",
        "## Failing questions",
        "## Timings",
    ):
        assert heading in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["questions"]) == 130
    assert set(report["summary"]) >= {"lookup", "derived", "compare", "text", "unanswerable", "all"}
    assert report["summary"]["all"]["citations"] > 0
    assert report["summary"]["all"]["verifiable_rate"] == 1.0, [
        q["unverifiable"] for q in report["questions"] if q["unverifiable"]
    ]
    assert report["retrieval"]["ours"]["metrics"]["n"] > 0
    assert report["extraction"]["n_gold"] == 181


def test_a_measure_written_as_its_symbol_is_the_same_unit():
    assert compare(1234.5, "平方米", 1234.5, "㎡") == {"value_ok": True, "scale_ok": True}
    assert compare(19.69, "km²", 19.69, "平方公里")["value_ok"]
    assert compare(1.2, "公里", 1200, "m")["value_ok"] and not compare(1.2, "公里", 1200, "m")["scale_ok"]
    assert not compare(100, "平方米", 100, "米")["value_ok"]  # an area is no length


def test_a_key_phrase_in_traditional_characters_is_found_said_in_simplified_ones():
    row = {"answer_text": "竣工驗收合格", "doc": "r.txt"}
    answer = {
        "found": True,
        "answer": "原文：计划竣工验收合格。",
        "citations": [{"doc": "r.txt", "quote": "计划竣工验收合格"}],
    }
    assert check_text(row, answer)["correct"]
    assert not check_text({"answer_text": "主體完工", "doc": "r.txt"}, answer)["correct"]


def test_a_question_asked_without_its_units_names_keeps_what_is_asked():
    from evals.unnamed import unnamed, unnamed_rows
    from index.models import ReportMeta

    meta = ReportMeta(
        "a.txt", "石川市白沙区交通局", ("白沙区交通局", "交通局"), "白沙区", "石川市", None, 2022, "其他", ""
    )
    assert unnamed("白沙交通局2022年预算执行率多少?", meta) == "2022年预算执行率多少?"
    assert unnamed("石川市白沙区交通局还剩多少没支付?", meta) == "还剩多少没支付?"
    rows = [
        {"id": "q1", "doc": "a.txt", "kind": "lookup", "question": "白沙区交通局预算多少?"},
        {"id": "q2", "doc": "a.txt", "kind": "lookup", "question": "高标准农田建了多少亩?"},  # names no unit
        {"id": "q3", "doc": "a.txt", "kind": "lookup", "question": "白沙呢?", "history": ["白沙区预算多少?"]},
    ]
    assert [(r["id"], r["question"], r["named"]) for r in unnamed_rows(rows, [meta])] == [
        ("q1", "预算多少?", "白沙区交通局预算多少?")
    ]
