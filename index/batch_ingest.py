"""A folder into the index: resumable, with the reading done in worker processes if asked.

Resuming needs no journal of its own: a report is written whole or not at all (index/pipeline.py), and a file
whose content is indexed is known by its hash before it is read (`Indexer.settled`). So a run stopped by
Ctrl-C or `kill -9` is resumed by running the same command again: `plan` counts the files already done, the
progress bar starts there, and the ETA comes from the files read in this run.

With `workers` > 1, files are loaded, parsed, checked and cut into chunks, facts and figures in that many
worker processes, a few files ahead, while this process embeds and writes them one at a time in file order.
Chroma and SQLite are written by one process only, and the index is the same whichever worker finishes first.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from index.identity import OnConflict
from index.loaders import sha256_file
from index.models import IngestOutcome
from index.pipeline import Indexer, Parsed, ProgressFn, discover, parse_file
from index.repair import StageFn

AHEAD = 2  # files read ahead per worker: enough to keep them busy, few enough to bound the memory held


@dataclass
class FolderPlan:
    """The files of a run, in order, and those whose content the index holds already."""

    files: list[Path]
    done: frozenset[int] = frozenset()  # positions in `files`

    @property
    def remaining(self) -> int:
        return len(self.files) - len(self.done)

    def resume_message(self) -> str:
        """One line when part of the folder is in the index already (a run interrupted before, or grown)."""
        if not self.done or not self.remaining:
            return ""
        return f"续导：已完成 {len(self.done)}/{len(self.files)} 份，余 {self.remaining} 份。"


@dataclass
class FolderRun:
    outcomes: list[IngestOutcome] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C: the files before it are in, the rest wait for the next run
    indexed: int = 0  # files of the folder in the index at the end (done before, or now)


def plan(indexer: Indexer, paths: Iterable[Path]) -> FolderPlan:
    """Which files are done: each file's hash looked up, nothing parsed or embedded. A file that cannot
    be read here counts as to do: its ingest says why."""
    files = list(discover(paths))
    done = set()
    limit = indexer.settings.upload_max_mb * 1024 * 1024
    for i, path in enumerate(files):
        try:
            if not path.is_file() or path.stat().st_size > limit:
                continue
            sha = sha256_file(path)
        except OSError:
            continue
        if indexer.settled(path, sha) is not None:
            done.add(i)
    return FolderPlan(files, frozenset(done))


class StopAfterWrite:
    """Ctrl-C during a file's writes is held until they end, and then ends the run: an interrupted run
    leaves nothing for the next one to repair. Elsewhere Ctrl-C stops at once (a file half read or half
    embedded is simply read again next time)."""

    def __init__(self) -> None:
        self.requested = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.getsignal(signal.SIGINT)

        def hold(signum: int, frame: object) -> None:
            self.requested = True

        signal.signal(signal.SIGINT, hold)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def _start_worker() -> None:
    """Ctrl-C reaches every process of the terminal: the parent alone decides what it means. And a worker
    ends with its parent: after a `kill -9` it would wait for work forever (it holds the queue's both ends)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None and parent.sentinel is not None:
        sentinel = parent.sentinel

        def end_with_parent() -> None:
            multiprocessing.connection.wait([sentinel])
            os._exit(1)

        threading.Thread(target=end_with_parent, daemon=True).start()


def _reader(future: Future[Parsed], path: Path, indexer: Indexer) -> Callable[[], Parsed]:
    def read() -> Parsed:
        try:
            return future.result()  # a worker's error (unreadable file, not a report) is raised here
        except BrokenProcessPool:  # a worker died (out of memory?): read the file here instead
            settings = indexer.settings
            return parse_file(path, settings.chunk_min_chars, settings.chunk_max_chars)

    return read


def ingest_folder(
    indexer: Indexer,
    folder: FolderPlan,
    on_conflict: OnConflict = "replace",
    workers: int = 1,
    progress: ProgressFn | None = None,
    stage: StageFn | None = None,
) -> FolderRun:
    """Every file of the plan, in order. `progress(done, total, name)` counts the files done before this
    run as done. Ctrl-C ends the run cleanly (`interrupted`); kill -9 leaves the index consistent too."""
    run = FolderRun(indexed=len(folder.done))
    stop, writing = StopAfterWrite(), indexer.writing
    indexer.writing = stop
    todo = [i for i in range(len(folder.files)) if i not in folder.done]
    pool = None
    if workers > 1 and len(todo) > 1:
        spawn = multiprocessing.get_context("spawn")  # never fork a process that holds torch's threads
        pool = ProcessPoolExecutor(min(workers, len(todo)), mp_context=spawn, initializer=_start_worker)
    futures: dict[int, Future[Parsed]] = {}
    queue = iter(todo)
    settings = indexer.settings
    finished = len(folder.done)
    try:
        for i, path in enumerate(folder.files):
            while pool is not None and len(futures) < AHEAD * workers:
                j = next(queue, None)
                if j is None:
                    break
                try:
                    futures[j] = pool.submit(
                        parse_file, folder.files[j], settings.chunk_min_chars, settings.chunk_max_chars
                    )
                except BrokenProcessPool:
                    pool = None  # the rest is read in this process
            if progress:
                progress(finished, len(folder.files), path.name)
            future = futures.pop(i, None)
            read = _reader(future, path, indexer) if future is not None else None
            outcome = indexer.ingest_file(path, on_conflict, stage, read)
            run.outcomes.append(outcome)
            if i not in folder.done:
                finished += 1
                run.indexed += outcome.status != "failed"
            if stop.requested:
                raise KeyboardInterrupt
        if progress:
            progress(finished, len(folder.files), "")
    except KeyboardInterrupt:
        run.interrupted = True
    finally:
        indexer.writing = writing
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    return run
