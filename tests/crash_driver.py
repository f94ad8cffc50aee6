"""Run an ingest in its own process for tests/test_crash.py, with the fake embedder, optionally killing
itself (SIGKILL, as `kill -9` would) at a named point:

    python tests/crash_driver.py INDEX_DIR [--kill-at POINT[:N]] [--workers N] FILE...

POINT is where the kill happens, on its N-th passage (default 1):
  vectors-added   after a file's new vectors are in Chroma, before its SQLite transaction
  rows-written    after the SQLite transaction, before the old vectors are deleted
  old-deleted     after a changed file's clashing vectors are deleted, before the new ones are added
  repaired        in the middle of re-embedding missing vectors at the start of a run
Without --kill-at, the run completes and prints one status per file. With --workers, the files go through
the folder run of `ingest` (index/batch_ingest.py), read by N worker processes, and the run first prints
`done X/Y`: the files its plan found done."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import FakeEmbedder  # noqa: E402

from index import batch_ingest, pipeline, repair  # noqa: E402
from index.pipeline import Indexer  # noqa: E402
from index.settings import Settings  # noqa: E402
from index.store import ChromaVectorStore, ReportStore  # noqa: E402


def _kill_on(point: str, count: int) -> None:
    passed = {"n": 0}

    def maybe_die(name: str) -> None:
        if name == point:
            passed["n"] += 1
            if passed["n"] == count:
                os.kill(os.getpid(), signal.SIGKILL)

    add, delete, write = ChromaVectorStore.add, ChromaVectorStore.delete, ReportStore.replace_document

    def add_then(self, chunks, vectors):
        add(self, chunks, vectors)
        maybe_die("vectors-added")

    def delete_then(self, ids):
        delete(self, ids)
        maybe_die("old-deleted")

    def write_then(self, *args, **kwargs):
        write(self, *args, **kwargs)
        maybe_die("rows-written")

    ChromaVectorStore.add, ChromaVectorStore.delete, ReportStore.replace_document = (
        add_then,
        delete_then,
        write_then,
    )
    repair.EMBED_BATCH = 8  # several batches, so that a kill can fall between two of them
    reconcile = pipeline.reconcile

    def reconcile_then(store, vectors, embed, settings, stage=None):
        def embed_then(texts):
            maybe_die("repaired")
            return embed(texts)

        return reconcile(store, vectors, embed_then, settings, stage)

    pipeline.reconcile = reconcile_then


def main(argv: list[str]) -> int:
    index, rest = Path(argv[0]), argv[1:]
    if rest[:1] == ["--kill-at"]:
        point, _, n = rest[1].partition(":")
        _kill_on(point, int(n or 1))
        rest = rest[2:]
    workers = 0
    if rest[:1] == ["--workers"]:
        workers, rest = int(rest[1]), rest[2:]
    indexer = Indexer(Settings(index_dir=index), embedder=FakeEmbedder())
    if workers:
        folder = batch_ingest.plan(indexer, [Path(p) for p in rest])
        print(f"done {len(folder.done)}/{len(folder.files)}", flush=True)
        outcomes = batch_ingest.ingest_folder(indexer, folder, workers=workers).outcomes
    else:
        outcomes = indexer.ingest([Path(p) for p in rest])
    for o in outcomes:
        print(o.status, Path(o.path).name, o.message)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
