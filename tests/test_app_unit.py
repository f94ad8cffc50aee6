"""Fast tests of the app's pure functions and callbacks: highlighting, escaping, filtering, the chart's data,
.xlsx bytes, draft edits, upload names and limits, and the chat/upload/remove callbacks over a small index
built with the fake embedder."""

from __future__ import annotations

import re
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from assistant.draft import Draft, DraftItem
from assistant.facts_view import FactIndex
from assistant.models import Citation
from assistant.webapp import render
from assistant.webapp.chart import axis_top, chart_html, chart_metrics, chart_rows
from assistant.webapp.data_tab import fact_rows, filter_rows, xlsx_bytes
from assistant.webapp.draft_tab import apply_edits, docx_name, items_text, parse_items, unit_choices
from assistant.webapp.uploads import (
    check_upload,
    outcome_text,
    safe_stem,
    store_upload,
    upload_name,
)
from index.models import Fact, IngestOutcome, ReportMeta
from index.settings import Settings

YONGPING = "002_9970a3a3f795190b.txt"
LUOPU = "000_dfbd2fd614bc8960.txt"
NANZHOU = "003_ceb9afcdf1314de4.txt"


def _meta(doc: str, org: str, short: str, district: str, year: int) -> ReportMeta:
    return ReportMeta(
        doc, org, (org, short), district, "广州市", None, year, "部门整体支出", f"{org}{year}年报告"
    )


METAS = [
    _meta("a.txt", "广州市白云区人民政府永平街道办事处", "永平街道", "白云区", 2021),
    _meta("b.txt", "广州市番禺区人民政府洛浦街道办事处", "洛浦街道", "番禺区", 2021),
    _meta("c.txt", "广州市海珠区人民政府南洲街道办事处", "南洲街道", "海珠区", 2023),
]


def _fact(doc: str, metric: str, value: float, unit: str, line: int, item: str | None = None) -> Fact:
    org = next(m.org for m in METAS if m.doc == doc)
    year = next(m.year for m in METAS if m.doc == doc)
    text = f"{value:g}{unit}"
    return Fact(doc, org, year, metric, value, unit, f"……{metric}为{text}。", line, item, text, "收支情况")


FACTS = [
    _fact("a.txt", "预算执行率", 94.96, "%", 21),
    _fact("a.txt", "全年预算数", 16898.11, "万元", 21),
    _fact("b.txt", "预算执行率", 82.2, "%", 361),
    _fact("b.txt", "全年预算数", 34542.27, "万元", 359),
    _fact("c.txt", "预算执行率", 99.56, "%", 134),
    _fact("c.txt", "全年预算数", 231351800.0, "元", 130),
    _fact("c.txt", "项目预算数", 12.5, "万元", 300, item="社区服务"),
]


# ---- the source passage -------------------------------------------------------------------------------
SOURCE = "\n".join(
    [
        "### **（三）部门整体收支情况**",
        "",
        "2021 年度整体支出情况，全年预算数 16898.11 万元，执行数为 16045.66 万元，执行率为 94.96%。",
        "",
        "全年预算数 34542.27 万元，执行数 28405.91 万元，完",
        "",
        "成预算的 82.2%。",
        "",
        "（四）部门整体绩效管理情况",
        "第十行",
        "第十一行<script>alert(1)</script>",
    ]
)


def test_the_quote_is_marked_in_the_source_whitespace_and_markup_aside():
    passage = render.find_passage(SOURCE, "全年预算数16898.11万元，执行数为16045.66万元", 3)
    assert passage.exact and passage.cited == (3, 3)
    assert passage.first == 1 and len(passage.lines) == 6  # the cited line ±3
    (start, end), *_ = passage.marks[3]
    assert SOURCE.split("\n")[2][start:].startswith("全年预算数 16898.11")
    html = render.source_html(SOURCE, {"doc": "a.txt", "quote": "执行率为94.96%", "line": 3}, "永平街道", 1)
    assert "<mark>执行率为 94.96%</mark>" in html
    assert "第3行" in html and "a.txt" in html and "永平街道" in html
    assert "###" not in html and "**" not in html  # markdown marks are not the report's words


