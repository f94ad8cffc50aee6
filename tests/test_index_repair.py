"""A damaged, read-only, emptied or half-written index (issue 11, "Set-up and reliability"): plain Chinese
messages with the fix, never a traceback; questions answered from a read-only index; missing vectors made
again and stray ones removed on the next ingest; a full disk said in Chinese."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import cli
from assistant.engine import Engine
from index.pipeline import Indexer
from index.settings import Settings
from index.store import ChromaVectorStore

ROOT = Path(__file__).resolve().parents[1]
YONGPING = "002_9970a3a3f795190b.txt"
LUOPU = "000_dfbd2fd614bc8960.txt"
QUESTION = "永平街的预算执行率是多少？"


@pytest.fixture
def built(tmp_path, corpus_dir, fake_embedder, monkeypatch) -> Path:
    """A two-report index built with the fake embedder, which the CLI then uses too."""
    monkeypatch.setattr("index.pipeline.make_embedder", lambda settings: fake_embedder)
    monkeypatch.setattr("assistant.engine.make_embedder", lambda settings: fake_embedder)
    index = tmp_path / "idx"
    indexer = Indexer(Settings(index_dir=index), embedder=fake_embedder)
    assert [o.status for o in indexer.ingest([corpus_dir / YONGPING, corpus_dir / LUOPU])] == ["added"] * 2
    indexer.store.close()
    return index


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = cli.main(list(argv))
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return rc, out.out, out.err


def _truncate(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


@pytest.mark.parametrize("command", [["list"], ["ask", QUESTION], ["ingest", "{corpus}/" + LUOPU]])
def test_a_half_truncated_report_database_says_how_to_rebuild(built, capsys, corpus_dir, command):
    _truncate(built / "reports.sqlite3")
    argv = [part.replace("{corpus}", str(corpus_dir)) for part in command]
    rc, _, err = _run(capsys, *argv, "--index", str(built))
    assert rc == 2 and "报告数据库已损坏" in err and "ingest --rebuild" in err


def test_rebuild_from_the_files_sets_the_damaged_index_aside(built, capsys, corpus_dir):
    _truncate(built / "reports.sqlite3")
    rc, _, err = _run(capsys, "ingest", "--rebuild", "--index", str(built), "--quiet")
    assert rc == 2 and "<报告文件或目录>" in err  # no file to read the reports from
    rc, out, err = _run(capsys, "ingest", "--rebuild", str(corpus_dir / YONGPING), "--index", str(built))
    assert rc == 0 and "移到一旁" in err and "[已导入] " + YONGPING in out
    assert any(p.name.startswith("reports.sqlite3.damaged-") for p in built.iterdir())
    assert _run(capsys, "ask", QUESTION, "--index", str(built))[1].startswith(
        "永平街道2021年预算执行率为94.96%"
    )


def test_a_damaged_vector_store_answers_by_keywords_and_is_rebuilt(built, capsys):
    _truncate(built / "chroma" / "chroma.sqlite3")
    _new_process()
    rc, out, err = _run(capsys, "ask", QUESTION, "--index", str(built))
    assert rc == 0 and "94.96%" in out and "向量索引已损坏" in err and "--rebuild" in err
    rc, _, err = _run(capsys, "ingest", str(built), "--index", str(built), "--quiet")
    assert rc == 2 and "向量索引（chroma/）已损坏" in err and "ingest --rebuild" in err
    rc, out, err = _run(capsys, "ingest", "--rebuild", "--index", str(built), "--quiet")
    assert rc == 0 and "报告数据库完好" in err and "重建 2 份报告的向量" in out
    settings = Settings(index_dir=built)
    assert ChromaVectorStore(settings).count() == len(Engine.open(settings).retriever.chunks)


@pytest.mark.parametrize("command", [["list"], ["ask", QUESTION], ["ingest", "x.txt"]])
def test_an_index_path_that_is_a_file(tmp_path, capsys, command):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    rc, _, err = _run(capsys, *command, "--index", str(not_a_dir))
    assert rc == 2 and "不是目录" in err


def test_a_read_only_index_is_queried_from_a_copy(built, capsys, monkeypatch):
    import os

    real_access = os.access

    def no_writing(path, mode, *args, **kwargs):  # as on a read-only mount
        if mode & os.W_OK and str(path).startswith(str(built)):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", no_writing)
    before = sorted(p.name for p in (built / "chroma").rglob("*"))
    rc, out, err = _run(capsys, "ask", "永平街存在什么问题？", "--index", str(built))
    assert rc == 0 and "存在的主要问题" in out and not err
    assert sorted(p.name for p in (built / "chroma").rglob("*")) == before
    rc, _, err = _run(capsys, "ingest", str(built), "--index", str(built))
    assert rc == 2 and "只读" in err


def test_a_rebuild_of_a_read_only_index_deletes_nothing(built, capsys, monkeypatch):
    import os

    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode, *a, **k: (
            False if mode & os.W_OK and str(path).startswith(str(built)) else real_access(path, mode, *a, **k)
        ),
    )
    before = sorted(p.name for p in (built / "chroma").rglob("*"))
    rc, _, err = _run(capsys, "ingest", "--rebuild", "--index", str(built), "--quiet")
    assert rc == 2 and "只读" in err
    assert sorted(p.name for p in (built / "chroma").rglob("*")) == before


def test_a_read_only_mount_is_queried(built, tmp_path):
    """The same on a real read-only bind mount (needs a user namespace; skipped where there is none)."""
    mount = tmp_path / "ro"
    mount.mkdir()
    driver = (
        "import sys; sys.path.insert(0, 'tests'); from conftest import FakeEmbedder; "
        "import assistant.engine as e; e.make_embedder = lambda s: FakeEmbedder(); "
        f"from assistant import cli; sys.exit(cli.main(['ask', '{QUESTION}', '--index', '{mount}']))"
    )
    script = f"mount --bind -o ro '{built}' '{mount}' && touch '{mount}/probe' 2>/dev/null; {sys.executable} -c \"{driver}\""
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no user namespaces here")
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr[-1500:]
    assert "94.96%" in done.stdout and "Traceback" not in done.stderr
    assert not (built / "probe").exists()  # the mount was read-only indeed


def _new_process() -> None:
    """Chroma keeps a client per folder for the life of a process; a command starts without one."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def test_a_deleted_vector_store_is_noticed_and_refilled(built, capsys, corpus_dir):
    shutil.rmtree(built / "chroma")
    _new_process()
    rc, out, err = _run(capsys, "ask", QUESTION, "--index", str(built))
    assert rc == 0 and "94.96%" in out and "向量索引缺少" in err
    rc, out, err = _run(capsys, "ingest", str(corpus_dir / YONGPING), "--index", str(built), "--quiet")
    assert rc == 0 and "[未变化]" in out and "补齐了" in err
    settings = Settings(index_dir=built)
    store = Indexer(settings).store
    assert ChromaVectorStore(settings).ids() == store.all_chunk_ids()


