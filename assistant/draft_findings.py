"""What the unit's own figures say went wrong this year: the first problems of a draft.

- 预算执行率 below the target the report itself states (“预算执行率目标值为95%”, a 目标值 column), which is then
  quoted and cited, or below the standard in Settings (`draft_execution_standard`, default 90%), which is
  policy and never printed. Projects whose 执行率 falls short the same way are named under it.
- 预算调整率 and 结转结余率 when the report lists them among its own problems, or above a ceiling set in Settings.
- Indicators scored below their weight, each with the report's own explanation when it gives one: the rest of
  the sentence (“本项得分44.21分，扣分原因为…”) or of the table row (“1 资产盘点情况 1 0 未完成。”). Indicators
  with no explanation are listed together, to be explained by the unit.

Every figure shown is the report's own text of a cited fact or figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant import themes, wording
from assistant.facts_view import fact_citation, stated
from assistant.models import Citation
from assistant.open_figures import position_in
from assistant.prompts import Prompts
from assistant.review import Indicator, best_fact, indicator_tree
from index.figures import run_cells
from index.models import Chunk, Fact, Figure, ReportMeta
from index.normalize import match_key

PROBLEMS_SECTION = "存在的主要问题"
MAX_PROJECTS = 3  # projects named under a short 预算执行率, the lowest first
_EPS = 1e-9
_RATE_WORDS = re.compile(r"执行率|支出率")
_TARGET_WORDS = re.compile(r"目标|预期|计划|指标值|年度指标")
_ACTUAL_WORDS = re.compile(r"实际|完成值|实现")
_CUE = re.compile(r"扣分原因|失分原因|扣分理由|扣分说明|主要原因|原因[是为：:]|扣\s*\d")
_TABLE_RESIDUE = re.compile(r"序号\s*指标名称.*$")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

TEMPLATES = (
    "条目",
    "标题.执行率偏低",
    "标题.执行率未达目标",
    "执行率",
    "执行率.仅执行率",
    "执行率.低于目标",
    "执行率.低于标准",
    "项目执行率",
    "项目执行率.明细",
    "项目执行率.单列",
    "标题.项目执行率",
    "标题.预算调整",
    "预算调整",
    "标题.结转结余",
    "结转结余",
    "指标扣分",
    "指标扣分.未说明",
    "指标明细",
    "指标明细.原因",
    "指标明细.说明",
    "指标明细.其中",
    "标题.指标扣分",
)


@dataclass(frozen=True, slots=True)
class Standards:
    """The policy values a draft measures the unit's figures against (from Settings)."""

    execution: float = 90.0
    adjustment: float | None = None
    carryover: float | None = None


@dataclass
class FigureProblem:
    theme: str
    title: str
    body: str
    citations: list[Citation]
    explains: tuple[str, ...] = ()  # words by which a statement of the report explains this problem
    attached: list[Citation] = field(default_factory=list)


@dataclass
class Context:
    meta: ReportMeta
    facts: list[Fact]
    figures: list[Figure]
    chunk_of: Callable[[Fact], Chunk | None]
    prompts: Prompts
    voice: str
    period: str  # 2021年 | 本年度
    standards: Standards


def figure_problems(ctx: Context) -> list[FigureProblem]:
    out = [p for p in (_execution(ctx), *_rates(ctx)) if p]
    return out + _indicators(ctx)


# ---- rates -----------------------------------------------------------------------------------------------
def stated_target(figures: list[Figure]) -> Figure | None:
    """The 预算执行率 the report set itself as a target (its first statement of one)."""
    for fig in sorted(figures, key=lambda f: f.line):
        if fig.unit != "%":
            continue
        names = f"{fig.label} {fig.row} {fig.column}"
        at = position_in(fig, fig.quote)
        after = fig.quote[at + len(fig.text) : at + len(fig.text) + 6] if at >= 0 else ""
        about_rate = _RATE_WORDS.search(names) or _RATE_WORDS.search(fig.quote)
        if not about_rate or re.search(r"项目|专项", fig.label):
            continue
        target = _TARGET_WORDS.search(f"{fig.label} {fig.column}") or re.match(r"的?(?:目标|预期)", after)
        if target and not _ACTUAL_WORDS.search(f"{fig.label} {fig.column}"):
            return fig
    return None


