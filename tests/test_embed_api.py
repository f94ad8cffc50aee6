"""Embeddings from an OpenAI-compatible endpoint (JIXIAO_EMBEDDER=openai), a GPU for sentence-transformers, and
the embedder's name and dimension kept with the index. Every server here is a local one on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEmbedder, serving

from index.embed_api import OpenAIEmbedder, normalize_base_url
from index.embedders import EmbedderUnavailable, make_embedder, prefix_family, resolve_device
from index.pipeline import Indexer
from index.settings import Settings
from index.store import ChromaVectorStore, EmbedderMismatch, ReportStore

YONGPING = "002_9970a3a3f795190b.txt"
LUOPU = "000_dfbd2fd614bc8960.txt"
KEY = "sk-embed-DO-NOT-SHOW-7310"


# ---- a local OpenAI-compatible /v1/embeddings server ----------------------------------------------------
class EmbedServer:
    """Serves `embed(texts)` for `model`. `replies` are scripted answers taken first, one per request:
    ("status", code[, headers]) | ("hang", seconds) | ("raw", bytes) | ("dims", [sizes])."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], model: str) -> None:
        self.embed = embed
        self.model = model
        self.replies: list[tuple] = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.max_batch: int | None = None  # larger batches get 413, as text-embeddings-inference does

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def _error(self, code: int, message: str, headers: dict[str, str] | None = None) -> None:
                self._send(code, json.dumps({"error": {"message": message}}).encode(), headers)

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                server.requests.append(body)
                server.headers.append({k.lower(): v for k, v in self.headers.items()})
                if not self.path.endswith("/v1/embeddings"):
                    return self._error(404, f"no route {self.path}")
                texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
                if server.replies:
                    reply = server.replies.pop(0)
                    if reply[0] == "status":
                        return self._error(reply[1], f"scripted {reply[1]} {KEY}", *reply[2:])
                    if reply[0] == "hang":
                        time.sleep(reply[1])
                    if reply[0] == "raw":
                        return self._send(200, reply[1])
                    if reply[0] == "dims":
                        data = [
                            {"object": "embedding", "index": i, "embedding": [0.5] * n}
                            for i, n in enumerate(reply[1])
                        ]
                        return self._send(200, json.dumps({"object": "list", "data": data}).encode())
                if body.get("model") != server.model:
                    return self._error(404, f"model '{body.get('model')}' not found, try pulling it first")
                if server.max_batch and len(texts) > server.max_batch:
                    return self._error(
                        413, f"batch size {len(texts)} > maximum allowed batch size {server.max_batch}"
                    )
                if any(len(t) > 2000 for t in texts):
                    return self._error(413, "Input validation error: inputs must have less than 512 tokens")
                vectors = server.embed(texts)
                data = [
                    {"object": "embedding", "index": i, "embedding": [float(x) for x in vectors[i]]}
                    for i in range(len(texts))
                ][::-1]  # out of order on purpose: the index field says which is which
                payload = {
                    "object": "list",
                    "model": server.model,
                    "data": data,
                    "usage": {"prompt_tokens": 0, "total_tokens": 0},
                }
                self._send(200, json.dumps(payload).encode())

        return Handler


def fake_vectors(texts: list[str]) -> np.ndarray:
    return FakeEmbedder()._embed(texts)


@pytest.fixture
def fake_server() -> Iterator[tuple[str, EmbedServer]]:
    server = EmbedServer(fake_vectors, "bge-m3")
    with serving(server.handler()) as url:
        yield url, server


def _embedder(url: str, model: str = "bge-m3", **kw: object) -> tuple[OpenAIEmbedder, list[float]]:
    sleeps: list[float] = []
    kw = {"api_key": KEY, "timeout": 5.0, "max_retries": 3, "backoff": 0.01, "sleep": sleeps.append, **kw}
    return OpenAIEmbedder(base_url=url, model=model, **kw), sleeps  # type: ignore[arg-type]


