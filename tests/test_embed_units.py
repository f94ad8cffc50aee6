"""What of a chunk is embedded (index/embed_units.py, issue 12): a table of contents, a portal's breadcrumbs and
a grid of numbers get no vector yet are found by their keywords; identical texts share one vector; the head
of a long chunk is embedded, the chunk stays whole; rebuild, repair and removal keep it so; the same file
gives the same vectors whatever the hash seed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.engine import Engine
from index.embed_units import has_words, vector_texts
from index.models import Chunk
from index.pipeline import Indexer
from index.settings import Settings
from index.store import ChromaVectorStore

ROOT = Path(__file__).resolve().parents[1]

# an invented report: a table of contents whose entries the parser takes for headings, a portal's breadcrumb,
# a grid of numbers, the same section twice (pasted twice), a long paragraph
REPORT = """\
您现在的位置：首页 > 信息公开 > 财政资金
青禾县农业农村局2023年度部门整体支出绩效自评报告

目录
一、部门基本情况……………………………………1
二、部门整体支出情况……………………………2
附表：青禾县旱作梯田补助项目明细表…………4

一、部门基本情况

（一）部门职能

青禾县农业农村局是县政府工作部门，负责全县农业农村发展、耕地保护和农民增收工作。内设股室7个，下属单位3个。{long}

二、部门整体支出情况

（一）预算执行情况

2023年度，我局全年预算数为3,210.50万元，全年执行数为3,050.20万元，预算执行率为95.01%。

（二）项目支出明细

12.50\t13.00\t98.00%
8.40\t8.40\t100.00%
30.00\t28.20\t94.00%
6.10\t6.00\t98.36%
15.75\t15.00\t95.24%

三、存在的问题

（一）资金拨付偏慢

部分项目资金拨付进度偏慢，影响了项目按期实施。

（一）资金拨付偏慢

部分项目资金拨付进度偏慢，影响了项目按期实施。

四、自评结论

经自评，我局2023年度部门整体支出绩效自评得分为91.5分，评价等级为“优”。
""".format(long="全局坚持统筹推进乡村振兴各项重点工作，" * 12 + "石川镇高标准农田建设当年全部完工。")


class Counting:
    """The fake embedder, keeping every passage it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.passages: list[str] = []

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages += texts
        return self.inner.embed_passages(texts)


@pytest.fixture
def indexed(tmp_path, fake_embedder):
    path = tmp_path / "青禾县农业农村局2023.txt"
    path.write_text(REPORT, encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "idx")
    embedder = Counting(fake_embedder)
    indexer = Indexer(settings, embedder=embedder)
    assert [o.status for o in indexer.ingest([path])] == ["added"]
    return settings, indexer, embedder


def _by_text(indexer: Indexer, part: str) -> list[Chunk]:
    return [c for c, _ in indexer.store.chunks() if part in c.text]


def _vectors(settings: Settings, ids: list[str]) -> dict[str, np.ndarray]:
    got = ChromaVectorStore(settings)._collection.get(ids=ids, include=["embeddings"])
    return dict(zip(got["ids"], np.asarray(got["embeddings"]), strict=True))


def test_a_table_of_contents_and_a_grid_get_no_vector_but_are_found_by_their_keywords(indexed):
    settings, indexer, embedder = indexed
    (toc,) = _by_text(indexer, "旱作梯田补助项目明细表")
    (grid,) = _by_text(indexer, "28.20")
    have = indexer.vectors.ids()
    assert toc.id not in have and grid.id not in have
    assert len(have) == indexer.store.vectors_expected() < len(indexer.store.all_chunk_ids())
    assert not any("……" in t or "首页" in t or "28.20" in t for t in embedder.passages)
    engine = Engine.open(settings, embedder=embedder)
    assert engine.notes == []  # no vector is missing: these need none
    assert toc.id in [e.chunk.id for e in engine.retriever.retrieve("旱作梯田补助项目明细表")]
    assert grid.id in [e.chunk.id for e in engine.retriever.retrieve("项目支出明细 28.20")]
    # the dense side answers from the chunks that have vectors, without error
    assert engine.retriever.vectors.query(embedder.embed_queries(["预算执行率"])[0], 30)


