"""A library of N invented reports: ingest throughput, index size, peak memory, `ask` latency and per-report
accuracy, in the embedded store and in a Chroma server (`chroma run`) the bench starts.

.venv/bin/python bench/library.py 50 500 2000 [--work DIR] [--seed 0] [--real-sample 10] [--ask-reports 500]
.venv/bin/python bench/library.py 50 --no-server --no-real     # embedded store only, no model loaded

The reports come from bench/library_reports.py: each of the five corpus reports with another unit, district,
city and year and its budget, spending, rate and score re-drawn, four years per unit. Libraries grow in
place: the 500-library is the 50-library and 450 more reports. Each question names one report's unit and
year; an answer is right when it states that report's figure and cites only that report. A figure or a
citation from another report (the same unit's other year, a unit of the same template) is counted apart.

What stands in, said again in the output:
- vectors: the whole library is embedded with a stand-in (character-bigram hashing, 384 dimensions like the
  default model, so the index is the size a real one would be). The real default embedder would take hours
  for 2,000 reports on 2 cores; its ingest throughput is measured on the first --real-sample reports instead.
- query latency: each question the engine embeds also runs the real default model's query embedding
  (loaded in the asking process; its vector is not used), so p50/p95 include the real query cost.
  --no-real drops both real parts.
Each phase runs in its own process (peak RSS is that process's); the chroma server's own peak RSS is shown
beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.library_reports import Library, Question, load_templates, questions, render  # noqa: E402

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class StandInEmbedder:
    """Character bigrams hashed into 384 dimensions: instant, deterministic, and close texts get close
    vectors. `query_model`, when given, is run on every query for its cost (its vector is not used)."""

    name = "bench-stand-in/bigram-hash-384"
    dim = 384

    def __init__(self, query_model: Any = None) -> None:
        self.query_model = query_model

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            codes = [zlib.crc32(text[i : i + 2].encode()) % self.dim for i in range(len(text) - 1)]
            if codes:
                counts = np.bincount(codes, minlength=self.dim).astype(np.float32)
                out[row] = counts / np.linalg.norm(counts)
        return out

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if self.query_model is not None:
            self.query_model.embed_queries(texts)
        return self._embed(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _settings(index: Path, port: int | None) -> Any:
    from index.settings import Settings

    return Settings(index_dir=index, chroma_host="127.0.0.1" if port else None, chroma_port=port or 8000)


# ---- phases (each in its own process) -------------------------------------------------------------


def phase_ingest(index: Path, files: list[Path], port: int | None, real_library: bool) -> dict[str, Any]:
    from index.embedders import make_embedder
    from index.pipeline import Indexer

    settings = _settings(index, port)
    embedder = make_embedder(settings) if real_library else StandInEmbedder()
    indexer = Indexer(settings, embedder=embedder)
    t0 = time.perf_counter()
    chunks = failed = 0
    for n, path in enumerate(files, 1):
        outcome = indexer.ingest_file(path)
        chunks += outcome.chunks
        failed += outcome.status == "failed"
        if n % 100 == 0:
            rate = n / (time.perf_counter() - t0)
            print(
                f"  ingest {n}/{len(files)}, ETA {(len(files) - n) / rate:.0f} s", file=sys.stderr, flush=True
            )
    seconds = time.perf_counter() - t0
    return {"docs": len(files), "failed": failed, "chunks": chunks, "seconds": seconds, "rss": _peak_rss_mb()}


def phase_real(files: list[Path]) -> dict[str, Any]:
    """Ingest throughput of the real default embedder on a sample, into a throwaway embedded index."""
    from index.embedders import make_embedder
    from index.pipeline import Indexer
    from index.settings import Settings

    with tempfile.TemporaryDirectory(prefix="bench-library-real-") as tmp:
        settings = Settings(index_dir=Path(tmp))
        t0 = time.perf_counter()
        embedder = make_embedder(settings)
        embedder.embed_passages(["热身"])  # first-call set-up is not throughput
        load = time.perf_counter() - t0
        t1 = time.perf_counter()
        outcomes = Indexer(settings, embedder=embedder).ingest(files)
        seconds = time.perf_counter() - t1
    backend = getattr(embedder, "backend", "")
    return {
        "embedder": f"{embedder.name}{f' ({backend})' if backend else ''}",
        "docs": sum(o.status == "added" for o in outcomes),
        "chunks": sum(o.chunks for o in outcomes),
        "seconds": seconds,
        "load": load,
    }


def _judge(q: dict[str, Any], answer: Any) -> str:
    docs = {c.doc for c in answer.citations}
    if not answer.found:
        return "refused"
    if docs - {q["doc"]}:
        return "wrong_report"
    if not docs:
        return "wrong_value"
    if q["value"] is None:
        return "right"
    value = answer.value
    return "right" if value is not None and math.isclose(value, q["value"], abs_tol=0.006) else "wrong_value"


def phase_ask(
    index: Path, questions_file: Path, port: int | None, real: bool, real_library: bool
) -> dict[str, Any]:
    from assistant.engine import Engine
    from index.embedders import make_embedder

    query_model = make_embedder(_settings(index, None)) if real or real_library else None
    embedder = query_model if real_library else StandInEmbedder(query_model)
    rows = [json.loads(line) for line in questions_file.read_text(encoding="utf-8").splitlines() if line]
    t0 = time.perf_counter()
    engine = Engine.open(_settings(index, port), embedder=embedder)
    open_s = time.perf_counter() - t0
    # warm: jieba's dictionary, the vector store's first query (it loads the index), the model's first call
    engine.ask(rows[0]["text"])
    engine.retrieve(rows[0]["text"])
    times: list[float] = []
    outcome: dict[str, int] = {}
    by_kind: dict[str, list[int]] = {}
    wrong_reports: dict[str, bool] = {}
    verdicts: dict[str, str] = {}  # "doc kind" → verdict, to compare libraries of other sizes
    for q in rows:
        t = time.perf_counter()
        answer, _ = engine.ask(q["text"])
        times.append((time.perf_counter() - t) * 1000)
        verdict = _judge(q, answer)
        outcome[verdict] = outcome.get(verdict, 0) + 1
        by_kind.setdefault(q["kind"], [0, 0])[0] += verdict == "right"
        by_kind[q["kind"]][1] += 1
        wrong_reports[q["doc"]] = wrong_reports.get(q["doc"], False) or verdict != "right"
        verdicts[f"{q['doc']} {q['kind']}"] = verdict
    times.sort()
    return {
        "questions": len(rows),
        "reports": len(wrong_reports),
        "reports_right": sum(not w for w in wrong_reports.values()),
        "outcome": outcome,
        "by_kind": by_kind,
        "verdicts": verdicts,
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "max": times[-1],
        "open": open_s,
        "rss": _peak_rss_mb(),
        "real_queries": query_model is not None,
        "real_library": real_library,
    }


# ---- the run ------------------------------------------------------------------------------------


def _child(args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], stdout=subprocess.PIPE, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _size_mb(*paths: Path) -> float:
    total = 0
    for root in paths:
        for dirpath, _, names in os.walk(root):
            total += sum((Path(dirpath) / n).stat().st_size for n in names)
    return total / 2**20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_chroma(path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`chroma run` on loopback (chromadb 1.x: the Rust server behind the `chroma` command), ready when its
    v2 heartbeat answers."""
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("chroma 服务没有在 60 秒内启动（chroma run）。")