# ---- batching, prefixes, names ----------------------------------------------------------------------
def test_texts_go_in_batches_and_come_back_in_order_as_unit_vectors(fake_server):
    url, server = fake_server
    embedder, _ = _embedder(url, batch_size=32)
    texts = [f"第{i}段：预算执行率为{i}.5%" for i in range(70)]
    vectors = embedder.embed_passages(texts)
    assert [len(r["input"]) for r in server.requests] == [32, 32, 6]
    assert all(r["encoding_format"] == "float" and r["model"] == "bge-m3" for r in server.requests)
    assert vectors.shape == (70, FakeEmbedder.dim) and vectors.dtype == np.float32
    assert np.allclose(vectors, fake_vectors(texts), atol=1e-6)  # bge-m3: no prefix, order kept
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.dim == FakeEmbedder.dim and len(server.requests) == 3  # known from the answers
    assert server.headers[0]["authorization"] == f"Bearer {KEY}"
    assert embedder.name == "openai/bge-m3" and KEY not in repr(embedder)


def test_an_e5_model_gets_its_prefixes_and_other_models_none(fake_server):
    url, server = fake_server
    server.model = "intfloat/multilingual-e5-small"
    e5, _ = _embedder(url, model=server.model)
    e5.embed_queries(["永平街的预算执行率是多少？"])
    e5.embed_passages(["执行率为94.96%"])
    assert [r["input"] for r in server.requests] == [
        ["query: 永平街的预算执行率是多少？"],
        ["passage: 执行率为94.96%"],
    ]

    cases = {
        "intfloat/multilingual-e5-small": "e5",
        "jeffh/intfloat-multilingual-e5-large:f16": "e5",
        "e5-mistral-7b-instruct": "none",
        "BAAI/bge-m3": "none",
        "bge-m3:latest": "none",
        "bge-large-zh-v1.5": "bge-zh",
        "bge-small-en-v1.5": "bge-en",
        "text-embedding-3-small": "none",
    }
    assert {m: prefix_family(m) for m in cases} == cases
    # a prefix forced against the family changes the vectors, so it is part of the name
    forced, _ = _embedder(url, model="bge-m3", prefix="e5")
    assert forced.name == "openai/bge-m3+e5"
    assert (
        _embedder(url, model="multilingual-e5-small", prefix="e5")[0].name == "openai/multilingual-e5-small"
    )


def test_settings_select_the_endpoint_and_say_what_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("JIXIAO_EMBEDDER", "openai")
    monkeypatch.setenv("JIXIAO_EMBED_BASE_URL", "http://127.0.0.1:9")
    with pytest.raises(EmbedderUnavailable, match="JIXIAO_EMBED_MODEL"):
        make_embedder(Settings(index_dir=tmp_path))
    monkeypatch.setenv("JIXIAO_EMBED_MODEL", "bge-m3")
    monkeypatch.setenv("JIXIAO_EMBED_API_KEY", KEY)
    monkeypatch.setenv("JIXIAO_EMBED_BATCH_SIZE", "8")
    embedder = make_embedder(Settings(index_dir=tmp_path))
    assert isinstance(embedder, OpenAIEmbedder)
    assert (embedder.base_url, embedder.model, embedder.api_key, embedder.batch_size) == (
        "http://127.0.0.1:9/v1",
        "bge-m3",
        KEY,
        8,
    )
    assert normalize_base_url("http://h:8080/v1/") == "http://h:8080/v1"
    assert normalize_base_url("10.0.0.5:8080") == "http://10.0.0.5:8080/v1"
    assert (
        normalize_base_url("https://api.example.cn/compatible-mode/v1")
        == "https://api.example.cn/compatible-mode/v1"
    )


# ---- retries and errors -----------------------------------------------------------------------------
def test_transient_errors_are_retried_with_backoff_and_retry_after(fake_server):
    url, server = fake_server
    embedder, sleeps = _embedder(url)
    server.replies = [("status", 503), ("status", 502), ("status", 429, {"Retry-After": "2"})]
    vectors = embedder.embed_passages(["预算执行率"])
    assert vectors.shape == (1, FakeEmbedder.dim) and len(server.requests) == 4
    assert sleeps == [0.01, 0.02, 2.0]  # doubled each time; the server's Retry-After wins when longer


def test_a_server_that_stays_down_gives_up_after_the_retries(fake_server):
    url, server = fake_server
    embedder, sleeps = _embedder(url, max_retries=2)
    server.replies = [("status", 503)] * 5
    with pytest.raises(EmbedderUnavailable, match="暂时不可用（HTTP 503）") as err:
        embedder.embed_passages(["预算执行率"])
    assert len(server.requests) == 3 and len(sleeps) == 2 and KEY not in str(err.value)


