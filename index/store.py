"""Where the index lives: a SQLite file (documents with their source text, chunks, facts) and a vector
store (Chroma, embedded or a server) behind one small interface. SQLite is the source of truth: a vector
whose chunk is not in SQLite is never shown."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from index.models import Chunk, Fact, Figure, ReportMeta, ReportVersion
from index.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc TEXT PRIMARY KEY, sha256 TEXT NOT NULL, fmt TEXT NOT NULL, org TEXT NOT NULL, aliases TEXT NOT NULL,
    district TEXT, city TEXT, province TEXT, year INTEGER, kind TEXT, title TEXT,
    source_text TEXT NOT NULL, embedder TEXT NOT NULL, pipeline TEXT NOT NULL DEFAULT '', ingested_at TEXT DEFAULT CURRENT_TIMESTAMP,
    source_path TEXT NOT NULL DEFAULT '', verdict TEXT NOT NULL DEFAULT 'report', evidence TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256);
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


REBUILD = "python -m assistant ingest --rebuild"


class EmbedderMismatch(IndexMissing):
    """The index's vectors come from another embedding model (or another dimension) than the one set."""


# the embedder recorded while `ingest --rebuild` runs: every query is refused until its vectors are all
# there (an interrupted rebuild is finished by the next ingest with the same model, or run again)
REBUILDING = "rebuilding:"


def mismatch_message(
    index_dir: Path, built: str, built_dim: int | None, now: str, now_dim: int | None
) -> str:
    def label(name: str, dim: int | None) -> str:
        return f"{name}（{dim} 维）" if dim else name

    if built.startswith(REBUILDING):
        head = f"索引 {index_dir} 的向量重建（改用 {built[len(REBUILDING) :]}）没有完成。"
    else:
        head = (
            f"索引 {index_dir} 是用向量模型 {label(built, built_dim)} 建立的，当前设置的是 {label(now, now_dim)}，"
            "两者的向量不能混用。请改回原来的向量模型设置（JIXIAO_EMBEDDER 等），或"
        )
    return (
        f"{head}用当前模型重建向量：`{REBUILD} --index {index_dir}`"
        "（报告原文已存在索引里，不需要原文件；之后即可照常导入与提问）。"
    )


def check_embedder(store: ReportStore, name: str, dim: int | None = None) -> None:
    """Refuse an embedder other than the one the index was built with (by name, and by dimension when `dim`
    is given: the same name served by a swapped model still gives vectors of another size)."""
    built = store.embedder_name()
    if not built or not store.has_documents():
        return
    built_dim = store.embedder_dim()
    if built != name or (dim is not None and built_dim is not None and dim != built_dim):
        raise EmbedderMismatch(mismatch_message(store.path.parent, built, built_dim, name, dim))


class IndexDamaged(IndexMissing):
    """Part of the index cannot be read; the message says which part and how to rebuild it."""


def damaged_message(where: Path, part: str, detail: str = "") -> str:
    detail = f"（{detail}）" if detail else ""
    return (
        f"索引 {where} 的{part}已损坏，无法读取{detail}。已导入的原始文件不受影响。"
        f"修复：`{REBUILD} --index {where}`（报告数据完好时只重建向量；数据库也损坏时请在命令后加上报告文件或目录，"
        "从原始文件重新导入）。"
    )


def read_only_message(where: Path) -> str:
    return (
        f"索引目录 {where} 是只读的：可以提问，但不能导入或删除报告。"
        "请修改目录权限，或用 --index 指定一个可写的目录。"
    )


def local_time(stamp: str | None) -> str:
    """SQLite's CURRENT_TIMESTAMP (UTC) in this machine's time, to the minute; "" when unknown."""
    try:
        when = datetime.fromisoformat(str(stamp)).replace(tzinfo=UTC)
    except ValueError:
        return ""
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def writable(path: Path) -> bool:
    """Whether files can be created and changed under `path` (a read-only mount or folder says no)."""
    probe = path if path.exists() else path.parent
    return os.access(probe, os.W_OK | os.X_OK) if probe.is_dir() else os.access(probe, os.W_OK)


class VectorStore(Protocol):
    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def reset(self) -> None:
        """Remove every vector (before a rebuild with another model, whose vectors may differ in size)."""
        ...

    def query(
        self, vector: np.ndarray, k: int, docs: Sequence[str] | None = None
    ) -> list[tuple[str, float]]: ...

    def count(self) -> int: ...

    def ids(self) -> set[str]: ...


