"""Ingest throughput: documents/s, chunks/s and peak memory for a folder of reports (default: the corpus).

.venv/bin/python bench/ingest.py [--corpus DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.embedders import make_embedder  # noqa: E402
from index.pipeline import Indexer  # noqa: E402
from index.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(Path(__file__).resolve().parents[2] / "shared" / "corpus"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp))
        t0 = time.perf_counter()
        embedder = make_embedder(settings)
        load_s = time.perf_counter() - t0
        indexer = Indexer(settings, embedder=embedder)
        t1 = time.perf_counter()
        outcomes = indexer.ingest([Path(args.corpus)])
        elapsed = time.perf_counter() - t1
        ok = [o for o in outcomes if o.status == "added"]
        chunks = sum(o.chunks for o in ok)
        chars = sum(len(c.text) for c, _ in indexer.store.chunks())
        t2 = time.perf_counter()
        again = indexer.ingest([Path(args.corpus)])
        rerun = time.perf_counter() - t2
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"embedder: {embedder.name} (load {load_s:.2f} s)")
    print(
        f"documents: {len(ok)}/{len(outcomes)} ingested, {chunks} chunks, {chars} characters, "
        f"{sum(o.facts for o in ok)} facts"
    )
    print(
        f"time: {elapsed:.1f} s  →  {len(ok) / elapsed:.3f} documents/s, {chunks / elapsed:.2f} chunks/s, "
        f"{chars / elapsed:.0f} chars/s"
    )
    print(
        f"re-run over unchanged files: {rerun:.2f} s ({sum(o.status == 'unchanged' for o in again)} unchanged)"
    )
    print(f"peak memory (max RSS): {peak_mb:.0f} MiB")


if __name__ == "__main__":
    main()