def test_a_server_found_down_is_not_asked_again_until_the_cooloff_ends(fake_server):
    url, server = fake_server
    embedder, sleeps = _embedder(url, max_retries=2, cooloff=0.5)
    server.replies = [("status", 503)] * 3
    with pytest.raises(EmbedderUnavailable, match="HTTP 503"):
        embedder.embed_passages(["第一份报告"])
    asked, waited = len(server.requests), len(sleeps)
    with pytest.raises(EmbedderUnavailable, match="HTTP 503"):  # the next file fails at once
        embedder.embed_passages(["第二份报告"])
    assert (len(server.requests), len(sleeps)) == (asked, waited) == (3, 2)
    time.sleep(0.6)  # the cool-off is over, and the server is back up
    assert (
        embedder.embed_passages(["第三份报告"]).shape == (1, FakeEmbedder.dim) and len(server.requests) == 4
    )


def test_an_unreachable_endpoint_says_to_check_the_url(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    embedder, sleeps = _embedder(f"http://127.0.0.1:{port}/v1", max_retries=2)
    with pytest.raises(EmbedderUnavailable) as err:
        embedder.embed_queries(["永平街"])
    assert "无法连接向量服务" in str(err.value) and "JIXIAO_EMBED_BASE_URL" in str(err.value)
    assert len(sleeps) == 2


def test_a_timeout_is_retried_then_names_the_timeout_setting(fake_server):
    url, server = fake_server
    embedder, sleeps = _embedder(url, timeout=0.3, max_retries=1, cooloff=0.0)
    server.replies = [("hang", 1.0), ("hang", 1.0)]
    with pytest.raises(EmbedderUnavailable, match="超时") as err:
        embedder.embed_passages(["预算执行率"])
    assert "JIXIAO_EMBED_TIMEOUT" in str(err.value) and len(sleeps) == 1
    server.replies = [("hang", 1.0)]
    assert embedder.embed_passages(["预算执行率"]).shape == (1, FakeEmbedder.dim)  # the retry gets through


def test_a_wrong_model_names_the_model_and_the_setting(fake_server):
    url, _ = fake_server
    embedder, sleeps = _embedder(url, model="bge-m4")
    with pytest.raises(EmbedderUnavailable) as err:
        embedder.embed_passages(["预算执行率"])
    message = str(err.value)
    assert "bge-m4" in message and "JIXIAO_EMBED_MODEL" in message and "not found" in message
    assert sleeps == []  # not worth retrying


def test_a_refused_key_is_never_echoed(fake_server):
    url, server = fake_server
    embedder, _ = _embedder(url)
    server.replies = [("status", 401)]
    with pytest.raises(EmbedderUnavailable, match="JIXIAO_EMBED_API_KEY") as err:
        embedder.embed_passages(["预算执行率"])
    assert KEY not in str(err.value)


def test_a_batch_too_large_is_halved_and_a_text_too_long_says_how_to_truncate(fake_server):
    url, server = fake_server
    server.max_batch = 4
    embedder, _ = _embedder(url, batch_size=10)
    texts = [f"段落{i}" for i in range(10)]
    assert np.allclose(embedder.embed_passages(texts), fake_vectors(texts), atol=1e-6)
    assert max(len(r["input"]) for r in server.requests if len(r["input"]) <= 4) <= 4
    with pytest.raises(EmbedderUnavailable, match="--auto-truncate"):
        embedder.embed_passages(["很长" * 1500])


def test_answers_that_are_no_embeddings_or_change_dimension_are_refused(fake_server):
    url, server = fake_server
    embedder, _ = _embedder(url)
    server.replies = [("raw", b"<html>welcome</html>")]
    with pytest.raises(EmbedderUnavailable, match="JIXIAO_EMBED_BASE_URL"):
        embedder.embed_passages(["预算"])
    server.replies = [("dims", [4, 5])]
    with pytest.raises(EmbedderUnavailable, match="维度不一致"):
        embedder.embed_passages(["预算", "执行"])
    embedder.embed_passages(["预算"])  # 256 from now on
    server.replies = [("dims", [8])]
    with pytest.raises(EmbedderUnavailable, match="先前 256 维"):
        embedder.embed_passages(["预算"])
    server.replies = [("dims", [3])]
    with pytest.raises(EmbedderUnavailable, match="2 个向量|返回了 1 个向量"):
        embedder.embed_passages(["预算", "执行"])


# ---- the index keeps its embedder's name and dimension ------------------------------------------------
class Sized(FakeEmbedder):
    """The fake embedder under another name and dimension (vectors cut short and renormalised)."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.size = name, dim

    def _embed(self, texts: list[str]) -> np.ndarray:
        full = FakeEmbedder._embed(FakeEmbedder(), texts)[:, : self.size]
        return full / np.maximum(np.linalg.norm(full, axis=1, keepdims=True), 1e-12)

    @property
    def dim(self) -> int:  # type: ignore[override]
        return self.size


def test_the_index_records_the_dimension_and_refuses_another_with_the_rebuild_fix(tmp_path, corpus_dir):
    from assistant.engine import Engine

    settings = Settings(index_dir=tmp_path / "index")
    first = Indexer(settings, embedder=Sized("openai/bge-m3", 256))
    assert first.ingest([corpus_dir / YONGPING])[0].status == "added"
    assert (first.store.embedder_name(), first.store.embedder_dim()) == ("openai/bge-m3", 256)

    # same name, other size: the server now runs another model under the old name
    swapped = Sized("openai/bge-m3", 64)
    outcome = Indexer(settings, embedder=swapped).ingest([corpus_dir / LUOPU])[0]
    assert outcome.status == "failed"
    assert (
        "256 维" in outcome.message and "64 维" in outcome.message and "ingest --rebuild" in outcome.message
    )
    engine = Engine.open(settings, embedder=swapped)
    with pytest.raises(EmbedderMismatch, match="ingest --rebuild"):
        engine.retrieve("永平街道预算执行情况", 3)

    with pytest.raises(EmbedderMismatch, match="openai/bge-m3（256 维）") as err:
        Engine.open(settings, embedder=Sized("openai/other", 256))
    assert str(settings.index_dir) in str(err.value)


def test_rebuild_reembeds_the_stored_chunks_with_the_new_model(tmp_path, corpus_dir, monkeypatch):
    from assistant.engine import Engine

    monkeypatch.setattr("index.repair.EMBED_BATCH", 8)  # several batches: an interruption between two

    settings = Settings(index_dir=tmp_path / "index")
    old = Sized("fake/old", 256)
    Indexer(settings, embedder=old).ingest([corpus_dir / YONGPING, corpus_dir / LUOPU])
    chunks = len(ReportStore(settings.sqlite_path).chunks())

    class Failing(Sized):  # dies on its second batch: an interrupted rebuild
        calls = 0

        def embed_passages(self, texts: list[str]) -> np.ndarray:
            Failing.calls += 1
            if Failing.calls == 2:
                raise KeyboardInterrupt
            return super().embed_passages(texts)

    with pytest.raises(KeyboardInterrupt):
        Indexer(settings, embedder=Failing("fake/new", 64)).rebuild()
    for embedder in (old, Sized("fake/new", 64)):  # neither old nor new may use the half-built vectors
        with pytest.raises(EmbedderMismatch, match="没有完成.*ingest --rebuild"):
            Engine.open(settings, embedder=embedder)

    new = Sized("fake/new", 64)
    assert Indexer(settings, embedder=new).rebuild() == chunks
    store = ReportStore(settings.sqlite_path)
    assert (store.embedder_name(), store.embedder_dim()) == ("fake/new", 64)
    assert {r["embedder"] for r in store.documents()} == {"fake/new"}
    assert ChromaVectorStore(settings).count() == chunks
    engine = Engine.open(settings, embedder=new)
    hits = engine.retrieve("永平街道预算执行率", 3)
    assert hits and hits[0].chunk.doc == YONGPING
    with pytest.raises(EmbedderMismatch):
        Engine.open(settings, embedder=old)
    # and the index takes new reports with the new model
    outcome = Indexer(settings, embedder=new).ingest([corpus_dir / "001_f87c70ec8dc77d67.txt"])[0]
    assert outcome.status == "added", outcome.message


def test_missing_vectors_are_never_made_by_another_model_and_a_rebuild_is_finished_by_its_own(
    tmp_path, corpus_dir, monkeypatch
):
    """The repair on the next ingest (vectors a deleted or killed run left missing) uses the index's own
    model: another one is refused; and it finishes a rebuild killed part way, with the rebuild's model."""
    settings = Settings(index_dir=tmp_path / "index")
    old, new = Sized("fake/old", 256), Sized("fake/new", 64)
    Indexer(settings, embedder=old).ingest([corpus_dir / YONGPING, corpus_dir / LUOPU])
    vectors = ChromaVectorStore(settings)
    some = sorted(vectors.ids())[:5]
    vectors.delete(some)
    with pytest.raises(EmbedderMismatch, match="fake/old（256 维）"):
        Indexer(settings, embedder=new).prepare()
    outcome = Indexer(settings, embedder=new).ingest([corpus_dir / "001_f87c70ec8dc77d67.txt"])[0]
    assert outcome.status == "failed" and "ingest --rebuild" in outcome.message
    assert not set(some) & vectors.ids()  # nothing of the other model went in

    monkeypatch.setattr("index.repair.EMBED_BATCH", 8)

    class Killed(Sized):
        def embed_passages(self, texts: list[str]) -> np.ndarray:
            if ChromaVectorStore(settings).count() >= 16:
                raise KeyboardInterrupt
            return super().embed_passages(texts)

    with pytest.raises(KeyboardInterrupt):
        Indexer(settings, embedder=Killed("fake/new", 64)).rebuild()
    assert Indexer(settings, embedder=old).ingest([corpus_dir / YONGPING])[0].status == "failed"
    indexer = Indexer(settings, embedder=new)
    outcome = indexer.ingest([corpus_dir / "001_f87c70ec8dc77d67.txt"])[0]
    assert outcome.status == "added", outcome.message
    assert indexer.repaired is not None and indexer.repaired.embedded > 0
    store = ReportStore(settings.sqlite_path)
    assert (store.embedder_name(), store.embedder_dim()) == ("fake/new", 64)
    assert ChromaVectorStore(settings).ids() == store.all_chunk_ids()


def test_cli_ingest_and_rebuild_through_an_endpoint(fake_server, tmp_path, corpus_dir, monkeypatch, capsys):
    from assistant.cli import main

    url, server = fake_server
    index = tmp_path / "index"
    Indexer(Settings(index_dir=index), embedder=FakeEmbedder()).ingest([corpus_dir / YONGPING])
    monkeypatch.setenv("JIXIAO_EMBEDDER", "openai")
    monkeypatch.setenv("JIXIAO_EMBED_BASE_URL", url.removesuffix("/v1"))
    monkeypatch.setenv("JIXIAO_EMBED_MODEL", "bge-m3")
    capsys.readouterr()
    assert main(["ask", "永平街的预算执行率是多少？", "--index", str(index)]) == 2
    assert "ingest --rebuild" in capsys.readouterr().err and not server.requests

    assert main(["ingest", "--rebuild", str(corpus_dir / LUOPU), "--index", str(index), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "已用向量模型 openai/bge-m3 重建 1 份报告的向量" in out and "[已导入] " + LUOPU in out
    store = ReportStore(index / "reports.sqlite3")
    assert (store.embedder_name(), store.embedder_dim(), len(store.documents())) == ("openai/bge-m3", 256, 2)
    assert main(["ask", "永平街的预算执行率是多少？", "--index", str(index)]) == 0
    assert "94.96%" in capsys.readouterr().out


# ---- sentence-transformers on a GPU -------------------------------------------------------------------
def test_device_auto_takes_the_gpu_torch_sees_and_a_missing_gpu_is_said(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda" and resolve_device("cuda:1") == "cuda:1"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == "cpu" and resolve_device("cpu") == "cpu"
    with pytest.raises(EmbedderUnavailable, match="JIXIAO_EMBED_DEVICE=auto"):
        resolve_device("cuda")


def test_sentence_transformers_is_loaded_on_the_resolved_device(monkeypatch, tmp_path):
    import sys
    import types

    import torch

    loaded: list[dict] = []

    class Recorder:
        def __init__(self, path: str, device: str, local_files_only: bool) -> None:
            loaded.append({"path": path, "device": device})

        def get_embedding_dimension(self) -> int:
            return 8

        def encode(self, texts: list[str], batch_size: int, **kw: object) -> np.ndarray:
            loaded.append({"texts": texts, "batch": batch_size})
            return np.ones((len(texts), 8), dtype=np.float32)

    # a stand-in module: importing the real one costs seconds, and no model is loaded here anyway
    monkeypatch.setitem(
        sys.modules, "sentence_transformers", types.SimpleNamespace(SentenceTransformer=Recorder)
    )
    model_dir = tmp_path / "multilingual-e5-small"
    model_dir.mkdir()
    settings = Settings(index_dir=tmp_path, embedder="sentence-transformers", st_model_dir=model_dir)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    embedder = make_embedder(settings)
    embedder.embed_queries(["永平街"])
    assert loaded[0]["device"] == "cuda" and loaded[1] == {"texts": ["query: 永平街"], "batch": 128}
    assert embedder.name == "sentence-transformers/multilingual-e5-small" and embedder.dim == 8
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    make_embedder(settings)
    assert loaded[-1]["device"] == "cpu"


# ---- the real default model behind the endpoint --------------------------------------------------------
def _default_model_server(default) -> Callable[[list[str]], np.ndarray]:
    """What text-embeddings-inference serving multilingual-e5-small does: the text as sent, prefix included."""

    def embed(texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), default.dim), dtype=np.float32)
        for prefix, fn in (("query: ", default.embed_queries), ("passage: ", default.embed_passages)):
            rows = [i for i, t in enumerate(texts) if t.startswith(prefix)]
            if rows:
                out[rows] = fn([texts[i][len(prefix) :] for i in rows])
        if len({i for i, t in enumerate(texts) if t.startswith(("query: ", "passage: "))}) != len(texts):
            raise AssertionError("an e5 text came without its prefix")
        return out

    return embed


@pytest.mark.slow
@pytest.mark.integration
def test_an_index_built_through_the_endpoint_retrieves_like_the_embedded_default(
    engine, corpus_settings, corpus_dir, tmp_path
):
    from assistant.engine import Engine

    default = engine.retriever.embedder  # the project's default, in process
    server = EmbedServer(_default_model_server(default), "multilingual-e5-small")
    with serving(server.handler()) as url:
        settings = Settings(
            index_dir=tmp_path / "via_endpoint",
            embedder="openai",
            embed_base_url=url,
            embed_model="multilingual-e5-small",
            embed_batch_size=16,
        )
        outcomes = Indexer(settings).ingest([corpus_dir])
        assert [o.status for o in outcomes] == ["added"] * 5, [o.message for o in outcomes]
        remote = Engine.open(settings)
        assert remote.retriever.embedder.name == "openai/multilingual-e5-small"
        assert ReportStore(settings.sqlite_path).embedder_dim() == default.dim
        rows = [json.loads(line) for line in (Path(__file__).parents[1] / "evals" / "questions.jsonl").open()]
        questions = [r["question"] for r in rows if not r.get("history")][:: max(1, len(rows) // 10)][:10]
        assert len(questions) >= 8
        for q in questions:
            local_vec = default.embed_queries([q])[0]
            remote_vec = remote.retriever.embedder.embed_queries([q])[0]
            assert float(local_vec @ remote_vec) > 0.9999, q
            dense_local = engine.retriever.vectors.query(local_vec, 5)
            dense_remote = remote.retriever.vectors.query(remote_vec, 5)
            assert dense_local[0][0] == dense_remote[0][0], q
            assert engine.retrieve(q, 5)[0].chunk.id == remote.retrieve(q, 5)[0].chunk.id, q
        # the embedded default refuses the endpoint's index, and the other way round
        with pytest.raises(EmbedderMismatch, match="ingest --rebuild"):
            Engine.open(settings, embedder=default)
        with pytest.raises(EmbedderMismatch):
            Engine.open(corpus_settings, embedder=remote.retriever.embedder)


# ---- the app says the fix too ----------------------------------------------------------------------------
def test_the_app_says_the_rebuild_fix_and_an_embedding_service_down(tmp_path, corpus_dir):
    from assistant.webapp.chat_tab import respond
    from assistant.webapp.state import AppState

    settings = Settings(index_dir=tmp_path / "index")
    Indexer(settings, embedder=FakeEmbedder()).ingest([corpus_dir / YONGPING])
    other = AppState(settings, embedder=Sized("openai/bge-m3", 64))
    html = list(respond(other, "永平街的预算执行率是多少？", None))[-1][0]
    assert "ingest --rebuild" in html and "还没有报告" not in html

    class Down(FakeEmbedder):
        def embed_queries(self, texts: list[str]) -> np.ndarray:
            raise EmbedderUnavailable(
                "无法连接向量服务 http://127.0.0.1:9/v1：请检查 JIXIAO_EMBED_BASE_URL。"
            )

    down = AppState(settings, embedder=Down())
    html = list(respond(down, "永平街道的主要经验做法有哪些？", None))[-1][0]
    assert "JIXIAO_EMBED_BASE_URL" in html and "内部错误" not in html