def _figure_citation(meta: ReportMeta, fig: Figure) -> Citation:
    return Citation(fig.doc, meta.org, fig.section, fig.quote, fig.line, cells=run_cells(fig))


def _execution(ctx: Context) -> FigureProblem | None:
    p = ctx.prompts
    rate = best_fact(ctx.facts, "预算执行率")
    target = stated_target(ctx.figures)
    # short of either the report's own target or the standard; the target is the one that is quoted
    bar = max(target.value if target else 0.0, ctx.standards.execution)
    if target is not None and rate is not None and rate.value >= target.value - _EPS:
        target = None
    who = {"voice": ctx.voice, "period": ctx.period}
    projects = sorted(
        (f for f in ctx.facts if f.metric == "项目执行率" and f.item and f.value < bar - _EPS),
        key=lambda f: (f.value, f.line),
    )[:MAX_PROJECTS]
    short = rate is not None and rate.value < bar - _EPS
    if not short and not projects:
        return None
    cited: list[Fact] = []
    if short and rate is not None:
        budget, spent = best_fact(ctx.facts, "全年预算数"), best_fact(ctx.facts, "执行数")
        if budget and spent:
            values = {"budget": stated(budget), "spent": stated(spent), "rate": stated(rate)}
            body = p.render("执行率", **who, **values)
            cited = [budget, spent, rate]
        else:
            body = p.render("执行率.仅执行率", **who, rate=stated(rate))
            cited = [rate]
        if target:
            body += p.render("执行率.低于目标", target=target.text)
            title = p.render("标题.执行率未达目标")
        else:
            body += p.render("执行率.低于标准")
            title = p.render("标题.执行率偏低")
        if projects:
            body += p.render("项目执行率", projects=_projects(p, projects))
    else:
        body = p.render("项目执行率.单列", **who, projects=_projects(p, projects))
        title = p.render("标题.项目执行率")
    citations = [fact_citation(f) for f in [*cited, *projects]]
    if target and short:
        citations.append(_figure_citation(ctx.meta, target))
    words = ("执行率", "支出率", "执行进度", "支出进度", "支付进度")
    return FigureProblem("预算执行", title, body, citations, words)


def _projects(p: Prompts, facts: list[Fact]) -> str:
    return "、".join(p.render("项目执行率.明细", item=f.item, rate=stated(f)) for f in facts)


def _rates(ctx: Context) -> list[FigureProblem]:
    out: list[FigureProblem] = []
    for metric, name, theme, ceiling, words in (
        ("预算调整率", "预算调整", "预算编制", ctx.standards.adjustment, ("调整",)),
        ("结转结余率", "结转结余", "预算执行", ctx.standards.carryover, ("结转", "结余")),
    ):
        listed = [
            f for f in ctx.facts if f.metric == metric and f.item is None and PROBLEMS_SECTION in f.section
        ]
        fact = listed[0] if listed else best_fact(ctx.facts, metric)
        if fact is None or fact.value <= 0:
            continue
        if not listed and (ceiling is None or fact.value <= ceiling):
            continue
        body = ctx.prompts.render(name, voice=ctx.voice, period=ctx.period, rate=stated(fact))
        title = ctx.prompts.render(f"标题.{name}")
        out.append(FigureProblem(theme, title, body, [fact_citation(fact)], words))
    return out


# ---- indicators ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Explanation:
    text: str  # as it will read in the draft
    cue: bool  # a stated reason (扣分原因为…) rather than a table cell's note (未完成。…)
    citation: Citation


