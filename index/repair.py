"""Keeping the index whole: vectors matched to the chunks SQLite holds, a damaged or read-only vector store
opened the best way there is, and `ingest --rebuild` (with `Indexer.rebuild`, which re-embeds).

SQLite is the source of truth and keeps every chunk's text, so vectors can always be made again from it:
a deleted or emptied `chroma/`, or vectors left by a run killed between its two stores, are put right on
the next ingest (missing ones embedded, stray ones removed)."""

from __future__ import annotations

import atexit
import logging
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.embed_units import embed_unique, needing_vectors
from index.models import Chunk
from index.settings import Settings
from index.store import (
    ChromaVectorStore,
    IndexDamaged,
    IndexMissing,
    NoVectors,
    ReportStore,
    VectorStore,
    damaged_message,
    read_only_message,
    writable,
)

log = logging.getLogger(__name__)

# a read-only vector store larger than this is not copied to be opened: keyword retrieval instead
COPY_LIMIT_BYTES = 2 * 1024**3
EMBED_BATCH = 64

StageFn = Callable[[str, float], None]


class DiskFull(OSError):
    """The disk holding the index is full; the message says so in Chinese."""


def disk_full_message(settings: Settings) -> str:
    return (
        f"磁盘空间不足：索引 {settings.index_dir} 所在的磁盘已满，本次写入未完成（已写入的报告不受影响）。"
        "请清理磁盘空间，或用 --index 换到空间充足的位置，然后重新运行。"
    )


def problem_of(exc: BaseException) -> str | None:
    """What an error from SQLite, Chroma or the file system says about the index: 'full', 'readonly',
    'damaged', or None for anything else. Chroma wraps SQLite's errors in its own types, so the words count."""
    if isinstance(exc, OSError) and exc.errno == 28:
        return "full"
    text = str(exc).lower()
    if "disk is full" in text or "no space left" in text or "(code: 13)" in text:
        return "full"
    if "readonly" in text or "read-only" in text or "permission denied" in text or "(code: 8)" in text:
        return "readonly"
    if isinstance(exc, PermissionError):
        return "readonly"
    if "malformed" in text or "not a database" in text or "(code: 11)" in text or "(code: 26)" in text:
        return "damaged"
    if isinstance(exc, sqlite3.DatabaseError):
        return "damaged"
    return None


def open_vectors(settings: Settings) -> VectorStore:
    """The vector store for ingest: must be writable and whole, else a Chinese message with the fix."""
    try:
        return ChromaVectorStore(settings)
    except Exception as exc:
        if settings.chroma_host:
            raise
        _forget_clients()  # a half-opened client would be handed out again
        problem = problem_of(exc)
        if problem == "full":
            raise DiskFull(28, disk_full_message(settings)) from exc
        if problem == "readonly":
            raise IndexMissing(read_only_message(settings.index_dir)) from exc
        # an embedded store that does not open is a damaged one, whatever the error's type
        raise IndexDamaged(
            damaged_message(settings.index_dir, "向量索引（chroma/）", str(exc)[:100])
        ) from exc


def open_query_vectors(settings: Settings) -> tuple[VectorStore, str | None]:
    """The vector store for answering, and a note when it is not the index's own: a read-only index is
    opened from a temporary copy (Chroma writes when it opens), a damaged one not at all (keywords only)."""
    if settings.chroma_host:
        return ChromaVectorStore(settings), None
    chroma = settings.chroma_dir
    if not writable(chroma) or not all(writable(p) for p in chroma.rglob("*")):
        return _read_only_copy(settings)
    try:
        return ChromaVectorStore(settings), None
    except Exception as exc:
        _forget_clients()  # a half-opened client would be handed out again
        if problem_of(exc) == "readonly":
            return _read_only_copy(settings)
        log.info("vector store unreadable: %s", exc)  # an embedded store that does not open is damaged
        note = (
            f"向量索引已损坏，本次只按关键词检索（直接的数字问答不受影响）。修复：`python -m assistant ingest "
            f"--rebuild --index {settings.index_dir}`。"
        )
        return NoVectors(note), note


def _keywords_only(note: str) -> tuple[VectorStore, str]:
    return NoVectors(note), note


def _read_only_copy(settings: Settings) -> tuple[VectorStore, str | None]:
    chroma = settings.chroma_dir
    if not chroma.is_dir():
        return _keywords_only(f"索引 {settings.index_dir} 是只读的，且没有向量索引：本次只按关键词检索。")
    size = sum(p.stat().st_size for p in chroma.rglob("*") if p.is_file())
    if size > COPY_LIMIT_BYTES:
        return _keywords_only(
            f"索引 {settings.index_dir} 是只读的，向量索引过大无法复制：本次只按关键词检索。"
        )
    target = Path(tempfile.mkdtemp(prefix="jixiao-ro-")) / "chroma"
    atexit.register(shutil.rmtree, target.parent, True)
    try:
        shutil.copytree(chroma, target)
        copy = ChromaVectorStore(settings.model_copy(update={"index_dir": target.parent}))
    except Exception as exc:  # no room in the temp folder, or the copy is unreadable too
        log.info("read-only vector store could not be copied: %s", exc)
        shutil.rmtree(target.parent, ignore_errors=True)
        return _keywords_only(f"索引 {settings.index_dir} 是只读的，向量索引无法打开：本次只按关键词检索。")
    return copy, None  # same vectors, same answers: nothing to tell the user


