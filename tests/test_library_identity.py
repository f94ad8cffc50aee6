"""A report is its content and its unit + year; its path is provenance (issue 11, "Library" and
"Set-up and reliability"): two files of one name are two reports, a new version of a unit's report replaces
the old one (said plainly) unless both are asked for, a copy is never indexed twice, and an index built
before provenance was kept goes on working."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

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


def test_an_uploaded_new_version_replaces_the_old_one_and_its_copy(tmp_path, corpus_dir, fake_embedder):
    from assistant.webapp.library_tab import ingest_uploads
    from assistant.webapp.state import AppState

    app = AppState(Settings(index_dir=tmp_path / "idx"), embedder=fake_embedder)
    first = tmp_path / "永平街道.txt"
    shutil.copy(corpus_dir / YONGPING, first)
    [(_, status, _)] = ingest_uploads(app, [str(first)])
    assert status == "已导入"
    [old_copy] = list(app.uploads_dir.iterdir())
    second = tmp_path / "永平街道（修订）.txt"
    second.write_text(first.read_text(encoding="utf-8") + "\n补充说明。", encoding="utf-8")
    [(_, status, text)] = ingest_uploads(app, [str(second)])
    assert status == "已更新" and "已替换同单位同年度的" in text
    assert len(app.documents()) == 1 and not old_copy.exists() and len(list(app.uploads_dir.iterdir())) == 1