def _server_rss_mb(proc: subprocess.Popen[bytes]) -> float:
    """The server's peak resident memory so far (VmHWM), 0 where /proc is not there."""
    try:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def write_questions(library: Library, n: int, ask_reports: int, seed: int, path: Path, keep: int) -> int:
    """Questions on every report, or on `ask_reports` of them: the first `keep` (the smallest library's,
    asked again in every larger one) and others drawn at random."""
    rng = random.Random(f"{seed}:questions:{n}")
    first = list(range(min(n, keep, ask_reports)))
    rest = rng.sample(range(len(first), n), min(n, ask_reports) - len(first))
    chosen = sorted(first + rest)
    rows: list[Question] = []
    for i in chosen:
        rows += questions(library.plan(i), random.Random(f"{seed}:q:{i}"))
    path.write_text(
        "".join(json.dumps(q.__dict__, ensure_ascii=False) + "\n" for q in rows), encoding="utf-8"
    )
    return len(chosen)


def run(args: argparse.Namespace) -> None:
    sizes = sorted(set(args.sizes))
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-library-"))
    work.mkdir(parents=True, exist_ok=True)
    library = Library(load_templates(Path(args.corpus)), seed=args.seed)
    if sizes[-1] > library.capacity():
        raise SystemExit(f"最多能生成 {library.capacity()} 份报告（名字池用完）。")
    reports = work / "reports"
    reports.mkdir(exist_ok=True)
    files = []
    for i in range(sizes[-1]):
        plan = library.plan(i)
        path = reports / plan.doc
        if not path.exists():
            path.write_text(render(plan), encoding="utf-8")
        files.append(path)
    print(f"work dir: {work}; {len(files)} reports generated from {len(library.templates)} corpus reports")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")

    real = None
    if not args.no_real and args.real_sample:
        listing = work / "real-sample.txt"
        listing.write_text("\n".join(str(f) for f in files[: args.real_sample]), encoding="utf-8")
        real = _child(["--phase", "real", "--files", str(listing)])
        print(
            f"real default embedder {real['embedder']}: {real['docs']} reports, {real['chunks']} chunks in "
            f"{real['seconds']:.1f} s = {real['chunks'] / real['seconds']:.2f} chunks/s (load {real['load']:.1f} s)"
        )

    stores: dict[str, tuple[Path, int | None]] = {"embedded": (work / "embedded", None)}
    server = None
    if not args.no_server:
        server, port = start_chroma(work / "chroma-server")
        stores["chroma server"] = (work / "server-meta", port)
    rows = []
    try:
        done = 0
        for n in sizes:
            listing = work / f"files-{n}.txt"
            listing.write_text("\n".join(str(f) for f in files[done:n]), encoding="utf-8")
            qfile = work / f"questions-{n}.jsonl"
            asked = write_questions(library, n, args.ask_reports, args.seed, qfile, keep=sizes[0])
            for store, (index, port) in stores.items():
                port_args = ["--chroma-port", str(port)] if port else []
                vectors = ["--real-library"] if args.real_library else []
                ing = _child(
                    [
                        "--phase",
                        "ingest",
                        "--index",
                        str(index),
                        "--files",
                        str(listing),
                        *port_args,
                        *vectors,
                    ]
                )
                ask_args = [
                    "--phase",
                    "ask",
                    "--index",
                    str(index),
                    "--questions",
                    str(qfile),
                    *port_args,
                    *vectors,
                ]
                ask = _child(ask_args + (["--no-real"] if args.no_real else []))
                paths = [index] + ([work / "chroma-server"] if port else [])
                row = {"n": n, "store": store, "ingest": ing, "ask": ask, "asked": asked}
                row |= {
                    "size": _size_mb(*paths),
                    "server_rss": _server_rss_mb(server) if port and server else 0,
                }
                rows.append(row)
                print(_line(row), flush=True)
            done = n
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    _table(rows, real, args)