def test_an_emptied_vector_store_and_stray_vectors_are_put_right(built, fake_embedder):
    settings = Settings(index_dir=built)
    vectors = ChromaVectorStore(settings)
    indexed = sorted(vectors.ids())
    vectors.delete(indexed[:5])  # emptied in part
    stray = Indexer(settings, embedder=fake_embedder).store.chunks()[:2]
    from dataclasses import replace

    leftovers = [replace(c, id=f"gone-{i}") for i, (c, _) in enumerate(stray)]  # a killed run's vectors
    vectors.add(leftovers, fake_embedder.embed_passages([c.embed_text for c in leftovers]))
    indexer = Indexer(settings, embedder=fake_embedder)
    repair = indexer.prepare()
    assert (repair.embedded, repair.removed) == (5, 2)
    assert vectors.ids() == indexer.store.all_chunk_ids()
    assert "补齐了 5 个" in repair.message() and "清除了 2 个" in repair.message()


def test_a_full_disk_is_said_in_chinese_and_stops_the_run(built, corpus_dir, fake_embedder, monkeypatch):
    indexer = Indexer(Settings(index_dir=built), embedder=fake_embedder)

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(indexer.store, "replace_document", full)
    before = indexer.vectors.ids()
    outcomes = indexer.ingest(
        [corpus_dir / "003_ceb9afcdf1314de4.txt", corpus_dir / "004_99d524f8eeb46081.txt"]
    )
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert "磁盘空间不足" in outcomes[0].message and "database or disk" not in outcomes[0].message
    assert "磁盘已满" in outcomes[1].message
    assert indexer.vectors.ids() == before  # the new vectors were taken back