def test_identical_texts_share_one_vector_and_a_long_chunk_is_embedded_by_its_head(indexed):
    settings, indexer, embedder = indexed
    twins = _by_text(indexer, "部分项目资金拨付进度偏慢")
    assert len(twins) == 2 and twins[0].embed_text == twins[1].embed_text
    assert sum("部分项目资金拨付进度偏慢" in t for t in embedder.passages) == 1
    vectors = _vectors(settings, [c.id for c in twins])
    assert np.array_equal(vectors[twins[0].id], vectors[twins[1].id])
    (long,) = _by_text(indexer, "石川镇高标准农田建设")  # the chunk stays whole, its tail not embedded
    assert long.id in indexer.vectors.ids()
    assert not any("石川镇" in t for t in embedder.passages)
    assert any(t.startswith(long.header) and "青禾县农业农村局是县政府" in t for t in embedder.passages)


def test_rebuild_repair_and_removal_keep_chunks_without_vectors_so(indexed, tmp_path, fake_embedder):
    settings, indexer, _ = indexed
    have = indexer.vectors.ids()
    embedded = indexer.rebuild()
    assert embedded == len(have) and indexer.vectors.ids() == have
    # vectors lost (a run killed between its two stores): the next ingest makes only those that are needed
    some = sorted(have)[:2]
    indexer.vectors.delete(some)
    again = Indexer(settings, embedder=Counting(fake_embedder))
    assert again.prepare().embedded == 2 and again.vectors.ids() == have
    assert Indexer(settings, embedder=fake_embedder).prepare().embedded == 0  # nothing left to repair
    doc = indexer.store.documents()[0]["doc"]
    assert again.remove(doc) and again.vectors.ids() == set() and again.store.vectors_expected() == 0


def test_whole_embeds_every_chunk_whole():
    chunks = [
        Chunk("a-0", "a", "青禾县农业农村局", 2023, ("目录",), None, "一、部门基本情况……1", 1, 1, header="h"),
        Chunk("a-1", "a", "青禾县农业农村局", 2023, ("概况",), None, "全局" * 200, 2, 2, header="h"),
    ]
    assert vector_texts(chunks, Settings(embed_units="whole")) == [c.embed_text for c in chunks]
    lean = vector_texts(chunks, Settings(embed_head_chars=50))
    assert lean == [None, "h\n" + "全局" * 25]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("12.50 | 13.00 | 98.00%\n8.40 | 8.40 | 100.00%\n30.00 | 28.20 | 94.00%", False),
        ("……", False),
        ("无。", True),  # a short statement: its section says what it answers
        ("100分。", True),
        ("社会事务经费 | 5.59 | 5.59 | 保障民政工作正常开展", True),
    ],
)
def test_a_grid_of_numbers_has_no_words_a_short_statement_has(text, words):
    assert has_words(text) is words


def test_running_headers_and_portal_lines_are_left_out_of_the_vectors():
    running = "青禾县农业农村局2023年度绩效自评报告"
    chunks = [
        Chunk(
            f"a-{i}",
            "a",
            "青禾县农业农村局",
            2023,
            ("概况",),
            None,
            f"{running}\n第{i}段正文内容，说明工作。",
            i,
            i,
        )
        for i in range(3)
    ] + [
        Chunk("a-3", "a", "青禾县农业农村局", 2023, (), None, "首页 机构概况 政务公开 互动交流\n— 3 —", 9, 9)
    ]
    texts = vector_texts(chunks, Settings())
    assert texts[:3] == [f"第{i}段正文内容，说明工作。" for i in range(3)] and texts[3] is None


@pytest.mark.slow  # two fresh processes (about 6 s)
def test_the_same_file_gives_the_same_vectors_whatever_the_hash_seed(tmp_path):
    (tmp_path / "r.txt").write_text(REPORT, encoding="utf-8")
    script = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.conftest import FakeEmbedder
from index.pipeline import Indexer
from index.settings import Settings
from index.store import ChromaVectorStore
settings = Settings(index_dir=Path(sys.argv[2]))
Indexer(settings, embedder=FakeEmbedder()).ingest([Path(sys.argv[3])])
got = ChromaVectorStore(settings)._collection.get(include=["embeddings"])
import numpy as np
sys.stdout.write(" ".join(got["ids"]) + "\\n" + np.asarray(got["embeddings"], dtype=np.float32).tobytes().hex())
"""
    outs = [
        subprocess.run(
            [sys.executable, "-c", script, str(ROOT), str(tmp_path / f"idx{seed}"), str(tmp_path / "r.txt")],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("1", "2")
    ]
    assert outs[0] == outs[1] and len(outs[0].split("\n")[0].split()) >= 5
