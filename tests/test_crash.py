"""Crash safety (issue 11): an ingest killed with SIGKILL at chosen and at random points leaves an index
whose SQLite side is whole (each report all there or not at all, in one of its versions), whose answers
never lack a vector, and which the next run completes: one vector per chunk, nothing stray."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FakeEmbedder

from index.pipeline import Indexer
from index.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DRIVER = Path(__file__).resolve().parent / "crash_driver.py"

pytestmark = pytest.mark.slow


def _versions(tmp_path: Path, corpus_dir: Path) -> tuple[list[Path], list[Path]]:
    """The five reports as they are, and each changed (a re-ingest replaces every chunk)."""
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    v1.mkdir()
    v2.mkdir()
    for path in sorted(corpus_dir.glob("*.txt")):
        shutil.copy(path, v1 / path.name)
        (v2 / path.name).write_text(
            path.read_text(encoding="utf-8") + "\n补充说明：本报告已经复核。\n", encoding="utf-8"
        )
    return sorted(v1.iterdir()), sorted(v2.iterdir())


def _run(index: Path, files: list[Path], kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, str(DRIVER), str(index)] + (["--kill-at", kill_at] if kill_at else [])
    return subprocess.run(
        args + [str(f) for f in files], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def _killed_at_random(index: Path, files: list[Path], delay: float) -> int:
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(index)] + [str(f) for f in files],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=60)


def _state(index: Path) -> tuple[dict[str, tuple[str, frozenset[str]]], set[str]]:
    """doc → (sha256, chunk ids) from SQLite, checked whole; and the vector ids in Chroma."""
    from chromadb.api.client import SharedSystemClient

    with sqlite3.connect(index / "reports.sqlite3") as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        docs = dict(conn.execute("SELECT doc, sha256 FROM documents").fetchall())
        chunks: dict[str, set[str]] = {}
        for cid, doc in conn.execute("SELECT id, doc FROM chunks"):
            chunks.setdefault(doc, set()).add(cid)
        for table in ("facts", "figures"):
            assert {r[0] for r in conn.execute(f"SELECT DISTINCT doc FROM {table}")} <= set(docs), table
    assert set(chunks) == set(docs)  # every report with its chunks, every chunk with its report
    SharedSystemClient.clear_system_cache()  # the driver changed the files since this process last looked
    import chromadb

    client = chromadb.PersistentClient(
        path=str(index / "chroma"), settings=chromadb.Settings(anonymized_telemetry=False)
    )
    vectors = set(client.get_or_create_collection("report_chunks").get(include=[])["ids"])
    SharedSystemClient.clear_system_cache()
    return {d: (docs[d], frozenset(chunks[d])) for d in docs}, vectors


def _check_after_kill(
    index: Path, reference: dict[str, tuple[str, frozenset[str]]], vectors_whole: bool = True
) -> None:
    if not (index / "reports.sqlite3").exists():
        return  # killed before the index existed
    state, vectors = _state(index)
    for doc, version in state.items():
        assert version in reference.values(), f"{doc}: a report half written"
        if vectors_whole:
            assert version[1] <= vectors, f"{doc}: chunks without vectors"


def _check_complete(index: Path, expected: dict[str, tuple[str, frozenset[str]]]) -> None:
    state, vectors = _state(index)
    assert state == expected
    assert vectors == set().union(*(ids for _, ids in state.values()))  # nothing missing, nothing stray


def test_an_ingest_killed_anywhere_leaves_a_consistent_index_and_the_rerun_completes(tmp_path, corpus_dir):
    v1, v2 = _versions(tmp_path, corpus_dir)
    references = {}
    for name, files in (("v1", v1), ("v2", v2)):  # each version ingested uninterrupted, in this process
        indexer = Indexer(Settings(index_dir=tmp_path / f"ref-{name}"), embedder=FakeEmbedder())
        assert {o.status for o in indexer.ingest(files)} == {"added"}
        indexer.store.close()
        references[name] = _state(tmp_path / f"ref-{name}")[0]
    every_version = {
        **{("v1", d): v for d, v in references["v1"].items()},
        **{("v2", d): v for d, v in references["v2"].items()},
    }
    known = {f"{name}:{doc}": v for (name, doc), v in every_version.items()}

    index = tmp_path / "idx"
    # each run changes every report (v1 ↔ v2), so that every kill point is passed
    trials: list[tuple[str, list[Path], str | float]] = [
        ("v1", v1, "vectors-added:3"),  # a first ingest, killed between a file's two stores
        ("v2", v2, "rows-written:2"),  # a re-ingest, killed before the old vectors went
        ("v1", v1, "old-deleted:4"),
        ("v1", v1, "repaired:3"),  # killed while refilling a deleted vector store
    ]
    rng = random.Random(11)  # and at random moments (seeded: a failure can be replayed)
    trials += [(name, files, rng.uniform(0.8, 2.4)) for name, files in (("v2", v2), ("v1", v1))]
    for name, files, kill in trials:
        whole = True
        if kill == "repaired:3":
            shutil.rmtree(index / "chroma")
            whole = False
        if isinstance(kill, str):
            killed = _run(index, files, kill)
            assert killed.returncode == -signal.SIGKILL, (kill, killed.stdout, killed.stderr[-2000:])
        else:
            _killed_at_random(index, files, kill)
        _check_after_kill(index, known, whole)
        rerun = _run(index, files)
        assert rerun.returncode == 0, (kill, rerun.stdout, rerun.stderr[-2000:])
        _check_complete(index, references[name])
