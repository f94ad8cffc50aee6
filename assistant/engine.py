"""The assistant's brain on the embedded default: no LLM. Facts answer figures, code computes derived values,
sections answer text questions, retrieval shows the closest passages; `verify` checks all of it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from assistant.models import Answer, Citation, Evidence, ParsedQuestion
from assistant.retrieve import HybridRetriever
from assistant.understand import QuestionParser
from assistant.verify import verify
from index.embedders import Embedder, make_embedder
from index.models import Chunk, Fact, ReportMeta
from index.normalize import split_sentences
from index.settings import Settings
from index.store import ChromaVectorStore, IndexMissing, ReportStore, VectorStore

# Where a metric is stated with most authority, when a report states it more than once.
_SECTION_RANK = ("收支情况", "自评结论", "绩效管理情况", "工作任务完成情况")
_ITEM_SCORE = ("指标得分", "项目评价得分")
MAX_TEXT_ITEMS = 8


def short_name(meta: ReportMeta) -> str:
    for alias in reversed(meta.aliases):  # shortest first
        if alias.endswith(("街道", "镇", "乡")) or (alias.endswith(("区府办", "县府办")) and len(alias) > 3):
            return alias
    return meta.aliases[-1] if meta.aliases and len(meta.aliases[-1]) >= 3 else meta.org


def fmt_number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def fact_citation(fact: Fact) -> Citation:
    return Citation(fact.doc, fact.org, fact.section, fact.quote, fact.line)


def stated(fact: Fact) -> str:
    """The figure as the report writes it (keeps its precision: 82.2% stays 82.2%)."""
    if fact.text and re.search(r"\d", fact.text):
        # a table cell holds the bare number; its unit came from the header
        return fact.text if fact.unit in fact.text else f"{fact.text}{fact.unit}"
    return f"{fmt_number(fact.value)}{fact.unit}"


@dataclass
class Engine:
    settings: Settings
    store: ReportStore
    retriever: HybridRetriever
    facts: list[Fact]
    metas: list[ReportMeta]
    parser: QuestionParser = field(init=False)

    def __post_init__(self) -> None:
        items: dict[str, set[str]] = {}
        for fact in self.facts:
            if fact.item:
                items.setdefault(fact.doc, set()).add(fact.item)
        self.parser = QuestionParser(self.metas, items)
        self.years = {m.doc: m.year for m in self.metas}
        self._sources: dict[str, str | None] = {}

    @classmethod
    def open(
        cls, settings: Settings, embedder: Embedder | None = None, vectors: VectorStore | None = None
    ) -> Engine:
        store = ReportStore(settings.sqlite_path, create=False)
        metas = store.metas()
        if not metas:
            raise IndexMissing(
                f"索引 {settings.index_dir} 中还没有报告。请先运行 `python -m assistant ingest <报告文件或目录>`。"
            )
        embedder = embedder or make_embedder(settings)
        built_with = store.embedder_name()
        if built_with and built_with != embedder.name:
            raise IndexMissing(
                f"索引由向量模型 {built_with} 建立，当前是 {embedder.name}：请使用同一模型，或重建索引。"
            )
        retriever = HybridRetriever(settings, store, vectors or ChromaVectorStore(settings), embedder)
        return cls(settings, store, retriever, store.facts(), metas)

    # ---- public API -------------------------------------------------------------------------------
    def ask(self, question: str, previous: ParsedQuestion | None = None) -> tuple[Answer, ParsedQuestion]:
        parsed = self.parser.parse(question, previous)
        handler = {
            "lookup": self._lookup,
            "derived": self._derived,
            "compare": self._compare,
            "text": self._text,
        }.get(parsed.kind, self._not_in_reports)
        answer = handler(parsed)
        return verify(answer, self._source, self.years), parsed

    def retrieve(self, question: str, k: int | None = None) -> list[Evidence]:
        parsed = self.parser.parse(question)
        docs = [u.doc for u in parsed.units] or None
        return self.retriever.retrieve(question, docs, k)

    def _source(self, doc: str) -> str | None:
        if doc not in self._sources:
            self._sources[doc] = self.store.source_text(doc)
        return self._sources[doc]

    # ---- fact selection ---------------------------------------------------------------------------
    def _facts_for(self, doc: str, metric: str | None, item: str | None) -> list[Fact]:
        if metric == "得分":
            metrics: tuple[str, ...] = _ITEM_SCORE
        elif metric:
            metrics = (metric,)
        else:
            metrics = ()
        out = [f for f in self.facts if f.doc == doc and f.metric in metrics]
        if item is not None:
            out = [f for f in out if f.item == item]
        elif metric and metric not in ("指标分值", "指标得分") and not metric.startswith("项目"):
            out = [f for f in out if f.item is None]

        def rank(f: Fact) -> tuple[int, int]:
            canon = next((i for i, name in enumerate(_SECTION_RANK) if name in f.section), len(_SECTION_RANK))
            return canon, f.line

        return sorted(out, key=rank)

    def _best(self, doc: str, parsed: ParsedQuestion, metric: str | None = None) -> Fact | None:
        found = self._facts_for(doc, metric or parsed.metric, parsed.item)
        if not found and parsed.item is None and (metric or parsed.metric) in ("指标得分", "指标分值"):
            return None
        return found[0] if found else None

    # ---- handlers ---------------------------------------------------------------------------------
    def _lookup(self, parsed: ParsedQuestion) -> Answer:
        if not parsed.units:
            return self._not_in_reports(parsed, "问题中没有识别出单位名称，请写明单位（如“永平街道”）。")
        lines, citations, first = [], [], None
        for meta in parsed.units:
            fact = self._best(meta.doc, parsed)
            if fact is None:
                continue
            citations.append(fact_citation(fact))
            what = f"{fact.item}的" if fact.item else ""
            label = _metric_label(fact.metric)
            lines.append(f"{short_name(meta)}{_year(meta)}{what}{label}为{stated(fact)}。[{len(citations)}]")
            first = first or fact
        if first is None:
            return self._not_in_reports(parsed)
        return Answer(parsed.text, "\n".join(lines), True, first.value, first.unit, citations, "lookup")

    def _derived(self, parsed: ParsedQuestion) -> Answer:
        op = parsed.operation
        if op == "difference":
            return self._difference(parsed)
        answers = []
        for meta in parsed.units[:1] or ():
            if op == "remaining":
                budget, spent = (
                    self._best(meta.doc, parsed, "全年预算数"),
                    self._best(meta.doc, parsed, "执行数"),
                )
                if budget and spent and budget.unit == spent.unit:
                    result = round(budget.value - spent.value, 2)
                    text = (
                        f"{short_name(meta)}{_year(meta)}全年预算数{stated(budget)}[1]，执行数{stated(spent)}[2]；"
                        f"未执行的预算 = {fmt_number(budget.value)} − {fmt_number(spent.value)} = {fmt_number(result)}{budget.unit}。"
                    )
                    cites = [fact_citation(budget), fact_citation(spent)]
                    answers.append(
                        Answer(parsed.text, text, True, result, budget.unit, cites, "derived", [result])
                    )
            elif op == "unexecuted_rate":
                rate = self._best(meta.doc, parsed, "预算执行率")
                if rate:
                    result = round(100 - rate.value, 2)
                    text = f"{short_name(meta)}{_year(meta)}预算执行率为{stated(rate)}[1]，未执行率 = 100% − {fmt_number(rate.value)}% = {fmt_number(result)}%。"
                    answers.append(
                        Answer(
                            parsed.text,
                            text,
                            True,
                            result,
                            "%",
                            [fact_citation(rate)],
                            "derived",
                            [result, 100.0],
                        )
                    )
            elif op == "share" and parsed.metric:
                part, total = (
                    self._best(meta.doc, parsed, parsed.metric),
                    self._best(meta.doc, parsed, "执行数"),
                )
                if part and total and part.unit == total.unit and total.value:
                    result = round(part.value / total.value * 100, 2)
                    text = (
                        f"{short_name(meta)}{_year(meta)}{parsed.metric}{stated(part)}[1]，执行数（全年支出）{stated(total)}[2]；"
                        f"占比 = {fmt_number(part.value)} ÷ {fmt_number(total.value)} × 100% = {fmt_number(result)}%。"
                    )
                    cites = [fact_citation(part), fact_citation(total)]
                    answers.append(
                        Answer(parsed.text, text, True, result, "%", cites, "derived", [result, 100.0])
                    )
        if not answers:
            return self._not_in_reports(parsed, "计算所需的数字在报告中不全，无法计算。")
        return answers[0]

    def _difference(self, parsed: ParsedQuestion) -> Answer:
        pairs = [(m, self._best(m.doc, parsed)) for m in parsed.units]
        have = [(m, f) for m, f in pairs if f is not None]
        if len(have) < 2:
            return self._not_in_reports(parsed, "比较所需的数字在报告中不全。")
        (ma, fa), (mb, fb) = have[:2]
        if fa.unit != fb.unit:
            return self._not_in_reports(parsed, "两个数字的计量单位不同，无法直接相减。")
        result = round(fa.value - fb.value, 2)
        text = (
            f"{short_name(ma)}{_metric_label(fa.metric)}{stated(fa)}[1]，{short_name(mb)}{stated(fb)}[2]；"
            f"相差 {fmt_number(fa.value)} − {fmt_number(fb.value)} = {fmt_number(result)}{fa.unit}。"
        )
        return Answer(
            parsed.text,
            text,
            True,
            result,
            fa.unit,
            [fact_citation(fa), fact_citation(fb)],
            "derived",
            [result],
        )

    def _compare(self, parsed: ParsedQuestion) -> Answer:
        units = list(parsed.units) or [m for m in self.metas if parsed.year is None or m.year == parsed.year]
        if len(units) == 1 and parsed.metric:
            return self._compare_items(parsed, units[0])
        rows, missing = [], []
        for meta in units:
            fact = self._best(meta.doc, parsed)
            (rows.append((meta, fact)) if fact else missing.append(meta))
        if not rows:
            return self._not_in_reports(parsed)
        units_of = {f.unit for _, f in rows}
        reverse = parsed.superlative != "min"
        rows.sort(key=lambda r: r[1].value, reverse=reverse)
        citations = [fact_citation(f) for _, f in rows]
        lines = []
        label = _metric_label(rows[0][1].metric)
        if parsed.superlative in ("max", "min") and len(units_of) == 1:
            word = "最高" if reverse else "最低"
            top_meta, top = rows[0]
            lines.append(f"{label}{word}的是{short_name(top_meta)}（{top_meta.org}），为{stated(top)}。[1]")
        lines.append("各单位情况：")
        for i, (meta, fact) in enumerate(rows, 1):
            lines.append(f"{i}. {short_name(meta)}{_year(meta)}：{stated(fact)} [{i}]")
        if missing:
            lines.append("报告中未载明该数字的单位：" + "、".join(short_name(m) for m in missing) + "。")
        top_meta, top = rows[0]
        return Answer(parsed.text, "\n".join(lines), True, top.value, top.unit, citations, "compare")

    def _compare_items(self, parsed: ParsedQuestion, meta: ReportMeta) -> Answer:
        metric = parsed.metric or ""
        per_item = {
            "预算执行率": "项目执行率",
            "自评得分": "得分",
            "执行数": "项目支出数",
            "全年预算数": "项目预算数",
        }
        facts = self._facts_for(meta.doc, per_item.get(metric, metric), None)
        facts = [f for f in facts if f.item]
        if not facts:
            return self._lookup(parsed)
        reverse = parsed.superlative != "min"
        facts.sort(key=lambda f: f.value, reverse=reverse)
        top = facts[0]
        lines = [
            f"{short_name(meta)}{_year(meta)}各项中{_metric_label(top.metric)}{'最高' if reverse else '最低'}的是{top.item}，为{stated(top)}。[1]"
        ]
        for i, fact in enumerate(facts[1:6], 2):
            lines.append(f"{i}. {fact.item}：{stated(fact)} [{i}]")
        citations = [fact_citation(f) for f in facts[:6]]
        return Answer(parsed.text, "\n".join(lines), True, top.value, top.unit, citations, "compare")

    def _text(self, parsed: ParsedQuestion) -> Answer:
        if not parsed.units or not parsed.section:
            return self._not_in_reports(parsed, "请写明单位和想了解的内容（如“南洲街道存在什么问题？”）。")
        lines, citations = [], []
        for meta in parsed.units[:3]:
            chunks = self.retriever.section_chunks(meta.doc, parsed.section)
            if not chunks:
                lines.append(f"{short_name(meta)}的报告中没有“{parsed.section}”部分。")
                continue
            lines.append(f"{short_name(meta)}{_year(meta)}报告“{chunks[0].section_path[0]}”部分列出：")
            for quote, line, chunk in section_items(chunks)[:MAX_TEXT_ITEMS]:
                citations.append(Citation(meta.doc, meta.org, " > ".join(chunk.section_path), quote, line))
                lines.append(f"{quote}[{len(citations)}]")
        if not citations:
            return self._not_in_reports(parsed)
        return Answer(parsed.text, "\n".join(lines), True, None, None, citations, "text")

    def _not_in_reports(self, parsed: ParsedQuestion, reason: str | None = None) -> Answer:
        if parsed.unknown_unit:
            indexed = "、".join(sorted({short_name(m) for m in self.metas}))
            text = f"索引中没有“{parsed.unknown_unit}”的报告。已索引的单位：{indexed}。"
            return Answer(parsed.text, text, False, kind="unanswerable")
        if parsed.units and parsed.year is not None and all(u.year != parsed.year for u in parsed.units):
            names = "、".join(sorted({short_name(u) for u in parsed.units}))
            text = f"索引中没有{names}{parsed.year}年的报告。"
            return Answer(parsed.text, text, False, kind="unanswerable")
        what = "、".join(short_name(u) for u in parsed.units) or "已索引"
        subject = (
            parsed.item or _metric_label(parsed.metric) if (parsed.item or parsed.metric) else "这一内容"
        )
        text = reason or f"{what}的报告中没有载明{subject}。"
        evidence = self.retriever.retrieve(parsed.text, [u.doc for u in parsed.units] or None, 3)
        citations = [_closest_sentence(e.chunk, parsed.text) for e in evidence]
        if citations:
            text += "\n以下是最接近的原文段落，仅供参考（其中没有所问的答案）："
        return Answer(parsed.text, text, False, None, None, citations, "unanswerable")


def _metric_label(metric: str | None) -> str:
    return {
        "执行数": "执行数（实际支出）",
        "项目评价得分": "评价得分",
        "指标得分": "得分",
        "指标分值": "分值",
    }.get(metric or "", metric or "")


def _year(meta: ReportMeta) -> str:
    return f"{meta.year}年" if meta.year else ""


def section_items(chunks: Sequence[Chunk]) -> list[tuple[str, int, Chunk]]:
    """The items of a section, in order: each paragraph (an enumerated item), shortened to whole sentences."""
    items: list[tuple[str, int, Chunk]] = []
    for chunk in chunks:
        offset = 0
        for para in chunk.text.split("\n"):
            start = offset
            offset += len(para) + 1
            if len(para.strip()) < 6:
                continue
            spans = split_sentences(para)
            end = spans[0][1]
            for _, e in spans[1:]:
                if e > 160:
                    break
                end = e
            items.append((para[:end], chunk.line_at(start), chunk))
    return items


def _closest_sentence(chunk: Chunk, question: str) -> Citation:
    grams = {question[i : i + 2] for i in range(len(question) - 1)}
    best, best_score, best_start = chunk.text[:80], -1, 0
    for s, e in split_sentences(chunk.text):
        sentence = chunk.text[s:e].strip()
        score = sum(1 for i in range(len(sentence) - 1) if sentence[i : i + 2] in grams)
        if score > best_score:
            best, best_score, best_start = sentence[:160], score, s
    return Citation(chunk.doc, chunk.org, " > ".join(chunk.section_path), best, chunk.line_at(best_start))