@dataclass(frozen=True)
class Repair:
    removed: int  # vectors of no indexed chunk (a run killed between its two stores)
    embedded: int  # indexed chunks that had no vector (chroma/ deleted or emptied)

    def message(self) -> str:
        parts = []
        if self.embedded:
            parts.append(f"补齐了 {self.embedded} 个缺失向量的段落")
        if self.removed:
            parts.append(f"清除了 {self.removed} 个多余的向量（上次导入中断时留下）")
        return "向量索引已修复：" + "，".join(parts) + "。" if parts else ""


def reconcile(
    store: ReportStore,
    vectors: VectorStore,
    embed: Callable[[list[str]], np.ndarray],
    settings: Settings,
    stage: StageFn | None = None,
) -> Repair:
    """Make the vector store hold a vector for every chunk SQLite holds that should have one
    (index/embed_units.py; each report's count is recorded) and none for a chunk it no longer holds (the model
    is loaded only when some vector is missing). A vector of a chunk that needs none stays."""
    have = vectors.ids()
    indexed = store.all_chunk_ids()
    stray = sorted(have - indexed)
    if stray:
        vectors.delete(stray)
    missing = indexed - have
    needing: list[tuple[Chunk, str]] = []
    counts: dict[str, int] = {}
    if missing:
        for doc in sorted(r["doc"] for r in store.documents()):
            ids = store.chunk_ids(doc)
            gone = missing.intersection(ids)
            # none missing, or only those of chunks that get no vector (a count of -1 is all chunks)
            if not gone or len(ids) - len(gone) >= store.vectors_expected(doc):
                continue
            own = needing_vectors([c for c, _ in store.chunks(doc)], settings)
            needing += [(c, t) for c, t in own if c.id in gone]
            counts[doc] = len(own)
    for start in range(0, len(needing), EMBED_BATCH):
        if stage:
            stage("向量化", start / len(needing))
        part = needing[start : start + EMBED_BATCH]
        vectors.add([c for c, _ in part], embed_unique([t for _, t in part], embed))
    if counts:
        store.set_vectors_expected(counts)
    return Repair(len(stray), len(needing))


def set_aside(path: Path) -> Path:
    """Move a damaged file or folder out of the way (never deleted: it may still be wanted)."""
    target = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
    path.rename(target)
    return target


def store_is_whole(settings: Settings) -> bool:
    if not settings.sqlite_path.exists():
        return False
    try:
        store = ReportStore(settings.sqlite_path, create=False)
    except (sqlite3.DatabaseError, IndexDamaged):
        return False
    try:
        store.check()
        return True
    except IndexDamaged:
        return False
    finally:
        store.close()


def prepare_rebuild(settings: Settings, paths: list[Path]) -> tuple[list[Path], list[str]]:
    """`ingest --rebuild`, before the indexer opens: with the report database whole, its vectors will be made
    again from the chunks it holds (no file needed: `Indexer.rebuild`), so a damaged embedded vector store
    is deleted; with the database damaged, the damaged index is set aside and the reports are read again
    from the paths given and the app's uploads. Returns the paths to ingest and what was done."""
    said: list[str] = []
    if settings.index_dir.exists() and not settings.index_dir.is_dir():
        raise IndexMissing(
            f"索引位置 {settings.index_dir} 不是目录，而是一个文件。请用 --index 指定一个目录。"
        )
    if settings.index_dir.exists() and not writable(settings.index_dir):
        raise IndexMissing(read_only_message(settings.index_dir))
    chroma = settings.chroma_dir
    if store_is_whole(settings):
        if chroma.exists() and not settings.chroma_host:
            shutil.rmtree(chroma)  # derived data: made again from SQLite, nothing is lost
            _forget_clients()
        said.append("报告数据库完好：清空向量索引，按数据库中的段落用当前向量模型重新生成向量。")
        return paths, said
    uploads = settings.index_dir / "uploads"
    sources = paths + ([uploads] if uploads.is_dir() else [])
    if not sources:
        raise IndexDamaged(
            f"索引 {settings.index_dir} 的报告数据库已损坏（或不存在），需要从原始报告重新导入："
            f"`python -m assistant ingest --rebuild <报告文件或目录> --index {settings.index_dir}`。"
        )
    # a Chroma server's collection is not moved but emptied, by the rebuild that follows
    moved = [
        set_aside(p)
        for p in (
            settings.sqlite_path,
            *settings.sqlite_path.parent.glob("reports.sqlite3-*"),
            *([] if settings.chroma_host else [chroma]),
        )
        if p.exists()
    ]
    if moved:
        said.append(
            "已把损坏的索引文件移到一旁（确认无用后可删除）：" + "、".join(p.name for p in moved) + "。"
        )
    said.append("从原始文件重新导入：" + "、".join(str(p) for p in sources) + "。")
    _forget_clients()
    return sources, said


def _forget_clients() -> None:
    """Chroma keeps one client per folder for the life of the process: one opened on the files just moved
    or deleted would go on using them (the app and the tests live on after a rebuild)."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
