"""The same ingest and query code against a Chroma server (`chroma run`) on loopback, through HttpClient."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from index.pipeline import Indexer
from index.settings import Settings
from index.store import ChromaVectorStore


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("chroma server did not start")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.integration
def test_ingest_and_query_through_a_chroma_server(
    tmp_path, corpus_dir, fake_embedder, chroma_server, monkeypatch
):
    settings = Settings(index_dir=tmp_path / "meta", chroma_host="127.0.0.1", chroma_port=chroma_server)
    indexer = Indexer(settings, embedder=fake_embedder)
    outcome = indexer.ingest([corpus_dir / "002_9970a3a3f795190b.txt"])[0]
    assert outcome.status == "added"
    assert not settings.chroma_dir.exists()  # vectors went to the server, not to an embedded store
    store = ChromaVectorStore(settings)
    assert store.count() == outcome.chunks
    hits = store.query(fake_embedder.embed_queries(["全年预算数16898.11万元，执行数为16045.66万元"])[0], 3)
    top = next(c for c, _ in indexer.store.chunks() if c.id == hits[0][0])
    assert "16898.11" in top.text

    # ingest --rebuild with another model and dimension: the server's collection is emptied, not moved
    from test_embed_api import Sized

    from assistant import cli

    other = Sized("fake/other", 64)
    monkeypatch.setattr("index.pipeline.make_embedder", lambda settings: other)
    monkeypatch.setenv("JIXIAO_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("JIXIAO_CHROMA_PORT", str(chroma_server))
    assert cli.main(["ingest", "--rebuild", "--index", str(settings.index_dir), "--quiet"]) == 0
    assert ChromaVectorStore(settings).count() == outcome.chunks and not settings.chroma_dir.exists()
    assert (indexer.store.embedder_name(), indexer.store.embedder_dim()) == ("fake/other", 64)