def test_a_full_disk_from_chroma_is_said_in_chinese(built, capsys, corpus_dir, monkeypatch):
    class InternalError(Exception):
        pass

    def full(self, chunks, vectors):
        raise InternalError(
            "Query error: Database error: error returned from database: (code: 13) database or disk is full"
        )

    monkeypatch.setattr(ChromaVectorStore, "add", full)
    rc, out, _ = _run(
        capsys, "ingest", str(corpus_dir / "003_ceb9afcdf1314de4.txt"), "--index", str(built), "--quiet"
    )
    assert rc == 1 and "磁盘空间不足" in out and "database or disk" not in out


def test_the_app_answers_from_a_damaged_vector_store_and_says_how_to_rebuild(
    built, corpus_dir, fake_embedder
):
    from assistant.webapp.state import AppState
    from assistant.webapp.uploads import ingest_uploads

    _truncate(built / "chroma" / "chroma.sqlite3")
    _new_process()
    app = AppState(Settings(index_dir=built), embedder=fake_embedder)
    engine = app.engine()
    assert engine is not None and engine.ask(QUESTION)[0].value == 94.96
    upload = built.parent / "南洲.txt"
    shutil.copy(corpus_dir / "003_ceb9afcdf1314de4.txt", upload)
    [(name, status, text)] = ingest_uploads(app, [str(upload)]).rows
    assert status == "未导入" and "ingest --rebuild" in text


def test_the_app_starts_on_a_damaged_report_database_and_says_how_to_rebuild(built, fake_embedder):
    from assistant.webapp.state import AppState

    _truncate(built / "reports.sqlite3")
    app = AppState(Settings(index_dir=built), embedder=fake_embedder)
    app.warm_up()
    assert app.engine() is None and app.documents() == []
    assert app.missing is not None and "ingest --rebuild" in app.missing


def test_the_app_on_a_read_only_index_answers_and_says_uploads_cannot_be_stored(
    built, corpus_dir, fake_embedder, monkeypatch
):
    import os

    from assistant.webapp.library_tab import remove_report
    from assistant.webapp.state import AppState
    from assistant.webapp.uploads import ingest_uploads

    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode, *a, **k: (
            False if mode & os.W_OK and str(path).startswith(str(built)) else real_access(path, mode, *a, **k)
        ),
    )
    app = AppState(Settings(index_dir=built), embedder=fake_embedder)
    assert app.engine().ask(QUESTION)[0].value == 94.96
    upload = built.parent / "南洲.txt"
    shutil.copy(corpus_dir / "003_ceb9afcdf1314de4.txt", upload)
    [(_, status, text)] = ingest_uploads(app, [str(upload)]).rows
    assert status == "未导入" and "只读" in text and not list(app.uploads_dir.iterdir())
    assert "只读" in remove_report(app, YONGPING)
    shutil.rmtree(app.uploads_dir)
    app.uploads_dir.write_text("")  # a folder that cannot be made, as on a read-only mount
    [(_, status, text)] = ingest_uploads(app, [str(upload)]).rows
    assert status == "未导入" and "无法保存上传的文件" in text


def test_the_chat_on_a_damaged_report_database_says_how_to_rebuild(built, fake_embedder):
    from assistant.webapp.chat_tab import respond
    from assistant.webapp.state import AppState

    _truncate(built / "reports.sqlite3")
    app = AppState(Settings(index_dir=built), embedder=fake_embedder)
    html = list(respond(app, QUESTION, None))[-1][0]
    assert "ingest --rebuild" in html and "还没有报告" not in html