def explain(node: Indicator, chunk: Chunk | None, meta: ReportMeta) -> Explanation | None:
    """The report's own words for why an indicator lost points: the rest of its table row, or the clause
    after its score that gives a reason. None when the report says nothing there."""
    score = node.score
    if score is None or chunk is None:
        return None
    offset = 0
    key = match_key(score.quote[:16])
    for line in chunk.text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if not key or key not in match_key(line):
            continue
        number = _NUMBER.search(score.text or "")
        value = re.escape(number.group(0)) if number else None
        # a table row, after any header a converter ran into it: “序号指标名称…实际完成值1资产盘点情况1 0未完成。”
        row = re.compile(
            r"(?:^|(?<=完成值)|(?<=备注))\s*(?:\d{1,2}\s*)?" + re.escape(node.item)
            + r"\s*(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s*(.+)$"
        ).search(line)  # fmt: skip
        if row and abs(float(row.group(2)) - score.value) < _EPS:
            cell = _TABLE_RESIDUE.sub("", row.group(3)).strip()
            if re.search(r"[\u4e00-\u9fff]{2}", cell):
                begin = row.start() + len(row.group(0)) - len(row.group(0).lstrip())
                quote = line[begin : row.start(3) + len(cell)]
                note = re.sub(r"[。；;]+(?=.)", "；", cell).rstrip("。；; ")
                return Explanation(note, False, _cite(meta, chunk, quote, start + begin))
        at = line.find(node.item)
        found = re.compile(r"得分?\s*" + value + r"\s*分?").search(line, max(at, 0)) if value else None
        if found is None:
            continue
        end = re.compile(r"[。；;]").search(line, found.end())
        clause = line[found.end() : end.start() if end else len(line)]
        cue = _CUE.search(clause)
        if cue is None:
            continue
        begin = max(line.rfind(p, 0, found.start()) for p in "，,。；;：:") + 1
        quote = line[begin : end.end() if end else len(line)].strip()
        return Explanation(
            clause[cue.start() :].strip(" ，,"), True, _cite(meta, chunk, quote, start + begin)
        )
    return None


def _cite(meta: ReportMeta, chunk: Chunk, quote: str, offset: int) -> Citation:
    return Citation(chunk.doc, meta.org, " > ".join(chunk.section_path), quote, chunk.line_at(offset))


def _detail(ctx: Context, node: Indicator, why: Explanation | None) -> str:
    assert node.weight and node.score
    p = ctx.prompts
    base = p.render("指标明细", item=node.item, weight=stated(node.weight), score=stated(node.score))
    if why is None:
        return base
    reason = wording.clean(why.text, ctx.voice, ctx.meta).rstrip("。")
    return p.render("指标明细.原因" if why.cue else "指标明细.说明", detail=base, reason=reason)


def _indicators(ctx: Context) -> list[FigureProblem]:
    p = ctx.prompts
    explained: list[FigureProblem] = []
    silent: list[tuple[str, list[Citation]]] = []
    for root in indicator_tree(ctx.facts):
        short = [k for k in root.children if k.short_of_weight]
        if not (root.short_of_weight or short):
            continue
        nodes = [root, *short] if root.short_of_weight else short
        reasons = {id(n): explain(n, ctx.chunk_of(n.score), ctx.meta) for n in nodes if n.score}
        parts = [_detail(ctx, k, reasons.get(id(k))) for k in short]
        details = "；".join(parts)
        if root.short_of_weight:
            head = _detail(ctx, root, reasons.get(id(root)))
            details = p.render("指标明细.其中", parent=head, children=details) if short else head
        citations = _node_citations(nodes, reasons)
        given = [r.text for r in reasons.values() if r]
        if not given:
            silent.append((details, citations))
            continue
        theme = themes.theme_of(" ".join([root.item, *(k.item for k in short), *given]), "problem")
        title = p.render(f"标题.{theme}") if theme != themes.FALLBACK else p.render("标题.指标扣分")
        body = p.render("指标扣分", period=ctx.period, details=details)
        explained.append(FigureProblem(theme, title, body, citations))
    if silent:
        details = "；".join(d for d, _ in silent)
        body = p.render("指标扣分.未说明", period=ctx.period, details=details)
        cited = [c for _, cs in silent for c in cs]
        explained.append(FigureProblem(themes.FALLBACK, p.render("标题.指标扣分"), body, cited))
    return explained


def _node_citations(nodes: list[Indicator], reasons: dict[int, Explanation | None]) -> list[Citation]:
    """Each node's facts, unless its explanation's quote already holds the fact's quote (a table row)."""
    out: list[Citation] = []
    for node in nodes:
        why = reasons.get(id(node))
        said = match_key(why.citation.quote) if why else ""
        if why is None or any(said in match_key(f.quote) for f in node.facts()):
            out += [fact_citation(f) for f in node.facts()]  # the facts' quotes already hold it
        else:
            out += [fact_citation(f) for f in node.facts() if match_key(f.quote) not in said]
            out.append(why.citation)
    return out
