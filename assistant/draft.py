"""Draft 三、存在的主要问题 and 四、下一步改进措施 for a unit, in its own voice, every item cited (offline, no LLM).

Problems, in this order: what the unit's own figures show (`draft_findings`: a 预算执行率 short of the report's
own target or of the Settings standard, 预算调整率/结转结余率 the report lists, indicators that lost points with
the report's explanation), then the problems its report states, each tidied into a clean sentence in the
unit's voice (`wording`); a statement that explains a figure problem (“…导致预算执行率不理想”) joins it.
Peers' problems are not the unit's and are not drafted.

Measures answer the problems theme by theme: the unit's own measures on the theme, else a peer's measure made
the unit's own (the peer is named only in the references), else the theme's template measure. Every item
passes the rule of `assistant.verify`: its quotes stand in their sources, every number it shows stands in one
of its cited quotes (the report's year aside), and an item built on a peer's words names no other unit.
The same index gives the same draft: every choice breaks ties on document order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from assistant import draft_findings as findings
from assistant import themes, wording
from assistant.facts_view import indexed_names, short_name
from assistant.models import Citation
from assistant.prompts import Prompts
from assistant.verify import numbers_in
from index.models import Chunk, ReportMeta
from index.normalize import split_sentences
from index.provenance import locate

if TYPE_CHECKING:
    from assistant.engine import Engine
    from index.settings import Settings

MAX_QUOTE = 200  # characters of an item kept as its quote: its first sentence, then whole sentences
MAX_OWN_MEASURES = 2  # of the unit's own measures on one theme
MAX_TITLE = 40  # a measure's first sentence longer than this is not set off as its title
MAX_PROBLEM_HEAD = 30  # a stated problem's first sentence this short, saying what is wrong, is its title
MIN_MEASURE = 12  # a peer's measure shorter than this once adapted says too little to use
PROBLEMS, MEASURES = "存在的主要问题", "下一步改进措施"
_MARK = re.compile(
    r"(?:^|(?<=[。；;：:]))[ \t]*"
    r"((?:[一二三四五六七八九十]{1,3}是)|[（(][一二三四五六七八九十\d]{1,3}[）)]"
    r"|\d{1,2}(?:[、．]|\.(?!\d))|[一二三四五六七八九十]{1,3}、|[①-⑳])",
    re.M,
)
_WRONG = re.compile(
    r"不足|不够|有待|欠缺|不完善|不健全|不合理|不充分|不理想|不高|不强|不到位|不明确|不规范|不及时|偏差|偏低|偏慢"
    r"|滞后|缺乏|缺少|笼统|薄弱|问题|未能|未达"
)
_CN = "零一二三四五六七八九十"
OWN_TEMPLATES = ("条目", *(f"标题.{t}" for t in themes.NAMES), f"措施.{themes.FALLBACK}")


class UnitNotFound(LookupError):
    """The unit named is not in the index (or not for that year); the message lists what is."""


@dataclass
class DraftItem:
    kind: Literal["problem", "measure"]
    title: str
    text: str  # the item as shown, title first; no citation markers
    theme: str
    basis: list[str]  # figures | own | peer | template | user
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
    voice: str = wording.DEFAULT_VOICE  # how the draft calls the unit (我街, 我办, 本单位 …)
    edited: bool = False  # the user changed the text on screen
    warnings: list[str] = field(default_factory=list)  # what the user's edits put beyond the sources

    def basis_note(self) -> str:
        """The line under the title: what the draft rests on, how it was written, and whether its numbers
        all stand in the quotes it cites (not after an edit put one there that no source holds)."""
        peers = any(c.doc != self.meta.doc for c in self.references())
        source = f"{self.meta.doc}《{self.meta.title}》" + ("及同类单位报告" if peers else "")
        how = f"文字经模型 {self.polished_by} 润色，数字与引文逐条核对" if self.polished_by else "离线生成"
        how += "，经人工修改" if self.edited else ""
        if self.warnings:
            return f"依据：{source}。{how}。以下内容未能与所引原文核对，定稿前请逐条核实："
        return f"依据：{source}。{how}；每条均注明引文，所列数字均出自所引原文。"

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

    def primary(self, kind: themes.Kind) -> str:
        return themes.theme_of(self.quote, kind)


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
    return max(metas, key=lambda m: (m.year or 0, m.doc))


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


def _bare(text: str) -> str:
    return re.sub(r"[。；;，,：:！？]+$", "", re.sub(r"\s*\n\s*", "", text.strip()))


def _head(text: str) -> tuple[str, str]:
    """(first sentence, the rest) of a cleaned item."""
    spans = split_sentences(text)
    cut = spans[0][1] if spans else len(text)
    return text[:cut], text[cut:]


@dataclass
class _Context:
    engine: Engine
    meta: ReportMeta
    prompts: Prompts
    voice: str
    foreign: set[str]  # names of other units, which no item built on a peer's words may carry


def standards_of(settings: Settings) -> findings.Standards:
    return findings.Standards(
        settings.draft_execution_standard, settings.draft_adjustment_ceiling, settings.draft_carryover_ceiling
    )


def _problems(
    ctx: _Context, found: list[findings.FigureProblem], stated: list[SectionItem]
) -> list[DraftItem]:
    """The figure problems, then the report's own statements as clean problems; a statement that explains
    a figure problem is added to it."""
    p = ctx.prompts
    pairs = [
        (fp, DraftItem("problem", fp.title, p.render("条目", title=fp.title, body=fp.body), fp.theme,
                       ["figures"], list(fp.citations)))
        for fp in found
    ]  # fmt: skip
    out = [item for _, item in pairs]
    titles = {item.title for item in out}
    seen: set[str] = set()
    for statement in stated:
        text = wording.clean(statement.quote, ctx.voice, ctx.meta)
        if len(text) < 6 or text in seen:
            continue
        seen.add(text)
        host = next((it for fp, it in pairs if any(w in statement.quote for w in fp.explains)), None)
        if host is not None:
            host.text += text
            host.citations.append(statement.citation())
            host.basis += [] if "own" in host.basis else ["own"]
            continue
        theme = statement.primary("problem")
        head, rest = _head(text)
        # its title: its own first sentence when that names what is wrong, else the title of the first theme
        # it speaks of that no earlier item took
        spoken = [name for name, _ in themes.classify(statement.quote, "problem")] + [themes.FALLBACK]
        free = [t for t in (p.render(f"标题.{name}") for name in spoken) if t not in titles]
        if rest and len(_bare(head)) <= MAX_PROBLEM_HEAD and _WRONG.search(head):
            title, body = _bare(head), rest
        else:
            title, body = (free[0] if free else ""), text
        titles.add(title)
        shown = p.render("条目", title=title, body=body) if title else text
        out.append(DraftItem("problem", title, shown, theme, ["own"], [statement.citation()]))
    return out


def _measures(
    ctx: _Context, problems: list[DraftItem], own: list[SectionItem], peers: list[SectionItem]
) -> list[DraftItem]:
    """Measures theme by theme, in the order of the problems they answer: the unit's own measures on the
    theme, else the best peer measure in the unit's words, else the theme's template measure."""
    chosen: list[DraftItem] = []
    used: set[tuple[str, int, str]] = set()

    def ranked(pool: list[SectionItem], theme: str) -> list[SectionItem]:
        """Items whose main theme is this one, best first (document order on a tie)."""
        free = [
            i for i in pool if (i.meta.doc, i.line, i.quote) not in used and i.primary("measure") == theme
        ]
        return sorted(free, key=lambda i: -themes.score(i.quote, theme, "measure"))

    for number, problem in enumerate(problems, 1):
        theme = problem.theme
        existing = [m for m in chosen if m.theme == theme]
        for m in existing:
            m.answers.append(number)
        if existing:
            continue
        mine = ranked(own, theme)[:MAX_OWN_MEASURES]
        for item in mine:
            used.add((item.meta.doc, item.line, item.quote))
            text = wording.clean(item.quote, ctx.voice, ctx.meta)
            chosen.append(
                DraftItem("measure", _title(text), text, theme, ["own"], [item.citation()], [number])
            )
        if mine:
            continue
        for item in ranked(peers, theme):
            text = wording.adapt(item.quote, ctx.voice, item.meta, ctx.meta)
            if len(text) < MIN_MEASURE or any(n in text for n in ctx.foreign):
                continue
            used.add((item.meta.doc, item.line, item.quote))
            chosen.append(
                DraftItem("measure", _title(text), text, theme, ["peer"], [item.citation()], [number])
            )
            break
        else:
            name = f"措施.{theme}" if ctx.prompts.has(f"措施.{theme}") else f"措施.{themes.FALLBACK}"
            text = ctx.prompts.render(name)
            cited = list(
                problem.citations
            )  # a template measure rests on the evidence of the problem it answers
            chosen.append(DraftItem("measure", _title(text), text, theme, ["template"], cited, [number]))
    return chosen


def _title(text: str) -> str:
    """An item's first sentence as its title when it is short enough to be one, else no title."""
    head = _bare(_head(text)[0])
    return head if len(head) <= MAX_TITLE and head != _bare(text) else ""


