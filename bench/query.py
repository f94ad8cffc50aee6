"""Query latency on the corpus index: p50/p95 per question, model load reported separately.

.venv/bin/python bench/query.py [--corpus DIR] [--index DIR] [--questions evals/questions.jsonl] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.engine import Engine  # noqa: E402
from index.embedders import make_embedder  # noqa: E402
from index.pipeline import Indexer  # noqa: E402
from index.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--index")
    parser.add_argument("--questions", default=str(ROOT / "evals" / "questions.jsonl"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    settings = Settings(index_dir=Path(args.index or tmp.name))
    t0 = time.perf_counter()
    embedder = make_embedder(settings)
    load_model = time.perf_counter() - t0
    if not settings.sqlite_path.exists():
        Indexer(settings, embedder=embedder).ingest([Path(args.corpus)])
    t1 = time.perf_counter()
    engine = Engine.open(settings, embedder=embedder)
    open_engine = time.perf_counter() - t1
    rows = [
        json.loads(line)
        for line in Path(args.questions).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rows = [r for r in rows if not r.get("history")]
    engine.ask(rows[0]["question"])  # warm caches once
    times: list[float] = []
    for _ in range(args.repeat):
        for row in rows:
            t = time.perf_counter()
            engine.ask(row["question"])
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"model load: {load_model * 1000:.0f} ms; engine open (facts, BM25, Chroma): {open_engine * 1000:.0f} ms"
    )
    print(
        f"{len(rows)} questions × {args.repeat}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms"
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
