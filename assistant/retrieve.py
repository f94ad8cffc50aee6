"""Hybrid retrieval: filter by the resolved reports first, then fuse dense (Chroma) and BM25 results by
reciprocal rank."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from assistant.models import Evidence
from index.embedders import Embedder
from index.models import Chunk
from index.settings import Settings
from index.sparse import BM25, add_words, tokenize
from index.store import EmbedderMismatch, ReportStore, VectorStore, mismatch_message

log = logging.getLogger(__name__)


class PostedBM25(BM25):
    """BM25 scoring only the chunks a question may read: those of the reports it names, or, naming none,
    those holding one of its terms (through each term's postings). A chunk holding no query term scores 0
    and is never listed, so the scores are BM25's own, in the same order."""

    def __init__(self, docs: list[list[str]]) -> None:
        super().__init__(docs)
        self._postings: dict[str, list[int]] = {}  # term → the chunks holding it, in order
        for i, tf in enumerate(self.tf):
            for t in tf:
                self._postings.setdefault(t, []).append(i)

    def scores(self, query: list[str], allowed: set[int] | None = None) -> list[tuple[int, float]]:
        out: list[tuple[int, float]] = []
        terms = [
            t for t in dict.fromkeys(query) if t in self.idf
        ]  # in query order: sums alike whatever the hash seed
        if allowed is not None:
            positions = sorted(i for i in allowed if 0 <= i < len(self.tf))
        else:
            positions = sorted({i for t in terms for i in self._postings[t]})
        for i in positions:
            score = self.score_of(i, terms)
            if score > 0:
                out.append((i, score))
        out.sort(key=lambda x: -x[1])
        return out


class HybridRetriever:
    def __init__(
        self, settings: Settings, store: ReportStore, vectors: VectorStore, embedder: Embedder
    ) -> None:
        self.settings = settings
        self.vectors = vectors
        self.embedder = embedder
        rows = store.chunks()
        self.chunks: list[Chunk] = [c for c, _ in rows]
        self.by_id = {c.id: c for c in self.chunks}
        self.positions_by_doc: dict[str, set[int]] = {}
        self._by_doc: dict[str, list[Chunk]] = {}  # each report's chunks in reading order
        for i, chunk in enumerate(self.chunks):
            self.positions_by_doc.setdefault(chunk.doc, set()).add(i)
            self._by_doc.setdefault(chunk.doc, []).append(chunk)
        add_words(alias for meta in store.metas() for alias in meta.aliases)
        self.bm25 = PostedBM25([tokens for _, tokens in rows])
        self._built = (store.path.parent, store.embedder_name() or "", store.embedder_dim())

    def doc_chunks(self, doc: str) -> list[Chunk]:
        """A report's chunks in reading order: a per-report map, never a scan of the library."""
        return list(self._by_doc.get(doc, ()))

    def section_chunks(self, doc: str, canonical: str) -> list[Chunk]:
        return [c for c in self.doc_chunks(doc) if c.canonical == canonical]

    def retrieve(
        self, query: str, docs: Sequence[str] | None = None, k: int | None = None, dense: bool = True
    ) -> list[Evidence]:
        """`dense=False`: keywords only — an approximate vector search over the whole library may miss a
        neighbour one run and find it the next (Chroma rebuilds part of its graph on load), where passages
        shown only for reference must come out the same every time."""
        k = k or self.settings.top_k
        allowed = set().union(*(self.positions_by_doc.get(d, set()) for d in docs)) if docs else None
        if docs and not allowed:
            return []
        sparse = self.bm25.scores(tokenize(query), allowed)[: self.settings.sparse_candidates]
        if not dense:
            return [Evidence(self.chunks[pos], score) for pos, score in sparse[:k]]
        vector = self.embedder.embed_queries([query])[0]
        where, built, built_dim = self._built
        if built_dim and vector.shape[0] != built_dim:  # a server now running another model under the name
            raise EmbedderMismatch(
                mismatch_message(where, built, built_dim, self.embedder.name, vector.shape[0])
            )
        try:
            hits = self.vectors.query(vector, self.settings.dense_candidates, docs)
        except Exception:  # damaged vector files: keywords still find the passages
            log.info("vector query failed; keyword retrieval only", exc_info=True)
            hits = []
        # SQLite is the source of truth: stale vectors never surface
        dense = [(cid, score) for cid, score in hits if cid in self.by_id]
        fused: dict[str, float] = {}
        for rank, (cid, _) in enumerate(dense):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
        for rank, (pos, _) in enumerate(sparse):
            cid = self.chunks[pos].id
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (self.settings.rrf_k + rank + 1)
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
        return [Evidence(self.by_id[cid], score) for cid, score in ranked]