def test_a_quote_across_hard_wrapped_lines_is_marked_on_each_line():
    passage = render.find_passage(SOURCE, "全年预算数34542.27万元，执行数28405.91万元，完成预算的82.2%。", 5)
    assert passage.exact and passage.cited == (5, 7)
    assert set(passage.marks) == {5, 7}
    html = render.source_html(SOURCE, {"doc": "b.txt", "quote": "完成预算的82.2%", "line": 5}, "洛浦街道")
    assert "第5–7行" in html


def test_report_text_and_user_text_are_escaped():
    html = render.source_html(SOURCE, {"doc": "x.txt", "quote": "第十一行", "line": 11})
    assert "<script>" not in html and "&lt;script&gt;" in html
    turn = {
        "q": "<img src=x onerror=alert(1)>",
        "text": "答<b>案</b>[1]",
        "citations": [{"doc": 'x".txt', "org": "<i>单位</i>", "section": "", "quote": "<svg>", "line": 2}],
    }
    out = render.conversation_html([turn], {})
    assert "<img" not in out and "<b>" not in out and "<svg>" not in out and "<i>" not in out
    assert 'data-turn="0" data-cite="1"' in out  # the [1] mark and the chip are clickable


def test_a_quote_not_found_word_for_word_marks_the_cited_lines_and_says_so():
    html = render.source_html(SOURCE, {"doc": "x.txt", "quote": "报告中没有的句子", "line": 9})
    assert "未能逐字定位" in html and "<mark>" in html
    gone = render.source_html(None, {"doc": "x.txt", "quote": "某句", "line": 9})
    assert "已不在报告库中" in gone


def test_answer_marks_beyond_the_citations_stay_plain_text():
    html = render.answer_text_html("甲[1]\n乙[3]", 4, 2)
    assert 'data-turn="4" data-cite="1"' in html and "[3]" in html and 'data-cite="3"' not in html
    assert "<br>" in html


# ---- figures, chart, xlsx -----------------------------------------------------------------------------
def test_the_table_filters_by_unit_year_and_metric():
    table = fact_rows(FACTS, METAS)
    assert len(table) == len(FACTS) and table["单位"].iloc[0] == "永平街道"
    assert len(filter_rows(table, None, None, None)) == len(FACTS)
    picked = filter_rows(table, ["永平街道", "洛浦街道"], None, ["预算执行率"])
    assert list(picked["原文数字"]) == ["94.96%", "82.2%"]
    assert set(filter_rows(table, None, ["2023"], None)["单位"]) == {"南洲街道"}


def test_each_bar_is_the_fact_a_chat_answer_cites_with_its_file_line_and_quote():
    chart, note = chart_rows(FACTS, METAS, "预算执行率")
    assert list(chart["单位"]) == ["南洲街道", "永平街道", "洛浦街道"]  # highest first
    best = FactIndex(FACTS).best("a.txt", "预算执行率")
    row = chart[chart["单位"] == "永平街道"].iloc[0]
    assert (row["文件"], row["行"], row["引文"]) == (best.doc, best.line, best.quote)
    assert note == ""
    only, _ = chart_rows(FACTS, METAS, "预算执行率", ["洛浦街道"], None)
    assert list(only["数值"]) == [82.2]
    assert chart_metrics(FACTS) == ["预算执行率", "全年预算数"]  # unit-level metrics only


def test_the_chart_draws_the_chosen_metric_each_bar_labelled_with_its_year():
    for metric, expected in (
        (
            "预算执行率",
            [("南洲街道", "2023年", 99.56), ("永平街道", "2021年", 94.96), ("洛浦街道", "2021年", 82.2)],
        ),
        (
            "全年预算数",
            [
                ("洛浦街道", "2021年", 34542.27),
                ("南洲街道", "2023年", 23135.18),
                ("永平街道", "2021年", 16898.11),
            ],
        ),
        (
            "预算执行率",
            [("南洲街道", "2023年", 99.56), ("永平街道", "2021年", 94.96), ("洛浦街道", "2021年", 82.2)],
        ),
    ):
        chart, _ = chart_rows(FACTS, METAS, metric)
        html = chart_html(chart, metric)
        bars = re.findall(
            r'data-label="(\S+) (\S+)" data-value="([\d.]+)".*?class="bar-unit">([^<]+)<.*?class="bar-year">([^<]+)<',
            html,
            re.S,
        )
        assert [(u, y, float(v)) for u, y, v, _, _ in bars] == expected
        assert all(u == shown_unit and y == shown_year for u, y, _, shown_unit, shown_year in bars)
        assert f'data-metric="{metric}"' in html and "2021、2023" in html  # the years it mixes, said
    assert "data-row" not in chart_html(chart_rows(FACTS, METAS, "自评得分")[0], "自评得分")  # no such figure


