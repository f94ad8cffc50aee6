"""The assistant's brain on the embedded default: no LLM. Facts answer figures, code computes derived values,
sections answer text questions, retrieval finds passages; `verify` checks all of it before it leaves."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant import derive
from assistant.facts_view import (
    FactIndex,
    fact_citation,
    item_level,
    metric_label,
    short_name,
    stated,
    year_of,
)
from assistant.models import Answer, Citation, Evidence, ParsedQuestion
from assistant.passages import best_sentences, explanation, section_items
from assistant.retrieve import HybridRetriever
from assistant.understand import QuestionParser
from assistant.verify import verify
from index.embedders import Embedder, make_embedder
from index.models import Fact, ReportMeta
from index.settings import Settings
from index.store import ChromaVectorStore, IndexMissing, ReportStore, VectorStore

MAX_TEXT_ITEMS = 8
# A passage answers a free question only when it holds this share of the question's words.
MIN_PASSAGE_OVERLAP = 0.45


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
        self.index = FactIndex(self.facts)
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
        return self.verified(parsed), parsed

    def verified(self, parsed: ParsedQuestion) -> Answer:
        return self.check(self.answer(parsed))

    def check(self, answer: Answer) -> Answer:
        """The verification gate: quotes re-found in their sources, every number supported."""
        return verify(answer, self.source, self.years)

    def answer(self, parsed: ParsedQuestion) -> Answer:
        """The unverified answer for a parsed question (LLM mode writes prose from this same evidence)."""
        if parsed.kind != "unanswerable" and parsed.ambiguous_items:
            names = "、".join(parsed.ambiguous_items)
            return Answer(
                parsed.text,
                f"报告中有几个名称相近的项目：{names}。请说明问的是哪一个。",
                False,
                kind="lookup",
            )
        if parsed.item_missing and parsed.kind in ("lookup", "derived"):
            return self._not_in_reports(
                parsed, f"{self._who(parsed)}的报告中没有载明“{parsed.item_missing}”。"
            )
        handler = {
            "lookup": self._lookup,
            "derived": self._derived,
            "compare": self._compare,
            "text": self._text,
        }
        return handler.get(parsed.kind, self._not_in_reports)(parsed)

    def retrieve(self, question: str, k: int | None = None) -> list[Evidence]:
        parsed = self.parser.parse(question)
        docs = [u.doc for u in parsed.units] or None
        return self.retriever.retrieve(question, docs, k)

    def source(self, doc: str) -> str | None:
        if doc not in self._sources:
            self._sources[doc] = self.store.source_text(doc)
        return self._sources[doc]

    # ---- handlers ---------------------------------------------------------------------------------
    def _lookup(self, parsed: ParsedQuestion) -> Answer:
        if not parsed.units:
            return self._not_in_reports(parsed, "问题中没有识别出单位名称，请写明单位（如“永平街道”）。")
        lines: list[str] = []
        citations: list[Citation] = []
        first: Fact | None = None
        for meta in parsed.units:
            fact = self.index.best(meta.doc, parsed.metric, parsed.item)
            if fact is None:
                continue
            citations.append(fact_citation(fact))
            what = f"{fact.item}的" if fact.item else ""
            lines.append(
                f"{short_name(meta)}{year_of(meta)}{what}{metric_label(fact.metric)}为{stated(fact)}。[{len(citations)}]"
            )
            first = first or fact
        if first is None:
            return self._not_in_reports(parsed)
        return Answer(parsed.text, "\n".join(lines), True, first.value, first.unit, citations, "lookup")

    def _derived(self, parsed: ParsedQuestion) -> Answer:
        if parsed.operation == "difference":
            answer = derive.difference(parsed, self.index)
        else:
            compute = derive.SINGLE_UNIT[parsed.operation or ""]
            answer = compute(parsed, parsed.units[0], self.index) if len(parsed.units) == 1 else None
            if len(parsed.units) > 1:
                return self._not_in_reports(
                    parsed, "问题涉及多个单位，请逐个单位提问，以便给出各自的计算过程。"
                )
        return answer or self._not_in_reports(
            parsed, "计算所需的数字在报告中不全（或与问题所说的项数不符），无法计算。"
        )

    def _compare(self, parsed: ParsedQuestion) -> Answer:
        units = list(parsed.units) or [m for m in self.metas if parsed.year is None or m.year == parsed.year]
        if len({u.org for u in units}) == 1:
            return self._compare_items(parsed, units[0])
        rows = [(m, f) for m in units if (f := self.index.best(m.doc, parsed.metric))]
        missing = [m for m in units if not any(m is r[0] for r in rows)]
        if not rows:
            return self._not_in_reports(parsed)
        reverse = parsed.superlative != "min"
        rows.sort(key=lambda r: r[1].value, reverse=reverse)
        label = metric_label(rows[0][1].metric)
        lines = []
        if parsed.superlative in ("max", "min") and len({f.unit for _, f in rows}) == 1:
            top_meta, top = rows[0]
            lines.append(
                f"{label}{'最高' if reverse else '最低'}的是{short_name(top_meta)}（{top_meta.org}），为{stated(top)}。[1]"
            )
        lines.append("各单位情况：")
        lines += [f"{i}. {short_name(m)}{year_of(m)}：{stated(f)} [{i}]" for i, (m, f) in enumerate(rows, 1)]
        if missing:
            lines.append("报告中未载明该数字的单位：" + "、".join(short_name(m) for m in missing) + "。")
        top = rows[0][1]
        return Answer(
            parsed.text,
            "\n".join(lines),
            True,
            top.value,
            top.unit,
            [fact_citation(f) for _, f in rows],
            "compare",
        )

    def _compare_items(self, parsed: ParsedQuestion, meta: ReportMeta) -> Answer:
        facts = self.index.items(meta.doc, parsed.metric, parsed)
        if not facts:
            return self._lookup(parsed)
        if parsed.count is not None and parsed.count != len(facts):
            return self._not_in_reports(
                parsed, f"报告列出的项目数与问题所说的不一致（报告中有{len(facts)}项），请说明具体项目。"
            )
        reverse = parsed.superlative != "min"
        facts.sort(key=lambda f: f.value, reverse=reverse)
        top = facts[0]
        head = f"{short_name(meta)}{year_of(meta)}各项中{metric_label(top.metric)}{'最高' if reverse else '最低'}的是{top.item}，为{stated(top)}。[1]"
        lines = [head] + [f"{i}. {f.item}：{stated(f)} [{i}]" for i, f in enumerate(facts[1:8], 2)]
        return Answer(
            parsed.text,
            "\n".join(lines),
            True,
            top.value,
            top.unit,
            [fact_citation(f) for f in facts[:8]],
            "compare",
        )

    def _text(self, parsed: ParsedQuestion) -> Answer:
        if not parsed.units:
            return self._not_in_reports(parsed, "请写明单位（如“南洲街道存在什么问题？”）。")
        if parsed.explain:
            answer = self._explain(parsed)
            if answer:
                return answer
        if parsed.section and not (parsed.item and not parsed.explain):
            answer = self._section(parsed)
            if answer:
                return answer
        return self._passages(parsed)

    def _section(self, parsed: ParsedQuestion) -> Answer | None:
        lines, citations = [], []
        for meta in parsed.units[:3]:
            chunks = self.retriever.section_chunks(meta.doc, parsed.section or "")
            if not chunks:
                continue
            items = section_items(chunks)
            if parsed.item:  # "拆违经费项目有什么问题" — only the items about it
                items = [i for i in items if parsed.item[:4] in i[0]] or items
            lines.append(f"{short_name(meta)}{year_of(meta)}报告“{chunks[0].section_path[0]}”部分：")
            for quote, line, chunk in items[:MAX_TEXT_ITEMS]:
                citations.append(Citation(meta.doc, meta.org, " > ".join(chunk.section_path), quote, line))
                lines.append(f"{quote}[{len(citations)}]")
        if not citations:
            return None
        return Answer(parsed.text, "\n".join(lines), True, None, None, citations, "text")

    def _explain(self, parsed: ParsedQuestion) -> Answer | None:
        """ "为什么…只得了0.5分": the report's own words next to the figure."""
        meta = parsed.units[0]
        fact = self.index.best(
            meta.doc, item_level(parsed.metric) if parsed.item else parsed.metric, parsed.item
        )
        if fact is None and parsed.item:
            fact = self.index.best(meta.doc, "指标得分", parsed.item) or self.index.best(
                meta.doc, "项目评价得分", parsed.item
            )
        chunk = self.retriever.by_id.get(fact.chunk_id or "") if fact else None
        cite = explanation(chunk, fact.quote, fact.line) if chunk and fact else None
        if cite is None:
            return None
        citations = [cite]
        deduct = [
            c
            for _, c in best_sentences(
                self.retriever.section_chunks(meta.doc, "自评结论"), parsed.text + "扣分原因", 2
            )
        ]
        citations += [c for c in deduct if "扣" in c.quote and c.quote != cite.quote]
        lines = [f"{short_name(meta)}{year_of(meta)}报告中的相关说明："] + [
            f"{c.quote}[{i}]" for i, c in enumerate(citations, 1)
        ]
        return Answer(parsed.text, "\n".join(lines), True, None, None, citations, "text")

    def _passages(self, parsed: ParsedQuestion) -> Answer:
        """A free question about a report: the sentences that best match it, only if they match well."""
        evidence = self.retriever.retrieve(parsed.text, [u.doc for u in parsed.units], 6)
        ranked = best_sentences([e.chunk for e in evidence], parsed.text, 3)
        good = [c for score, c in ranked if score >= MIN_PASSAGE_OVERLAP]
        if not good:
            return self._not_in_reports(parsed)
        lines = [f"{self._who(parsed)}报告中与问题最相关的原文："] + [
            f"{c.quote}[{i}]" for i, c in enumerate(good, 1)
        ]
        return Answer(parsed.text, "\n".join(lines), True, None, None, good, "text")

    def _not_in_reports(self, parsed: ParsedQuestion, reason: str | None = None) -> Answer:
        if parsed.unknown_unit:
            indexed = "、".join(sorted({short_name(m) for m in self.metas}))
            return Answer(
                parsed.text,
                f"索引中没有“{parsed.unknown_unit}”的报告。已索引的单位：{indexed}。",
                False,
                kind="unanswerable",
            )
        if parsed.units and parsed.year is not None and all(u.year != parsed.year for u in parsed.units):
            names = "、".join(sorted({short_name(u) for u in parsed.units}))
            return Answer(
                parsed.text, f"索引中没有{names}{parsed.year}年的报告。", False, kind="unanswerable"
            )
        subject = parsed.item or metric_label(parsed.metric) or "这一内容"
        text = reason or f"{self._who(parsed)}的报告中没有载明{subject}。"
        evidence = self.retriever.retrieve(parsed.text, [u.doc for u in parsed.units] or None, 3)
        citations = [c for _, c in best_sentences([e.chunk for e in evidence], parsed.text, 3)]
        if citations:
            text += "\n以下是最接近的原文，仅供参考（其中没有所问的答案）："
        return Answer(parsed.text, text, False, None, None, citations, "unanswerable")

    @staticmethod
    def _who(parsed: ParsedQuestion) -> str:
        return "、".join(short_name(u) for u in parsed.units) or "已索引"
