"""Drafting 存在的主要问题 / 下一步改进措施: templates, theme map and item splitting, and drafts of the five corpus
reports: every citation verifiable, no stray number, the unit's own voice with no peer named in the body, the
problems its figures show against the standard, lost points with the report's explanation, same bytes twice."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.draft import (
    Draft,
    DraftItem,
    UnitNotFound,
    build_draft,
    cn_number,
    render_markdown,
    resolve_unit,
    split_items,
    to_json,
)
from assistant.prompts import PromptError, Prompts, parse_templates
from assistant.themes import FALLBACK, NAMES, classify, theme_of
from assistant.verify import numbers_in
from assistant.wording import WordingError, adapt, clean, corrections, parse_corrections, voice_of
from index.models import Chunk, ReportMeta
from index.normalize import match_key
from index.provenance import locate

UNITS = {
    "洛浦街": "000_dfbd2fd614bc8960.txt",
    "小谷围": "001_f87c70ec8dc77d67.txt",
    "永平": "002_9970a3a3f795190b.txt",
    "南洲": "003_ceb9afcdf1314de4.txt",
    "区府办": "004_99d524f8eeb46081.txt",
}


# ---- templates ------------------------------------------------------------------------------------------
def test_templates_declare_their_variables_and_render_exactly_them():
    found = parse_templates(
        "说明\n## 甲\nvars: unit, rate\n{unit}的执行率为{rate}。\n\n## 乙\nvars:\n没有变量。\n"
    )
    assert found["甲"].render(unit="洛浦街道", rate="82.2%") == "洛浦街道的执行率为82.2%。"
    assert found["乙"].render() == "没有变量。"
    with pytest.raises(PromptError, match="缺少"):
        found["甲"].render(unit="洛浦街道")
    with pytest.raises(PromptError, match="多余"):
        found["乙"].render(rate="1%")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("## 甲\nvars: unit\n{unit}执行率为{rate}。", "未声明的变量"),
        ("## 甲\n{unit}执行率偏低。", "vars"),
        ("## 甲\nvars: unit\n{unit}执行率未达到95%。", "数字"),
        ("## 甲\nvars: unit\n{unit}执行率未达到９５%。", "数字"),
        ("## 甲\nvars: unit\n{unit:>5}。", "简单变量名"),
        ("## 甲\nvars: unit\n{unit。", "花括号"),
        ("## 甲\nvars:\n一。\n## 甲\nvars:\n二。", "重复"),
        ("## 甲\nvars: 单位\n{单位}。", "不合法"),
    ],
)
def test_a_broken_template_is_an_error_at_load_time(text, message):
    with pytest.raises(PromptError, match=message):
        parse_templates(text, "test.md")


def test_the_repository_templates_load_and_cover_every_theme():
    prompts = Prompts()
    prompts.require([f"标题.{t}" for t in NAMES] + [f"措施.{t}" for t in NAMES])
    assert all(not numbers_in(t.body) for t in prompts.templates.values())
    with pytest.raises(PromptError):
        prompts.require(["没有这个模板"])


# ---- themes and items -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind", "theme"),
    [
        ("因疫情原因，个别项目预算编制未能充分考虑实际，造成预算执行率不高。", "problem", "预算编制"),
        ("严格落实财务预警职责，督促资金使用进度。", "measure", "预算执行"),
        ("绩效考核体系不够完善。部分部门整体绩效目标设置较笼统。", "problem", "绩效目标与指标"),
        ("资产盘点情况 资产管理合规性", "problem", "资产管理"),
        ("绩效管理 绩效管理制度建设 绩效管理制度执行", "problem", "绩效管理制度"),
        ("加强预算绩效管理业务培训，全面提升业务人员专业技术能力。", "measure", "人员培训"),
        ("部分项目前期调研论证不够充分。", "problem", "项目前期论证"),
        ("今天天气很好。", "problem", FALLBACK),
    ],
)
def test_the_theme_map_classifies_report_sentences(text, kind, theme):
    assert theme_of(text, kind) == theme
    assert classify(text, kind) == [] if theme == FALLBACK else classify(text, kind)[0][0] == theme


def _chunk(text: str, line: int = 10) -> Chunk:
    return Chunk(
        "c1", "a.txt", "某街道办事处", 2021, ("三、存在的主要问题",), "存在的主要问题", text, line, line + 2
    )


META = ReportMeta("a.txt", "某街道办事处", ("某街道",), None, None, None, 2021, "部门整体支出", "标题")


def test_items_split_at_inline_markers_and_drop_the_list_preamble():
    text = "总体良好，但仍存在一些问题：一是预算编制不够精细。结转结余率为2.33%。二是绩效指标设置不够合理；三是业务培训不够充分。"
    items = split_items(META, [_chunk(text)])
    assert [i.head for i in items] == ["预算编制不够精细。", "绩效指标设置不够合理；", "业务培训不够充分。"]
    assert items[0].quote == "预算编制不够精细。结转结余率为2.33%。"  # a decimal is not a marker
    assert all(i.quote in text for i in items)


def test_items_split_at_paragraph_markers_or_else_by_sentence():
    marked = split_items(META, [_chunk("（一）预算执行率不高。\n（二）人员业务素质有待提升。\n1.其一。")])
    assert [i.quote for i in marked] == ["预算执行率不高。", "人员业务素质有待提升。"]  # short bits dropped
    plain = split_items(META, [_chunk("预算申报与实际存在出入。同时缺乏科学调研，存在调整预算的情况。")])
    assert [i.quote for i in plain] == ["预算申报与实际存在出入。", "同时缺乏科学调研，存在调整预算的情况。"]


def test_chinese_item_numbers():
    assert [cn_number(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]


# ---- the five corpus reports (indexed with the fake embedder: drafting uses no retrieval) -----------------
def _numbers_stand_in_quotes(item: DraftItem, year: int | None) -> list[float]:
    allowed = set().union(*(numbers_in(c.quote) for c in item.citations)) | {float(year or 0)}
    return [n for n in numbers_in(item.text) if n not in allowed]


@pytest.fixture(scope="module")
def drafts(five_engine) -> dict[str, Draft]:
    return {name: build_draft(five_engine, name) for name in UNITS}


def _other_names(engine, draft: Draft) -> set[str]:
    return {
        n
        for m in engine.metas
        if m.doc != draft.meta.doc
        for n in (m.org, *m.aliases)
        if len(n) >= 3 and n not in draft.meta.aliases
    }


@pytest.mark.parametrize("name", list(UNITS))
def test_every_unit_drafts_with_verifiable_citations_and_no_stray_number(five_engine, drafts, name):
    draft = drafts[name]
    assert draft.meta.doc == UNITS[name] and not draft.dropped
    assert draft.problems and draft.measures
    for item in (*draft.problems, *draft.measures):
        assert item.citations, item.text
        assert not _numbers_stand_in_quotes(item, draft.meta.year), item.text
        for c in item.citations:
            source = five_engine.store.source_text(c.doc)
            where = locate(source, c.quote, c.line)
            assert where is not None and where[0] == c.line, (c.doc, c.line, c.quote)
            lines = source.split("\n")[c.line - 1 : (c.line_end or c.line)]
            assert match_key(c.quote) in match_key("".join(lines))
    numbers = range(1, len(draft.problems) + 1)
    for measure in draft.measures:  # measures answer the problems, and every problem is answered
        assert measure.answers and set(measure.answers) <= set(numbers)
    assert {n for m in draft.measures for n in m.answers} == set(numbers)
    text = render_markdown(draft)
    assert "## 三、存在的主要问题" in text and "## 四、下一步改进措施" in text
    assert text.index("## 三、") < text.index("## 四、") < text.index("## 引文")


@pytest.mark.parametrize("name", list(UNITS))
def test_a_draft_is_the_units_own_and_names_no_peer_in_its_body(five_engine, drafts, name):
    draft = drafts[name]
    others = _other_names(five_engine, draft)
    for item in (*draft.problems, *draft.measures):
        assert not [n for n in others if n in item.text], item.text
        assert "参考" not in item.text and "对照检查" not in item.text and "同类单位" not in item.text
    # problems are the unit's own: its figures and its report; peers appear only among the references
    assert all(c.doc == draft.meta.doc for p in draft.problems for c in p.citations)
    peer_measures = [m for m in draft.measures if "peer" in m.basis]
    assert all(c.doc != draft.meta.doc for m in peer_measures for c in m.citations)
    refs = render_markdown(draft).split("## 引文")[1]
    assert all(draft.name_of(c) in refs for m in peer_measures for c in m.citations)


def test_the_draft_speaks_as_the_report_does_and_fixes_its_slips(drafts):
    luopu, office = drafts["洛浦街"], drafts["区府办"]
    assert (luopu.voice, office.voice) == ("我街道", "我办")
    text = render_markdown(luopu)
    # the report's “让预算制定更加紧急结合实际” is cited as it stands, and drafted as 紧密结合
    assert "紧急结合" not in text.split("## 引文")[0] and "更加紧密结合实际" in text
    assert "紧急结合" in text.split("## 引文")[1]
    body = "".join(i.text for i in (*office.problems, *office.measures))
    assert not re.search(r"[\u4e00-\u9fff],[\u4e00-\u9fff]", body)  # 牵头负责,相关 → 牵头负责，相关
    assert "牵头负责，相关业务科室" in body
    for item in (*luopu.problems, *luopu.measures, *office.problems, *office.measures):
        assert not re.match(r"(?:同时|目前|[一二三四五]是|\d[.、])", item.text), item.text


def test_a_rate_is_a_problem_only_below_the_standard_or_the_reports_target(five_engine, drafts):
    luopu, yongping = drafts["洛浦街"], drafts["永平"]
    first = luopu.problems[0]
    assert first.basis[0] == "figures" and first.theme == "预算执行" and first.title == "预算执行率偏低"
    assert "82.2%" in first.text and "34542.27万元" in first.text and "28405.91万元" in first.text
    assert "90" not in first.text  # the standard is policy, not printed
    # the report's own explanation of the low rate joins it, cited
    assert "预算申报编制时与实际业务量存在出入，导致预算执行率不理想" in first.text
    assert any("预算申报编制" in c.quote for c in first.citations)
    # 94.96% is not low by the default standard; a stricter standard in Settings makes it one
    assert not any("94.96%" in p.text or "执行率偏低" in p.title for p in yongping.problems)
    strict = replace(
        five_engine, settings=five_engine.settings.model_copy(update={"draft_execution_standard": 95})
    )
    flagged = build_draft(strict, "永平").problems[0]
    assert flagged.title == "预算执行率偏低" and "94.96%" in flagged.text and "95" not in flagged.text


def test_lost_points_are_drafted_with_the_reports_own_explanation(drafts):
    office = "".join(p.text for p in drafts["区府办"].problems)
    assert (
        "“管理效能”指标分值45分、得分44.21分，扣分原因为预算执行率和政府采购执行率未达100%，分别扣0.74分和0.05分"
        in office
    )
    assert any("扣分原因为" in c.quote for p in drafts["区府办"].problems for c in p.citations)
    nanzhou = drafts["南洲"]
    figures = [p for p in nanzhou.problems if p.basis[0] == "figures"]
    text = "".join(p.text for p in figures)
    for words in (
        "“绩效管理”指标分值15分、得分9分",
        "“绩效管理制度建设”指标分值5分、得分0分（未完成；本部门绩效管理制度按照",
        "“资产盘点情况”指标分值1分、得分0分（未完成）",
        "“资产管理合规性”指标分值2分、得分0.5分（推进中；有内部管理规程",
    ):
        assert words in text, words
    assert {p.theme for p in figures} >= {"绩效管理制度", "资产管理"}
    # an indicator the report does not explain is listed as such, for the unit to explain
    unexplained = next(p for p in figures if "部门预算资金支出率" in p.text)
    assert unexplained.title == "部分评价指标未得满分" and "扣分事项和原因有待逐项梳理" in unexplained.text
    # the 预算调整率 the office lists among its own problems leads its draft, with its stated causes
    adjust = drafts["区府办"].problems[0]
    assert "5.77%" in adjust.text and "人员变动及工资调整" in adjust.text
    # no own or peer measure on 资产管理 exists: the offline template answers it, with no number in it
    asset = next(m for m in nanzhou.measures if m.theme == "资产管理")
    assert asset.basis == ["template"] and not numbers_in(asset.text)


def test_the_same_index_gives_the_same_draft_byte_for_byte(five_engine, drafts):
    from assistant.docx_export import docx_bytes

    again = build_draft(five_engine, "南洲")
    assert render_markdown(again) == render_markdown(drafts["南洲"])
    assert docx_bytes(again) == docx_bytes(drafts["南洲"])


@pytest.mark.slow
@pytest.mark.integration
def test_units_resolve_by_short_name_and_unknown_ones_are_refused(engine):
    assert resolve_unit(engine, "区府办").doc == UNITS["区府办"]
    assert resolve_unit(engine, "南洲街道", 2023).doc == UNITS["南洲"]
    with pytest.raises(UnitNotFound, match="已索引的单位：.*洛浦街道"):
        resolve_unit(engine, "沙湾街道")
    with pytest.raises(UnitNotFound, match="2019"):
        resolve_unit(engine, "洛浦", 2019)


@pytest.mark.slow
@pytest.mark.integration
def test_draft_and_review_from_the_command_line(corpus_settings, tmp_path):
    root = Path(__file__).resolve().parents[1]
    base = [sys.executable, "-m", "assistant"]
    index = ["--index", str(corpus_settings.index_dir)]

    def run(*args: str, check: bool = True, seed: str = "0") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("OPENAI_BASE_URL", None)
        return subprocess.run(
            [*base, *args, *index],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=300,
            check=check,
            env=env,
        )

    obj = json.loads(run("draft", "洛浦街", "--format", "json", seed="3").stdout)
    assert obj["doc"] == UNITS["洛浦街"] and obj["problems"] and obj["measures"] and obj["references"]
    assert "82.2%" in obj["problems"][0]["text"] and obj["voice"] == "我街道"
    # same input, same bytes, whatever the hash seed
    outs = [tmp_path / f"洛浦{seed}.docx" for seed in ("1", "2")]
    for seed, out in zip(("1", "2"), outs, strict=True):
        run("draft", "洛浦街", "--format", "docx", "--out", str(out), seed=seed)
    assert outs[0].stat().st_size > 0 and outs[0].read_bytes() == outs[1].read_bytes()
    refused = run("draft", "沙湾街", check=False)
    assert refused.returncode == 2 and "已索引的单位" in refused.stderr
    review = json.loads(run("review", "洛浦街", "--json").stdout)
    assert {f["verdict"] for f in review["findings"]} == {"consistent", "rounding"}


def test_json_of_a_draft_numbers_its_references():
    from assistant.models import Citation

    cite = Citation("a.txt", "某街道办事处", "三、存在的主要问题", "预算执行率不高。", 3)
    problem = DraftItem("problem", "预算执行率不高", "预算执行率不高。", "预算执行", ["own"], [cite])
    measure = DraftItem("measure", "", "加快支出进度。", "预算执行", ["template"], [cite], [1])
    draft = Draft(META, "某街道", [problem], [measure], names={"a.txt": "某街道"})
    obj = to_json(draft)
    assert obj["problems"][0]["references"] == [1] and obj["measures"][0]["answers"] == [1]
    assert obj["references"][0]["unit"] == "某街道"
    text = render_markdown(draft)
    assert "（一）**预算执行率不高。**[1]" in text and "（一）加快支出进度。[1]〔对应问题（一）〕" in text


# ---- wording, and invented reports in shapes the corpus lacks ---------------------------------------------
QINGHE = ReportMeta(
    "qinghe.txt",
    "青禾县农业农村局",
    ("青禾县农业农村局", "青禾县农业局"),
    "青禾县",
    None,
    None,
    2023,
    "部门整体支出",
    "t",
)
YUNLING = ReportMeta(
    "yunling.txt", "云岭县水利局", ("云岭县水利局",), "云岭县", None, None, 2023, "部门整体支出", "t"
)


def test_report_sentences_are_tidied_into_the_units_own_words():
    assert clean("同时缺乏调研,存在调整预算的情况", "我局", QINGHE) == "缺乏调研，存在调整预算的情况。"
    assert (
        clean("二是全年预算数23,135.18万元;青禾县农业局将\n紧急结合实际，", "我局", QINGHE)
        == "全年预算数23,135.18万元；我局将紧密结合实际。"
    )
    assert clean("目前本单位台帐不全(部分站所)", "我局", QINGHE) == "我局台账不全（部分站所）。"
    assert voice_of("我局年初……我局全年……本单位") == "我局" and voice_of("没有自称") == "本单位"
    peer = "云岭县水利局将建立支出调度机制。按照《云岭县资产管理办法》开展清查。做到帐实相符。"
    assert adapt(peer, "我局", YUNLING, QINGHE) == "我局将建立支出调度机制。做到账实相符。"


def test_the_wording_table_loads_checked():
    assert ("紧急结合", "紧密结合") in corrections().pairs
    assert all(not re.search(r"\d", a + b) for a, b in corrections().pairs)
    for text, message in (
        ("- 执行率9成 → 执行率九成", "数字"),
        ("- 帐目 → 账目\n- 帐目 → 账簿", "重复"),
        ("- 帐目 账目", "应写成"),
    ):
        with pytest.raises(WordingError, match=message):
            parse_corrections(text)


INVENTED = {
    "qinghe.txt": """青禾县农业农村局2023年度部门整体支出绩效自评报告

