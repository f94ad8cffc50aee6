"""Draft 三、存在的主要问题 and 四、下一步改进措施 for a unit from evidence, every item cited (offline, no LLM).

Problems, in this order: what the unit's own figures show (预算执行率 short of the target, indicators scored
below their weight, 预算调整率, 结转结余率), then the problems its own report states, then problems that
recur across peer reports on a theme the unit's list does not yet cover. Measures answer the problems theme
by theme: the unit's own measure on the theme, else a peer's (cited as a reference), else an offline
template measure without numbers. Every item passes the rule of `assistant.verify`: its quotes stand in
their sources and every number it shows stands in one of its cited quotes (the report's year aside).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assistant import themes
from assistant.facts_view import fact_citation, indexed_names, short_name, stated
from assistant.models import Citation
from assistant.prompts import Prompts
from assistant.review import Indicator, best_fact, indicator_tree
from assistant.verify import numbers_in
from index.models import Chunk, Fact, ReportMeta
from index.normalize import split_sentences
from index.provenance import locate

if TYPE_CHECKING:
    from assistant.engine import Engine

EXECUTION_TARGET = 95.0  # policy: a 预算执行率 below this is a problem; never printed (“未达到预期”)
MAX_QUOTE = 200  # characters of an item kept as its quote: its first sentence, then whole sentences
MAX_PEER_PROBLEMS = 2
MAX_PEER_QUOTES = 2
MAX_OWN_MEASURES = 3  # of the unit's own measures on one theme
MAX_TITLE = 40  # an item's first sentence longer than this is not set off as its title
PROBLEMS, MEASURES = "存在的主要问题", "下一步改进措施"
_MARK = re.compile(
    r"(?:^|(?<=[。；;：:]))[ \t]*"
    r"((?:[一二三四五六七八九十]{1,3}是)|[（(][一二三四五六七八九十\d]{1,3}[）)]"
    r"|\d{1,2}(?:[、．]|\.(?!\d))|[一二三四五六七八九十]{1,3}、|[①-⑳])",
    re.M,
)
_LEADING = re.compile(r"^(?:同时|此外|另外|其次|再次|最后)[，,]?")
_SELF = re.compile(r"我街|我办|我单位|我部门|我局|我镇")
_CN = "零一二三四五六七八九十"


class UnitNotFound(LookupError):
    """The unit named is not in the index (or not for that year); the message lists what is."""


@dataclass
class DraftItem:
    kind: Literal["problem", "measure"]
    title: str
    text: str  # the item as shown, title first; no citation markers
    theme: str
    basis: list[str]  # figures | own | peer | template
    citations: list[Citation]
    answers: list[int] = field(default_factory=list)  # measures: the problems (1-based) they answer


@dataclass
class Draft:
    meta: ReportMeta
    unit: str
    problems: list[DraftItem]
    measures: list[DraftItem]
    dropped: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # doc → short name of its unit, for references
    polished_by: str | None = None  # the model that rewrote some items' prose (LLM mode), else None

    def basis_note(self) -> str:
        """The line under the title: what the draft rests on and how it was written."""
        how = f"文字经模型 {self.polished_by} 润色，数字与引文逐条核对" if self.polished_by else "离线生成"
        return (
            f"依据：{self.meta.doc}《{self.meta.title}》及同类单位报告。{how}；每条均注明引文，"
            "所列数字均出自所引原文。"
        )

    def name_of(self, c: Citation) -> str:
        return self.names.get(c.doc, c.org)

    def references(self) -> list[Citation]:
        out: dict[tuple[str, str], Citation] = {}
        for item in (*self.problems, *self.measures):
            for c in item.citations:
                out.setdefault(_key(c), c)
        return list(out.values())

    def ref_numbers(self, item: DraftItem) -> list[int]:
        index = {_key(c): i for i, c in enumerate(self.references(), 1)}
        return sorted({index[_key(c)] for c in item.citations})


@dataclass
class SectionItem:
    """One enumerated item of a report's section: its verbatim quote (marker dropped) and where it stands."""

    meta: ReportMeta
    section: str
    quote: str
    line: int
    head: str  # its first sentence

    def citation(self, quote: str | None = None) -> Citation:
        return Citation(self.meta.doc, self.meta.org, self.section, quote or self.quote, self.line)

    def themes(self, kind: themes.Kind) -> list[tuple[str, int]]:
        return themes.classify(self.quote, kind)

    def primary(self, kind: themes.Kind) -> str:
        return themes.theme_of(self.quote, kind)

    def best_sentence(self, theme: str) -> str:
        """The sentence of the item that speaks most to a theme (the first sentence on a tie)."""
        sentences = [self.quote[s:e].strip() for s, e in split_sentences(self.quote)] or [self.quote]
        return max(sentences, key=lambda t: themes.score(t, theme, "problem"))