def test_a_report_without_the_metric_gets_no_bar():
    facts = [f for f in FACTS if not (f.doc == "b.txt" and f.metric == "预算执行率")]
    chart, _ = chart_rows(facts, METAS, "预算执行率")
    assert list(chart["单位"]) == ["南洲街道", "永平街道"]
    assert "洛浦街道" not in chart_html(chart, "预算执行率")


def test_money_in_mixed_units_is_charted_in_wanyuan_and_the_note_says_so():
    chart, note = chart_rows(FACTS, METAS, "全年预算数")
    assert "换算为万元" in note
    nanzhou = chart[chart["单位"] == "南洲街道"].iloc[0]
    assert nanzhou["数值"] == pytest.approx(23135.18) and nanzhou["计量单位"] == "万元"
    assert nanzhou["原文数字"] == "2.31352e+08元"  # the figure as written stays in the table


def test_axis_starts_at_zero_with_a_round_top():
    assert axis_top([94.96, 82.2], "%") == 100
    assert axis_top([120.0], "%") == 150
    assert axis_top([34542.27], "万元") == 40000
    assert axis_top([], "") == 1.0


def test_xlsx_bytes_open_with_openpyxl_and_hold_the_filtered_rows_and_the_chart():
    table = filter_rows(fact_rows(FACTS, METAS), ["永平街道"], None, None)
    chart, _ = chart_rows(FACTS, METAS, "预算执行率", ["永平街道", "洛浦街道"])
    book = load_workbook(BytesIO(xlsx_bytes(table, chart, "预算执行率")))
    assert book.sheetnames == ["数字明细", "图表数据"]
    rows = list(book["数字明细"].iter_rows(values_only=True))
    assert rows[0][:4] == ("单位", "区", "年度", "指标") and len(rows) == 3
    assert {r[0] for r in rows[1:]} == {"永平街道"}
    sheet = book["图表数据"]
    header = [c.value for c in sheet[1]]
    bars = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [(b["图中标签"], b["数值"]) for b in bars] == [
        ("永平街道 2021年", 94.96),
        ("洛浦街道 2021年", 82.2),
    ]
    assert book["图表数据"]._charts  # an Excel bar chart of the same data


# ---- draft edits --------------------------------------------------------------------------------------
def _draft() -> Draft:
    meta = METAS[1]
    cite = Citation("b.txt", meta.org, "收支情况", "全年预算数34542.27万元，完成预算的82.2%。", 359)
    other = Citation("b.txt", meta.org, "存在的主要问题", "预算编制与实际业务量存在出入。", 539)
    measure = Citation("b.txt", meta.org, "下一步改进措施", "严格落实财务预警职责。", 555)
    problems = [
        DraftItem(
            "problem",
            "预算执行率偏低",
            "预算执行率偏低。预算执行率为82.2%。",
            "预算执行",
            ["figures"],
            [cite],
        ),
        DraftItem("problem", "", "预算编制与实际业务量存在出入。", "预算编制", ["own"], [other]),
    ]
    measures = [
        DraftItem("measure", "", "严格落实财务预警职责。", "预算执行", ["own"], [measure], [1]),
        DraftItem("measure", "", "规范预算编制。", "预算编制", ["template"], [other], [2]),
    ]
    return Draft(meta, "洛浦街道", problems, measures, names={"b.txt": "洛浦街道"})


def test_draft_text_round_trips_through_the_editor():
    draft = _draft()
    text = items_text(draft, draft.problems)
    assert text.startswith("（一）预算执行率偏低。") and "[1]" in text
    assert [n for n, _ in parse_items(text)] == [1, 2]
    assert "〔对应问题（一）〕" in items_text(draft, draft.measures)
    same, warnings = apply_edits(draft, text, items_text(draft, draft.measures))
    assert [i.text for i in same.problems] == [i.text for i in draft.problems] and not warnings
    assert docx_name(draft) == "洛浦街道2021年问题与措施草稿.docx"


