"""A report is its content and its unit + year; its path is provenance (issue 11, "Library" and
"Set-up and reliability"): two files of one name are two reports, a new version of a unit's report replaces
the old one (said plainly) unless both are asked for, a copy is never indexed twice, and an index built
before provenance was kept goes on working."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.webapp.uploads import ingest_uploads
from index.pipeline import Indexer
from index.settings import Settings

YONGPING = "002_9970a3a3f795190b.txt"


@pytest.fixture
def two_years(tmp_path: Path, corpus_dir: Path) -> Path:
    """`2021/报告.txt` and `2023/报告.txt`: one unit's reports of two years under one file name."""
    folder = tmp_path / "in"
    for year in ("2021", "2023"):
        (folder / year).mkdir(parents=True)
    text = (corpus_dir / YONGPING).read_text(encoding="utf-8")
    (folder / "2021" / "报告.txt").write_text(text, encoding="utf-8")
    (folder / "2023" / "报告.txt").write_text(text.replace("2021", "2023"), encoding="utf-8")
    return folder


def _indexer(tmp_path: Path, embedder) -> Indexer:
    return Indexer(Settings(index_dir=tmp_path / "idx"), embedder=embedder)


def _consistent(indexer: Indexer) -> None:
    """One vector per chunk, every chunk's document indexed."""
    chunk_ids = indexer.store.all_chunk_ids()
    assert indexer.vectors.ids() == chunk_ids
    docs = {r["doc"] for r in indexer.store.documents()}
    assert {c.doc for c, _ in indexer.store.chunks()} <= docs


def test_same_file_name_in_two_folders_is_two_reports(two_years, tmp_path, fake_embedder):
    indexer = _indexer(tmp_path, fake_embedder)
    outcomes = indexer.ingest([two_years])
    assert [o.status for o in outcomes] == ["added", "added"]
    assert "两份都保留" in outcomes[1].message
    rows = {r["doc"]: r["year"] for r in indexer.store.documents()}
    assert rows == {"报告.txt": 2021, "2023/报告.txt": 2023}
    rates = sorted((f.year, f.doc) for f in indexer.store.facts() if f.metric == "预算执行率")
    assert rates == [(2021, "报告.txt"), (2023, "2023/报告.txt")]
    _consistent(indexer)
    # run again: both unchanged, nothing doubled
    again = indexer.ingest([two_years])
    assert [o.status for o in again] == ["unchanged", "unchanged"]
    assert len(indexer.store.documents()) == 2


def test_a_new_version_of_a_units_report_replaces_it_and_says_so(tmp_path, corpus_dir, fake_embedder):
    indexer = _indexer(tmp_path, fake_embedder)
    assert indexer.ingest_file(corpus_dir / YONGPING).status == "added"
    revised = tmp_path / "永平街道2021年自评报告（修订）.txt"
    revised.write_text(
        (corpus_dir / YONGPING).read_text(encoding="utf-8").replace("执行率为 94.96%", "执行率为 95.12%"),
        encoding="utf-8",
    )
    outcome = indexer.ingest_file(revised)
    assert outcome.status == "updated" and outcome.details["replaced"] == [YONGPING]
    assert "已替换同单位同年度的" in outcome.message and YONGPING in outcome.message
    assert [r["doc"] for r in indexer.store.documents()] == [revised.name]
    assert [f.value for f in indexer.store.facts() if f.metric == "预算执行率"] == [95.12]
    _consistent(indexer)


def test_keep_both_keeps_both_versions(tmp_path, corpus_dir, fake_embedder):
    indexer = _indexer(tmp_path, fake_embedder)
    indexer.ingest_file(corpus_dir / YONGPING)
    revised = tmp_path / "修订版.txt"
    revised.write_text((corpus_dir / YONGPING).read_text(encoding="utf-8") + "\n补充说明。", encoding="utf-8")
    outcome = indexer.ingest_file(revised, on_conflict="keep")
    assert outcome.status == "added" and "两份都保留" in outcome.message
    assert sorted(r["doc"] for r in indexer.store.documents()) == sorted([YONGPING, "修订版.txt"])
    _consistent(indexer)


def test_the_same_file_edited_is_updated_in_place(tmp_path, corpus_dir, fake_embedder):
    work = tmp_path / "in"
    work.mkdir()
    target = work / "报告.txt"
    shutil.copy(corpus_dir / YONGPING, target)
    indexer = _indexer(tmp_path, fake_embedder)
    indexer.ingest_file(target)
    target.write_text(target.read_text(encoding="utf-8") + "\n补充说明。", encoding="utf-8")
    outcome = indexer.ingest_file(target)
    assert outcome.status == "updated" and not outcome.details["replaced"] and not outcome.message
    assert [r["doc"] for r in indexer.store.documents()] == ["报告.txt"]


