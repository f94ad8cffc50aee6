"""A folder ingest that resumes where it stopped (Ctrl-C, kill -9), and `--workers N` (issue 12): the files
done are counted before anything is read and never read again; a run read by worker processes builds the
very index a run without them builds."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEmbedder

from assistant import cli
from index import pipeline
from index.batch_ingest import ingest_folder, plan
from index.loaders import load_document
from index.pipeline import Indexer
from index.settings import Settings
from index.sparse import add_words
from index.structure import parse_report

ROOT = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).resolve().parent / "crash_driver.py"


def _folder(tmp_path: Path, corpus_dir: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in sorted(corpus_dir.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    return folder


def _teach_names(folder: Path) -> None:
    """jieba's dictionary is one per process, and each report ingested teaches it its unit's names, which
    shift how other text is cut (index/sparse.py). A CLI run starts from the names in its index; tests
    share one process, so every name of the folder is taught before either index compared is built."""
    for path in sorted(folder.rglob("*.txt")):
        add_words(parse_report(load_document(path)).meta.aliases)


def _dump(index: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the index, in the order written (the time of writing left out)."""
    with sqlite3.connect(index / "reports.sqlite3") as conn:
        out = {}
        for table in ("documents", "chunks", "facts", "figures"):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "ingested_at"]
            out[table] = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()
    return out


def _vectors(indexer: Indexer) -> dict[str, np.ndarray]:
    got = indexer.vectors._collection.get(include=["embeddings"])  # type: ignore[attr-defined]
    return {i: np.asarray(v) for i, v in zip(got["ids"], got["embeddings"], strict=True)}


class Interrupting(FakeEmbedder):
    """Ctrl-C while the `at`-th file is being embedded."""

    def __init__(self, at: int) -> None:
        self.calls, self.at = 0, at

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return super().embed_passages(texts)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpus_dir) -> tuple[Path, dict[str, list[tuple[object, ...]]]]:
    """The folder (left as it is by the tests that use it), and the index one uninterrupted run makes."""
    root = tmp_path_factory.mktemp("resume")
    folder = _folder(root, corpus_dir)
    _teach_names(folder)
    indexer = Indexer(Settings(index_dir=root / "ref"), embedder=FakeEmbedder())
    assert {o.status for o in ingest_folder(indexer, plan(indexer, [folder])).outcomes} == {"added"}
    indexer.store.close()
    return folder, _dump(root / "ref")


def test_a_resumed_run_counts_the_files_done_and_reads_only_the_rest(tmp_path, reference, monkeypatch):
    folder, expected = reference
    files = sorted(folder.iterdir())
    indexer = Indexer(Settings(index_dir=tmp_path / "idx"), embedder=FakeEmbedder())
    for path in files[:3]:  # what a run stopped after three files left
        assert indexer.ingest_file(path).status == "added"

    read: list[str] = []
    parse_file = pipeline.parse_file
    monkeypatch.setattr(
        pipeline, "parse_file", lambda path, *a, **k: read.append(path.name) or parse_file(path, *a, **k)
    )
    folder_plan = plan(indexer, [folder])
    assert folder_plan.done == {0, 1, 2}
    assert folder_plan.resume_message() == "续导：已完成 3/5 份，余 2 份。"
    seen: list[tuple[int, int]] = []
    run = ingest_folder(indexer, folder_plan, progress=lambda done, total, name: seen.append((done, total)))
    assert read == [f.name for f in files[3:]]  # the files done were not read again
    assert [o.status for o in run.outcomes] == ["unchanged"] * 3 + ["added"] * 2
    assert seen == [(3, 5), (3, 5), (3, 5), (3, 5), (4, 5), (5, 5)]  # the bar starts at 3 of 5
    assert not run.interrupted and run.indexed == 5
    indexer.store.close()
    assert _dump(tmp_path / "idx") == expected


def test_ctrl_c_stops_the_run_cleanly_and_the_next_run_finishes_it(tmp_path, reference):
    folder, expected = reference
    settings = Settings(index_dir=tmp_path / "idx")
    indexer = Indexer(settings, embedder=Interrupting(at=3))
    run = ingest_folder(indexer, plan(indexer, [folder]))
    assert run.interrupted and run.indexed == 2 and len(run.outcomes) == 2
    assert set(_vectors(indexer)) == indexer.store.all_chunk_ids()  # nothing half written

    # Ctrl-C while a file is being written: the file is finished, then the run stops
    indexer = Indexer(settings, embedder=FakeEmbedder())
    add = indexer.vectors.add

    def add_then_interrupt(chunks, vectors):
        os.kill(os.getpid(), signal.SIGINT)
        add(chunks, vectors)

    indexer.vectors.add = add_then_interrupt  # type: ignore[method-assign]
    handler = signal.getsignal(signal.SIGINT)
    run = ingest_folder(indexer, plan(indexer, [folder]))
    assert run.interrupted and run.indexed == 3 and run.outcomes[-1].status == "added"
    assert signal.getsignal(signal.SIGINT) is handler
    assert set(_vectors(indexer)) == indexer.store.all_chunk_ids()

    indexer = Indexer(settings, embedder=FakeEmbedder())
    folder_plan = plan(indexer, [folder])
    assert len(folder_plan.done) == 3
    run = ingest_folder(indexer, folder_plan)
    assert not run.interrupted and indexer.repaired is not None and not indexer.repaired.message()
    indexer.store.close()
    assert _dump(tmp_path / "idx") == expected