def _key(c: Citation) -> tuple[str, str]:
    return c.doc, re.sub(r"\s+", "", c.quote)


def cn_number(n: int) -> str:
    if n <= 10:
        return _CN[n] if n < 10 else "十"
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else _CN[tens]}十{_CN[ones] if ones else ''}"


def resolve_unit(engine: Engine, name: str, year: int | None = None) -> ReportMeta:
    """The report a user means by a short or full name (洛浦街, 南洲, 区府办), latest year unless `year`."""
    name = name.strip()
    metas = list(engine.parser.parse(name).units) if name else []
    if not metas and name:
        metas = [m for m in engine.metas if name in m.org or any(name in a for a in m.aliases)]
    if not metas:
        indexed = indexed_names(engine.metas, name)
        raise UnitNotFound(f"索引中没有“{name}”的报告。已索引的单位：{indexed}。")
    if len({m.org for m in metas}) > 1:
        names = "、".join(sorted({short_name(m) for m in metas}))
        raise UnitNotFound(f"“{name}”对应多个单位（{names}），请写明是哪一个。")
    if year is not None:
        in_year = [m for m in metas if m.year == year]
        if not in_year:
            years = "、".join(f"{m.year}年" for m in metas if m.year) or "无年份"
            raise UnitNotFound(f"索引中没有{short_name(metas[0])}{year}年的报告（已有：{years}）。")
        metas = in_year
    return max(metas, key=lambda m: m.year or 0)


def split_items(meta: ReportMeta, chunks: list[Chunk]) -> list[SectionItem]:
    """A section's items, split at their markers (一是 （一） 1. ①), or sentence by sentence without any.

    Text before the first marker that introduces the list (ends with “：”) is not an item."""
    items: list[SectionItem] = []
    for chunk in chunks:
        text, section = chunk.text, " > ".join(chunk.section_path)
        marks = list(_MARK.finditer(text))
        spans: list[tuple[int, int]] = []
        if marks:
            preamble = text[: marks[0].start()].strip()
            if preamble and not preamble.endswith(("：", ":")):
                spans.extend(split_sentences(text[: marks[0].start()]))
            bounds = [m.end(1) for m in marks]
            ends = [m.start() for m in marks[1:]] + [len(text)]
            spans.extend(zip(bounds, ends, strict=True))
        else:
            spans = split_sentences(text)
        for start, end in spans:
            body = text[start:end]
            lead = len(body) - len(body.lstrip())
            start, body = start + lead, body.strip()
            sentences = split_sentences(body)
            if not sentences or len(body) < 6:
                continue
            cut = sentences[0][1]
            for _, e in sentences[1:]:
                if e > MAX_QUOTE:
                    break
                cut = e
            quote = body[:cut].strip()
            head = body[: sentences[0][1]].strip()
            items.append(SectionItem(meta, section, quote, chunk.line_at(start), head))
    return items


def prose(text: str) -> str:
    """A quote as draft prose: one line, no leading connective, ending in a full stop."""
    text = _LEADING.sub("", re.sub(r"\s*\n\s*", "", text.strip()))
    text = re.sub(r"[；;，,：:、]+$", "", text)
    return text if text.endswith(("。", "！", "？")) else text + "。"


def _bare(text: str) -> str:
    return re.sub(r"[。；;，,：:！？]+$", "", re.sub(r"\s*\n\s*", "", text.strip()))


@dataclass
class _Context:
    engine: Engine
    meta: ReportMeta
    facts: list[Fact]
    prompts: Prompts
    unit: str
    period: str


@dataclass
class _Clause:
    theme: str
    title: str
    template: str
    values: dict[str, str]
    facts: list[Fact]


