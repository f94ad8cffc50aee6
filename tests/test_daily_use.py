"""Trust in daily use (issue 11): conversations never carry a wrong unit, small talk gets a plain reply,
long questions are cut before they cost a minute, bad input files and question files get clear errors, and
the same question gives the same answer whatever PYTHONHASHSEED is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.engine import MAX_QUESTION_CHARS
from assistant.session import ChatSession

ROOT = Path(__file__).resolve().parents[1]


def test_a_question_across_units_never_inherits_the_previous_unit(small_engine):
    session = ChatSession(small_engine)
    assert session.ask("永平街的预算执行率是多少？").value == 94.96
    lowest = session.ask("哪个街道执行率最低？")
    assert lowest.kind == "compare" and lowest.value == 82.2  # 洛浦街道, ranked across both
    assert {c.doc for c in lowest.citations} == {"002_9970a3a3f795190b.txt", "000_dfbd2fd614bc8960.txt"}
    # a real follow-up still keeps the unit
    assert session.ask("永平街的预算执行率是多少？").value == 94.96
    assert session.ask("那全年预算数呢？").value == 16898.11


@pytest.mark.parametrize(
    ("said", "words"), [("谢谢", "不客气"), ("今天天气怎么样？", "无关"), ("你好", "您好")]
)
def test_small_talk_gets_a_plain_reply_never_the_previous_answer(small_engine, said, words):
    session = ChatSession(small_engine)
    first = session.ask("永平街的预算执行率是多少？")
    reply = session.ask(said)
    assert words in reply.answer and not reply.citations and not reply.found
    assert reply.answer != first.answer and "94.96" not in reply.answer
    assert session.ask("那洛浦街呢？").value == 82.2  # the conversation goes on where it was


def test_a_very_long_question_is_cut_and_the_user_told(small_engine):
    answer, _ = small_engine.ask("永平街的预算执行率是多少？" + "请详细说明。" * 4000)
    assert "问题过长" in answer.answer and answer.value == 94.96
    assert MAX_QUESTION_CHARS < 1000


def test_several_parts_are_each_answered_with_parts_in_json(small_engine):
    answer, _ = small_engine.ask("永平街全年预算数多少，执行率多少？")
    data = answer.to_dict()
    assert [p["value"] for p in data["parts"]] == [16898.11, 94.96]
    assert data["value"] == 16898.11 and all(p["citations"] for p in data["parts"])


def test_a_fifo_is_refused_not_read_forever(tmp_path, fake_embedder):
    from index.pipeline import Indexer
    from index.settings import Settings

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome = Indexer(Settings(index_dir=tmp_path / "idx"), embedder=fake_embedder).ingest_file(fifo)
    assert outcome.status == "failed" and "不是普通文件" in outcome.message


def test_a_malformed_questions_file_says_which_line(
    small_engine, tmp_path, capsys, monkeypatch, fake_embedder
):
    from assistant import cli

    monkeypatch.setattr("assistant.engine.make_embedder", lambda settings: fake_embedder)
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "q1", "question": "永平街的预算执行率是多少？"}\n{not json\n', encoding="utf-8"
    )
    rc = cli.main(["ask", "--questions", str(questions), "--index", str(small_engine.settings.index_dir)])
    out = capsys.readouterr()
    assert rc == 2 and "第2行" in out.err and "Traceback" not in out.err
    assert json.loads(out.out.splitlines()[0])["value"] == 94.96


def test_facts_are_shown_as_the_report_states_them(small_engine, capsys):
    from assistant import cli

    cli.main(["facts", "--org", "永平", "--index", str(small_engine.settings.index_dir)])
    out = capsys.readouterr().out
    assert "16898.11" in out and "16898.1 " not in out


@pytest.mark.slow
@pytest.mark.integration
def test_same_question_same_answer_whatever_the_hash_seed(corpus_settings, tmp_path):
    questions = [
        "番禺区府办管理效能下的资产管理得了几分？",
        "永平街的预算执行率是多少？",
        "哪个街道执行率最低？",
        "洛浦街还有多少预算没花出去？",
        "南洲街存在什么问题？",
        "小谷围街道有几个内设机构？",
        "永平街全年预算数多少，执行率多少？",
    ]
    path = tmp_path / "q.jsonl"
    path.write_text(
        "\n".join(json.dumps({"id": i, "question": q}, ensure_ascii=False) for i, q in enumerate(questions)),
        encoding="utf-8",
    )
    outputs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "HF_HUB_OFFLINE": "1"}
        env.pop("OPENAI_BASE_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "ask", "--questions", str(path)]
            + ["--index", str(corpus_settings.index_dir)],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_a_renamed_copy_is_not_indexed_twice(tmp_path, corpus_dir, fake_embedder):
    import shutil

    from index.pipeline import Indexer
    from index.settings import Settings

    indexer = Indexer(Settings(index_dir=tmp_path / "idx"), embedder=fake_embedder)
    original = corpus_dir / "002_9970a3a3f795190b.txt"
    copy = tmp_path / "永平街道2021年自评报告(1).txt"
    shutil.copyfile(original, copy)
    assert indexer.ingest_file(original).status == "added"
    again = indexer.ingest_file(copy)
    assert again.status == "unchanged" and "002_9970a3a3f795190b.txt" in again.message
    assert [r["doc"] for r in indexer.store.documents()] == ["002_9970a3a3f795190b.txt"]


def test_a_damaged_index_or_a_file_as_index_gets_a_plain_message(small_engine, tmp_path, capsys):
    from assistant import cli

    broken = tmp_path / "idx"
    broken.mkdir()
    (broken / "reports.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x00" * 50 + b"garbage" * 100)
    assert cli.main(["list", "--index", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "已损坏" in err and "Traceback" not in err
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    assert cli.main(["list", "--index", str(not_a_dir)]) == 2
    assert "不是目录" in capsys.readouterr().err


def test_a_folder_with_nothing_to_import_says_why(tmp_path, capsys):
    from assistant import cli

    empty = tmp_path / "in"
    empty.mkdir()
    (empty / "notes.xlsx").write_bytes(b"PK")
    assert cli.main(["ingest", str(empty), "--index", str(tmp_path / "idx"), "--quiet"]) == 1
    assert "没有找到可导入的文件" in capsys.readouterr().err


def test_with_one_report_indexed_another_unit_is_said_missing_not_replaced(
    tmp_path, corpus_dir, fake_embedder
):
    from assistant.engine import Engine
    from index.pipeline import Indexer
    from index.settings import Settings

    settings = Settings(index_dir=tmp_path / "idx")
    Indexer(settings, embedder=fake_embedder).ingest(
        [corpus_dir / "003_ceb9afcdf1314de4.txt"]
    )  # 南洲街道 only
    engine = Engine.open(settings, embedder=fake_embedder)
    for question in ("永平街的预算执行率是多少？", "天河区财政局的预算执行率是多少？"):
        answer, _ = engine.ask(question)
        assert not answer.found and answer.value is None and "索引中没有" in answer.answer, question
    assert engine.ask("预算执行率是多少？")[0].value == 99.56  # naming none: the one unit indexed


def test_the_district_written_before_a_units_name_is_no_part_of_the_figure(small_engine):
    """ "白云区永平街道…预算执行率": 白云区 says which 永平街道, it is no sub-item of the rate."""
    answer, _ = small_engine.ask("白云区永平街道2021年预算执行率是多少")
    assert (answer.found, answer.value, answer.unit) == (True, 94.96, "%"), answer.answer


def test_a_score_stated_after_its_full_marks_answers_the_score_asked_in_the_reports_words(small_engine):
    """ "…部门整体支出绩效自评总分100分，得分91.3分": asked as the report words it, the score is 91.3."""
    answer, _ = small_engine.ask("永平街道部门整体支出绩效自评得分是多少")
    assert (answer.found, answer.value, answer.unit) == (True, 91.3, "分"), answer.answer


def test_a_figure_of_a_named_subject_with_no_unit_is_not_answered_with_every_units_rate(small_engine):
    # every unit's 预算执行率 answers "执行率是多少" with no unit, not the rate of a fund no unit is named for
    listed, _ = small_engine.ask("预算执行率是多少？")
    assert listed.found and "各单位" in listed.answer
    named, _ = small_engine.ask("林区巡护租车经费执行率多少？")
    assert not named.found and named.value is None and "请写明单位" in named.answer


def test_a_figure_asked_in_words_no_list_holds_is_no_small_talk(small_engine):
    from dataclasses import replace

    from assistant.smalltalk import reply_to

    # "危改…超任务多少": a figure asked of what the reports speak of is a question for them
    about = replace(small_engine.parser.parse("防空地下室实际超任务多少？"), units=())
    assert reply_to(about, lambda text: True) is None
    assert reply_to(about) is not None  # (no library to ask whether the reports speak of it)
    weather = replace(small_engine.parser.parse("今天天气怎么样？"), units=())
    assert reply_to(weather, lambda text: True) is not None  # no figure asked: small talk still
