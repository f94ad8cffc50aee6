"""Ingest: file → report → chunks, facts, vectors → index. Safe to run twice, safe to fail.

A document is parsed, chunked, extracted and embedded entirely in memory first; only then are its new rows
written, in one SQLite transaction, with its new vectors added before and its old vectors removed after.
A file that fails at any step leaves the index exactly as it was.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np

from index.chunking import chunk_report
from index.embedders import Embedder, EmbedderUnavailable, make_embedder
from index.facts import extract_facts
from index.figures import extract_figures
from index.loaders import SUPPORTED_SUFFIXES, LoadError, load_document, sha256_file
from index.models import Chunk, Fact, IngestOutcome, IngestStage, IngestStep, Report
from index.normalize import CJK
from index.settings import Settings
from index.sparse import add_words, tokenize
from index.store import (
    REBUILDING,
    ChromaVectorStore,
    EmbedderMismatch,
    ReportStore,
    VectorStore,
    check_embedder,
)
from index.structure import parse_report

ProgressFn = Callable[[int, int, str], None]
StageFn = Callable[[IngestStage], None]
# The share of one file's ingest done when each step starts. Measured on the corpus with e5-torch: reading and
# parsing ~0.03 s, chunking and extracting ~0.03 s, embedding ~1.2 s for ~25 chunks, writing ~0.1 s.
STEP_START: dict[IngestStep, float] = {"解析": 0.0, "切分": 0.03, "向量化": 0.06, "入库": 0.94}
EMBED_SLICES = 5  # with a progress callback, chunks are embedded in this many slices (each reported)
EMBED_SLICE_MIN = 8  # chunks: smaller slices would cost batching more than the progress is worth


def _pipeline_version() -> str:
    """A digest of the code that turns a file into chunks and facts: when it changes, files are re-read."""
    digest = hashlib.sha256()
    for name in ("loaders", "normalize", "structure", "chunking", "facts", "figures", "sparse", "metrics"):
        digest.update((Path(__file__).with_name(f"{name}.py")).read_bytes())
    return digest.hexdigest()[:16]


PIPELINE_VERSION = _pipeline_version()


class NotAReport(LoadError):
    """The file loaded but is not a performance self-evaluation report."""


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


MIN_TEXT_CHARS = 50


def check_is_report(report: Report) -> str:
    """A readable file is never refused for missing headings (excerpts, 自评表 flattened to text): it is
    indexed, and what was not found is said. Refused: a file with nothing of such a report (two of: 绩效, budget
    words, evaluation words, amounts) or with hardly any readable text."""
    text = report.raw.text
    evidence = (
        "绩效" in text,
        bool(re.search(r"预算|资金|支出|经费|拨款", text)),
        bool(re.search(r"自评|评价|指标|得分", text)),
        bool(re.search(r"\d\s*(?:万元|亿元|元|%)", text)),
    )
    if sum(evidence) < 2:
        raise NotAReport(
            f"{report.raw.name} 看起来不是绩效自评报告（没有找到绩效、预算资金或评价指标方面的内容），未导入。"
        )
    if len(re.findall(rf"[{CJK}]", text)) < MIN_TEXT_CHARS:
        raise NotAReport(f"{report.raw.name} 几乎没有可读的中文正文，未导入。")
    missing = []
    if report.meta.org == "未知单位":
        missing.append("单位名称")
    if report.meta.year is None:
        missing.append("年度")
    if "绩效" not in text:
        missing.append("“绩效”字样")
    if not report.canonical_sections():
        missing.append("报告章节")
    return f"已导入，但未找到：{'、'.join(missing)}。" if missing else ""


def attach_chunks(facts: list[Fact], chunks: list[Chunk]) -> list[Fact]:
    """Point each fact at the chunk that holds its quote, so answers can show the surrounding passage."""
    from dataclasses import replace

    out = []
    for fact in facts:
        holder = next(
            (c for c in chunks if c.line_start <= fact.line <= c.line_end and fact.quote[:12] in c.text),
            next((c for c in chunks if c.line_start <= fact.line <= c.line_end), None),
        )
        out.append(replace(fact, chunk_id=holder.id if holder else None))
    return out


class Indexer:
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
        self.vectors = vectors or ChromaVectorStore(settings)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    def ingest(self, paths: Iterable[Path], progress: ProgressFn | None = None) -> list[IngestOutcome]:
        files = list(discover(paths))
        outcomes = []
        for i, path in enumerate(files):
            if progress:
                progress(i, len(files), path.name)
            outcomes.append(self.ingest_file(path))
        if progress:
            progress(len(files), len(files), "")
        return outcomes

    def ingest_file(self, path: Path, stage: StageFn | None = None) -> IngestOutcome:
        """Ingest one file; `stage` (if given) hears each step as it starts and the embedding as it goes."""
        try:
            return self._ingest(path, stage)
        except (LoadError, EmbedderMismatch, EmbedderUnavailable) as exc:  # messages that say the fix
            return IngestOutcome(str(path), "failed", str(exc))
        except Exception as exc:  # any other failure must still leave the index as it was
            return IngestOutcome(
                str(path), "failed", f"{path.name} 导入失败（索引未改动）：{type(exc).__name__}: {exc}"
            )

    def _embed(self, chunks: list[Chunk], stage: StageFn | None) -> np.ndarray:
        texts = [c.embed_text for c in chunks]
        if stage is None:
            return self.embedder.embed_passages(texts)
        start, end = STEP_START["向量化"], STEP_START["入库"]
        size = max(EMBED_SLICE_MIN, math.ceil(len(texts) / EMBED_SLICES))
        parts = []
        for first in range(0, len(texts), size):
            stage(
                IngestStage("向量化", start + (end - start) * first / len(texts), f"{first}/{len(texts)} 段")
            )
            parts.append(self.embedder.embed_passages(texts[first : first + size]))
        return np.vstack(parts)

    def _ingest(self, path: Path, stage: StageFn | None = None) -> IngestOutcome:
        def step(name: IngestStep) -> None:
            if stage is not None:
                stage(IngestStage(name, STEP_START[name]))

        if not path.exists():
            raise LoadError(f"找不到文件：{path}")
        if not path.is_file():  # a FIFO or a device would be read forever
            raise LoadError(f"{path} 不是普通文件（可能是管道或设备），未导入。")
        sha = sha256_file(path)
        old_sha = self.store.document_sha(path.name)
        check_embedder(self.store, self.embedder.name)
        if old_sha == sha and self.store.document_pipeline(path.name) == PIPELINE_VERSION:
            return IngestOutcome(str(path), "unchanged", "内容未变，跳过")
        twin = self.store.doc_with_sha(sha)
        if twin is not None and twin != path.name:
            # a renamed copy would show every answer, bar and draft twice
            return IngestOutcome(
                str(path),
                "unchanged",
                f"内容与已索引的 {twin} 完全相同，未重复导入（如要换成新名称，请先删除 {twin} 再导入）。",
            )

        step("解析")
        raw = load_document(path)
        report = parse_report(raw)
        warning = check_is_report(report)
        step("切分")
        chunks = chunk_report(report, self.settings.chunk_min_chars, self.settings.chunk_max_chars)
        if not chunks:
            raise NotAReport(f"{path.name} 没有可检索的正文，未导入。")
        facts = attach_chunks(extract_facts(report), chunks)
        figures = extract_figures(report)
        add_words(report.meta.aliases)
        tokens = [tokenize(c.embed_text) for c in chunks]
        vectors = self._embed(chunks, stage)
        # the same name with vectors of another size: the server behind it now runs another model
        check_embedder(self.store, self.embedder.name, vectors.shape[1])

        step("入库")
        old_ids = set(self.store.chunk_ids(raw.name))
        new_ids = [c.id for c in chunks]
        clash = old_ids.intersection(new_ids)
        if clash:  # same content, new vectors (e.g. a re-embed): the old vectors must go first
            self.vectors.delete(sorted(clash))
        self.vectors.add(chunks, vectors)
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
                dim=int(vectors.shape[1]),
            )
        except Exception:
            self.vectors.delete([i for i in new_ids if i not in old_ids])
            raise
        self.vectors.delete(sorted(old_ids.difference(new_ids)))
        return IngestOutcome(
            str(path),
            "updated" if old_sha else "added",
            warning,
            org=report.meta.org,
            year=report.meta.year,
            chunks=len(chunks),
            facts=len(facts),
            details={"district": report.meta.district, "sections": sorted(report.canonical_sections())},
        )

    def rebuild(self, progress: ProgressFn | None = None) -> int:
        """Every indexed report's vectors again, with the current embedder, from the chunks SQLite keeps (no
        source file needed): the way to another model. The index says it is rebuilding until the last report
        is done, so an interrupted rebuild is refused by every embedder and simply run again."""
        docs = [r["doc"] for r in self.store.documents()]
        self.store.set_embedder(REBUILDING + self.embedder.name)
        self.vectors.reset()
        dim, total = None, 0
        for i, doc in enumerate(docs):
            if progress:
                progress(i, len(docs), doc)
            chunks = [c for c, _ in self.store.chunks(doc)]
            if not chunks:
                continue
            vectors = self.embedder.embed_passages([c.embed_text for c in chunks])
            dim = int(vectors.shape[1])
            self.vectors.add(chunks, vectors)
            total += len(chunks)
        if progress:
            progress(len(docs), len(docs), "")
        self.store.set_embedder(self.embedder.name, dim)
        return total

    def remove(self, doc: str) -> bool:
        ids = self.store.chunk_ids(doc)
        if not ids and self.store.document_sha(doc) is None:
            return False
        self.store.remove_document(doc)
        self.vectors.delete(ids)
        return True