def _figure_problems(ctx: _Context) -> list[DraftItem]:
    """What the unit's own figures show, clauses in the order of the issue, one item per theme."""
    p, facts = ctx.prompts, ctx.facts
    clauses: list[_Clause] = []

    rate = best_fact(facts, "预算执行率")
    if rate and rate.value < EXECUTION_TARGET:
        budget, spent = best_fact(facts, "全年预算数"), best_fact(facts, "执行数")
        title = p.render("标题.执行率偏低")
        if budget and spent:
            values = {"budget": stated(budget), "spent": stated(spent), "rate": stated(rate)}
            clauses.append(_Clause("预算执行", title, "执行率偏低", values, [budget, spent, rate]))
        else:
            clauses.append(_Clause("预算执行", title, "执行率偏低.仅执行率", {"rate": stated(rate)}, [rate]))

    for root in indicator_tree(facts):
        short = [k for k in root.children if k.short_of_weight]
        if not (root.short_of_weight or short):
            continue
        details = "，".join(_detail(p, k) for k in short)
        if root.short_of_weight:
            head = _detail(p, root)
            details = p.render("指标明细.其中", parent=head, children=details) if short else head
        nodes = [root, *short] if root.short_of_weight else short
        theme = themes.theme_of(" ".join(n.item for n in (root, *short)), "problem")
        cited = [f for node in nodes for f in node.facts()]
        clauses.append(_Clause(theme, p.render(f"标题.{theme}"), "指标扣分", {"details": details}, cited))

    for metric, name, theme in (
        ("预算调整率", "预算调整", "预算编制"),
        ("结转结余率", "结转结余", "预算执行"),
    ):
        fact = best_fact(facts, metric)
        if fact and fact.value > 0:
            clauses.append(_Clause(theme, p.render(f"标题.{name}"), name, {"rate": stated(fact)}, [fact]))

    merged: dict[str, DraftItem] = {}
    for clause in clauses:
        item = merged.get(clause.theme)
        # the first clause names the unit and year; the ones merged after it say 同期
        who = {"unit": ctx.unit, "period": ctx.period} if item is None else {"unit": "", "period": "同期"}
        sentence = p.render(clause.template, **who, **clause.values)
        citations = [fact_citation(f) for f in clause.facts]
        if item is None:
            text = p.render("条目", title=clause.title, body=sentence)
            merged[clause.theme] = DraftItem(
                "problem", clause.title, text, clause.theme, ["figures"], citations
            )
        else:
            item.text += sentence
            item.citations.extend(citations)
    return list(merged.values())


def _detail(p: Prompts, node: Indicator) -> str:
    assert node.weight and node.score
    return p.render("指标明细", item=node.item, weight=stated(node.weight), score=stated(node.score))


def _own_problems(ctx: _Context, items: list[SectionItem]) -> list[DraftItem]:
    out = []
    for item in items:
        citation = [item.citation()]
        out.append(
            DraftItem(
                "problem", _title(item.head), prose(item.quote), item.primary("problem"), ["own"], citation
            )
        )
    return out


def _peer_problems(ctx: _Context, covered: set[str], peers: dict[str, list[SectionItem]]) -> list[DraftItem]:
    by_theme: dict[str, list[SectionItem]] = {}
    for items in peers.values():
        for item in items:
            by_theme.setdefault(item.primary("problem"), []).append(item)
    order = {name: i for i, name in enumerate(themes.NAMES)}
    recurring = [
        (theme, found)
        for theme, found in by_theme.items()
        if theme not in covered and theme != themes.FALLBACK and len({i.meta.doc for i in found}) >= 2
    ]
    recurring.sort(key=lambda tf: (-len({i.meta.doc for i in tf[1]}), order[tf[0]]))
    out = []
    for theme, found in recurring[:MAX_PEER_PROBLEMS]:
        chosen: dict[str, SectionItem] = {}
        for item in sorted(found, key=lambda i: -themes.score(i.quote, theme, "problem")):
            chosen.setdefault(item.meta.doc, item)
        picks = list(chosen.values())[:MAX_PEER_QUOTES]
        said = [_bare(i.best_sentence(theme)) for i in picks]
        quotes = "；".join(
            ctx.prompts.render("共性问题.引文", quote=q, peer=short_name(i.meta))
            for q, i in zip(said, picks, strict=True)
        )
        title = ctx.prompts.render(f"标题.{theme}")
        body = ctx.prompts.render("共性问题", quotes=quotes)
        text = ctx.prompts.render("条目", title=title, body=body)
        citations = [i.citation(q) for q, i in zip(said, picks, strict=True)]
        out.append(DraftItem("problem", title, text, theme, ["peer"], citations))
    return out


