"""Review a report against itself: stated rates against their inputs, parts of a score, an income or an
expenditure against its total. Each finding cites its inputs and says how far apart the figures are.

Tolerance, measured against the stated figure's own precision (its last digit, `unit`):
- |computed − stated| ≤ unit / 2            → consistent (the stated figure is the computed one, rounded);
- ≤ max(0.01, unit) of the stated unit       → rounding (a tail gap from rounding the parts, reported);
- larger                                     → inconsistent.

Score structure comes from the report's layout: an indicator whose sentence opens with its own enumerated
name (“4.绩效管理。该项指标分值15分…”) heads the rows that follow it (“1绩效管理制度建设5 0…”). The parts
of the total score are the top-level indicators. Their weights are not summed against the total weight: a
report may list only some parts after “其中”, and a missing part says nothing against the ones listed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from assistant.facts_view import fact_citation, short_name, stated
from assistant.models import Citation
from index.models import Fact, ReportMeta
from index.provenance import locate

if TYPE_CHECKING:
    from assistant.engine import Engine

Verdict = Literal["consistent", "rounding", "inconsistent"]
VERDICT_LABEL = {"consistent": "一致", "rounding": "尾差", "inconsistent": "不一致"}
_EPS = 1e-9
_HEADER = (
    r"^\s*(?:\d{1,2}[.、．]|[（(][\d一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、.．])\s*"
)
# (total, parts): parts that make up a total, all stated in the same report
SUMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("财政拨款收入构成", "财政拨款收入", ("一般公共预算财政拨款收入", "政府性基金预算财政拨款收入")),
    ("财政拨款支出构成", "财政拨款支出", ("一般公共预算财政拨款支出", "政府性基金预算财政拨款支出")),
    ("支出构成", "执行数", ("基本支出", "项目支出")),
)
_SECTION_RANK = ("收支情况", "自评结论", "绩效管理情况", "工作任务完成情况")


@dataclass
class Finding:
    check: str  # what was checked, e.g. 预算执行率, 财政拨款收入构成, 指标得分构成：绩效管理
    formula: str  # the computation, written out with the cited inputs
    inputs: list[Fact]
    stated: Fact  # the figure the report states
    computed: float  # computed in code from the inputs
    difference: float  # computed − stated
    precision: float  # one unit of the stated figure's last digit
    verdict: Verdict
    citations: list[Citation] = field(default_factory=list)

    @property
    def message(self) -> str:
        said = f"报告所列{stated(self.stated)}"
        if abs(self.difference) < _EPS:
            return f"一致：与{said}相等。"
        gap = _fmt(abs(self.difference), _places(self.precision) + 1).rstrip("0").rstrip(".")
        gap += "个百分点" if self.stated.unit == "%" else self.stated.unit
        if self.verdict == "consistent":
            return f"一致：与{said}相差{gap}，在所列精度以内。"
        if self.verdict == "rounding":
            return f"存在尾差：与{said}相差{gap}，在末位一个单位以内，属四舍五入尾差。"
        return f"不一致：与{said}相差{gap}，超出四舍五入范围，请核对。"

    def to_dict(self) -> dict[str, object]:
        return {
            "check": self.check,
            "formula": self.formula,
            "stated": {"value": self.stated.value, "text": stated(self.stated), "unit": self.stated.unit},
            "computed": self.computed,
            "difference": self.difference,
            "precision": self.precision,
            "verdict": self.verdict,
            "message": self.message,
            "inputs": [
                {"metric": f.metric, "item": f.item, "value": f.value, "text": stated(f), "line": f.line}
                for f in self.inputs
            ],
            "citations": [c.to_dict() for c in self.citations],
        }


@dataclass
class Indicator:
    item: str
    weight: Fact | None = None
    score: Fact | None = None
    header: bool = False
    children: list[Indicator] = field(default_factory=list)

    @property
    def line(self) -> int:
        return min(f.line for f in (self.weight, self.score) if f is not None)

    @property
    def short_of_weight(self) -> bool:
        return bool(self.weight and self.score and self.score.value < self.weight.value - _EPS)

    def facts(self) -> list[Fact]:
        return [f for f in (self.weight, self.score) if f is not None]


def indicator_tree(facts: list[Fact]) -> list[Indicator]:
    """The report's scored indicators as top-level indicators with their rows, in document order."""
    by_item: dict[str, Indicator] = {}
    for fact in facts:
        if fact.item is None or fact.metric not in ("指标分值", "指标得分"):
            continue
        node = by_item.setdefault(fact.item, Indicator(fact.item))
        if fact.metric == "指标分值" and node.weight is None:
            node.weight = fact
        elif fact.metric == "指标得分" and node.score is None:
            node.score = fact
    roots: list[Indicator] = []
    parent: Indicator | None = None
    for node in sorted(by_item.values(), key=lambda n: n.line):
        pattern = _HEADER + re.escape(node.item[:2])
        node.header = any(re.match(pattern, f.quote) for f in node.facts())
        if node.header or parent is None:
            roots.append(node)
            parent = node if node.header else None
        else:
            parent.children.append(node)
    return roots