class NoVectors:
    """No vector store to be had (damaged, or read-only and not copyable): keyword retrieval only."""

    def __init__(self, why: str = "向量索引不可用，无法写入。") -> None:
        self.why = why

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        raise IndexDamaged(self.why)

    def delete(self, ids: Sequence[str]) -> None:
        return None

    def reset(self) -> None:
        raise IndexDamaged(self.why)

    def query(self, vector: np.ndarray, k: int, docs: Sequence[str] | None = None) -> list[tuple[str, float]]:
        return []

    def count(self) -> int:
        return 0

    def ids(self) -> set[str]:
        return set()


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
        self._name = settings.collection
        self._collection = self._open()

    def _open(self):  # chromadb Collection
        return self._client.get_or_create_collection(
            self._name, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def reset(self) -> None:
        # a collection keeps the dimension of its first vector even when emptied: drop it and start anew
        self._client.delete_collection(self._name)
        self._collection = self._open()

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

    def ids(self) -> set[str]:
        out: set[str] = set()
        page = 5000
        while True:
            got = self._collection.get(include=[], limit=page, offset=len(out))["ids"]
            out.update(got)
            if len(got) < page:
                return out


class ReportStore:
    """The SQLite side of the index: documents, chunks, facts, and what built them."""

    # columns later versions added: an older index is migrated when it can be written, read as is otherwise
    ADDED_COLUMNS = {
        "pipeline": "TEXT NOT NULL DEFAULT ''",  # an index from before it: its files are re-read
        "source_path": "TEXT NOT NULL DEFAULT ''",  # where the file was read from (provenance, not identity)
        "verdict": "TEXT NOT NULL DEFAULT 'report'",  # report | unsure | confirmed (see index/report_check.py)
        "evidence": "TEXT NOT NULL DEFAULT ''",
        # chunks with a vector of their own (index/embed_units.py); -1: all of them (an index from before)
        "vectors": "INTEGER NOT NULL DEFAULT -1",
    }

    def __init__(self, path: Path, create: bool = True) -> None:
        if path.parent.exists() and not path.parent.is_dir():
            raise IndexMissing(f"索引位置 {path.parent} 不是目录，而是一个文件。请用 --index 指定一个目录。")
        if not create and not path.exists():
            raise IndexMissing(
                f"在 {path.parent} 没有找到索引。请先运行 `python -m assistant ingest <报告文件或目录>` 建立索引。"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # a read-only index (a shared folder, a read-only mount) is still queried: opened read-only
        self.read_only = path.exists() and not (writable(path) and writable(path.parent))
        if self.read_only:
            self.conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        else:
            self.conn = sqlite3.connect(str(path), check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        if not self.read_only:
            self.conn.executescript(SCHEMA)
        self.columns = {r["name"] for r in self.conn.execute("PRAGMA table_info(documents)")}
        if not self.columns:
            raise IndexDamaged(damaged_message(path.parent, "报告数据库", "缺少 documents 表"))
        for name, decl in self.ADDED_COLUMNS.items():
            if name not in self.columns and not self.read_only:
                self.conn.execute(f"ALTER TABLE documents ADD COLUMN {name} {decl}")
                self.columns.add(name)

    def check(self) -> None:
        """Raise IndexDamaged when the file is damaged (a truncated copy, a disk error); ingest runs it first,
        so that nothing is written into a damaged file."""
        try:
            problems = [r[0] for r in self.conn.execute("PRAGMA quick_check(3)")]
        except sqlite3.DatabaseError as exc:
            problems = [str(exc)]
        if problems != ["ok"]:
            raise IndexDamaged(damaged_message(self.path.parent, "报告数据库", "；".join(problems)[:120]))

    def _col(self, name: str) -> str:
        """A column added by a later version, or its default when a read-only old index lacks it."""
        if name in self.columns:
            return name
        default = self.ADDED_COLUMNS[name].rsplit("DEFAULT ", 1)[1]
        return f"{default} AS {name}"

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
        row = self.conn.execute(
            f"SELECT {self._col('pipeline')} FROM documents WHERE doc = ?", (doc,)
        ).fetchone()
        return row["pipeline"] if row else None

    def documents(self) -> list[sqlite3.Row]:
        extra = ", ".join(self._col(c) for c in ("source_path", "verdict", "evidence"))
        return list(
            self.conn.execute(
                "SELECT doc, sha256, fmt, org, aliases, district, city, province, year, kind, title, embedder,"
                f" {extra} FROM documents ORDER BY doc"
            )
        )

    def document(self, doc: str) -> sqlite3.Row | None:
        return next((r for r in self.documents() if r["doc"] == doc), None)

    def set_source_path(self, doc: str, source_path: str) -> None:
        """Record where a report was read from (an index from before provenance was kept learns it)."""
        if not self.read_only:
            with self.conn:
                self.conn.execute("UPDATE documents SET source_path = ? WHERE doc = ?", (source_path, doc))

    def vectors_expected(self, doc: str | None = None) -> int:
        """How many vectors a report's chunks (all reports' when `doc` is None) should have."""
        count = "(SELECT count(*) FROM chunks c WHERE c.doc = d.doc)"
        # a read-only index from before the column: every chunk has one
        expected = (
            f"CASE WHEN vectors < 0 THEN {count} ELSE vectors END" if "vectors" in self.columns else count
        )
        where, args = ("WHERE doc = ?", (doc,)) if doc is not None else ("", ())
        row = self.conn.execute(f"SELECT sum({expected}) FROM documents d {where}", args).fetchone()
        return int(row[0] or 0)

    def set_vectors_expected(self, counts: dict[str, int]) -> None:
        """Record how many of each report's chunks have a vector (-1: all; before a rebuild)."""
        with self.conn:
            self.conn.executemany(
                "UPDATE documents SET vectors = ? WHERE doc = ?", [(n, doc) for doc, n in counts.items()]
            )

    def set_verdict(self, doc: str, verdict: str) -> bool:
        with self.conn:
            done = self.conn.execute("UPDATE documents SET verdict = ? WHERE doc = ?", (verdict, doc))
        return done.rowcount > 0

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
                r["verdict"] != "unsure",
            )
            for r in self.documents()
        ]

    def source_text(self, doc: str) -> str | None:
        row = self.conn.execute("SELECT source_text FROM documents WHERE doc = ?", (doc,)).fetchone()
        return row["source_text"] if row else None

    def version(self, doc: str) -> ReportVersion | None:
        """An indexed report's size and counts and when it was indexed: what a user deciding between it and
        a new version of it is shown."""
        when = "ingested_at" if "ingested_at" in self.columns else "'' AS ingested_at"
        row = self.conn.execute(
            f"SELECT length(source_text) AS chars, {self._col('source_path')}, {when},"
            " (SELECT count(*) FROM chunks c WHERE c.doc = d.doc) AS chunks,"
            " (SELECT count(*) FROM facts f WHERE f.doc = d.doc) AS facts FROM documents d WHERE doc = ?",
            (doc,),
        ).fetchone()
        if row is None:
            return None
        source = Path(row["source_path"]) if row["source_path"] else None
        size = source.stat().st_size if source is not None and source.is_file() else None
        return ReportVersion(
            doc, row["chars"], row["chunks"], row["facts"], size, local_time(row["ingested_at"])
        )

    def chunk_ids(self, doc: str) -> list[str]:
        return [r["id"] for r in self.conn.execute("SELECT id FROM chunks WHERE doc = ?", (doc,))]

    def all_chunk_ids(self) -> set[str]:
        return {r["id"] for r in self.conn.execute("SELECT id FROM chunks")}

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
        *,
        source_path: str = "",
        verdict: str = "report",
        evidence: str = "",
        replaces: Sequence[str] = (),
        dim: int | None = None,
        vectors: int = -1,
    ) -> None:
        """Swap a document's rows (and those of the reports it `replaces`) for new ones in one transaction:
        readers see the old or the new, never a mix."""
        with self.conn:
            for doc in {meta.doc, *replaces}:
                self._delete_rows(doc)
            self.conn.execute(
                "INSERT INTO documents (doc, sha256, fmt, org, aliases, district, city, province, year, kind, title, source_text,"
                " embedder, pipeline, source_path, verdict, evidence, vectors)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                    source_path,
                    verdict,
                    evidence,
                    vectors,
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
            self._record_embedder(embedder, dim)

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

    def embedder_dim(self) -> int | None:
        """The vectors' dimension; None for an index from before it was recorded (its name then decides)."""
        row = self.conn.execute("SELECT value FROM info WHERE key = 'dim'").fetchone()
        return int(row["value"]) if row else None

    def has_documents(self) -> bool:
        return self.conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is not None

    def _record_embedder(self, name: str, dim: int | None) -> None:
        self.conn.execute("INSERT OR REPLACE INTO info VALUES ('embedder', ?)", (name,))
        if dim:
            self.conn.execute("INSERT OR REPLACE INTO info VALUES ('dim', ?)", (str(dim),))

    def set_embedder(self, name: str, dim: int | None = None) -> None:
        """Record the embedder every vector now comes from (a rebuild: its start and its end)."""
        with self.conn:
            if dim is None:
                self.conn.execute("DELETE FROM info WHERE key = 'dim'")
            self._record_embedder(name, dim)
            if not name.startswith(REBUILDING):
                self.conn.execute("UPDATE documents SET embedder = ?", (name,))

    # chunks and facts
    def chunks(self, doc: str | None = None) -> list[tuple[Chunk, list[str]]]:
        """Every chunk with its tokens, in reading order; one report's only when `doc` is given."""
        out = []
        sql, args = "SELECT * FROM chunks ORDER BY doc, seq", ()
        if doc is not None:
            sql, args = "SELECT * FROM chunks WHERE doc = ? ORDER BY seq", (doc,)
        for r in self.conn.execute(sql, args):
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
