"""Embeddings from an OpenAI-compatible `/v1/embeddings` endpoint: text-embeddings-inference, vLLM, Ollama
(bge-m3 …) or a cloud API, through the `openai` client.

Texts go in batches of `batch_size`; a batch the server finds too large (HTTP 413) is halved and sent again.
Connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff (a server's Retry-After is
honoured, up to half a minute): an embedding request has no side effects, so sending it twice is harmless.
A server still down after the retries is not asked again for `cooloff` seconds: the files of a folder after
the first fail at once with the same message instead of each waiting through the retries.
Every failure becomes an `EmbedderUnavailable` whose message is plain Chinese and names the setting to fix;
the API key never appears in a message or the log.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import numpy as np

from index.embedders import EmbedderUnavailable, resolve_prefixes

if TYPE_CHECKING:
    from index.settings import Settings

log = logging.getLogger(__name__)

NO_KEY = "sk-no-key-required"  # the client will not start without a key; local servers ignore it
RETRY_STATUS = {408, 429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 30.0  # seconds: a server asking for longer is treated as down


class EmbedError(Exception):
    """One failed request: `retryable` says whether sending it again may help."""

    def __init__(self, message: str, *, retryable: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after: float | None = None


def normalize_base_url(url: str) -> str:
    """ "http://host:8080" → "http://host:8080/v1": TEI, vLLM and Ollama all serve /v1/embeddings, and a bare
    host:port is the commonest slip. A URL with a path of its own is taken as it is."""
    url = url.strip().rstrip("/")
    if "://" not in url:  # "10.0.0.5:8080"
        url = "http://" + url
    return url + "/v1" if urlsplit(url).path in ("", "/") else url


def _redact(url: str) -> str:
    return re.sub(r"//[^/@]*@", "//", url)


@dataclass
class OpenAIEmbedder:
    base_url: str
    model: str
    api_key: str | None = None
    prefix: str = "auto"  # see Settings.embed_prefix
    batch_size: int = 32
    timeout: float = 60.0
    max_retries: int = 3
    backoff: float = 0.5  # seconds before the first retry; doubled for each further one
    sleep: Callable[[float], None] = time.sleep
    cooloff: float = 30.0  # seconds a server found down is not asked again
    _dim: int | None = field(default=None, init=False, repr=False)
    _down: tuple[float, str] | None = field(default=None, init=False, repr=False)  # (until, message)

    def __post_init__(self) -> None:
        from openai import OpenAI

        self.base_url = normalize_base_url(self.base_url)
        self._q, self._p, suffix = resolve_prefixes(self.model, self.prefix)
        # The endpoint is not in the name: the same model served elsewhere gives the same vectors.
        self.name = f"openai/{self.model}{suffix}"
        # our own retry loop decides what is retried; the client's is switched off
        self._client = OpenAI(
            base_url=self.base_url, api_key=self.api_key or NO_KEY, timeout=self.timeout, max_retries=0
        )

    def __repr__(self) -> str:  # the key stays out of reprs and logs
        return f"OpenAIEmbedder(base_url={_redact(self.base_url)!r}, model={self.model!r})"

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> OpenAIEmbedder:
        missing = [
            name
            for name, value in (
                ("JIXIAO_EMBED_BASE_URL", settings.embed_base_url),
                ("JIXIAO_EMBED_MODEL", settings.embed_model),
            )
            if not value
        ]
        if missing:
            raise EmbedderUnavailable(
                f"JIXIAO_EMBEDDER=openai 还需要设置 {' 与 '.join(missing)}，例如 "
                "JIXIAO_EMBED_BASE_URL=http://127.0.0.1:8080/v1 JIXIAO_EMBED_MODEL=bge-m3。"
            )
        kwargs: dict[str, object] = {
            "base_url": settings.embed_base_url,
            "model": settings.embed_model,
            "api_key": settings.embed_api_key.get_secret_value() if settings.embed_api_key else None,
            "prefix": settings.embed_prefix,
            "batch_size": settings.embed_batch_size,
            "timeout": settings.embed_timeout,
            "max_retries": settings.embed_max_retries,
        }
        kwargs.update(overrides)
        return cls(**kwargs)  # type: ignore[arg-type]

    @property
    def dim(self) -> int:
        """Known from the first answer; asked for with one short text when nothing has been embedded yet."""
        if self._dim is None:
            self._embed(["维度"])
        assert self._dim is not None
        return self._dim

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed([self._q + t for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed([self._p + t for t in texts])

    # ---- requests -----------------------------------------------------------------------------------
    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        size = max(1, self.batch_size)
        parts = [self._batch(texts[i : i + size]) for i in range(0, len(texts), size)]
        vectors = np.vstack(parts)
        # unit length, as the local embedders give: the store ranks by cosine, the fusion by rank
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)

    def _batch(self, texts: list[str]) -> np.ndarray:
        """One batch, retried; halved while the server says it is too large."""
        down = self._down
        if down is not None and time.monotonic() < down[0]:
            raise EmbedderUnavailable(down[1])
        try:
            vectors = self._with_retries(texts)
            self._down = None
            return vectors
        except EmbedError as err:
            if err.retryable:  # still down after the retries
                self._down = (time.monotonic() + self.cooloff, str(err))
            if err.status == 413 and len(texts) > 1:
                half = len(texts) // 2
                log.info("向量服务认为一批 %d 段过大，拆成两批重发", len(texts))
                return np.vstack([self._batch(texts[:half]), self._batch(texts[half:])])
            raise EmbedderUnavailable(str(err)) from None

    def _with_retries(self, texts: list[str]) -> np.ndarray:
        attempt = 0
        while True:
            try:
                return self._request(texts)
            except EmbedError as err:
                if not err.retryable or attempt >= self.max_retries:
                    raise
                delay = self.backoff * (2**attempt)
                if err.retry_after is not None:
                    delay = max(delay, err.retry_after)
                attempt += 1
                log.warning("向量服务暂时不可用（%s），%.1f 秒后重试（第 %d 次）", err, delay, attempt)
                self.sleep(delay)

    def _request(self, texts: list[str]) -> np.ndarray:
        try:
            # "float": every server speaks it; the client's default (base64) is not understood by all
            reply = self._client.embeddings.create(model=self.model, input=texts, encoding_format="float")
        except Exception as exc:  # noqa: BLE001 — every client error becomes a plain EmbedError
            raise self._plain(exc) from None
        return self._vectors(reply, len(texts))

    def _vectors(self, reply: object, count: int) -> np.ndarray:
        data = getattr(reply, "data", None)
        if not isinstance(data, list):
            raise EmbedError(
                f"{_redact(self.base_url)}/embeddings 的回答不是 OpenAI 兼容的向量格式：请检查 "
                "JIXIAO_EMBED_BASE_URL（通常以 /v1 结尾）是否指向向量服务。"
            )
        rows = sorted(data, key=lambda d: getattr(d, "index", 0))
        try:
            vectors = [np.asarray(getattr(d, "embedding", None), dtype=np.float32) for d in rows]
        except (TypeError, ValueError):
            vectors = []
        if len(vectors) != count or any(v.ndim != 1 or v.size == 0 for v in vectors):
            raise EmbedError(
                f"向量服务为 {count} 段文本返回了 {len(vectors)} 个向量或格式不对：请确认 JIXIAO_EMBED_MODEL="
                f"{self.model} 是向量（embedding）模型。"
            )
        dims = {v.size for v in vectors}
        dim = dims.pop() if len(dims) == 1 else -1
        if dim < 0 or (self._dim is not None and dim != self._dim):
            raise EmbedError(
                f"向量服务返回的向量维度不一致（先前 {self._dim} 维，这次 {sorted({v.size for v in vectors})} 维）："
                "服务端的模型可能被换过。请确认服务与 JIXIAO_EMBED_MODEL 一致后再导入。"
            )
        matrix = np.vstack(vectors)
        if not np.isfinite(matrix).all():
            raise EmbedError(f"向量服务返回了无效数值（NaN/Inf）：请检查服务端模型 {self.model}。")
        self._dim = dim
        return matrix

    def _plain(self, exc: Exception) -> EmbedError:
        """A user-facing message for a client error, naming the setting to fix. The server's own words are
        added only where they explain (a missing model, a text too long), never for a refused key."""
        import openai

        where = _redact(self.base_url)
        status = getattr(exc, "status_code", None)
        log.warning("向量服务调用失败：%s %s（%s）", where, status or "", type(exc).__name__)
        if isinstance(exc, openai.APITimeoutError):
            return EmbedError(
                f"向量服务 {where} 在 {self.timeout:g} 秒内没有响应（超时）：请检查服务负载，"
                "或调大 JIXIAO_EMBED_TIMEOUT、调小 JIXIAO_EMBED_BATCH_SIZE。",
                retryable=True,
            )
        if isinstance(exc, openai.APIConnectionError):
            return EmbedError(
                f"无法连接向量服务 {where}：连接被拒绝或网络不通。请确认服务已启动，"
                "并检查 JIXIAO_EMBED_BASE_URL（如 http://127.0.0.1:8080/v1）。",
                retryable=True,
            )
        if not isinstance(exc, openai.APIStatusError):
            return EmbedError(
                f"{where}/embeddings 的回答无法读取（{type(exc).__name__}）：请检查 JIXIAO_EMBED_BASE_URL"
                "（通常以 /v1 结尾）是否指向 OpenAI 兼容的向量服务。"
            )
        status = exc.status_code
        said = self._server_words(exc)
        if status in (401, 403):
            return EmbedError(
                f"向量服务 {where} 拒绝访问（HTTP {status}）：请检查 JIXIAO_EMBED_API_KEY。", status=status
            )
        if status == 404:
            return EmbedError(
                f"向量服务 {where} 上找不到模型 {self.model} 或 /embeddings 接口（HTTP 404{said}）："
                "请检查 JIXIAO_EMBED_MODEL 是否与服务加载的模型同名（Ollama 需先 `ollama pull`），"
                "以及 JIXIAO_EMBED_BASE_URL 是否以 /v1 结尾。",
                status=status,
            )
        if status == 413:
            return EmbedError(
                f"向量服务 {where} 认为请求过大（HTTP 413{said}）：单段文本超出了模型长度。"
                "请在服务端开启截断（text-embeddings-inference：--auto-truncate），或调小 JIXIAO_EMBED_BATCH_SIZE。",
                status=status,
            )
        if status in RETRY_STATUS:
            err = EmbedError(
                f"向量服务 {where} 暂时不可用（HTTP {status}），重试 {self.max_retries} 次后仍未成功：请稍后再试，"
                "或检查服务日志。",
                retryable=True,
                status=status,
            )
            err.retry_after = _retry_after(exc)
            return err
        return EmbedError(
            f"向量服务 {where} 拒绝了请求（HTTP {status}{said}）：可能文本超出模型长度（请在服务端开启截断，"
            f"如 text-embeddings-inference 的 --auto-truncate），或 {self.model} 不是向量模型"
            "（请检查 JIXIAO_EMBED_MODEL）。",
            status=status,
        )

    def _server_words(self, exc: Exception) -> str:
        """ "：<the server's message>", short, with the key masked should a server echo it."""
        body = getattr(exc, "body", None)
        text = ""
        if isinstance(body, dict):
            inner = body.get("error", body)
            text = str(inner.get("message", "") if isinstance(inner, dict) else inner)
        elif isinstance(body, str):
            text = body
        if self.api_key:
            text = text.replace(self.api_key, "***")
        text = " ".join(text.split())[:160]
        return f"：{text}" if text else ""


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        seconds = float(value) if value is not None else None
    except ValueError:  # an HTTP date: not worth parsing, the backoff applies
        return None
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER)