一、基本情况
（二）部门整体收支情况
2023年度，我局全年预算数2,400.50万元，执行数2,208.46万元，预算执行率为92.00%。年初绩效目标中预算执行率目标值为95%。

二、综合评价分析
（一）自评结论综述
我局2023年度部门整体支出绩效自评得分88.5分。其中：预算执行20分，得分18分，扣分原因为高标准农田建设项目招标延迟，部分资金未能按期支付；资产管理10分，得分8.5分，扣分原因是固定资产年度盘点未覆盖下属站所；履职效能50分，得分50分。

三、存在的主要问题
一是预算执行进度偏慢，部分项目资金支付滞后。二是绩效目标设置不够细化，部分指标难以量化考核。

四、下一步改进措施
一是加快预算执行进度，建立支出进度月通报机制，对滞后项目逐项督办。二是细化绩效目标，做到指标可量化、可考核。
""",
    "yunling.txt": """云岭县水利局2023年度部门整体支出绩效自评报告

一、基本情况
（二）部门整体收支情况
2023年度，我局全年预算数1,250.00万元，执行数1,230.50万元，预算执行率为98.44%。

三、存在的主要问题
一是资产管理不够规范，部分固定资产账实不符。

四、下一步改进措施
一是加快预算执行进度。云岭县水利局将建立支出进度周调度机制，由我局财务股每周通报各股室执行情况。二是规范资产管理。按照《云岭县行政事业单位资产管理办法》开展资产清查。全面开展资产盘点，做到帐实相符。
""",
}


@pytest.fixture(scope="module")
def invented(tmp_path_factory):
    from conftest import FakeEmbedder

    from assistant.engine import Engine
    from index.pipeline import Indexer
    from index.settings import Settings

    folder = tmp_path_factory.mktemp("invented")
    for name, text in INVENTED.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings(index_dir=folder / "index")
    assert [o.status for o in Indexer(settings, embedder=FakeEmbedder()).ingest([folder])] == ["added"] * 2
    return Engine.open(settings, embedder=FakeEmbedder())


def test_a_rate_short_of_the_reports_own_target_is_a_problem_and_the_target_is_cited(invented):
    draft = build_draft(invented, "青禾县农业农村局")
    first = draft.problems[0]
    # 92.00% clears the default standard but not the 95% the bureau set itself
    assert (
        first.title == "预算执行率未达到年度目标" and "预算执行率为92.00%，低于设定的95%目标值" in first.text
    )
    assert any("目标值为95%" in c.quote for c in first.citations)
    assert "预算执行进度偏慢，部分项目资金支付滞后" in first.text  # its own statement explains it
    assert draft.voice == "我局" and first.text.count("我局") == 1
    text = "".join(p.text for p in draft.problems)
    assert (
        "“预算执行”指标分值20分、得分18分，扣分原因为高标准农田建设项目招标延迟，部分资金未能按期支付" in text
    )
    assert "“资产管理”指标分值10分、得分8.5分，扣分原因是固定资产年度盘点未覆盖下属站所" in text
    # no measure of its own on assets: the peer's, in the bureau's words, the peer only cited
    asset = next(m for m in draft.measures if m.theme == "资产管理")
    assert asset.basis == ["peer"] and asset.citations[0].doc == "yunling.txt"
    assert "云岭" not in asset.text and "账实相符" in asset.text and "帐实" not in asset.text
    for item in (*draft.problems, *draft.measures):
        assert not _numbers_stand_in_quotes(item, draft.meta.year), item.text
    # a rate above the standard with no target of its own is no problem
    assert not any("98.44%" in p.text for p in build_draft(invented, "云岭县水利局").problems)