def _line(row: dict[str, Any]) -> str:
    ing, ask = row["ingest"], row["ask"]
    return (
        f"N={row['n']} {row['store']}: +{ing['docs']} reports ({ing['chunks']} chunks) in {ing['seconds']:.0f} s; "
        f"ask p50 {ask['p50']:.1f} ms p95 {ask['p95']:.1f} ms; right {ask['outcome'].get('right', 0)}/{ask['questions']}"
    )


def _table(rows: list[dict[str, Any]], real: dict[str, Any] | None, args: argparse.Namespace) -> None:
    vectors = "real default" if args.real_library else "stand-in"
    print()
    print(
        f"| N | store | ingest chunks/s ({vectors} vectors) | index MB | peak RSS MB ingest / ask (server) "
        "| engine open s | ask p50 ms | ask p95 ms | questions right | reports all right | wrong report | refused |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ing, ask, o = r["ingest"], r["ask"], r["ask"]["outcome"]
        server = f" ({r['server_rss']:.0f})" if r["server_rss"] else ""
        right, asked = o.get("right", 0), ask["questions"]
        print(
            f"| {r['n']} | {r['store']} | {ing['chunks'] / ing['seconds']:.1f} | {r['size']:.0f} "
            f"| {ing['rss']:.0f} / {ask['rss']:.0f}{server} | {ask['open']:.1f} | {ask['p50']:.1f} | {ask['p95']:.1f} "
            f"| {100 * right / asked:.1f}% ({right}/{asked}) "
            f"| {100 * ask['reports_right'] / ask['reports']:.1f}% ({ask['reports_right']}/{ask['reports']}) "
            f"| {o.get('wrong_report', 0)} | {o.get('refused', 0)} |"
        )
    print()
    for r in rows:
        kinds = r["ask"]["by_kind"]
        print(
            f"right by kind, N={r['n']} {r['store']}: "
            + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(kinds.items()))
        )
    print()
    for store in dict.fromkeys(r["store"] for r in rows):
        first, *larger = [r for r in rows if r["store"] == store]
        for r in larger:
            both = [k for k in first["ask"]["verdicts"] if k in r["ask"]["verdicts"]]
            differ = [k for k in both if first["ask"]["verdicts"][k] != r["ask"]["verdicts"][k]]
            reports = len({k.split()[0] for k in both})
            print(
                f"{store}, N={r['n']} against N={first['n']}: the {len(both)} questions on the {reports} reports "
                f"asked in both are judged alike{'' if not differ else f' but for {len(differ)}: ' + ', '.join(differ[:5])}."
            )
    print()
    if args.real_library:
        print("vectors: the real default embedder, for the whole library (--real-library).")
    else:
        print(
            "stand-ins: the library's vectors come from a stand-in embedder (bigram hashing, 384 dimensions)."
        )
    if real:
        per_s = real["chunks"] / real["seconds"]
        total = 0
        estimates = []
        for r in rows:
            if r["store"] == "embedded":
                total += r["ingest"]["chunks"]
                estimates.append(f"N={r['n']} ≈ {total / per_s / 60:.0f} min")
        print(
            f"  the real default ({real['embedder']}) ingests {per_s:.2f} chunks/s on the first {real['docs']} of "
            f"these reports; embedding each whole library with it would take {', '.join(estimates)}."
        )
    if args.no_real:
        print("  --no-real: no real model loaded; ask latency leaves out query embedding.")
    elif not args.real_library:
        print(
            "  ask latency includes the real default's query embedding on every question the engine embeds."
        )
    if any(r["asked"] < r["n"] for r in rows):
        print(f"  questions: about {args.ask_reports} reports drawn at random where the library holds more.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, help="library sizes, e.g. 50 500 2000")
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--work", help="where reports and indexes go (kept); default a new temp dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real-sample", type=int, default=10, help="reports ingested with the real embedder")
    parser.add_argument("--ask-reports", type=int, default=500, help="reports asked about, at most")
    parser.add_argument("--no-server", action="store_true", help="the embedded store only")
    parser.add_argument("--no-real", action="store_true", help="load no real model (stand-in only)")
    parser.add_argument(
        "--real-library", action="store_true", help="embed the whole library with the real default (slow)"
    )
    parser.add_argument("--phase", choices=("ingest", "ask", "real"), help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    parser.add_argument("--questions", help=argparse.SUPPRESS)
    parser.add_argument("--chroma-port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        listing = (
            [Path(p) for p in Path(args.files).read_text(encoding="utf-8").split("\n") if p]
            if args.files
            else []
        )
        if args.phase == "ingest":
            result = phase_ingest(Path(args.index), listing, args.chroma_port, args.real_library)
        elif args.phase == "real":
            result = phase_real(listing)
        else:
            result = phase_ask(
                Path(args.index), Path(args.questions), args.chroma_port, not args.no_real, args.real_library
            )
        print(json.dumps(result, ensure_ascii=False))
        return
    if not args.sizes:
        parser.error("give at least one library size, e.g. 50")
    run(args)


if __name__ == "__main__":
    main()