def test_cli_names_where_each_file_went(two_years, tmp_path, monkeypatch, capsys, fake_embedder):
    from assistant import cli

    monkeypatch.setattr("index.pipeline.make_embedder", lambda settings: fake_embedder)
    assert cli.main(["ingest", str(two_years), "--index", str(tmp_path / "idx"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "[已导入] 报告.txt  " in out and "[已导入] 报告.txt → 2023/报告.txt" in out
    revised = tmp_path / "新版.txt"
    revised.write_text(
        (two_years / "2023" / "报告.txt").read_text(encoding="utf-8") + "\n补充。", encoding="utf-8"
    )
    assert cli.main(["ingest", str(revised), "--index", str(tmp_path / "idx"), "--quiet"]) == 0
    replaced = capsys.readouterr().out
    assert "[已替换] 新版.txt" in replaced and "--keep-both" in replaced
    assert cli.main(["list", "--index", str(tmp_path / "idx")]) == 0
    listed = sorted(line.split("\t")[0] for line in capsys.readouterr().out.splitlines())
    assert listed == ["报告.txt", "新版.txt"]


def test_an_index_from_before_provenance_keeps_working(two_years, tmp_path, fake_embedder):
    settings = Settings(index_dir=tmp_path / "idx")
    first = Indexer(settings, embedder=fake_embedder)
    first.ingest_file(two_years / "2021" / "报告.txt")
    first.store.close()
    with sqlite3.connect(settings.sqlite_path) as conn:  # the schema of an older version
        for column in ("source_path", "verdict", "evidence"):
            conn.execute(f"ALTER TABLE documents DROP COLUMN {column}")
    indexer = Indexer(settings, embedder=fake_embedder)  # migrated on open
    assert {"source_path", "verdict", "evidence"} <= indexer.store.columns
    outcomes = indexer.ingest([two_years])
    assert [o.status for o in outcomes] == ["unchanged", "added"]
    assert sorted(r["doc"] for r in indexer.store.documents()) == ["2023/报告.txt", "报告.txt"]
    assert indexer.store.document("报告.txt")["source_path"] == str(
        (two_years / "2021" / "报告.txt").resolve()
    )


def _version(path: Path, base: str, rate: str, extra: str = "") -> Path:
    """The 永平街道 report with its 执行率 stated as `rate` (a corrected version), and a line of its own."""
    path.write_text(base.replace("执行率为 94.96%", f"执行率为 {rate}") + extra, encoding="utf-8")
    return path


def test_an_uploaded_new_version_is_asked_about_and_each_choice_is_done(tmp_path, corpus_dir, fake_embedder):
    """Issue 11: the app asks 替换旧版本 / 两份都保留 / 取消 for a file whose unit and year the library holds;
    files without a conflict are settled at once, the same content again is 未变化 with no question."""
    from assistant.webapp.state import AppState
    from assistant.webapp.uploads import resolve_versions, version_question

    app = AppState(Settings(index_dir=tmp_path / "idx"), embedder=fake_embedder)
    base = (corpus_dir / YONGPING).read_text(encoding="utf-8")
    first = _version(tmp_path / "永平街道.txt", base, "94.96%")
    assert ingest_uploads(app, [str(first)]).rows[0][1] == "已导入"
    [old_copy] = list(app.uploads_dir.iterdir())

    def state() -> tuple[list[str], list[str], list[float]]:
        docs = sorted(str(d["doc"]) for d in app.documents())
        engine = app.reload()
        assert engine is not None
        rates = sorted(f.value for f in engine.facts if f.metric == "预算执行率")
        return docs, sorted(p.name for p in app.uploads_dir.iterdir()), rates

    before = state()
    revised = _version(tmp_path / "永平街道（修订）.txt", base, "95.12%")
    other = tmp_path / "南洲街道.txt"
    shutil.copy(corpus_dir / "003_ceb9afcdf1314de4.txt", other)
    batch = ingest_uploads(app, [str(revised), str(first), str(other)])
    rows = {name: status for name, status, _ in batch.table()}
    assert rows == {revised.name: "待选择", first.name: "未变化", other.name: "已导入"}
    [waiting] = batch.pending
    assert waiting.conflict.old.doc == old_copy.name and waiting.path.exists()
    assert "预算执行率：94.96% → 95.12%" in waiting.conflict.changes
    assert state()[0] == sorted(
        [*before[0], next(p.name for p in app.uploads_dir.iterdir() if "南洲" in p.name)]
    )
    question = version_question(app, batch)
    assert question is not None and old_copy.name in question and revised.name in question
    assert "94.96% → 95.12%" in question and "旧上传副本一并删除" in question

    # 取消: nothing indexed, the stored copy of the new file goes
    waiting_copy = waiting.path
    after = resolve_versions(app, batch, "cancel")
    assert not after.pending and after.rows[-1][1] == "已取消" and not waiting_copy.exists()
    docs, uploads, rates = state()
    assert old_copy.name in docs and old_copy.exists() and 95.12 not in rates

    # 替换旧版本: the new version in, the old one and its stored copy out
    batch = ingest_uploads(app, [str(revised)])
    assert [r[1] for r in batch.table()] == ["待选择"] and old_copy.name in {
        str(d["doc"]) for d in app.documents()
    }
    after = resolve_versions(app, batch, "replace")
    assert after.rows[-1][1] == "已更新" and "已替换同单位同年度的" in after.rows[-1][2]
    docs, uploads, rates = state()
    assert old_copy.name not in docs and not old_copy.exists() and waiting_copy.name in docs
    assert 94.96 not in rates and 95.12 in rates

    # 两份都保留: both versions indexed, both copies kept
    third = _version(tmp_path / "永平街道（再修订）.txt", base, "95.50%", "\n补充说明。")
    batch = ingest_uploads(app, [str(third)])
    [waiting] = batch.pending
    assert waiting.conflict.old.doc == waiting_copy.name
    after = resolve_versions(app, batch, "keep")
    assert after.rows[-1][1] == "已导入" and "两份都保留" in after.rows[-1][2]
    docs, uploads, rates = state()
    assert {waiting_copy.name, waiting.path.name} <= set(docs) and set(docs) <= set(uploads)
    assert 95.12 in rates and 95.5 in rates


def test_several_new_versions_are_asked_one_by_one_or_settled_together(small_index, corpus_dir, tmp_path):
    """Two reports of the library uploaded again, corrected: one question each, in order; "the rest the same"
    settles every one waiting. Reports indexed from elsewhere keep their original files when replaced."""
    from assistant.webapp.uploads import UploadBatch, drop_pending, resolve_versions, version_question

    app, originals = small_index
    revised = [
        _version(tmp_path / "永平街道（修订）.txt", originals[0].read_text("utf-8"), "95.12%"),
        tmp_path / "洛浦街道（修订）.txt",
    ]
    revised[1].write_text(originals[1].read_text("utf-8") + "\n补充说明。", encoding="utf-8")
    batch = ingest_uploads(app, [str(p) for p in revised])
    assert [p.original for p in batch.pending] == [p.name for p in revised]
    question = version_question(app, batch)
    assert question and "另有 1 份文件等待选择" in question and "旧上传副本" not in question
    step = resolve_versions(app, batch, "keep")  # the first only
    assert [p.original for p in step.pending] == [revised[1].name]
    assert "另有" not in (version_question(app, step) or "")
    done = resolve_versions(
        app, ingest_uploads(app, [str(revised[0])], batch=step), "replace", all_waiting=True
    )
    assert not done.pending and [r[1] for r in done.rows] == ["未变化", "已更新"]
    assert all(p.read_bytes() for p in originals)  # never the user's own files
    assert len(app.documents()) == 3
    # with two versions kept already there is no one old version to replace: kept, and said so
    third = _version(tmp_path / "永平街道（三）.txt", originals[0].read_text("utf-8"), "96.00%")
    [(_, status, text)] = ingest_uploads(app, [str(third)]).rows
    assert status == "已导入" and "另行保留；如要替换，请先删除旧的" in text and len(app.documents()) == 4
    # a page closed with the question unanswered: its copy goes when gradio drops the session's state
    again = tmp_path / "洛浦街道（再版）.txt"
    again.write_text(originals[1].read_text("utf-8") + "\n再补充。", encoding="utf-8")
    [left] = ingest_uploads(app, [str(again)]).pending
    drop_pending(app, UploadBatch([], [left]))
    assert not left.path.exists() and len(app.documents()) == 4


@pytest.fixture
def small_index(tmp_path, corpus_dir, fake_embedder):
    from assistant.webapp.state import AppState

    folder = tmp_path / "elsewhere"
    folder.mkdir()
    originals = [folder / "永平.txt", folder / "洛浦.txt"]
    shutil.copy(corpus_dir / YONGPING, originals[0])
    shutil.copy(corpus_dir / "000_dfbd2fd614bc8960.txt", originals[1])
    settings = Settings(index_dir=tmp_path / "idx")
    indexer = Indexer(settings, embedder=fake_embedder)
    assert [o.status for o in indexer.ingest(originals)] == ["added", "added"]
    indexer.store.close()
    return AppState(settings, embedder=fake_embedder), originals


def test_asking_writes_nothing(tmp_path, corpus_dir, fake_embedder):
    indexer = _indexer(tmp_path, fake_embedder)
    indexer.ingest_file(corpus_dir / YONGPING)
    snapshot = (
        indexer.store.all_chunk_ids(),
        indexer.vectors.ids(),
        [dict(r) for r in indexer.store.documents()],
    )
    revised = _version(tmp_path / "修订.txt", (corpus_dir / YONGPING).read_text("utf-8"), "95.12%")
    outcome = indexer.ingest_file(revised, on_conflict="ask")
    assert outcome.status == "conflict" and outcome.details["conflict"].old.doc == YONGPING
    assert snapshot == (
        indexer.store.all_chunk_ids(),
        indexer.vectors.ids(),
        [dict(r) for r in indexer.store.documents()],
    )
