"""Calibrate the open layer's thresholds on the unseen DEV half only:
`python -m evals.calibrate_open` prints, for each (score, margin) pair, how many dev lookups the open layer alone
would answer right and wrong when the question's report is known. The test half is never read here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.open_figures import best_figure
from assistant.understand import QuestionParser
from assistant.units import strip_places
from evals.numbers import compare
from index.figures import extract_figures
from index.loaders import load_document
from index.structure import parse_report

UNSEEN = Path(__file__).resolve().parent / "unseen"
SCORES = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
MARGINS = (0.0, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2)


def main() -> int:
    rows = [
        json.loads(line) for line in (UNSEEN / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]
    reports = {p.name: parse_report(load_document(p)) for p in sorted((UNSEEN / "docs").glob("*.txt"))}
    parser = QuestionParser([r.meta for r in reports.values()], {})
    figures = {name: extract_figures(r) for name, r in reports.items()}
    points = []
    for row in rows:
        if row["kind"] != "lookup":
            continue
        meta = reports[row["doc"]].meta
        parsed = parser.parse(row["question"])
        match = best_figure(
            row["question"], strip_places(parsed.asked), figures[row["doc"]], (meta.org, *meta.aliases)
        )
        if match is not None:
            ok = compare(row["answer_value"], row["answer_unit"], match.figure.value, match.figure.unit)[
                "value_ok"
            ]
            points.append((match.score, match.margin, ok))
    n = sum(1 for r in rows if r["kind"] == "lookup")
    print(f"dev lookups: {n}; with a candidate: {len(points)}")
    print("| min score | min margin | right | wrong |\n|---:|---:|---:|---:|")
    for s in SCORES:
        for m in MARGINS:
            right = sum(1 for sc, mg, ok in points if sc >= s and mg >= m and ok)
            wrong = sum(1 for sc, mg, ok in points if sc >= s and mg >= m and not ok)
            print(f"| {s} | {m} | {right} | {wrong} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
