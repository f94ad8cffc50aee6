"""What the app holds for all its users: the settings, one embedder and vector store, and the current Engine,
re-opened after every ingest or removal so that new reports are answerable and removed ones are gone."""

from __future__ import annotations

import logging
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from assistant.engine import Engine
from assistant.facts_view import short_name
from assistant.models import ParsedQuestion
from assistant.session import ChatSession, Responder
from index.embedders import Embedder, make_embedder
from index.models import ReportMeta
from index.pipeline import Indexer
from index.repair import open_query_vectors
from index.settings import Settings
from index.store import (
    EmbedderMismatch,
    IndexDamaged,
    IndexMissing,
    ReportStore,
    VectorStore,
    damaged_message,
)

log = logging.getLogger(__name__)

ResponderFactory = Callable[[Engine], Responder]


class AppState:
    def __init__(
        self,
        settings: Settings,
        responder_factory: ResponderFactory | None = None,
        embedder: Embedder | None = None,
        vectors: VectorStore | None = None,
    ) -> None:
        self.settings = settings
        self.responder_factory = responder_factory
        self._embedder = embedder
        self._vectors = vectors
        self._engine: Engine | None = None
        self.missing: str | None = None  # why there is no engine, in plain words
        # … when reports are there but cannot be used as they are (another embedder, damaged): the chat says it
        self.refused: str | None = None
        self._lock = threading.RLock()
        self.write_lock = threading.Lock()  # one ingest or removal at a time
        self.export_dir = Path(tempfile.mkdtemp(prefix="jixiao-export-"))

    # ---- shared heavy objects ---------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = make_embedder(self.settings)
            return self._embedder

    @property
    def vectors(self) -> VectorStore:
        with self._lock:
            if self._vectors is None:
                # a damaged store answers by keywords, a read-only index from a copy (index/repair.py)
                self._vectors, note = open_query_vectors(self.settings)
                if note:
                    log.warning(note)
            return self._vectors

    @property
    def uploads_dir(self) -> Path:
        return self.settings.index_dir / "uploads"

    # ---- the engine -------------------------------------------------------------------------------
    def engine(self) -> Engine | None:
        """The current engine, opened on first use; None (and `missing` says why) while the index is empty."""
        with self._lock:
            if self._engine is None:
                try:
                    self._engine = Engine.open(self.settings, self.embedder, self.vectors)
                    self.missing = self.refused = None
                except (EmbedderMismatch, IndexDamaged) as exc:  # another model, or damaged: say the fix
                    self.missing = self.refused = str(exc)
                except IndexMissing as exc:
                    self.missing, self.refused = str(exc), None
                except sqlite3.DatabaseError as exc:  # a damaged report database: said, never a traceback
                    self.missing = self.refused = damaged_message(
                        self.settings.index_dir, "报告数据库", str(exc)
                    )
                    log.warning(self.missing)
            return self._engine

    def reload(self) -> Engine | None:
        with self._lock:
            self._engine = None
            return self.engine()

    def indexer(self) -> Indexer:
        return Indexer(self.settings, embedder=self.embedder, vectors=self.vectors)

    def session(self, previous: ParsedQuestion | None) -> ChatSession | None:
        engine = self.engine()
        if engine is None:
            return None
        responder = self.responder_factory(engine) if self.responder_factory else None
        session = ChatSession(engine, responder)
        session.previous = previous
        return session

    # ---- what is indexed --------------------------------------------------------------------------
    def metas(self) -> list[ReportMeta]:
        engine = self.engine()
        return list(engine.metas) if engine else []

    def names(self) -> dict[str, str]:
        """doc → the unit's short name (洛浦街道), for chips and tables."""
        return {m.doc: short_name(m) for m in self.metas()}

    def documents(self) -> list[dict[str, object]]:
        if not self.settings.sqlite_path.exists():
            return []
        try:
            store = ReportStore(self.settings.sqlite_path, create=False)
            try:
                return [dict(r) for r in store.documents()]
            finally:
                store.close()
        except (sqlite3.DatabaseError, IndexMissing):  # damaged: `missing` says what to do
            return []

    def source(self, doc: str) -> str | None:
        engine = self.engine()
        return engine.source(doc) if engine else None

    def warm_up(self) -> None:
        """Load the word lists and the embedding model now, so the first question is answered at once."""
        engine = self.engine()
        if engine is None:
            return
        try:
            question = f"{short_name(engine.metas[0])}的预算执行率是多少？"
            engine.ask(question)
            engine.retrieve(question, 1)
        except Exception:  # a warm-up failure must not stop the app; the real question will say why
            log.exception("warm-up failed")