def test_edits_reorder_delete_add_and_numbers_outside_the_quotes_are_flagged():
    draft = _draft()
    problems = "（二）预算编制与实际业务量存在较大出入。[2]\n\n（一）预算执行率偏低，只有80%。[1]\n\n（五）新增的问题。"
    measures = "（二）规范预算编制。[3]〔对应问题（二）〕"
    edited, warnings = apply_edits(draft, problems, measures)
    assert [i.text for i in edited.problems] == [
        "预算编制与实际业务量存在较大出入。",
        "预算执行率偏低，只有80%。",
        "新增的问题。",
    ]
    assert edited.problems[0].citations == draft.problems[1].citations
    assert edited.problems[2].citations == []
    assert edited.measures[0].answers == [1]  # problem (二) is now the first
    assert any("80" in w for w in warnings) and any("问题（三）是新增内容" in w for w in warnings)
    assert draft.problems[0].text == "预算执行率偏低。预算执行率为82.2%。"  # the original is untouched


def test_unit_choices_label_units_with_year_and_district():
    assert unit_choices(METAS)[0] == ("南洲街道（2023年，海珠区）", "c.txt")


# ---- uploads ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("../../etc/passwd.txt", "passwd"),
        ("..\\..\\windows\\win.ini.md", "win_ini"),
        ("洛浦街道 2021年 自评报告 (终稿).PDF", "洛浦街道_2021年_自评报告_终稿"),
        (".hidden.md", "hidden"),
        ('<>:"|?*.txt', "report"),
        ("Ａ报告．docx", "A报告"),
    ],
)
def test_upload_names_keep_only_safe_characters(name, stem):
    assert safe_stem(name) == stem
    made = upload_name(name, "0123456789abcdef")
    assert "/" not in made and "\\" not in made and not made.startswith(".")
    assert made.startswith(stem + "_0123456789")


def test_uploads_are_limited_by_type_and_size():
    assert check_upload("报告.pdf", 1000, 50) is None
    assert check_upload("报告.DOCX", 1000, 50) is None
    assert "不支持的文件类型（.exe）" in check_upload("a.exe", 10, 50)
    assert "另存为" in check_upload("旧报告.doc", 10, 50)
    assert "无扩展名" in check_upload("README", 10, 50)
    assert "不能超过 1 MB" in check_upload("大.pdf", 2 * 1024 * 1024, 1)
    assert "空" in check_upload("空.txt", 0, 1)


def test_an_upload_is_copied_under_a_generated_name_inside_the_uploads_folder(tmp_path):
    src = tmp_path / "in" / "报告.txt"
    src.parent.mkdir()
    src.write_text("内容", "utf-8")
    uploads = tmp_path / "index" / "uploads"
    stored = store_upload(src, "../../evil/报告.txt", uploads, 1)
    assert stored.error is None and stored.path is not None
    assert stored.path.parent == uploads.resolve() and stored.path.name.startswith("报告_")
    assert store_upload(src, "报告.txt", uploads, 1).path == stored.path  # same content, same name
    refused = store_upload(src, "x.exe", uploads, 1)
    assert refused.path is None and "不支持" in (refused.error or "")
    assert len(list(uploads.iterdir())) == 1


def test_outcomes_are_said_in_plain_words():
    added = IngestOutcome("/x/r_1.txt", "added", org="某街道办事处", year=2021, chunks=3, facts=9)
    assert outcome_text(added, "r.txt", "r_1.txt").startswith("已导入：某街道办事处，2021年")
    assert "未重复导入" in outcome_text(IngestOutcome("/x/r_1.txt", "unchanged"), "r.txt", "r_1.txt")
    crash = IngestOutcome("/x/r_1.txt", "failed", "r_1.txt 导入失败（索引未改动）：KeyError: 'x'")
    assert "KeyError" not in outcome_text(crash, "r.txt", "r_1.txt")
    plain = IngestOutcome("/x/r_1.txt", "failed", "r_1.txt 看起来不是绩效自评报告，未导入。")
    assert outcome_text(plain, "会议通知.txt", "r_1.txt") == "会议通知.txt 看起来不是绩效自评报告，未导入。"


# ---- callbacks over a small real index (fake embedder) -------------------------------------------------
@pytest.fixture
def small_app(tmp_path, corpus_dir, fake_embedder):
    from assistant.webapp.state import AppState
    from index.pipeline import Indexer

    settings = Settings(index_dir=tmp_path / "index", upload_max_mb=2)
    outcomes = Indexer(settings, embedder=fake_embedder).ingest([corpus_dir / YONGPING, corpus_dir / LUOPU])
    assert [o.status for o in outcomes] == ["added", "added"]
    return AppState(settings, embedder=fake_embedder)