def best_fact(facts: list[Fact], metric: str, item: str | None = None) -> Fact | None:
    """The report's own statement of a metric: the most authoritative section first, then the earliest line."""
    found = [f for f in facts if f.metric == metric and f.item == item]

    def rank(f: Fact) -> tuple[int, int]:
        canon = next((i for i, name in enumerate(_SECTION_RANK) if name in f.section), len(_SECTION_RANK))
        return canon, f.line

    return min(found, key=rank) if found else None


def decimals(fact: Fact) -> int:
    """Decimal places of the figure as the report writes it (82.2% → 1; 27,330.07万元 → 2)."""
    m = re.search(r"\d[\d,]*(?:\.(\d+))?", fact.text or "")
    if m:
        return len(m.group(1) or "")
    text = repr(float(fact.value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def judge(computed: float, stated_fact: Fact) -> tuple[Verdict, float, float]:
    """(verdict, difference, precision) of a computed value against the stated figure."""
    precision = 10.0 ** -decimals(stated_fact)
    diff = computed - stated_fact.value
    if abs(diff) <= precision / 2 + _EPS:
        return "consistent", diff, precision
    if abs(diff) <= max(0.01, precision) + _EPS:
        return "rounding", diff, precision
    return "inconsistent", diff, precision


def _places(precision: float) -> int:
    return max(0, round(-math.log10(precision)))


def _fmt(x: float, places: int, commas: bool = False) -> str:
    return f"{x:,.{places}f}" if commas else f"{x:.{places}f}"


def _exact_sum(facts: list[Fact]) -> float:
    return float(sum((Decimal(str(f.value)) for f in facts), Decimal(0)))


def _sum_finding(check: str, total: Fact, parts: list[Fact]) -> Finding:
    computed = _exact_sum(parts)
    verdict, diff, precision = judge(computed, total)
    places = max(decimals(f) for f in parts)
    names = [f"{f.item or f.metric} {stated(f)}" for f in parts]
    formula = " + ".join(names) + f" = {_fmt(computed, places, ',' in total.text)}{total.unit}"
    return Finding(check, formula, parts, total, computed, diff, precision, verdict)


def _rate_finding(check: str, rate: Fact, spent: Fact, budget: Fact) -> Finding:
    computed = spent.value / budget.value * 100
    verdict, diff, precision = judge(computed, rate)
    places = max(decimals(rate) + 1, 2)
    spent_name = spent.metric if spent.item is None else "支出数"
    budget_name = budget.metric if budget.item is None else "预算数"
    formula = (
        f"{spent_name} {stated(spent)} ÷ {budget_name} {stated(budget)} × 100% = {_fmt(computed, places)}%"
    )
    return Finding(check, formula, [spent, budget], rate, computed, diff, precision, verdict)


def review(engine: Engine, unit: ReportMeta | str, year: int | None = None) -> list[Finding]:
    """Every arithmetic check the report's own figures allow, consistent ones included."""
    from assistant.draft import resolve_unit

    meta = unit if isinstance(unit, ReportMeta) else resolve_unit(engine, unit, year)
    facts = [f for f in engine.facts if f.doc == meta.doc]
    findings: list[Finding] = []

    rate, spent, budget = (best_fact(facts, m) for m in ("预算执行率", "执行数", "全年预算数"))
    if rate and spent and budget and budget.value and spent.unit == budget.unit:
        findings.append(_rate_finding("预算执行率", rate, spent, budget))
    for item in sorted({f.item for f in facts if f.metric == "项目执行率" and f.item}):
        item_rate = best_fact(facts, "项目执行率", item)
        item_spent, item_budget = best_fact(facts, "项目支出数", item), best_fact(facts, "项目预算数", item)
        if item_rate and item_spent and item_budget and item_budget.value:
            findings.append(_rate_finding(f"项目执行率：{item}", item_rate, item_spent, item_budget))

    for check, total_metric, part_metrics in SUMS:
        total = best_fact(facts, total_metric)
        parts = [p for p in (best_fact(facts, m) for m in part_metrics) if p is not None]
        if total and len(parts) == len(part_metrics) and all(p.unit == total.unit for p in parts):
            findings.append(_sum_finding(check, total, parts))

    roots = indicator_tree(facts)
    total_score = best_fact(facts, "自评得分")
    if total_score and len(roots) >= 2 and all(r.score for r in roots):
        findings.append(_sum_finding("自评得分构成", total_score, [r.score for r in roots if r.score]))
    for root in roots:
        kids = root.children
        if root.score and kids and all(k.score for k in kids):
            findings.append(
                _sum_finding(f"指标得分构成：{root.item}", root.score, [k.score for k in kids if k.score])
            )
        if root.weight and kids and all(k.weight for k in kids):
            findings.append(
                _sum_finding(f"指标分值构成：{root.item}", root.weight, [k.weight for k in kids if k.weight])
            )
        for node in (root, *kids):
            if node.weight and node.score and node.score.value > node.weight.value + _EPS:
                diff = node.score.value - node.weight.value
                findings.append(
                    Finding(
                        f"指标得分不超过分值：{node.item}",
                        f"得分 {stated(node.score)} > 分值 {stated(node.weight)}",
                        [node.score],
                        node.weight,
                        node.score.value,
                        diff,
                        10.0 ** -decimals(node.weight),
                        "inconsistent",
                    )
                )

    source = engine.store.source_text(meta.doc) or ""
    for finding in findings:
        finding.citations = _citations([*finding.inputs, finding.stated], source)
    return findings


def _citations(facts: list[Fact], source: str) -> list[Citation]:
    """Each fact's quote once, at the line where it begins in the source (as `verify` re-finds it)."""
    out: dict[str, Citation] = {}
    for fact in facts:
        c = fact_citation(fact)
        where = locate(source, c.quote, c.line) if source else None
        if where is not None:
            c = Citation(c.doc, c.org, c.section, c.quote, where[0], where[1])
        out.setdefault(re.sub(r"\s+", "", c.quote), c)
    return list(out.values())


def render_review(meta: ReportMeta, findings: list[Finding]) -> str:
    year = f"{meta.year}年" if meta.year else ""
    counts = {v: sum(f.verdict == v for f in findings) for v in VERDICT_LABEL}
    lines = [
        f"{short_name(meta)}{year}报告自查（{meta.doc}）：共{len(findings)}项核对，"
        f"{counts['consistent']}项一致，{counts['rounding']}项存在尾差，{counts['inconsistent']}项不一致。"
    ]
    if not findings:
        lines.append("报告中没有可相互核对的数字（如执行数与预算数、分项与合计）。")
    for i, finding in enumerate(findings, 1):
        lines.append(
            f"{i}. [{VERDICT_LABEL[finding.verdict]}] {finding.check}：{finding.formula}；{finding.message}"
        )
        for citation in finding.citations:
            lines.append(f"     · {citation.doc} 第{citation.line}行「{citation.quote}」")
    return "\n".join(lines)


def findings_json(meta: ReportMeta, findings: list[Finding]) -> dict[str, object]:
    return {
        "unit": short_name(meta),
        "org": meta.org,
        "doc": meta.doc,
        "year": meta.year,
        "findings": [f.to_dict() for f in findings],
    }