def _measures(
    ctx: _Context, problems: list[DraftItem], own: list[SectionItem], peers: dict[str, list[SectionItem]]
) -> list[DraftItem]:
    """Measures theme by theme, in the order of the problems they answer: the unit's own measures on the
    theme, else the best peer measure (cited as a reference), else the theme's template measure."""
    chosen: list[DraftItem] = []
    used: set[tuple[str, int, str]] = set()
    peer_items = [i for items in peers.values() for i in items]

    def pick(pool: list[SectionItem], theme: str, limit: int) -> list[SectionItem]:
        """Items whose main theme is this one, best first; a passing mention is not enough."""
        free = [
            i for i in pool if (i.meta.doc, i.line, i.quote) not in used and i.primary("measure") == theme
        ]
        free.sort(key=lambda i: -themes.score(i.quote, theme, "measure"))
        used.update((i.meta.doc, i.line, i.quote) for i in free[:limit])
        return free[:limit]

    for number, problem in enumerate(problems, 1):
        theme = problem.theme
        existing = [m for m in chosen if m.theme == theme]
        for m in existing:
            m.answers.append(number)
        if existing:
            continue
        mine = pick(own, theme, MAX_OWN_MEASURES)
        for item in mine:
            title = _title(item.head)
            chosen.append(
                DraftItem("measure", title, prose(item.quote), theme, ["own"], [item.citation()], [number])
            )
        theirs = [] if mine else pick(peer_items, theme, 1)
        for item in theirs:
            text = _SELF.sub("本单位", prose(item.quote))
            for alias in item.meta.aliases:
                text = text.replace(alias, "本单位")
            text = ctx.prompts.render("参考措施", text=text, peer=short_name(item.meta))
            title = _title(_SELF.sub("本单位", item.head))
            chosen.append(DraftItem("measure", title, text, theme, ["peer"], [item.citation()], [number]))
        if mine or theirs:
            continue
        name = f"措施.{theme}" if ctx.prompts.has(f"措施.{theme}") else f"措施.{themes.FALLBACK}"
        text = ctx.prompts.render(name)
        cited = list(problem.citations)  # a template measure rests on the evidence of the problem it answers
        chosen.append(
            DraftItem("measure", _title(text.split("。")[0]), text, theme, ["template"], cited, [number])
        )
    return chosen


def _title(sentence: str) -> str:
    """An item's first sentence as its title when it is short enough to be one, else no title."""
    head = _bare(prose(sentence))
    return head if len(head) <= MAX_TITLE else ""


def _verify(item: DraftItem, ctx: _Context, dropped: list[str]) -> DraftItem | None:
    """The gate of assistant.verify, per item: quotes re-found in their sources, numbers only from quotes."""
    kept: list[Citation] = []
    for c in item.citations:
        source = ctx.engine.store.source_text(c.doc)
        where = locate(source, c.quote, c.line) if source else None
        if where is None:
            dropped.append(f"引文未能在原文中核实：{c.doc} 第{c.line}行「{c.quote[:30]}」")
            continue
        citation = Citation(c.doc, c.org, c.section, c.quote, where[0], where[1])
        if _key(citation) not in {_key(k) for k in kept}:
            kept.append(citation)
    if not kept:
        dropped.append(f"无可核实的引文，已删除：{item.text[:40]}")
        return None
    allowed = set().union(*(numbers_in(c.quote) for c in kept))
    if ctx.meta.year:
        allowed.add(float(ctx.meta.year))
    stray = [n for n in numbers_in(item.text) if not any(abs(n - a) < 1e-9 for a in allowed)]
    if stray:
        dropped.append(f"含引文之外的数字 {stray}，已删除：{item.text[:40]}")
        return None
    item.citations = kept
    return item