def _verify(item: DraftItem, ctx: _Context, dropped: list[str]) -> DraftItem | None:
    """The gate of assistant.verify, per item: quotes re-found in their sources, numbers only from quotes,
    no other unit named in an item built on a peer's words."""
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
    if "peer" in item.basis and any(n in item.text for n in ctx.foreign):
        dropped.append(f"正文出现其他单位名称，已删除：{item.text[:40]}")
        return None
    item.citations = kept
    return item


def build_draft(engine: Engine, unit_name: str, year: int | None = None) -> Draft:
    meta = resolve_unit(engine, unit_name, year)
    prompts = Prompts()
    prompts.require([*OWN_TEMPLATES, *findings.TEMPLATES])
    voice = wording.voice_of(engine.store.source_text(meta.doc) or "")
    ctx = _Context(engine, meta, prompts, voice, wording.names_of(engine.metas, meta))
    by_id = engine.retriever.by_id
    found = findings.figure_problems(
        findings.Context(
            meta,
            [f for f in engine.facts if f.doc == meta.doc],
            engine.store.figures(meta.doc),
            lambda f: by_id.get(f.chunk_id) if f.chunk_id else None,
            prompts,
            voice,
            f"{meta.year}年度" if meta.year else "本年度",
            standards_of(engine.settings),
        )
    )

    def section(m: ReportMeta, canonical: str) -> list[SectionItem]:
        return split_items(m, engine.retriever.section_chunks(m.doc, canonical))

    peers = [
        m
        for m in engine.metas
        if m.doc != meta.doc and m.org != meta.org and m.kind == meta.kind and m.confirmed
    ]  # a file unsure to be a report is no peer
    peer_measures = [i for m in sorted(peers, key=lambda m: m.doc) for i in section(m, MEASURES)]

    dropped: list[str] = []
    problems = _problems(ctx, found, section(meta, PROBLEMS))
    problems = [p for p in (_verify(p, ctx, dropped) for p in problems) if p]
    measures = _measures(ctx, problems, section(meta, MEASURES), peer_measures)
    measures = [m for m in (_verify(m, ctx, dropped) for m in measures) if m]
    names = {m.doc: short_name(m) for m in engine.metas}
    return Draft(meta, short_name(meta), problems, measures, dropped, names, voice=voice)