def test_chat_answers_at_once_keeps_follow_ups_and_shows_the_source(small_app):
    from assistant.webapp.chat_tab import respond, source_for

    steps = list(respond(small_app, "永平街的预算执行率是多少？", None))
    first_html, _, box = steps[0]
    assert "永平街的预算执行率是多少？" in first_html and "正在查找" in first_html and box == ""
    html, state, _ = steps[-1]
    assert "94.96%" in html and 'class="cite-chip"' in html and "永平街道 · 第21行" in html
    _, state, _ = list(respond(small_app, "那洛浦街呢？", state))[-1]
    assert "82.2%" in state["turns"][1]["text"]
    source = source_for(small_app, state, 1, 1)
    assert LUOPU in source and "<mark>" in source and "82.2%" in source
    assert "点击" in source_for(small_app, state, 5, 1)  # a stale click shows the hint, not an error


def test_upload_makes_a_report_answerable_and_remove_takes_it_away(small_app, corpus_dir, tmp_path):
    from assistant.webapp.chat_tab import respond
    from assistant.webapp.library_tab import removal_question, remove_report
    from assistant.webapp.uploads import ingest_uploads

    upload = tmp_path / "upload"
    upload.mkdir()
    shutil.copyfile(corpus_dir / NANZHOU, upload / "南洲街道2023年报告.txt")
    shutil.copyfile(
        corpus_dir / YONGPING, upload / "永平街道报告副本.txt"
    )  # indexed already, under its own name
    (upload / "病毒.exe").write_bytes(b"MZ")
    (upload / "通知.md").write_text("# 会议通知\n请准时参加。\n", "utf-8")
    seen = []
    rows = ingest_uploads(
        small_app,
        [str(p) for p in sorted(upload.iterdir())],
        lambda fraction, desc: seen.append((fraction, desc)),
    ).rows
    status = {name: (state, text) for name, state, text in rows}
    assert status["南洲街道2023年报告.txt"][0] == "已导入"
    assert status["病毒.exe"][0] == "未导入" and "不支持的文件类型" in status["病毒.exe"][1]
    assert status["通知.md"][0] == "未导入" and "通知.md" in status["通知.md"][1]
    assert status["永平街道报告副本.txt"][0] == "未变化"
    assert seen and seen[-1][0] == 1.0
    # the steps of each file as they happen, with the share of the whole upload done (three files were stored)
    first = [(f, d) for f, d in seen if d.startswith("第 1/3 份")]
    steps = [re.search(r"：(解析|切分|向量化|入库)", d).group(1) for _, d in first]  # type: ignore[union-attr]
    assert [s for i, s in enumerate(steps) if s not in steps[:i]] == ["解析", "切分", "向量化", "入库"]
    assert any("向量化" in d for _, d in first)  # the embedding is heard
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[1] > 0 and 0.25 < fractions[len(first) - 1] < 1 / 3
    # the file refused at 解析 is the third: it starts at two thirds of the whole
    assert seen[len(first)] == (2 / 3, "第 3/3 份 通知.md：解析")
    stored = [p.name for p in small_app.uploads_dir.iterdir()]
    # neither failed uploads nor a renamed copy of a report already indexed are kept
    assert len(stored) == 1 and stored[0].startswith("南洲街道2023年报告_")

    html = list(respond(small_app, "南洲街道的预算执行率是多少？", None))[-1][0]
    assert "99.56%" in html
    docs = {d["doc"] for d in small_app.documents()}
    assert stored[0] in docs
    question = removal_question(small_app, stored[0])
    assert question and "确定从报告库删除" in question and "上传副本也一并删除" in question
    assert removal_question(small_app, "没有这份.txt") is None
    assert remove_report(small_app, stored[0]).endswith("并删除了上传副本。")
    assert stored[0] not in {d["doc"] for d in small_app.documents()}
    assert not any(small_app.uploads_dir.iterdir())  # the app's copy went with it
    html = list(respond(small_app, "南洲街道的预算执行率是多少？", None))[-1][0]
    assert "99.56%" not in html


