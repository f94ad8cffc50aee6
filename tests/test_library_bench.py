"""The library bench (bench/library.py) in miniature: its invented reports say what their plan says, their
names come from no evaluation set, and a 3-report run with the stand-in embedder prints its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.library_reports import Library, all_names, load_templates, render  # noqa: E402
from index.facts import extract_facts  # noqa: E402
from index.loaders import load_document  # noqa: E402
from index.structure import parse_report  # noqa: E402

pytestmark = pytest.mark.slow


def test_generated_names_are_invented_not_taken_from_the_evaluation_sets(corpus_dir):
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "evals" / "unseen").rglob("*") if p.is_file()]
    texts += [p.read_text(encoding="utf-8") for p in corpus_dir.glob("*.txt")]
    assert texts
    taken = [n for n in all_names() if any(n in t for t in texts)]
    assert taken == []


def test_each_template_gives_a_report_whose_figures_are_the_drawn_ones(corpus_dir, tmp_path):
    library = Library(load_templates(corpus_dir), seed=5)
    assert library.capacity() >= 2000
    # one unit of each template (four years to a unit), in a later cycle too
    for i in (0, 4, 8, 12, 16, 21 * 4 + 2):
        plan = library.plan(i)
        path = tmp_path / plan.doc
        path.write_text(render(plan), encoding="utf-8")
        assert len(path.read_text(encoding="utf-8").split("\n")) == len(plan.template.text.split("\n"))
        report = parse_report(load_document(path))
        assert (report.meta.org, report.meta.year) == (plan.org, plan.year)
        own = {f.metric: f.value for f in extract_facts(report) if f.item is None}
        assert own["全年预算数"] == plan.budget and own["执行数"] == plan.spending
        assert (
            own["预算执行率"]
            == plan.rate
            == round(plan.spending / plan.budget * 100, plan.template.rate_decimals)
        )
        assert own.get("自评得分") == plan.score
        for name in (plan.template.city, plan.template.district, plan.template.street):
            assert not name or name not in report.raw.text  # the template's own places are all renamed


def test_a_three_report_library_runs_end_to_end(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "library.py"),
            "3",
            "--no-server",
            "--no-real",
            "--work",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    row = next(line for line in done.stdout.splitlines() if line.startswith("| 3 | embedded |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[-2] == "0"  # no answer from another report
    assert "stand-in embedder" in done.stdout
    assert len(list((tmp_path / "reports").glob("lib_*.txt"))) == 3