# ---- output -------------------------------------------------------------------------------------------
def title_lines(draft: Draft) -> tuple[str, str]:
    """The document title and the line under it."""
    year = f"{draft.meta.year}年度" if draft.meta.year else ""
    return (
        f"{draft.unit}{year}{draft.meta.kind or '部门整体支出'}绩效自评报告",
        "（存在的主要问题与下一步改进措施草稿）",
    )


def heading(draft: Draft) -> str:
    return "".join(title_lines(draft))


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


def span_of(c: Citation) -> str:
    return f"第{c.line}行" if not c.line_end or c.line_end == c.line else f"第{c.line}–{c.line_end}行"


def render_markdown(draft: Draft) -> str:
    lines = [f"# {heading(draft)}", ""]
    lines.append(f"> {draft.basis_note()}")
    lines += [f"> - ⚠ {w}" for w in draft.warnings]
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
        lines.append(f"{i}. {draft.name_of(c)} · {c.doc} {span_of(c)} · {c.section}")
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
        "voice": draft.voice,
        "note": draft.basis_note(),
        "problems": [item_json(i) for i in draft.problems],
        "measures": [item_json(i) for i in draft.measures],
        "references": [_cite_json(draft, c) for c in refs],
        "warnings": draft.warnings,
        "dropped": draft.dropped,
    }


def _cite_json(draft: Draft, c: Citation) -> dict[str, object]:
    return c.to_dict() | {"unit": draft.name_of(c), "line_end": c.line_end}