def build_draft(engine: Engine, unit_name: str, year: int | None = None) -> Draft:
    meta = resolve_unit(engine, unit_name, year)
    ctx = _Context(
        engine,
        meta,
        [f for f in engine.facts if f.doc == meta.doc],
        Prompts(),
        short_name(meta),
        f"{meta.year}年" if meta.year else "本年度",
    )
    ctx.prompts.require(
        ["条目", "执行率偏低", "指标扣分", "指标明细", "共性问题", "参考措施"]
        + [f"标题.{t}" for t in themes.NAMES]
        + [f"措施.{themes.FALLBACK}"]
    )

    def section(m: ReportMeta, canonical: str) -> list[SectionItem]:
        return split_items(m, engine.retriever.section_chunks(m.doc, canonical))

    peers = [
        m
        for m in engine.metas
        if m.doc != meta.doc and m.org != meta.org and m.kind == meta.kind and m.confirmed
    ]  # a file unsure to be a report is no peer
    peer_problems = {m.doc: section(m, PROBLEMS) for m in peers}
    peer_measures = {m.doc: section(m, MEASURES) for m in peers}

    dropped: list[str] = []
    problems = _figure_problems(ctx) + _own_problems(ctx, section(meta, PROBLEMS))
    problems = [p for p in (_verify(p, ctx, dropped) for p in problems) if p]
    extra = _peer_problems(ctx, {p.theme for p in problems}, peer_problems)
    problems += [p for p in (_verify(p, ctx, dropped) for p in extra) if p]

    measures = _measures(ctx, problems, section(meta, MEASURES), peer_measures)
    measures = [m for m in (_verify(m, ctx, dropped) for m in measures) if m]
    names = {m.doc: short_name(m) for m in engine.metas}
    return Draft(meta, ctx.unit, problems, measures, dropped, names)


# ---- output -------------------------------------------------------------------------------------------
def heading(draft: Draft) -> str:
    year = f"{draft.meta.year}年度" if draft.meta.year else ""
    return f"{draft.unit}{year}部门整体支出绩效自评报告（存在的主要问题与下一步改进措施草稿）"


def answers_note(item: DraftItem) -> str:
    return "〔对应问题" + "".join(f"（{cn_number(n)}）" for n in item.answers) + "〕" if item.answers else ""


def split_title(item: DraftItem) -> tuple[str, str]:
    """(title with its stop, the rest) when the item opens with its title, else ("", text)."""
    if not item.title or not item.text.startswith(item.title):
        return "", item.text
    cut = len(item.title)
    if item.text[cut : cut + 1] in ("。", "；", "：", "，"):
        cut += 1
    return item.text[:cut], item.text[cut:]


def render_markdown(draft: Draft) -> str:
    lines = [f"# {heading(draft)}", ""]
    lines.append(f"> {draft.basis_note()}")
    for title, items in (("三、存在的主要问题", draft.problems), ("四、下一步改进措施", draft.measures)):
        lines += ["", f"## {title}", ""]
        if not items:
            lines.append("（未能从报告中形成经核实的条目。）")
        for n, item in enumerate(items, 1):
            marks = "".join(f"[{i}]" for i in draft.ref_numbers(item))
            lead, rest = split_title(item)
            lead = f"**{lead}**" if lead else ""
            lines.append(f"（{cn_number(n)}）{lead}{rest}{marks}{answers_note(item)}")
            lines.append("")
    lines += ["", "## 引文", ""]
    for i, c in enumerate(draft.references(), 1):
        span = f"第{c.line}行" if not c.line_end or c.line_end == c.line else f"第{c.line}–{c.line_end}行"
        lines.append(f"{i}. {draft.name_of(c)} · {c.doc} {span} · {c.section}")
        lines.append(f"   「{one_line(c.quote)}」")
    if draft.dropped:
        lines += ["", "## 未通过核验而删除的内容", ""] + [f"- {d}" for d in draft.dropped]
    return "\n".join(lines).rstrip() + "\n"


def one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", "", text)


def to_json(draft: Draft) -> dict[str, object]:
    refs = draft.references()

    def item_json(item: DraftItem) -> dict[str, object]:
        return {
            "title": item.title,
            "text": item.text,
            "theme": item.theme,
            "basis": item.basis,
            "references": draft.ref_numbers(item),
            "answers": item.answers,
            "citations": [_cite_json(draft, c) for c in item.citations],
        }

    return {
        "unit": draft.unit,
        "org": draft.meta.org,
        "doc": draft.meta.doc,
        "year": draft.meta.year,
        "problems": [item_json(i) for i in draft.problems],
        "measures": [item_json(i) for i in draft.measures],
        "references": [_cite_json(draft, c) for c in refs],
        "dropped": draft.dropped,
    }


def _cite_json(draft: Draft, c: Citation) -> dict[str, object]:
    return c.to_dict() | {"unit": draft.name_of(c), "line_end": c.line_end}