def test_the_ingest_command_says_it_resumes_and_how_to_resume(tmp_path, reference, monkeypatch, capsys):
    folder, _ = reference
    index = tmp_path / "idx"
    monkeypatch.setattr("index.pipeline.make_embedder", lambda settings: Interrupting(at=2))
    assert cli.main(["ingest", str(folder), "--index", str(index)]) == 130
    err = capsys.readouterr().err
    assert "已中断：5 份中已完成 1 份" in err and "再次运行同一命令即可从中断处继续" in err
    assert "Traceback" not in err

    monkeypatch.setattr("index.pipeline.make_embedder", lambda settings: FakeEmbedder())
    assert cli.main(["ingest", str(folder), "--index", str(index), "--workers", "2"]) == 0
    out, err = capsys.readouterr()
    assert "续导：已完成 1/5 份，余 4 份。" in err
    assert out.count("[已导入]") == 4 and out.count("[未变化]") == 1


def test_workers_build_the_same_index_as_one_process(tmp_path, corpus_dir, monkeypatch):
    """Same chunks, facts, figures, tokens and vectors in the same order, whatever worker finishes first;
    with the cases where the parent must decide: a same-named file (renamed), a copy (skipped), a new
    version of a report (replacing it)."""
    folder = _folder(tmp_path, corpus_dir)
    first = sorted(folder.iterdir())[0]
    for year in ("2021", "2023"):
        (folder / year).mkdir()
    shutil.copy(first, folder / "2021" / "报告.txt")  # a copy of a report indexed just before
    text = first.read_text(encoding="utf-8")
    (folder / "2023" / "报告.txt").write_text(text + "\n补充说明：本报告已经复核。\n", encoding="utf-8")
    (folder / "报告.txt").write_text(  # a report named like another
        sorted(folder.glob("00[2]*"))[0].read_text(encoding="utf-8").replace("2021", "2022"), encoding="utf-8"
    )

    _teach_names(folder)
    results = {}
    for workers in (1, 2):
        indexer = Indexer(Settings(index_dir=tmp_path / f"w{workers}"), embedder=FakeEmbedder())
        outcomes = ingest_folder(indexer, plan(indexer, [folder]), workers=workers).outcomes
        results[workers] = (
            [(o.status, o.message, o.details.get("doc")) for o in outcomes],
            _vectors(indexer),
        )
        indexer.store.close()
    statuses = [status for status, _, _ in results[1][0]]
    assert {"added", "unchanged"} <= set(statuses) and "报告.txt" in {d for _, _, d in results[1][0]}
    assert results[2][0] == results[1][0]
    assert _dump(tmp_path / "w2") == _dump(tmp_path / "w1")
    one, two = results[1][1], results[2][1]
    assert one.keys() == two.keys() and all(np.array_equal(one[i], two[i]) for i in one)


def _processes_with(marker: str) -> list[int]:
    """The processes whose environment holds the marker (a run and the workers it spawned)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_a_run_killed_while_workers_read_leaves_a_consistent_index_and_resumes(tmp_path, corpus_dir):
    """kill -9 between a file's two stores, with two workers reading ahead: SQLite holds whole reports,
    the workers do not outlive the run, and the next run reads only the two files left and ends with the
    index one uninterrupted run in one process makes (tokens too: each run is a new process)."""
    folder = _folder(tmp_path, corpus_dir)
    files = [str(f) for f in sorted(folder.iterdir())]
    marker = f"resume-{os.getpid()}-{tmp_path.name}"
    env = {**os.environ, "JIXIAO_TEST_RUN": marker}

    def run(index: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        args = [sys.executable, str(DRIVER), str(index), *extra, *files]
        return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=120, env=env)

    assert run(tmp_path / "ref").returncode == 0  # no workers, no folder plan: Indexer.ingest
    index = tmp_path / "idx"
    killed = run(index, "--kill-at", "rows-written:3", "--workers", "2")
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    deadline = time.monotonic() + 10
    while _processes_with(f"JIXIAO_TEST_RUN={marker}") and time.monotonic() < deadline:
        time.sleep(0.1)  # a worker ends with its parent
    assert not _processes_with(f"JIXIAO_TEST_RUN={marker}")
    rerun = run(index, "--workers", "2")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert rerun.stdout.splitlines()[0] == "done 3/5"
    assert [line.split()[0] for line in rerun.stdout.splitlines()[1:]] == ["unchanged"] * 3 + ["added"] * 2
    assert _dump(index) == _dump(tmp_path / "ref")
