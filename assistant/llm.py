"""A small LLM interface and its one implementation: any OpenAI-compatible chat-completions endpoint
(DeepSeek, Qwen, vLLM, Ollama, a llama.cpp server …) through the `openai` client.

Retries with exponential backoff on connection errors, HTTP 5xx and 429, before any text has been received
(a stream that has started is never silently restarted). A timeout is not retried: waiting twice as long
for a server that does not answer helps nobody. Every failure becomes an `LLMError` whose message is plain
Chinese for the user, without digits (it may stand in an answer, where every number must be cited), and
never contains the API key nor the server's own words (some servers echo a wrong key back). The endpoint,
status and exception go to the log.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from index.settings import Settings

log = logging.getLogger(__name__)

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": …}
# The openai client refuses to start without a key; local servers (llama.cpp, vLLM, Ollama) ignore it.
NO_KEY = "sk-no-key-required"


class LLMError(RuntimeError):
    """A model call that failed; `str(err)` is a plain message for the user (never the key)."""

    def __init__(self, message: str, *, retryable: bool = False, status: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status


class LLM(Protocol):
    model: str

    def stream_chat(self, messages: Sequence[Message]) -> Iterator[str]:
        """The reply's text as it is written."""
        ...


def _redact(url: str) -> str:
    """The URL without any user:password part."""
    return re.sub(r"//[^/@]*@", "//", url)


@dataclass
class OpenAICompatibleLLM:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0
    temperature: float = 0.1
    max_retries: int = 2
    max_tokens: int | None = 1024
    backoff: float = 0.5  # seconds before the first retry; doubled for each further one
    sleep: Callable[[float], None] = time.sleep

    def __post_init__(self) -> None:
        from openai import OpenAI

        # Our own retry loop (below) decides what is retried; the client's is switched off.
        self._client = OpenAI(
            base_url=self.base_url,
            api_key=self.api_key or NO_KEY,
            timeout=self.timeout,
            max_retries=0,
        )

    def __repr__(self) -> str:  # the key stays out of reprs and logs
        return f"OpenAICompatibleLLM(base_url={_redact(self.base_url)!r}, model={self.model!r})"

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> OpenAICompatibleLLM:
        if not settings.llm_base_url:
            raise LLMError("没有配置模型服务地址（OPENAI_BASE_URL）。")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        kwargs: dict[str, object] = {
            "base_url": settings.llm_base_url,
            "model": settings.llm_model,
            "api_key": key,
            "timeout": settings.llm_timeout,
            "temperature": settings.llm_temperature,
            "max_retries": settings.llm_max_retries,
        }
        kwargs.update(overrides)
        return cls(**kwargs)  # type: ignore[arg-type]

    def stream_chat(self, messages: Sequence[Message]) -> Iterator[str]:
        attempt = 0
        while True:
            started = False
            try:
                for piece in self._stream_once(messages):
                    started = True
                    yield piece
                return
            except LLMError as err:
                if started or not err.retryable or attempt >= self.max_retries:
                    raise
                delay = self.backoff * (2**attempt)
                attempt += 1
                log.warning("模型服务暂时不可用（%s），%.1f 秒后重试（第 %d 次）", err, delay, attempt)
                self.sleep(delay)

    def complete(self, messages: Sequence[Message]) -> str:
        """The whole reply in one response (stream=false), with the same retries."""
        attempt = 0
        while True:
            try:
                return self._complete_once(messages)
            except LLMError as err:
                if not err.retryable or attempt >= self.max_retries:
                    raise
                delay = self.backoff * (2**attempt)
                attempt += 1
                log.warning("模型服务暂时不可用（%s），%.1f 秒后重试（第 %d 次）", err, delay, attempt)
                self.sleep(delay)

    def _request(self, messages: Sequence[Message], stream: bool) -> dict[str, object]:
        kwargs: dict[str, object] = {
            "model": self.model,
            "messages": list(messages),
            "temperature": self.temperature,
            "stream": stream,
        }
        if self.max_tokens:
            kwargs["max_tokens"] = self.max_tokens
        return kwargs

    def _complete_once(self, messages: Sequence[Message]) -> str:
        try:
            reply = self._client.chat.completions.create(**self._request(messages, False))  # type: ignore[call-overload]
            choices = getattr(reply, "choices", None) or []
            return (choices[0].message.content or "") if choices else ""
        except Exception as exc:  # noqa: BLE001
            raise self._plain(exc) from None

    def _stream_once(self, messages: Sequence[Message]) -> Iterator[str]:
        try:
            stream = self._client.chat.completions.create(**self._request(messages, True))  # type: ignore[call-overload]
            for chunk in stream:
                for choice in getattr(chunk, "choices", None) or []:
                    delta = getattr(choice, "delta", None)
                    text = getattr(delta, "content", None) if delta is not None else None
                    if text:
                        yield text
        except Exception as exc:  # noqa: BLE001 — every client error becomes a plain LLMError
            raise self._plain(exc) from None

    def _plain(self, exc: Exception) -> LLMError:
        """A user-facing message for a client error. Built from our own words and the endpoint only: the
        server's response text is not echoed (it may repeat the key, as some servers do on 401)."""
        import openai

        status = getattr(exc, "status_code", None)
        log.warning("模型调用失败：%s %s（%s）", _redact(self.base_url), status or "", type(exc).__name__)
        if isinstance(exc, LLMError):
            return exc
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(
                "模型服务在设定的时间内没有响应（超时）：请检查服务是否正常，或调大 JIXIAO_LLM_TIMEOUT。"
            )
        if isinstance(exc, openai.APIConnectionError):
            return LLMError(
                "无法连接模型服务：连接被拒绝或网络不通。请检查 OPENAI_BASE_URL 与服务是否已启动。",
                retryable=True,
            )
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            if status == 401:
                return LLMError("模型服务拒绝了 API 密钥：请检查 OPENAI_API_KEY。", status=status)
            if status == 403:
                return LLMError("模型服务拒绝访问：该密钥无权使用此模型或服务。", status=status)
            if status == 404:
                return LLMError(
                    "模型服务上找不到接口或所配置的模型：请检查 OPENAI_BASE_URL（通常以 /v1 结尾）"
                    "与 JIXIAO_LLM_MODEL。",
                    status=status,
                )
            if status == 429:
                return LLMError("模型服务请求过多或额度不足，请稍后再试。", retryable=True, status=status)
            if status >= 500:
                return LLMError("模型服务内部出错，重试后仍未成功。", retryable=True, status=status)
            return LLMError("模型服务拒绝了请求：可能是上下文超出模型长度，或参数不受支持。", status=status)
        return LLMError("调用模型服务时出错，未能得到回答。")
