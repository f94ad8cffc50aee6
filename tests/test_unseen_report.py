"""A report in another province's style (hand-written, synthetic: tests/data/synthetic_hunan_2022.txt), so that
the pipeline is checked on phrasing the corpus does not use: 年初预算数 beside 全年预算数, 结转结余, indicator
weights written as "预算编制20分，得分18分"."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engine import Engine
from index.pipeline import Indexer
from index.settings import Settings

DATA = Path(__file__).parent / "data" / "synthetic_hunan_2022.txt"


@pytest.fixture(scope="module")
def unseen_engine(tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp("unseen"))
    outcome = Indexer(settings).ingest([DATA])[0]
    assert outcome.status == "added" and outcome.org == "湘潭市雨湖区教育局" and outcome.year == 2022
    return Engine.open(settings)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("雨湖区教育局的预算执行率是多少？", 95.49, "%"),
        ("教育局年初预算多少", 45678.90, "万元"),
        ("雨湖区教育局三公经费支出多少", 12.34, "万元"),
        ("教育局结转结余率", 4.51, "%"),
        ("教育局自评得分", 92.5, "分"),
        ("教育局预算编制得了几分", 18.0, "分"),
        ("教育局产出效益扣了几分", 4.0, "分"),
        ("教育局还有多少预算没花", 2175.43, "万元"),
        ("教育局基本支出占比", 82.81, "%"),
    ],
)
def test_figures_from_an_unseen_style(unseen_engine, question, value, unit):
    answer, _ = unseen_engine.ask(question)
    assert answer.found and answer.value == pytest.approx(value) and answer.unit == unit, answer.answer


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("question", ["教育局绩效管理得分", "教育局2021年的执行率", "教育局有多少所学校"])
def test_absent_figures_are_refused(unseen_engine, question):
    answer, _ = unseen_engine.ask(question)
    assert not answer.found and answer.value is None, answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_problems_and_measures_of_an_unseen_style(unseen_engine):
    problems, _ = unseen_engine.ask("教育局存在哪些问题")
    measures, _ = unseen_engine.ask("教育局下一步怎么改进")
    assert [c.line for c in problems.citations] == [36, 38, 40]
    assert "规范资产管理" in measures.answer and len(measures.citations) == 3


MD = Path(__file__).parent / "data" / "synthetic_jiangsu_2023.md"


@pytest.fixture(scope="module")
def md_engine(tmp_path_factory):
    settings = Settings(index_dir=tmp_path_factory.mktemp("unseen_md"))
    assert Indexer(settings).ingest([MD])[0].status == "added"
    return Engine.open(settings)


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "value", "unit"),
    [
        ("卫健委自评得分", 88.6, "分"),  # the report's own 以下简称“区卫健委”
        ("鼓楼区卫健委预算执行率", 96.05, "%"),
        ("区卫健委三公经费年初预算多少", 18.60, "万元"),
        ("卫健委三公经费实际支出多少", 15.20, "万元"),
        ("卫健委疫情防控专项执行率", 78.59, "%"),
    ],
)
def test_markdown_report_with_a_table_and_a_short_form(md_engine, question, value, unit):
    answer, _ = md_engine.ask(question)
    assert answer.found and answer.value == pytest.approx(value) and answer.unit == unit, answer.answer


@pytest.mark.slow
@pytest.mark.integration
def test_a_project_rate_in_the_problems_section_is_not_the_department_rate(md_engine):
    rates = [f.value for f in md_engine.facts if f.metric == "预算执行率"]
    assert rates == [96.05]
