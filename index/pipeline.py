"""Ingest: file → report → chunks, facts, vectors → index. Safe to run twice, safe to fail.

A document is parsed, chunked, extracted and embedded entirely in memory first; only then are its new rows
written, in one SQLite transaction, with its new vectors added before and its old vectors removed after.
A file that fails at any step leaves the index exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from index.chunking import chunk_report
from index.embed_units import embed_unique, needing_vectors
from index.embedders import Embedder, EmbedderUnavailable, make_embedder
from index.facts import extract_facts
from index.figures import extract_figures
from index.identity import OnConflict, Placement, figure_changes, place
from index.loaders import SUPPORTED_SUFFIXES, LoadError, load_document, sha256_file
from index.models import (
    Chunk,
    Fact,
    Figure,
    IngestOutcome,
    RawDocument,
    Report,
    ReportVersion,
    VersionConflict,
)
from index.repair import (
    EMBED_BATCH,
    DiskFull,
    Repair,
    StageFn,
    disk_full_message,
    open_vectors,
    problem_of,
    reconcile,
)
from index.report_check import Assessment, NotAReport, assess
from index.settings import Settings
from index.sparse import add_words, tokenize
from index.store import (
    REBUILDING,
    EmbedderMismatch,
    IndexMissing,
    ReportStore,
    VectorStore,
    check_embedder,
    damaged_message,
    read_only_message,
)
from index.structure import parse_report

ProgressFn = Callable[[int, int, str], None]


def _pipeline_version() -> str:
    """A digest of the code that turns a file into chunks and facts: when it changes, files are re-read."""
    digest = hashlib.sha256()
    for name in (
        "loaders",
        "normalize",
        "structure",
        "chunking",
        "facts",
        "figures",
        "sparse",
        "metrics",
        "report_check",
    ):
        digest.update((Path(__file__).with_name(f"{name}.py")).read_bytes())
    return digest.hexdigest()[:16]


PIPELINE_VERSION = _pipeline_version()


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Files to ingest: the paths themselves, and report files found under any directory given."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in SUPPORTED_SUFFIXES
                    and not child.name.startswith(".")
                ):
                    yield child
        else:
            yield path


def check_is_report(report: Report) -> str:
    """The warning an import carries ('' for a plain report); raises NotAReport for a file that is none."""
    return assess(report).warning()


def attach_chunks(facts: list[Fact], chunks: list[Chunk]) -> list[Fact]:
    """Point each fact at the chunk that holds its quote, so answers can show the surrounding passage.
    Chunks are looked up by the lines their text holds, not by scanning every chunk per fact: a big 自评表
    has thousands of both, and each of its chunks repeats the header row, so ranges overlap the table."""
    by_line: dict[int, list[Chunk]] = {}
    for chunk in chunks:
        for number in dict.fromkeys([chunk.line_start, *(n for _, n in chunk.line_marks)]):
            by_line.setdefault(number, []).append(chunk)
    out = []
    for fact in facts:
        holding = by_line.get(fact.line) or [
            c for c in chunks if c.line_start <= fact.line <= c.line_end
        ]  # a line inside a chunk's range that no mark names (rare)
        holder = next((c for c in holding if fact.quote[:12] in c.text), holding[0] if holding else None)
        out.append(replace(fact, chunk_id=holder.id if holder else None))
    return out


@dataclass
class Parsed:
    """A file read and cut up, nothing written yet: made in this process or in a worker
    (index/batch_ingest.py), so it holds no store and no model."""

    raw: RawDocument
    report: Report
    assessment: Assessment
    chunks: list[Chunk]
    facts: list[Fact]
    figures: list[Figure]

    @property
    def doc(self) -> str:
        return self.report.meta.doc

    def named(self, doc: str, min_chars: int, max_chars: int) -> Parsed:
        """The same report under the name the index gives it (`2023/报告.txt`): chunk ids carry the name."""
        if doc == self.doc:
            return self
        self.raw.name = doc
        self.report.meta = replace(self.report.meta, doc=doc)
        return cut(self.raw, self.report, self.assessment, min_chars, max_chars)


def cut(raw: RawDocument, report: Report, assessment: Assessment, min_chars: int, max_chars: int) -> Parsed:
    chunks = chunk_report(report, min_chars, max_chars)
    if not chunks:
        raise NotAReport(f"{raw.name} 没有可检索的正文，未导入。")
    facts = attach_chunks(extract_facts(report), chunks)
    return Parsed(raw, report, assessment, chunks, facts, extract_figures(report))


def parse_file(path: Path, min_chars: int, max_chars: int, stage: StageFn | None = None) -> Parsed:
    """Load, parse, check and cut one file, under its own name. Depends on nothing but the file."""
    if stage:
        stage("解析", 0.0)
    raw = load_document(path)
    report = parse_report(raw)
    assessment = assess(report)  # raises NotAReport
    if stage:
        stage("切分", 0.0)
    return cut(raw, report, assessment, min_chars, max_chars)


class Indexer:
    """Files into the index. Before the first file of a run, the SQLite file is checked (nothing is written
    into a damaged one) and the vectors are matched to the chunks (see index/repair.py)."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        vectors: VectorStore | None = None,
        store: ReportStore | None = None,
    ) -> None:
        self.settings = settings
        self._embedder = embedder
        self.store = store or ReportStore(settings.sqlite_path)
        if self.store.read_only:
            raise IndexMissing(read_only_message(settings.index_dir))
        self.vectors = vectors or open_vectors(settings)
        self.repaired: Repair | None = None  # what the first ingest of this indexer put right
        self._dim: int | None = None  # the dimension of the vectors this indexer made
        self._disk_full = False
        # around a file's writes (its vectors, its rows, its old vectors gone): a folder run defers Ctrl-C
        # here, so that an interrupted run leaves nothing for the next one to repair
        self.writing: Callable[[], AbstractContextManager[object]] = nullcontext

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    def prepare(self, stage: StageFn | None = None) -> Repair:
        """Check the SQLite file and match the vectors to its chunks, once per indexer: missing ones made
        with the index's own model (another is refused), stray ones removed; an interrupted rebuild ends."""
        if self.repaired is None:
            self.store.check()
            self.repaired = reconcile(self.store, self.vectors, self._passages, self.settings, stage)
            built = self.store.embedder_name() or ""
            if built.startswith(REBUILDING) and built == REBUILDING + self.embedder.name:
                self.store.set_embedder(self.embedder.name, self._dim or self._probe_dim())
            # jieba cuts a report's text knowing the names of the reports indexed before it (add_words below):
            # taught here from the index, not left to what this process happened to ingest, a run resumed
            # in a new process cuts the files left as the uninterrupted run would have
            add_words(alias for meta in self.store.metas() for alias in meta.aliases)
        return self.repaired

    def rebuild(self, stage: StageFn | None = None) -> int:
        """Every indexed report's vectors again, with the current embedder, from the chunks SQLite keeps (no
        source file needed): the way to another model or dimension. Until the last vector is in, the index
        records the rebuild as under way and every query is refused; an interrupted rebuild is finished by
        the next ingest with the same model, or simply run again. Returns the number of chunks embedded."""
        self.store.check()
        self.store.set_embedder(REBUILDING + self.embedder.name)
        # which chunks get a vector is decided again, by the settings of this run
        self.store.set_vectors_expected({r["doc"]: -1 for r in self.store.documents()})
        self.vectors.reset()  # a collection keeps the dimension of its first vector, even emptied
        self.repaired = None
        return self.prepare(stage).embedded

    def _passages(self, texts: list[str]) -> np.ndarray:
        """Vectors for chunks already indexed, by the model the index was built with (or is being rebuilt
        with): one vector store never mixes two models."""
        name = self.embedder.name
        rebuilding = self.store.embedder_name() == REBUILDING + name
        if not rebuilding:
            check_embedder(self.store, name)
        vectors = self.embedder.embed_passages(texts)
        if not rebuilding:
            check_embedder(self.store, name, int(vectors.shape[1]))
        self._dim = int(vectors.shape[1])
        return vectors

    def _probe_dim(self) -> int | None:
        """The current model's dimension, from one stored chunk (a rebuild killed after its last vector)."""
        docs = self.store.documents()
        chunks = [c for c, _ in self.store.chunks(docs[0]["doc"])] if docs else []
        return int(self.embedder.embed_passages([chunks[0].embed_text]).shape[1]) if chunks else None

    def ingest(
        self,
        paths: Iterable[Path],
        progress: ProgressFn | None = None,
        on_conflict: OnConflict = "replace",
        stage: StageFn | None = None,
    ) -> list[IngestOutcome]:
        files = list(discover(paths))
        outcomes = []
        for i, path in enumerate(files):
            if progress:
                progress(i, len(files), path.name)
            outcomes.append(self.ingest_file(path, on_conflict, stage))
        if progress:
            progress(len(files), len(files), "")
        return outcomes

    def ingest_file(
        self,
        path: Path,
        on_conflict: OnConflict = "replace",
        stage: StageFn | None = None,
        read: Callable[[], Parsed] | None = None,
    ) -> IngestOutcome:
        """One file into the index. `read` hands over the file already parsed (by a worker process: see
        index/batch_ingest.py); it is called only when the file must be read."""
        if self._disk_full:  # every later file would fail the same way, after minutes of embedding
            return IngestOutcome(str(path), "failed", f"{path.name} 未导入：磁盘已满（见上）。")
        try:
            self.prepare()
            return self._ingest(path, on_conflict, stage, read)
        except (LoadError, EmbedderMismatch, EmbedderUnavailable) as exc:  # messages that say the fix
            return IngestOutcome(str(path), "failed", str(exc))
        except Exception as exc:  # any other failure must still leave the index as it was
            if problem_of(exc) == "full" or isinstance(exc, DiskFull):
                self._disk_full = True
                return IngestOutcome(
                    str(path), "failed", f"{path.name} 未导入：{disk_full_message(self.settings)}"
                )
            # the index itself is the problem (the CLI says so once, before the first file: see prepare)
            if isinstance(exc, IndexMissing):
                return IngestOutcome(str(path), "failed", f"{path.name} 未导入：{exc}")
            if problem_of(exc) == "readonly":
                return IngestOutcome(
                    str(path), "failed", f"{path.name} 未导入：{read_only_message(self.settings.index_dir)}"
                )
            if problem_of(exc) == "damaged":
                where = self.settings.index_dir
                return IngestOutcome(
                    str(path),
                    "failed",
                    f"{path.name} 未导入：{damaged_message(where, '索引', str(exc)[:100])}",
                )
            return IngestOutcome(
                str(path), "failed", f"{path.name} 导入失败（索引未改动）：{type(exc).__name__}: {exc}"
            )

    def _check_file(self, path: Path) -> None:
        if not path.exists():
            raise LoadError(f"找不到文件：{path}")
        if not path.is_file():  # a FIFO or a device would be read forever
            raise LoadError(f"{path} 不是普通文件（可能是管道或设备），未导入。")
        size = path.stat().st_size
        if size > self.settings.upload_max_mb * 1024 * 1024:
            raise LoadError(
                f"{path.name} 太大（{size / 1024 / 1024:.1f} MB），单个文件不能超过 {self.settings.upload_max_mb} MB"
                "（可用环境变量 JIXIAO_UPLOAD_MAX_MB 调整）。绩效自评报告通常不到 5 MB：请确认文件是否正确。"
            )

    def settled(self, path: Path, sha: str) -> IngestOutcome | None:
        """What ingesting a file whose content is indexed already comes to, told by its content hash
        before anything is parsed: "unchanged" (the file itself, or a copy under another name), or None
        when it must be read (new content, or the same file indexed by older code)."""
        twin = self.store.doc_with_sha(sha)
        if twin is None:
            return None
        row = self.store.document(twin)
        assert row is not None
        source = str(path.resolve())
        same_file = row["source_path"] == source or (not row["source_path"] and twin == path.name)
        if same_file and self.store.document_pipeline(twin) != PIPELINE_VERSION:
            return None
        if same_file:
            return IngestOutcome(
                str(path), "unchanged", "内容未变，跳过", details={"doc": twin, "same_file": True}
            )
        # a renamed or moved copy would show every answer, bar and draft twice
        return IngestOutcome(
            str(path),
            "unchanged",
            f"内容与已索引的 {twin} 完全相同，未重复导入（如要换成新名称，请先删除 {twin} 再导入）。",
            details={"doc": twin},
        )

    def _ingest(
        self,
        path: Path,
        on_conflict: OnConflict,
        stage: StageFn | None,
        read: Callable[[], Parsed] | None = None,
    ) -> IngestOutcome:
        self._check_file(path)
        sha = sha256_file(path)
        source = str(path.resolve())
        check_embedder(self.store, self.embedder.name)
        done = self.settled(path, sha)
        if done is not None:
            if done.details.get("same_file"):  # an index from before provenance learns it
                self.store.set_source_path(str(done.details["doc"]), source)
            return done
        twin = self.store.doc_with_sha(sha)
        placement: Placement | None = None
        confirmed = False
        if twin is not None:  # same file, read again by newer code
            row = self.store.document(twin)
            assert row is not None
            placement = Placement(twin, (), "updated")
            confirmed = row["verdict"] == "confirmed"  # what someone confirmed of this content stays so

        min_chars, max_chars = self.settings.chunk_min_chars, self.settings.chunk_max_chars
        parsed = read() if read else parse_file(path, min_chars, max_chars, stage)
        if placement is None:
            placement = place(self.store.documents(), path, source, parsed.report.meta, on_conflict)
        parsed = parsed.named(placement.doc, min_chars, max_chars)  # the name citations show
        raw, report, assessment = parsed.raw, parsed.report, parsed.assessment
        chunks, facts, figures = parsed.chunks, parsed.facts, parsed.figures
        if placement.status == "conflict":  # nothing written: the caller asks, then ingests with the answer
            return self._conflict(path, raw.text, report, len(chunks), facts, placement)
        # jieba learns each report's names as it is indexed, in file order: in this process, never a worker
        add_words(report.meta.aliases)
        tokens = [tokenize(c.embed_text) for c in chunks]
        embedded, vectors = self._embed(chunks, stage)
        dim = int(vectors.shape[1]) if len(embedded) else None  # None: a report of no text to embed
        # the same name with vectors of another size: the server behind it now runs another model
        check_embedder(self.store, self.embedder.name, dim)

        if stage:
            stage("入库", 0.0)
        old_ids = {i for doc in (placement.doc, *placement.replaces) for i in self.store.chunk_ids(doc)}
        with self.writing():
            new_ids = [c.id for c in chunks]
            clash = old_ids.intersection(new_ids)
            if clash:  # same content, new vectors (e.g. a re-embed): the old vectors must go first
                self.vectors.delete(sorted(clash))
            self.vectors.add(embedded, vectors)
            try:
                self.store.replace_document(
                    report.meta,
                    sha,
                    raw.fmt,
                    raw.text,
                    self.embedder.name,
                    chunks,
                    tokens,
                    facts,
                    PIPELINE_VERSION,
                    figures,
                    source_path=source,
                    verdict="confirmed" if confirmed else assessment.verdict,
                    evidence="、".join(assessment.found + assessment.news),
                    replaces=placement.replaces,
                    dim=dim,
                    vectors=len(embedded),
                )
            except Exception:
                self.vectors.delete([i for i in new_ids if i not in old_ids])
                raise
            self.vectors.delete(sorted(old_ids.difference(new_ids)))
        message = "".join(m for m in (placement.note, assessment.warning()) if m)
        return IngestOutcome(
            str(path),
            placement.status,
            message,
            org=report.meta.org,
            year=report.meta.year,
            chunks=len(chunks),
            facts=len(facts),
            details={
                "district": report.meta.district,
                "sections": sorted(report.canonical_sections()),
                "doc": placement.doc,
                "replaced": list(placement.replaces),
                "verdict": assessment.verdict,
            },
        )

    def _conflict(
        self, path: Path, text: str, report: Report, chunks: int, facts: list[Fact], placement: Placement
    ) -> IngestOutcome:
        """A new version of an indexed report, set beside it for the user to choose (nothing is written)."""
        old_doc = placement.replaces[0]
        old = self.store.version(old_doc)
        assert old is not None  # place() found it among the indexed reports a moment ago
        new = ReportVersion(placement.doc, len(text), chunks, len(facts), path.stat().st_size)
        old_facts = [f for f in self.store.facts(report.meta.org) if f.doc == old_doc]
        conflict = VersionConflict(
            report.meta.org, report.meta.year, old, new, figure_changes(old_facts, facts)
        )
        return IngestOutcome(
            str(path),
            "conflict",
            placement.note,
            org=report.meta.org,
            year=report.meta.year,
            chunks=chunks,
            facts=len(facts),
            details={"doc": placement.doc, "conflict": conflict},
        )

    def _embed(self, chunks: list[Chunk], stage: StageFn | None) -> tuple[list[Chunk], np.ndarray]:
        """The chunks that get a vector (index/embed_units.py) and their vectors, in batches so that a big
        file shows real progress."""
        needing = needing_vectors(chunks, self.settings)

        def run(texts: list[str]) -> np.ndarray:
            if stage is None or len(texts) <= EMBED_BATCH:
                if stage:
                    stage("向量化", 0.0)
                return self.embedder.embed_passages(texts)
            parts = []
            for start in range(0, len(texts), EMBED_BATCH):
                stage("向量化", start / len(texts))
                parts.append(self.embedder.embed_passages(texts[start : start + EMBED_BATCH]))
            return np.concatenate(parts)

        if not needing:
            return [], np.zeros((0, 0), dtype=np.float32)
        return [c for c, _ in needing], embed_unique([t for _, t in needing], run)

    def remove(self, doc: str) -> bool:
        ids = self.store.chunk_ids(doc)
        if not ids and self.store.document_sha(doc) is None:
            return False
        self.store.remove_document(doc)
        self.vectors.delete(ids)
        return True

    def confirm(self, doc: str) -> bool:
        """Confirm that a report the check was unsure of is one: it joins the cross-unit rankings."""
        return self.store.set_verdict(doc, "confirmed")
