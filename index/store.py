"""Where the index lives: a SQLite file (documents with their source text, chunks, facts) and a vector
store (Chroma, embedded or a server) behind one small interface. SQLite is the source of truth: a vector
whose chunk is not in SQLite is never shown."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from index.models import Chunk, Fact, Figure, ReportMeta
from index.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc TEXT PRIMARY KEY, sha256 TEXT NOT NULL, fmt TEXT NOT NULL, org TEXT NOT NULL, aliases TEXT NOT NULL,
    district TEXT, city TEXT, province TEXT, year INTEGER, kind TEXT, title TEXT,
    source_text TEXT NOT NULL, embedder TEXT NOT NULL, pipeline TEXT NOT NULL DEFAULT '', ingested_at TEXT DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc TEXT NOT NULL REFERENCES documents(doc), org TEXT NOT NULL, year INTEGER,
    section_path TEXT NOT NULL, canonical TEXT, text TEXT NOT NULL, header TEXT NOT NULL,
    line_start INTEGER NOT NULL, line_end INTEGER NOT NULL, page INTEGER, line_marks TEXT NOT NULL,
    tokens TEXT NOT NULL, seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc);
CREATE TABLE IF NOT EXISTS facts (
    doc TEXT NOT NULL REFERENCES documents(doc), org TEXT NOT NULL, year INTEGER, metric TEXT NOT NULL,
    item TEXT, value REAL NOT NULL, unit TEXT NOT NULL, quote TEXT NOT NULL, line INTEGER NOT NULL,
    text TEXT, section TEXT, chunk_id TEXT
);
CREATE INDEX IF NOT EXISTS facts_org ON facts(org, metric);
CREATE TABLE IF NOT EXISTS figures (
    doc TEXT NOT NULL REFERENCES documents(doc), value REAL NOT NULL, unit TEXT NOT NULL, text TEXT NOT NULL,
    label TEXT NOT NULL, quote TEXT NOT NULL, line INTEGER NOT NULL, section TEXT NOT NULL, col TEXT NOT NULL,
    row TEXT NOT NULL, qualifier TEXT NOT NULL, context TEXT NOT NULL, seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS figures_doc ON figures(doc, seq);
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class IndexMissing(RuntimeError):
    """No index where one was expected; the message says how to build one."""


class VectorStore(Protocol):
    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def query(
        self, vector: np.ndarray, k: int, docs: Sequence[str] | None = None
    ) -> list[tuple[str, float]]: ...

    def count(self) -> int: ...


class ChromaVectorStore:
    """Chroma with vectors we compute. Its default embedding function downloads a model, so it is never set."""

    def __init__(self, settings: Settings) -> None:
        import chromadb

        chroma_settings = chromadb.Settings(anonymized_telemetry=False)
        if settings.chroma_host:
            self._client = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        else:
            settings.chroma_dir.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
        self._collection = self._client.get_or_create_collection(
            settings.collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), 500):
            part = chunks[start : start + 500]
            self._collection.add(
                ids=[c.id for c in part],
                embeddings=vectors[start : start + 500].tolist(),
                documents=[c.embed_text for c in part],
                metadatas=[{"doc": c.doc, "org": c.org, "year": c.year or 0} for c in part],
            )

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._collection.delete(ids=list(ids))

    def query(self, vector: np.ndarray, k: int, docs: Sequence[str] | None = None) -> list[tuple[str, float]]:
        # no count() first: Chroma returns what there is when k exceeds it (none from an empty collection),
        # and against a server every count is one more round trip per question
        where = None
        if docs:
            where = {"doc": docs[0]} if len(docs) == 1 else {"doc": {"$in": list(docs)}}
        result = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
            n_results=k,
            where=where,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[0.0] * len(ids)])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def count(self) -> int:
        return int(self._collection.count())


class ReportStore:
    """The SQLite side of the index: documents, chunks, facts, and what built them."""

    def __init__(self, path: Path, create: bool = True) -> None:
        if path.parent.exists() and not path.parent.is_dir():
            raise IndexMissing(f"索引位置 {path.parent} 不是目录，而是一个文件。请用 --index 指定一个目录。")
        if not create and not path.exists():
            raise IndexMissing(
                f"在 {path.parent} 没有找到索引。请先运行 `python -m assistant ingest <报告文件或目录>` 建立索引。"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.conn = sqlite3.connect(str(path), check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.executescript(SCHEMA)
        columns = {r["name"] for r in self.conn.execute("PRAGMA table_info(documents)")}
        if "pipeline" not in columns:  # an index from before the column existed: its files are re-read
            self.conn.execute("ALTER TABLE documents ADD COLUMN pipeline TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        self.conn.close()

    # documents
    def document_sha(self, doc: str) -> str | None:
        row = self.conn.execute("SELECT sha256 FROM documents WHERE doc = ?", (doc,)).fetchone()
        return row["sha256"] if row else None

    def doc_with_sha(self, sha256: str) -> str | None:
        """The indexed report with this content, whatever its name (a renamed copy is the same report)."""
        row = self.conn.execute(
            "SELECT doc FROM documents WHERE sha256 = ? ORDER BY doc", (sha256,)
        ).fetchone()
        return row["doc"] if row else None

    def document_pipeline(self, doc: str) -> str | None:
        row = self.conn.execute("SELECT pipeline FROM documents WHERE doc = ?", (doc,)).fetchone()
        return row["pipeline"] if row else None

    def documents(self) -> list[sqlite3.Row]:
        return list(
            self.conn.execute(
                "SELECT doc, sha256, fmt, org, aliases, district, city, province, year, kind, title, embedder FROM documents ORDER BY doc"
            )
        )

    def metas(self) -> list[ReportMeta]:
        return [
            ReportMeta(
                r["doc"],
                r["org"],
                tuple(json.loads(r["aliases"])),
                r["district"],
                r["city"],
                r["province"],
                r["year"],
                r["kind"],
                r["title"],
            )
            for r in self.documents()
        ]

    def source_text(self, doc: str) -> str | None:
        row = self.conn.execute("SELECT source_text FROM documents WHERE doc = ?", (doc,)).fetchone()
        return row["source_text"] if row else None

    def chunk_ids(self, doc: str) -> list[str]:
        return [r["id"] for r in self.conn.execute("SELECT id FROM chunks WHERE doc = ?", (doc,))]

    def replace_document(
        self,
        meta: ReportMeta,
        sha256: str,
        fmt: str,
        source_text: str,
        embedder: str,
        chunks: Sequence[Chunk],
        tokens: Sequence[list[str]],
        facts: Iterable[Fact],
        pipeline: str = "",
        figures: Sequence[Figure] = (),
    ) -> None:
        """Swap a document's rows for new ones in one transaction: readers see the old or the new, never a mix."""
        with self.conn:
            self._delete_rows(meta.doc)
            self.conn.execute(
                "INSERT INTO documents (doc, sha256, fmt, org, aliases, district, city, province, year, kind, title, source_text,"
                " embedder, pipeline) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    meta.doc,
                    sha256,
                    fmt,
                    meta.org,
                    json.dumps(meta.aliases, ensure_ascii=False),
                    meta.district,
                    meta.city,
                    meta.province,
                    meta.year,
                    meta.kind,
                    meta.title,
                    source_text,
                    embedder,
                    pipeline,
                ),
            )
            self.conn.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        c.id,
                        c.doc,
                        c.org,
                        c.year,
                        json.dumps(c.section_path, ensure_ascii=False),
                        c.canonical,
                        c.text,
                        c.header,
                        c.line_start,
                        c.line_end,
                        c.page,
                        json.dumps(c.line_marks),
                        " ".join(t),
                        seq,
                    )
                    for seq, (c, t) in enumerate(zip(chunks, tokens, strict=True))
                ],
            )
            self.conn.executemany(
                "INSERT INTO facts VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        f.doc,
                        f.org,
                        f.year,
                        f.metric,
                        f.item,
                        f.value,
                        f.unit,
                        f.quote,
                        f.line,
                        f.text,
                        f.section,
                        f.chunk_id,
                    )
                    for f in facts
                ],
            )
            self.conn.executemany(
                "INSERT INTO figures VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (f.doc, f.value, f.unit, f.text, f.label, f.quote, f.line, f.section, f.column, f.row)
                    + (f.qualifier, f.context, seq)
                    for seq, f in enumerate(figures)
                ],
            )
            self.conn.execute("INSERT OR REPLACE INTO info VALUES ('embedder', ?)", (embedder,))

    def remove_document(self, doc: str) -> None:
        with self.conn:
            self._delete_rows(doc)

    def _delete_rows(self, doc: str) -> None:
        self.conn.execute("DELETE FROM facts WHERE doc = ?", (doc,))
        self.conn.execute("DELETE FROM figures WHERE doc = ?", (doc,))
        self.conn.execute("DELETE FROM chunks WHERE doc = ?", (doc,))
        self.conn.execute("DELETE FROM documents WHERE doc = ?", (doc,))

    def embedder_name(self) -> str | None:
        row = self.conn.execute("SELECT value FROM info WHERE key = 'embedder'").fetchone()
        return row["value"] if row else None

    # chunks and facts
    def chunks(self) -> list[tuple[Chunk, list[str]]]:
        out = []
        for r in self.conn.execute("SELECT * FROM chunks ORDER BY doc, seq"):
            chunk = Chunk(
                id=r["id"],
                doc=r["doc"],
                org=r["org"],
                year=r["year"],
                section_path=tuple(json.loads(r["section_path"])),
                canonical=r["canonical"],
                text=r["text"],
                line_start=r["line_start"],
                line_end=r["line_end"],
                page=r["page"],
                header=r["header"],
                line_marks=tuple(tuple(m) for m in json.loads(r["line_marks"])),
            )
            out.append((chunk, r["tokens"].split(" ") if r["tokens"] else []))
        return out

    def facts(self, org: str | None = None) -> list[Fact]:
        sql, args = "SELECT * FROM facts", ()
        if org:
            sql, args = sql + " WHERE org = ? OR org LIKE ?", (org, f"%{org}%")
        rows = self.conn.execute(sql + " ORDER BY doc, line", args)
        return [
            Fact(
                doc=r["doc"],
                org=r["org"],
                year=r["year"],
                metric=r["metric"],
                value=r["value"],
                unit=r["unit"],
                quote=r["quote"],
                line=r["line"],
                item=r["item"],
                text=r["text"] or "",
                section=r["section"] or "",
                chunk_id=r["chunk_id"],
            )
            for r in rows
        ]

    def figures(self, doc: str) -> list[Figure]:
        """Every figure of one report, in reading order (an indexed lookup, whatever the library's size)."""
        rows = self.conn.execute("SELECT * FROM figures WHERE doc = ? ORDER BY seq", (doc,))
        return [
            Figure(
                doc=r["doc"],
                value=r["value"],
                unit=r["unit"],
                text=r["text"],
                label=r["label"],
                quote=r["quote"],
                line=r["line"],
                section=r["section"],
                column=r["col"],
                row=r["row"],
                qualifier=r["qualifier"],
                context=r["context"],
            )
            for r in rows
        ]
