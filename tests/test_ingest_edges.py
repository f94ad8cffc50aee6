"""Rough edges of ingest (issue 11): names holding tabs or line breaks listed one per line, a stated size
limit in the CLI as in the app, progress by stage within a big file, and parsing that grows linearly."""

from __future__ import annotations

import time
from pathlib import Path

from assistant import cli
from index.loaders import load_document
from index.pipeline import Indexer
from index.settings import Settings
from index.structure import parse_report

NANZHOU, PANYU, XIAOGUWEI = "003_ceb9afcdf1314de4.txt", "004_99d524f8eeb46081.txt", "001_f87c70ec8dc77d67.txt"


def test_list_shows_names_with_tabs_and_line_breaks_one_per_line(
    tmp_path, corpus_dir, monkeypatch, capsys, fake_embedder
):
    monkeypatch.setattr("index.pipeline.make_embedder", lambda settings: fake_embedder)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "南洲\t报告.txt").write_bytes((corpus_dir / NANZHOU).read_bytes())
    (folder / "番禺\n报告.txt").write_bytes((corpus_dir / PANYU).read_bytes())
    index = ["--index", str(tmp_path / "idx")]
    assert cli.main(["ingest", str(folder), *index, "--quiet"]) == 0
    ingested = capsys.readouterr().out.splitlines()
    assert len(ingested) == 3 and "南洲\\t报告.txt" in ingested[1] + ingested[0]
    assert cli.main(["list", *index]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(len(line.split("\t")) == 5 for line in lines)
    assert {line.split("\t")[0] for line in lines} == {"南洲\\t报告.txt", "番禺\\n报告.txt"}


def test_the_cli_states_a_size_limit(tmp_path, corpus_dir, monkeypatch, capsys, fake_embedder):
    monkeypatch.setattr("index.pipeline.make_embedder", lambda settings: fake_embedder)
    monkeypatch.setenv("JIXIAO_UPLOAD_MAX_MB", "1")
    big = tmp_path / "大文件.txt"
    text = (corpus_dir / XIAOGUWEI).read_text(encoding="utf-8")
    big.write_text(text * (1024 * 1024 // len(text.encode()) + 2), encoding="utf-8")
    assert cli.main(["ingest", str(big), "--index", str(tmp_path / "idx"), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "[失败] 大文件.txt" in out and "不能超过 1 MB" in out and "JIXIAO_UPLOAD_MAX_MB" in out


def test_a_big_file_reports_its_stages_with_real_fractions(tmp_path, corpus_dir, fake_embedder):
    big = tmp_path / "汇编.txt"
    big.write_text(
        "\n".join((corpus_dir / name).read_text(encoding="utf-8") for name in (XIAOGUWEI, NANZHOU, PANYU)),
        encoding="utf-8",
    )
    seen: list[tuple[str, float]] = []
    indexer = Indexer(Settings(index_dir=tmp_path / "idx"), embedder=fake_embedder)
    outcome = indexer.ingest_file(big, stage=lambda name, fraction: seen.append((name, fraction)))
    assert outcome.status == "added" and outcome.chunks > 64
    names = list(dict.fromkeys(name for name, _ in seen))
    assert names == ["解析", "切分", "向量化", "入库"]
    embedding = [f for name, f in seen if name == "向量化"]
    assert len(embedding) >= 2 and embedding == sorted(embedding) and 0 < embedding[-1] < 1


def _parse_seconds(path: Path) -> float:
    start = time.perf_counter()
    parse_report(load_document(path))
    return time.perf_counter() - start


def test_parsing_grows_linearly_with_the_file(tmp_path, corpus_dir):
    """Four times the text must not take sixteen times as long (it did: each line copied the rest)."""
    text = (corpus_dir / XIAOGUWEI).read_text(encoding="utf-8")
    small, large = tmp_path / "s.txt", tmp_path / "l.txt"
    small.write_text(text * 6, encoding="utf-8")
    large.write_text(text * 24, encoding="utf-8")
    _parse_seconds(small)  # warm the caches
    ratio = min(_parse_seconds(large) for _ in range(2)) / min(_parse_seconds(small) for _ in range(2))
    assert ratio < 8, ratio