def test_launch_options_come_from_settings(monkeypatch, tmp_path):
    from assistant.webapp import launch_options

    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7999")
    monkeypatch.setenv("JIXIAO_APP_AUTH", "finance:s3cret:x")
    monkeypatch.setenv("JIXIAO_UPLOAD_MAX_MB", "7")
    options = launch_options(Settings(index_dir=tmp_path))
    assert (options["server_name"], options["server_port"]) == ("0.0.0.0", 7999)
    assert options["auth"] == ("finance", "s3cret:x")
    assert options["max_file_size"] == "7mb"
    assert options["blocked_paths"] == [str(tmp_path.resolve())]
    assert [m.cls.__name__ for m in options["app_kwargs"]["middleware"]] == ["ChineseLocale"]
    monkeypatch.delenv("GRADIO_SERVER_NAME")
    monkeypatch.delenv("JIXIAO_APP_AUTH")
    default = launch_options(Settings(index_dir=tmp_path))
    assert default["server_name"] == "127.0.0.1" and default["auth"] is None


def test_the_app_builds_even_with_an_empty_index(tmp_path, fake_embedder):
    from assistant.webapp import AppState, build_app
    from assistant.webapp.chat_tab import respond

    settings = Settings(index_dir=tmp_path / "empty")
    app = AppState(settings, embedder=fake_embedder)
    demo = build_app(settings, app=app)
    assert demo.title == "绩效自评报告助手"
    html = list(respond(app, "永平街的预算执行率是多少？", None))[-1][0]
    assert "报告库中还没有报告" in html
    assert app.documents() == []
    assert not Path(settings.index_dir / "uploads").exists()


def test_error_toasts_are_titled_in_chinese():
    from assistant.webapp.common import user_error

    err = user_error("请先选择要上传的报告文件。")
    assert err.title == "提示" and err.message == "请先选择要上传的报告文件。"


def test_removing_a_report_ingested_from_elsewhere_leaves_the_original_file(small_app, corpus_dir, tmp_path):
    from assistant.webapp.library_tab import removal_question, remove_report
    from index.pipeline import Indexer

    original = tmp_path / "elsewhere" / "南洲街道报告.txt"
    original.parent.mkdir()
    shutil.copyfile(corpus_dir / NANZHOU, original)
    # a file of the same name in the uploads folder that is not this content is not the app's copy of it
    small_app.uploads_dir.mkdir(parents=True)
    (small_app.uploads_dir / original.name).write_text("另一份文件", "utf-8")
    indexer = Indexer(small_app.settings, embedder=small_app.embedder)
    assert indexer.ingest_file(original).status == "added"
    indexer.store.close()
    small_app.reload()
    assert "上传副本" not in (removal_question(small_app, original.name) or "上传副本")
    assert (
        remove_report(small_app, original.name)
        == f"已从报告库删除 {original.name}（广州市海珠区人民政府南洲街道办事处）。"
    )
    assert original.read_bytes() == (corpus_dir / NANZHOU).read_bytes()
    assert (small_app.uploads_dir / original.name).read_text("utf-8") == "另一份文件"


def test_the_page_is_pinned_to_chinese_and_nothing_else_is_rewritten():
    import asyncio

    from assistant.webapp.locale import SCRIPT, ChineseLocale, localize

    page = b'<!doctype html>\n<html\n\tlang="en"\n>\n\t<head>\n\t\t<meta charset="utf-8" />'
    out = localize(page)
    assert out.index(SCRIPT) == out.index(b"<head>") + 6 and b'lang="zh-CN"' in out
    assert b"Navigator.prototype, k" in SCRIPT and b"'zh-CN'" in SCRIPT
    assert localize(b"<p>no head</p>") == b"<p>no head</p>"

    def serve(content_type: bytes, body: bytes, path: str = "/") -> list[dict]:
        async def app(scope, receive, send):
            headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body[:10], "more_body": True})
            await send({"type": "http.response.body", "body": body[10:]})

        sent: list[dict] = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path}
        asyncio.run(ChineseLocale(app)(scope, None, send))
        return sent

    html = serve(b"text/html; charset=utf-8", page)
    body = b"".join(m.get("body", b"") for m in html)
    assert body == out and dict(html[0]["headers"])[b"content-length"] == str(len(out)).encode()
    data = b'{"x": "<head>"}'
    for sent in (serve(b"application/json", data), serve(b"text/html", page, "/gradio_api/file=a.html")):
        assert b"".join(m.get("body", b"") for m in sent) in (data, page)  # passed through untouched
