"""The assistant's brain on the embedded default: no LLM. Facts answer figures, code computes derived values,
sections answer text questions, retrieval finds passages; `verify` checks all of it before it leaves."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from assistant import derive, open_derive, prior_year, smalltalk
from assistant.facts_view import (
    FactIndex,
    fact_citation,
    fmt_number,
    indexed_names,
    item_level,
    metric_label,
    short_name,
    stated,
    year_of,
)
from assistant.models import Answer, Citation, Evidence, ParsedQuestion
from assistant.multipart import ask_parts, join_answers
from assistant.open_figures import (
    CHANGE,
    TO_YUAN,
    WHOLE_SAID,
    asks_unit,
    best_figure,
    expected_units,
    lead_words,
    position_in,
    shown_label,
    shown_value,
    table_project,
    unmatched_words,
)
from assistant.passages import (
    best_sentences,
    coverage,
    explanation,
    field_value,
    holds_number,
    reason_sentences,
    row_reason,
    section_items,
    stated_changes,
    stated_figures,
)
from assistant.retrieve import HybridRetriever
from assistant.understand import SCORE_FILLER, QuestionParser, one_unit
from assistant.units import strip_places
from assistant.verify import is_instruction, numbers_in, verify
from index.embedders import Embedder, make_embedder
from index.figures import run_cells
from index.metrics import BY_NAME
from index.models import Chunk, Fact, Figure, ReportMeta
from index.normalize import CJK, match_key
from index.provenance import locate
from index.repair import open_query_vectors
from index.settings import Settings
from index.store import IndexMissing, ReportStore, VectorStore, check_embedder

MAX_TEXT_ITEMS = 8
# "这份自评报告是哪个年度的", "评的是哪一年": the year a report covers (not a figure's year)
_ASKS_REPORT_YEAR = re.compile(
    r"(?:报告|自评|评价|这份|决算).{0,8}(?:是|为|评的是|属于)?(?:哪个|哪一|什么|几)(?:年度|年份|年)(?:的)?[？?]?$"
)
# when a report was written, asked as staff ask it ("自评报告是哪天出的", "自评表什么时候填的")
_WHEN_WRITTEN = re.compile(
    r"(?:报告|自评表|评价表)[^，,？?]{0,6}(?:哪天|哪一天|什么时候|何时|啥时候|日期)|(?:哪天|什么时候|何时|啥时候)(?:出|写|填|报)"
)
_TITLE_WORDS = re.compile(r"报告|自评|评价|决算|绩效")
# A passage answers a free question only when it holds this share of the question's words.
MIN_PASSAGE_OVERLAP = 0.45
# A question longer than this is cut before it is parsed or embedded (a pasted page would take a minute).
MAX_QUESTION_CHARS = 300
TOO_LONG = "（问题过长，只按开头部分作答。）\n"


_NOTE_IN_BRACKETS = re.compile(r"[（(][^（）()]*[）)]")
_UNIT_WIDE = {"全年预算数", "年初预算数", "执行数", "预算执行率"}
_PART_SUBJECT = re.compile(r"^[^，,；;。]{0,12}?(项目支出|基本支出|人员经费|公用经费)")


def _about_a_part(quote: str, question: str) -> bool:
    """A unit-wide figure read from a sentence whose subject is a part of the spending the question does not
    name ("2023年度项目支出年初预算安排…，全年预算数…")."""
    m = _PART_SUBJECT.search(quote)
    return bool(m) and m.group(1) not in question


def topic_of(meta: ReportMeta) -> str:
    """What every figure of a report is about: its title and names (its project)."""
    return f"{meta.title} {' '.join(meta.aliases)}"


def cap_question(question: str) -> tuple[str, bool]:
    question = question.strip()
    return (question[:MAX_QUESTION_CHARS], True) if len(question) > MAX_QUESTION_CHARS else (question, False)


# “三公”经费's three parts, as asked and as a report's label must name each
_SANGONG_PARTS = ("因公出国(境)费", "公务用车购置及运行维护费", "公务接待费")
_SANGONG_SAID = {
    "因公出国(境)费": r"出国|出境",
    "公务用车购置及运行维护费": r"公务用车|公车|车辆",
    "公务接待费": r"公务接待",
}
MIN_TEXT_OVERLAP = 0.3
RUNNER_UP_SHARE = 0.5  # of MIN_TEXT_OVERLAP: a sentence shown beside one that passes it
# A budget the report gives only through the spending's change against it ("支出27.90万元，比年初预算数减少
# 0.64万元"): the spending metric whose sentences to read.
BUDGET_OF = {"三公经费预算数": "三公经费"}
# A passage answers a question for a figure no metric covers only when it holds this share of the subject.
FIGURE_COVERAGE = 0.75


# what is left, asked in the words a report states it with ("结余多少"): its own figure answers first
_REMAINDER_WORDS = r"结余|剩余|余额|结存"
_STATED_REMAINING = re.compile(_REMAINDER_WORDS)
# …and as a report states one in its own words ("尚余…万元未支付", "尚有…未拨付")
_LEFT_STATED = re.compile(rf"{_REMAINDER_WORDS}|尚余|尚有[^，,。；;]{{0,6}}未")
# the words asking what is left, not naming what it is of
_LEFT_ASKED = re.compile(
    r"还剩|还有|剩下|剩余|剩|结余|多少钱?|没花|没用|没付|没支付|没拨付?|未拨付|没执行|未执行|没发|掉|了|的|呢|吗|是"
)
# the rows of a 自评表's budget block: their rate column is the budget's execution rate
_BUDGET_ROW = re.compile(r"资金|拨款|总额|总金额|合计|经费|预算")
# "预算执行那块得了几分", "执行率得分多少": the budget execution's score, not the rate
_BUDGET_SCORE_ASKED = re.compile(
    r"(?:预算执行|执行率?)(?:率|这块|那块|这项|那项|方面|情况)?(?:的)?(?:得了?|得分|打了|几分|多少分)"
)
# words every project's name has: what is left names which project
_GENERIC_PROJECT_WORDS = re.compile(
    r"建设|项目|专项|资金|经费|工程|补助|自评表?|表里|表中|整体|部门|机关|支出|绩效|评价|总分|得分|分数|"
    r"[这那](?:一)?[个张块项笔份]"
)
_RATE_WORDS = re.compile(r"(?:预算)?执行率|算下来|算出来|大概|是|有|为|多少|几|[？?。，,\s]")
REPORT_OPENING_CHARS = 2000  # where a report says what it is about (its title, its 项目概况)
_BUDGET_TOTAL_ROW = re.compile(r"资金总额|总金额|资金合计|合计|总计")


# the words of a figure's own name and of asking it: what a subject holds beyond them says whose figure
_FIGURE_NAME_WORDS = re.compile(
    r"预算|执行率|执行|完成率|自评|得分|总分|分数|支出|收入|总额|总计|合计|决算|三公|经费|结转|结余|人员|"
    r"基本|项目|财政|拨款|资金|多少|几|是|的|为|了|呢|吗|年度?|整体|部门|单位|各|[？?，,\s〇]"
)


_CN_ORDINALS = "一二三四五六七八九"
# words naming the whole unit's spending, not a part of it ("机关整体支出绩效自评")
_WHOLE_UNIT_WORDS = re.compile(r"(?:部门|机关|单位)?整体支出|(?:部门|机关|单位)整体|绩效|自评")
# a label naming the whole report's score, nothing before it but a heading's number ("(一)自评得分")
_WHOLE_SCORE = re.compile(
    r"^(?:[（(]?[一二三四五六七八九十\d]+[）)、.．]?)?(?:部门整体支出)?(?:绩效)?"
    r"(?:自评总?得分|自评总分|综合(?:评价)?得分|综合评分|总得分|评价得分)$"
)


def _sole(cells: Sequence[Figure], key: Callable[[Figure], object] = lambda f: f.value) -> Figure | None:
    """The one score cell of its kind: the first, when all state one value (by `key`); none when two differ."""
    return cells[0] if len({key(f) for f in cells}) == 1 else None


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
        # a report's text, read only when a question names no unit (and then not kept)
        self.parser = QuestionParser(self.metas, items, lambda doc: self.store.source_text(doc) or "")
        self.index = FactIndex(self.facts)
        self.years = {m.doc: m.year for m in self.metas}
        self._sources: dict[str, str | None] = {}
        self._figures: dict[str, list[Figure]] = {}
        self.notes: list[str] = []  # what the user should know about the index (printed by the CLI)

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
        check_embedder(store, embedder.name)  # the dimension is checked on the first query's vector
        notes: list[str] = []
        if vectors is None:
            vectors, note = open_query_vectors(settings)
            notes += [note] if note else []
        retriever = HybridRetriever(settings, store, vectors, embedder)
        # a chunk that needs no vector of its own (index/embed_units.py) is not missing one
        missing = store.vectors_expected() - vectors.count()
        if missing > 0 and not notes:  # chroma/ deleted or emptied, or a run killed mid-way
            notes.append(
                f"向量索引缺少 {missing} 个段落的向量，这些段落暂时只按关键词检索。"
                f"运行 `python -m assistant ingest <报告文件或目录> --index {settings.index_dir}` 即可补齐。"
            )
        engine = cls(settings, store, retriever, store.facts(), metas)
        engine.notes = notes
        return engine

    # ---- public API -------------------------------------------------------------------------------
    def ask(self, question: str, previous: ParsedQuestion | None = None) -> tuple[Answer, ParsedQuestion]:
        question, cut = cap_question(question)
        several = (
            self._target_and_actual(question, previous)
            or self._counted_each(question, previous)
            or ask_parts(question, previous, self.parser.parse, self.verified)
        )
        if several is None:
            parsed = self.parser.parse(question, previous)
            several = (self.verified(parsed), parsed)
        answer, parsed = several
        return (replace(answer, answer=TOO_LONG + answer.answer) if cut else answer), parsed

    def _target_and_actual(
        self, question: str, previous: ParsedQuestion | None
    ) -> tuple[Answer, ParsedQuestion] | None:
        """ "…满意度目标和实际完成各是多少": the pair the report states side by side, both from that one place,
        never two figures looked up apart (which may pair one row's target with another's result)."""
        asked = open_derive.pair_asked(question)
        if asked is None:
            return None
        subject, units_q = asked
        parsed = self.parser.parse(f"{subject}{units_q}", previous)
        if len({u.doc for u in parsed.units}) != 1:
            return None
        meta = parsed.units[0]
        words = re.sub(r"(?:多少|几).*$", "", self._asked_of(parsed.asked or parsed.subject, meta))
        names = (meta.org, *meta.aliases)
        pair = open_derive.target_and_actual(words, units_q, self.figures(meta.doc), names, topic_of(meta))
        if pair is None:
            return None
        parts = [
            self._figure_part(f"{subject}{role}{units_q}", meta, fig)
            for fig, role in zip(pair, ("目标", "实际完成"), strict=True)
        ]
        return join_answers(question, parts), parsed

    def _figure_part(self, part_question: str, meta: ReportMeta, fig: Figure) -> Answer:
        """One part of a multi-part answer: the figure as the report states it, with its citation."""
        citation = Citation(meta.doc, meta.org, fig.section, fig.quote, fig.line, cells=run_cells(fig))
        what = shown_label(fig) or lead_words(fig) or "原文数字"
        text = f"{short_name(meta)}{year_of(meta)}报告载明：{what} {shown_value(fig)}。[1]"
        return self.check(
            Answer(part_question, text, True, fig.value, fig.unit or None, [citation], "lookup")
        )

    def _counted_each(
        self, question: str, previous: ParsedQuestion | None
    ) -> tuple[Answer, ParsedQuestion] | None:
        """ "两批钱各下了多少": the figures named alike that stand clearly above every other, that many of
        them, each answered with its own citation in the order the report states them."""
        asked = open_derive.each_counted(question)
        if asked is None:
            return None
        words, count, units_q = asked
        parsed = self.parser.parse(f"{words}{units_q}", previous)
        if len({u.doc for u in parsed.units}) != 1:
            return None
        meta = parsed.units[0]
        said = re.sub(r"(?:多少|几).*$", "", self._asked_of(parsed.asked or parsed.subject, meta))
        # (score_figures keeps only figures of the kind asked: 多少钱 → amounts)
        found = open_derive.counted_figures(
            said, count, f"{said}{units_q}", self.figures(meta.doc), (meta.org, *meta.aliases), topic_of(meta)
        )
        if not found:
            return None
        in_order = sorted(found, key=lambda f: (f.line, position_in(f, f.context)))
        parts = [
            self._figure_part(f"{said}（其{_CN_ORDINALS[k]}）{units_q}", meta, fig)
            for k, fig in enumerate(in_order)
        ]
        return join_answers(question, parts), parsed

    def verified(self, parsed: ParsedQuestion) -> Answer:
        return self.check(self.answer(parsed))

    def check(self, answer: Answer) -> Answer:
        """The verification gate: quotes re-found in their sources, every number supported."""
        return verify(answer, self.source, self.years)

    def answer(self, parsed: ParsedQuestion) -> Answer:
        """The unverified answer for a parsed question (LLM mode writes prose from this same evidence)."""
        small = smalltalk.reply_to(parsed, self.parser.content.speaks_of)
        if small is not None:
            return small
        if parsed.kind in ("lookup", "derived", "text") and parsed.ambiguous_units and not parsed.superlative:
            names = "、".join(parsed.ambiguous_units)
            return Answer(
                parsed.text,
                f"已索引的报告中有几个单位都可以这样称呼：{names}。请写明是哪一个单位（如加上县、区或镇的名称）。",
                False,
                kind=parsed.kind,
            )
        if parsed.prior_year:
            return self._last_year(parsed)
        if (year_answer := self._report_year(parsed)) is not None:
            return year_answer
        if parsed.kind != "unanswerable" and parsed.ambiguous_items:
            # (shown without bracketed digits, "(2021-2025)": no source is cited here to support them)
            names = "、".join(
                re.sub(r"[（(][^（()）]*\d[^（()）]*[）)]", "", n) for n in parsed.ambiguous_items
            )
            return Answer(
                parsed.text,
                f"报告中有几个名称相近的项目：{names}。请说明问的是哪一个。",
                False,
                kind="lookup",
            )
        if _BUDGET_SCORE_ASKED.search(parsed.text) and len(parsed.units) == 1 and not parsed.item:
            # (a report that scores an indicator named 预算执行 answers from it: the closed layer's item)
            # "预算执行那块得了几分": the 自评表's budget row scores the execution (its 得分 column)
            scored = self._budget_row_score(parsed, parsed.units[0])
            if scored is not None:
                return scored
        if parsed.item_missing and parsed.kind in ("lookup", "derived"):
            return self._open_figure(parsed) or self._not_in_reports(
                parsed, f"{self._who(parsed)}的报告中没有载明“{parsed.item_missing}”。"
            )
        if parsed.operation == "average" and len(parsed.units) == 1 and "平均" in parsed.text:
            # "报酬平均多少" where the report states it ("支部书记年均29860元"): its own figure, not a computation
            stated_average = self._open_figure(parsed)
            if stated_average is not None and stated_average.found:
                return stated_average
        if (
            parsed.kind == "derived"
            and parsed.year is None
            and len(parsed.units) > 1
            and one_unit(parsed.units)
        ):
            # a computation naming no year, over one unit's reports of several years: its latest report's
            # ("火场乡全年一共花了多少钱" is that report's total, not a sum across its years)
            parsed = replace(parsed, units=parsed.units[:1], across=False)
        handler = {
            "lookup": self._lookup,
            "derived": self._derived,
            "compare": self._compare,
            "text": self._text,
        }
        answer = handler.get(parsed.kind, self._not_in_reports)(parsed)
        # a computation asks a figure ("还差多少"); "为啥没完成" asks for the report's words
        op = open_derive.plan(parsed.text)
        # ("拨付率是多少" the report states is its answer; computed only when it does not)
        computation = (
            parsed.units and parsed.asks_figure and op is not None and not (op.stated_first and answer.found)
        )
        # "比上年减少…", "结余48.25万元": stated in the report, not computed
        stated_change = answer.found and (
            parsed.operation == "yoy"
            or (
                parsed.operation == "remaining"
                and answer.kind == "lookup"
                and (
                    _STATED_REMAINING.search(parsed.text)
                    or (answer.citations and all(_LEFT_STATED.search(c.quote) for c in answer.citations))
                )
            )
        )
        if computation and not stated_change and (not answer.found or answer.kind != "derived"):
            # a computation the closed layer could not do (or answered with a plain figure): over open figures
            return (
                self._open_derived(parsed)
                or self._stated_total(parsed)
                or (
                    answer
                    if not answer.found or answer.value is None
                    else self._not_in_reports(parsed, "计算所需的数字在报告中没有都找到，无法计算。")
                )
            )
        return answer

    def _last_year(self, parsed: ParsedQuestion) -> Answer:
        """A year the unit has no report of, asked of its next (or last) year's report: a figure it states
        for that year in so many words, or last year's figure as this year's less the change the report
        states against it — never this year's figure."""
        name = "、".join(sorted({short_name(u) for u in parsed.units}))
        missing = f"索引中没有{name}{parsed.year}年的报告。"
        figure_asked = parsed.kind in ("lookup", "derived") or (parsed.kind == "text" and parsed.asks_figure)
        if not figure_asked or len({u.doc for u in parsed.units}) != 1:
            return Answer(parsed.text, missing, False, kind="unanswerable")
        meta = parsed.units[0]
        asked = prior_year.YearAsked(
            parsed.text,
            self._asked_of(parsed.asked or parsed.subject, meta),
            parsed.year or 0,
            self.figures(meta.doc),
            (meta.org, *meta.aliases),
            topic_of(meta),
        )
        # ("…一共多少" naming no parts asks a total the report may state for that year)
        if parsed.operation is None or (parsed.operation == "sum" and open_derive.plan(parsed.text) is None):
            own = prior_year.stated_for(asked)
            if own is not None:
                cite = Citation(meta.doc, meta.org, own.section, own.quote, own.line, cells=run_cells(own))
                text = (
                    f"{short_name(meta)}{year_of(meta)}报告载明：{shown_label(own)} {shown_value(own)}。[1]"
                )
                return Answer(parsed.text, text, True, own.value, own.unit or None, [cite], "lookup")
        if meta.year != (parsed.year or 0) + 1:
            return Answer(parsed.text, missing, False, kind="unanswerable")
        found = prior_year.last_year(asked, meta.year)
        if found is None:
            said = f"{name}{year_of(meta)}的报告中也没有载明它与上年相比的变化，无法推算。"
            return Answer(parsed.text, missing + said, False, kind="unanswerable")
        now, change = found.current, found.change
        citations = [Citation(meta.doc, meta.org, now.section, now.quote, now.line, cells=run_cells(now))]
        stated = prior_year.change_words(change)
        if stated not in now.quote:
            citations.append(Citation(meta.doc, meta.org, change.section, stated, change.line))
        marks = "".join(f"[{i}]" for i in range(2, len(citations) + 1)) or "[1]"
        text = (
            f"{missing}{name}{year_of(meta)}报告载明：{shown_label(now)} {shown_value(now)}[1]，"
            f"{stated}{marks}；据此{parsed.year}年 = {found.formula}{now.unit}。"
        )
        computed = [found.value, change.value, *found.operands, float(parsed.year or 0)]
        return Answer(parsed.text, text, True, found.value, now.unit, citations, "derived", computed)

    def _stated_total(self, parsed: ParsedQuestion) -> Answer | None:
        """A sum asked ("中央和省级资金一共下达了多少") that the report states as a total ("共计下达中央、省级
        补助资金1250万元"): the stated figure, when its sentence says it is a total."""
        op = open_derive.plan(parsed.text)
        if op is None or op.kind != "sum":
            return None
        stated = self._open_figure(parsed, compute_ok=True)
        # a total in so many words ("共计…"), or the one figure of a sentence (or row) naming the parts
        # together ("聘用讲解员、综治队员以及物业管理人员 | 32人 | 32人")
        if stated is None or not all(
            WHOLE_SAID.search(c.quote) or len(set(re.findall(r"\d[\d,]*(?:\.\d+)?", c.quote))) == 1
            for c in stated.citations[:1]
        ):
            return None
        # the total must name the parts asked ("共计下达中央、省级…"): "各级财政共投入…" is more than 中央 + 省级
        listed = open_derive.plan(parsed.asked) if parsed.asked else None  # (parts, not the unit's own 和)
        said = stated.citations[0].quote
        parts = [re.sub(r"(?:资金|经费|补助|的)+$", "", w)[-2:] for w in (listed.operands if listed else ())]
        return stated if all(p in said for p in parts if p) else None

    def retrieve(self, question: str, k: int | None = None) -> list[Evidence]:
        parsed = self.parser.parse(question)
        docs = [u.doc for u in parsed.units] or None
        return self.retriever.retrieve(question, docs, k)

    def source(self, doc: str) -> str | None:
        if doc not in self._sources:
            self._sources[doc] = self.store.source_text(doc)
        return self._sources[doc]

    def figures(self, doc: str) -> list[Figure]:
        """A report's open figures, read once; sentences that read as instructions to a model never count."""
        if doc not in self._figures:
            self._figures[doc] = [f for f in self.store.figures(doc) if not is_instruction(f.context)]
        return self._figures[doc]

    # ---- handlers ---------------------------------------------------------------------------------
    def _lookup(self, parsed: ParsedQuestion) -> Answer:
        if (
            not parsed.units
            and parsed.metric
            and not (parsed.item or parsed.unknown_unit or parsed.period)
            # "…租车经费执行率多少": a subject beyond the figure's name is one unit's; every unit's
            # rate would answer another question
            and len(_FIGURE_NAME_WORDS.sub("", parsed.subject or "")) < 4
        ):
            # "预算执行率是多少？" naming no unit: every indexed unit's figure, each cited, rather than a refusal
            listed = self._compare(replace(parsed, superlative="all", kind="compare"))
            if listed.found:
                lead = "问题没有写明单位，以下列出已索引各单位的数字；如需某一单位，请写明单位名称。"
                return replace(
                    listed, answer=lead + "\n" + listed.answer, value=None, unit=None, kind="lookup"
                )
        if not parsed.units:
            return self._not_in_reports(parsed, "问题中没有识别出单位名称，请写明单位（如“永平街道”）。")
        if parsed.period and not parsed.item:  # a quarter's figure is never the year's
            return self._stated(parsed) or self._not_in_reports(
                parsed,
                f"{self._who(parsed)}的报告中没有载明{parsed.subject or parsed.period}"
                f"（报告中的全年数字不能代替{parsed.period}的数字）。",
            )
        lines: list[str] = []
        citations: list[Citation] = []
        first: Fact | None = None
        asked = [(meta, metric) for meta in parsed.units for metric in parsed.metrics or (parsed.metric,)]
        for meta, metric in asked:
            fact = self.index.best(meta.doc, metric, parsed.item)
            if (
                fact is not None
                and not parsed.item
                and fact.metric in _UNIT_WIDE
                and _about_a_part(fact.quote, parsed.text)
            ):
                fact = None  # "项目支出…全年预算数…" is the projects' figure; the open layer looks further
            if fact is None:
                if parsed.metrics:
                    lines.append(f"{short_name(meta)}{year_of(meta)}的报告中没有载明{metric_label(metric)}。")
                continue
            citations.append(fact_citation(fact))
            what = f"{fact.item}的" if fact.item else ""
            lines.append(
                f"{short_name(meta)}{year_of(meta)}{what}{metric_label(fact.metric)}为{stated(fact)}。[{len(citations)}]"
            )
            first = first or fact
        if first is None:
            return (
                self._budget_from_change(parsed)
                or self._open_figure(parsed)
                or self._rate_from_amounts(parsed)
                or self._sangong_from_parts(parsed)
                or self._not_in_reports(parsed)
            )
        if len(citations) == 1 and not parsed.metrics and self._asks_a_part(parsed, first):
            # "电子政务外网运行维护花了多少": a part the report states (or not), never the whole unit's total
            return self._open_figure(parsed) or self._not_in_reports(
                parsed,
                f"{self._who(parsed)}的报告只载明了总的{metric_label(first.metric)}，"
                f"没有单独载明问题所说的这一部分。",
            )
        computed: list[float] = []
        if parsed.threshold and len(citations) == 1 and not parsed.metrics:
            lines.append(derive.threshold_line(first, parsed.threshold))
            computed.append(parsed.threshold[1])
        return Answer(
            parsed.text, "\n".join(lines), True, first.value, first.unit, citations, "lookup", computed
        )

    def _rate_from_amounts(self, parsed: ParsedQuestion) -> Answer | None:
        """An execution rate the report does not state, from the spending and the budget it does state
        ("实际支出64万元", "预算80万元"): 执行数 ÷ 预算数, each cited, the formula shown."""
        if parsed.metric != "预算执行率" or len(parsed.units) != 1 or parsed.metrics:
            return None
        core = _RATE_WORDS.sub("", parsed.asked or "").strip()
        asked = f"{core}实际支出占预算的比例"
        share = replace(parsed, text=asked, asked=asked)
        done = self._open_derived(share)
        return replace(done, question=parsed.text) if done is not None and done.kind == "derived" else None

    def _sangong_from_parts(self, parsed: ParsedQuestion) -> Answer | None:
        """“三公”经费 the report does not total, from its three parts it does state — 因公出国(境)费, 公务用车
        购置及运行费, 公务接待费 — each found on its own and cited; with any part missing, no total."""
        if parsed.metric != "三公经费" or len({u.doc for u in parsed.units}) != 1 or parsed.metrics:
            return None
        meta = parsed.units[0]
        names = (meta.org, *meta.aliases)
        figures = [f for f in self.figures(meta.doc) if f.unit in TO_YUAN]
        found = []
        for part in _SANGONG_PARTS:
            match = best_figure(f"{part}多少钱", part, figures, names, year=parsed.year or meta.year)
            if match is None or not match.confident or not re.search(_SANGONG_SAID[part], match.figure.label):
                return None
            found.append(match.figure)
        done = open_derive.sum_of(found)
        if done is None:
            return None
        citations = [
            Citation(meta.doc, meta.org, f.section, f.quote, f.line, cells=run_cells(f)) for f in found
        ]
        parts = "，".join(f"{shown_label(f)} {shown_value(f)}[{i}]" for i, f in enumerate(found, 1))
        text = f"{short_name(meta)}{year_of(meta)}报告没有载明“三公”经费合计，载明了它的三项：{parts}；计算：{done.formula}。"
        return Answer(parsed.text, text, True, done.value, done.unit, citations, "derived", [done.value])

    @staticmethod
    def _asks_a_part(parsed: ParsedQuestion, fact: Fact) -> bool:
        """The question names more than the fact's sentence covers: a part of that figure, a sub-item."""
        if parsed.item or fact.item or parsed.threshold or fact.metric not in BY_NAME:
            return False
        meta = parsed.units[0]
        known = (*BY_NAME[fact.metric].synonyms, meta.org, *meta.aliases)
        # the clause that states the figure, not its whole sentence (which may go on to list the parts)
        clauses = re.split(r"[，,；;。]", fact.quote)
        at = next((i for i, c in enumerate(clauses) if fact.text and fact.text.replace(" ", "") in c), None)
        clause = fact.quote if at is None else clauses[at]
        if at and len(re.findall(r"[\u4e00-\u9fff]", clause)) <= 4:
            # "…自评总分100分，得分91.3分": a clause of the metric word alone is about the one before it
            clause = f"{clauses[at - 1]}{clause}"
        asked = strip_places(parsed.asked, meta)
        if fact.metric in ("自评得分", "自评总分值"):
            # "机关整体支出绩效自评得了多少分": the whole unit's score, no part of it
            asked = _WHOLE_UNIT_WORDS.sub("", asked)
        # (the places the asker puts before the unit, "白云区永平街道", are who, not a part of the figure)
        return unmatched_words(asked, clause + fact.section, known) > 0.6

    def _chunks_of(self, doc: str) -> list[Chunk]:
        return self.retriever.doc_chunks(doc)

    def _budget_from_change(self, parsed: ParsedQuestion) -> Answer | None:
        """预算 = 支出 − 变化, from a sentence that states both ("比年初预算数减少0.64万元")."""
        spending = BUDGET_OF.get(parsed.metric or "")
        if spending is None or len(parsed.units) != 1 or parsed.item:
            return None
        meta = parsed.units[0]
        found = [
            c
            for c in stated_changes(self._chunks_of(meta.doc), BY_NAME[spending].synonyms)
            if c.base == "预算"
        ]
        if not found:
            return None
        c = found[0]
        budget = round(c.value - c.change, 2)
        op = "+" if c.change < 0 else "−"
        text = (
            f"{short_name(meta)}{year_of(meta)}报告：{spending}{c.shown}[1]；"
            f"{metric_label(parsed.metric)} = {fmt_number(c.value)} {op} {fmt_number(abs(c.change))} = "
            f"{fmt_number(budget)}{c.unit}。"
        )
        return Answer(parsed.text, text, True, budget, c.unit, [c.citation], "derived", [budget])

    def _stated(self, parsed: ParsedQuestion) -> Answer | None:
        """A figure no extracted metric covers, stated in the report right after the question's own words
        ("公务接待费3.20万元", "年末实有人数81人"): answered with that sentence, never with a guess."""
        lines: list[str] = []
        citations: list[Citation] = []
        values: set[tuple[float, str]] = set()
        for meta in parsed.units[:3]:
            owners = (meta.org, *meta.aliases)
            for found in stated_figures(self._chunks_of(meta.doc), parsed.subject, owners):
                citations.append(found.citation)
                values.add((found.value, found.unit))
                lines.append(f"{short_name(meta)}{year_of(meta)}报告载明：{found.shown}。[{len(citations)}]")
        if not citations:
            return None
        value, unit = next(iter(values)) if len(values) == 1 else (None, None)
        if len(citations) > 1 and value is None:
            # (no digits of its own: every number an answer shows must stand in a cited quote)
            lines.insert(0, f"报告中有多处载明{parsed.subject}，不能确定问的是哪一处：")
        return Answer(parsed.text, "\n".join(lines), True, value, unit, citations, "lookup")

    def _asked_of(self, words: str, meta: ReportMeta) -> str:
        """What is asked of this report: the words less the unit's own places (a place its figures
        speak of stays)."""
        return strip_places(words, meta, "".join(f.quote for f in self.figures(meta.doc)))

    def _open_figure(
        self, parsed: ParsedQuestion, change: bool = False, compute_ok: bool = False
    ) -> Answer | None:
        """Any figure the report states, matched by the words that name it (the open layer); only when
        one figure clearly wins, never a guess between rivals. `change`: the question asks a change against
        last year, which only a figure stated as a change answers ("比上年减少2.10万元")."""
        lines: list[str] = []
        citations: list[Citation] = []
        first: Figure | None = None
        for meta in parsed.units[:3]:
            names = (meta.org, *meta.aliases)
            asked = self._asked_of(parsed.asked or parsed.subject, meta)
            near = parsed.near[1] if parsed.near and parsed.near[0] == meta.doc else None
            figures = self.figures(meta.doc)
            if change:  # only a figure stated as a change answers one; the year's total is no rival to it
                figures = [f for f in figures if CHANGE.search(f.label)]
            # (a row stating one value twice, "满意度 | 95% | 95%" under 目标值 | 实际完成值, keeps both: the
            # words asked tell its cells apart)
            twice = sum((f.line, f.value) == (near, parsed.near_value) for f in figures) > 1
            if near is not None and parsed.near_value is not None and not twice:
                # a later part never asks the first part's figure again: it is no rival to the one it asks
                figures = [f for f in figures if (f.line, f.value) != (near, parsed.near_value)]
            match = best_figure(
                parsed.text,
                asked,
                figures,
                names,
                compute_ok=change or compute_ok,
                near=near,
                year=parsed.year or meta.year,
                topic=topic_of(meta),
            )
            again = (
                match is not None
                and parsed.near_value is not None
                and not twice
                and (match.figure.line, match.figure.value) == (near, parsed.near_value)
            )  # a later part never asks the first part's figure again
            if match is None or not match.confident or again:
                listed = self._listed_next(parsed, meta, asked) if near is not None else None
                listed = listed or self._overall_score(parsed, meta, asked, figures)
                if listed is None:
                    continue
                fig = listed
            else:
                fig = match.figure
            if change and not CHANGE.search(fig.label):
                continue
            in_row = near is not None and abs(fig.line - near) <= 1
            if (
                parsed.item_missing
                and not in_row
                # the project a report is about, named in its title, is what all of its figures are about
                and coverage(parsed.item_missing, f"{fig.label}{fig.quote}{meta.title}{table_project(fig)}")
                < 0.75
                and not (not fig.row and self._about_report(parsed.item_missing, meta))
            ):
                continue  # an indicator the report does not list is not answered with another figure
            named = BY_NAME[parsed.metric].synonyms if parsed.metric in BY_NAME else ()
            said = max((w for w in named if w in parsed.text), key=len, default="").removesuffix("数")
            said = re.sub(r"^年?(?:一共|总共|共)", "", said) or said  # "一共支出": 支出 is what names it
            only_metric = said and not unmatched_words(asked, "", (*named, *names))
            # a budget table's rate column ("年度资金总额 … 执行率 76%") is the 预算执行率 by another name
            budget_rate = (
                said == "预算执行率"
                and _NOTE_IN_BRACKETS.sub("", fig.column) == "执行率"  # "执行率(B/A)"
                and bool(_BUDGET_ROW.search(fig.row))
            )
            # "实际花了多少": the asker's own words, which no figure of the report is named with, are answered
            # by the 执行数 column itself (the metric's own name)
            own_name = parsed.metric or ""
            colloquial = bool(said) and not any(said in f"{f.label}{f.column}" for f in figures)
            by_own_name = colloquial and bool(fig.column) and own_name.removeprefix("全年") in fig.column
            if (
                only_metric
                and not in_row
                and not budget_rate
                and not by_own_name
                and said not in f"{fig.label}{fig.column}"
            ):
                # "年初预算数是多少" names just a known metric: only a figure named with the asker's words
                # answers it (not 预算数, the year's; not 办公经费 for 三公经费)
                continue
            citations.append(
                Citation(meta.doc, meta.org, fig.section, fig.quote, fig.line, cells=run_cells(fig))
            )
            marks = f"[{len(citations)}]"
            named = self._row_citation(meta, fig, fig.label)
            if named is not None:  # "7岁以下儿童健康管理率": the row's name, cited where it stands
                citations.append(named)
                marks += f"[{len(citations)}]"
                fig = replace(fig, quote=f"{fig.quote} {named.quote}")
            # never the asker's words as if the report said them: the report's own, before the figure
            what = shown_label(fig) or lead_words(fig) or "原文数字"
            lines.append(f"{short_name(meta)}{year_of(meta)}报告载明：{what} {shown_value(fig)}。{marks}")
            first = first or fig
        if first is None:
            return None
        unit = first.unit or None
        return Answer(parsed.text, "\n".join(lines), True, first.value, unit, citations, "lookup")

    def _about_report(self, named: str, meta: ReportMeta) -> bool:
        """Whether words a question adds ("乡村文化振兴项目", "这个项目") name what the whole report is
        about: its opening states them (less the words every project has). A figure of the report, not of
        one of its rows, then answers for it."""
        core = _GENERIC_PROJECT_WORDS.sub("", named)
        opening = (self.source(meta.doc) or "")[:REPORT_OPENING_CHARS]
        return not core or (len(core) >= 4 and coverage(core, opening) >= 0.75)  # ("管理": an indicator)

    def _budget_row_score(self, parsed: ParsedQuestion, meta: ReportMeta) -> Answer | None:
        """The score a 自评表 gives its budget execution: the 得分 cell of its total budget row, when the report
        holds one such table (several projects' tables: which one is asked is not guessed)."""
        figures = self.figures(meta.doc)
        # the budget table's total row, known by its rate cell beside the score ("合计" of an indicator table,
        # the total of all scores, is no budget row)
        rated = {f.row for f in figures if f.row and "执行率" in f.column}
        cells = [
            f
            for f in figures
            if f.unit == "分"
            and f.column.startswith("得分")
            and _BUDGET_TOTAL_ROW.search(f.row)
            and f.row in rated
        ]
        fig = _sole(cells, lambda f: (f.section, f.value))
        if fig is None or (parsed.year and meta.year != parsed.year):
            return None
        citation = Citation(meta.doc, meta.org, fig.section, fig.quote, fig.line, cells=run_cells(fig))
        text = f"{short_name(meta)}{year_of(meta)}报告载明：预算执行（{fig.row}）得分 {shown_value(fig)}。[1]"
        return Answer(parsed.text, text, True, fig.value, "分", [citation], "lookup")

    def _stated_left(self, parsed: ParsedQuestion) -> Answer | None:
        """ "专项业务费还剩多少没付" of a report on that fund stating "尚余10.20万元未支付": the one amount it states
        as left, when what is asked is named in the report's title or in that figure's own sentence."""
        meta = parsed.units[0]
        rest = _LEFT_ASKED.sub("", self._asked_of(parsed.asked or parsed.subject, meta))
        rest = re.sub(rf"[^{CJK}]", "", rest)
        left = [
            f
            for f in self.figures(meta.doc)
            if f.unit in TO_YUAN
            and _LEFT_STATED.search(f.label)
            # (carried in from the year before, or one source among others: no balance of this year's funds)
            and not re.search(r"结转|上年|以前年度|其他|包括", f.label)
            # (named in its own sentence, or the report's title: a report's opening may list other items)
            and (not rest or (len(rest) >= 2 and (rest in f.context or rest in (meta.title or ""))))
        ]
        if len({(f.value, f.unit) for f in left}) != 1:
            return None
        return self._figure_part(parsed.text, meta, left[0])

    def _overall_score(
        self, parsed: ParsedQuestion, meta: ReportMeta, asked: str, figures: Sequence[Figure]
    ) -> Figure | None:
        """ "松溪流域保护资金这次自评得了几分": the report's own score, asked with no indicator named, is the one
        value its figures name as the whole score (自评得分88.6, 综合评分: 96分) — none when two differ."""
        if parsed.metric != "自评得分" or parsed.item or parsed.item_missing or parsed.near is not None:
            return None
        rest = SCORE_FILLER.sub("", strip_places(asked, meta))
        # (a fund or project named is what the report is about: an indicator is no 资金)
        if not (self._about_report(rest, meta) or re.search(r"(?:资金|经费|项目|专项)$", rest)):
            return None
        return _sole(
            [f for f in figures if f.unit == "分" and _WHOLE_SCORE.search(f.label) and f.value <= 100]
        )

    def _listed_next(self, parsed: ParsedQuestion, meta: ReportMeta, asked: str) -> Figure | None:
        """A later part asking the next thing of a list the first part was read from ("事业编制多少人、实际
        有多少人" over "事业编制54人,实有人数48人"): the figure right after the first one, in its unit, named
        with a word of the part's own. None when the first figure or such a neighbour is not there."""
        if parsed.near is None or parsed.near_value is None or parsed.near[0] != meta.doc:
            return None
        line = [f for f in self.figures(meta.doc) if f.line == parsed.near[1] and not f.column]
        at = next((i for i, f in enumerate(line) if f.value == parsed.near_value), None)
        if at is None or at + 1 >= len(line):
            return None
        first, after = line[at], line[at + 1]
        # a word of the part's own, not a measure every such figure shares (人, 数, 万元)
        own = set(re.sub(rf"多少|几|是|有|呢|吗|{re.escape(first.label)}", "", asked)) & set(
            re.sub(r"[人个名项次元万亿数总共计]", "", after.label)
        )
        units = expected_units(parsed.text)
        if after.unit != first.unit or (units is not None and after.unit not in units) or not own:
            return None
        return after

    def _row_citation(self, meta: ReportMeta, fig: Figure, shown: str) -> Citation | None:
        """A table cell's row name holding numbers its quote lacks ("7岁以下…" over the cell "≥90%"): the source
        line naming the row, a few lines above the cell, so every number shown is cited."""
        if not fig.row or not (numbers_in(shown) - numbers_in(fig.quote)):
            return None
        key = match_key(fig.row)
        lines = (self.source(meta.doc) or "").split("\n")
        for n in range(fig.line - 1, max(0, fig.line - 16), -1):
            if key and key in match_key(lines[n - 1]):
                return Citation(meta.doc, meta.org, fig.section, lines[n - 1].strip(), n)
        return None

    def _open_derived(self, parsed: ParsedQuestion) -> Answer | None:
        """A difference, sum or share of figures the report states, each found as a lookup would be."""
        if len({u.doc for u in parsed.units}) != 1:
            return None
        meta = parsed.units[0]
        names = (meta.org, *meta.aliases)
        asked = self._asked_of(parsed.asked or parsed.text, meta)
        figures = self.figures(meta.doc)
        op = open_derive.plan(asked)
        if op is not None and op.kind == "share":
            # "财政拨款占收入多少": a share the report states ("占本年收入71%") is its answer, not a recomputation
            shares = [f for f in figures if f.unit == "%" and "占" in f.label]
            match = best_figure(f"{asked}占比", asked, shares, names, compute_ok=True, topic=topic_of(meta))
            if match is not None and match.confident and coverage(op.operands[0], match.figure.label) >= 0.5:
                fig = match.figure
                citation = Citation(
                    meta.doc, meta.org, fig.section, fig.quote, fig.line, cells=run_cells(fig)
                )
                text = (
                    f"{short_name(meta)}{year_of(meta)}报告载明：{shown_label(fig)} {shown_value(fig)}。[1]"
                )
                return Answer(parsed.text, text, True, fig.value, "%", [citation], "lookup")
        done = open_derive.compute(asked, figures, names, topic_of(meta))
        if done is None:
            return None
        citations = [
            Citation(meta.doc, meta.org, f.section, f.quote, f.line, cells=run_cells(f)) for f in done.inputs
        ]
        parts = "，".join(
            f"{shown_label(f) or '数字'} {shown_value(f)}[{i}]" for i, f in enumerate(done.inputs, 1)
        )
        text = f"{short_name(meta)}{year_of(meta)}报告载明：{parts}；计算：{done.formula}。"
        computed = [done.value, abs(done.value), 100.0]
        return Answer(parsed.text, text, True, done.value, done.unit, citations, "derived", computed)

    def _derived(self, parsed: ParsedQuestion) -> Answer:
        if parsed.operation == "yoy":
            return self._year_on_year(parsed)
        if parsed.across:
            metas, unsure = list(parsed.units), []
            if not metas:
                metas, unsure = self._every_unit(parsed.year)
            done = derive.across_units(parsed, metas, self.index)
            return (
                self._left_out(done, unsure)
                if done
                else self._not_in_reports(
                    parsed, "这些单位的报告中能相加（或平均）的同一数字不足两个，无法计算。"
                )
            )
        own_word = _STATED_REMAINING.search(parsed.text) if parsed.operation == "remaining" else None
        if parsed.operation == "remaining" and len(parsed.units) == 1:
            # "结余多少" where the report states its 结余 ("随月发放812.15万元,结余48.25万元"): its own figure;
            # "还剩多少没付" where it states what is left in words of its own ("尚余10.20万元未支付")
            found = self._open_figure(parsed, compute_ok=True)
            said = re.compile(re.escape(own_word.group(0))) if own_word else _LEFT_STATED
            if found is not None and found.citations and all(said.search(c.quote) for c in found.citations):
                return found
            left = self._stated_left(parsed)
            if left is not None:
                return left
        if parsed.operation == "difference":
            answer = derive.difference(parsed, self.index)
        else:
            compute = derive.SINGLE_UNIT[parsed.operation or ""]
            answer = compute(parsed, parsed.units[0], self.index) if len(parsed.units) == 1 else None
            if len(parsed.units) > 1:
                return self._not_in_reports(
                    parsed, "问题涉及多个单位，请逐个单位提问，以便给出各自的计算过程。"
                )
        if answer is None and parsed.operation == "sum":
            answer = self._open_figure(parsed)  # "三个标段合计投资多少": the total the report states
            if answer is None and parsed.metric and open_derive.plan(parsed.text) is None:
                # "全年一共花了多少钱", naming no parts: the report's own total of that metric
                total = self._lookup(replace(parsed, kind="lookup", operation=None))
                answer = total if total.found and total.value is not None else None
        return answer or self._not_in_reports(
            parsed, "计算所需的数字在报告中不全（或与问题所说的项数不符），无法计算。"
        )

    def _year_on_year(self, parsed: ParsedQuestion) -> Answer:
        orgs = list(dict.fromkeys(u.org for u in parsed.units))
        if len(orgs) != 1:
            reason = "请写明一个单位，以便比较它前后两年的报告。" if not orgs else "同比请逐个单位提问。"
            return self._not_in_reports(parsed, reason)
        if parsed.metric is None and parsed.item is None:
            # "收支总计比上年少了多少": a change the report states in so many words; "人均收入比上年增长了多少",
            # asking no unit, is answered by the rate of the change when the report states only that
            stated = self._open_figure(parsed, change=True)
            as_rate = replace(parsed, text=re.sub(r"多少(?!钱|万|元)", "百分之几", parsed.text, count=1))
            if (
                stated is None
                and as_rate != parsed
                and not re.search(r"钱|万元|亿元|元|金额|数额", parsed.text)
            ):
                rate = self._open_figure(as_rate, change=True)  # (read only when no amount answered)
                stated = replace(rate, question=parsed.text) if rate else None
            return stated or self._not_in_reports(
                parsed, "请说明要比较哪一项数字（如预算执行率、自评得分），或换一种说法。"
            )
        metas = [m for m in self.metas if m.org == orgs[0]]
        now_year, before_year = derive.year_pair(parsed, metas)
        now = next((m for m in metas if m.year == now_year), None)
        before = next((m for m in metas if m.year == before_year), None)
        name = short_name(metas[0])
        if now is None or before is None:
            have = "、".join(f"{m.year}年" for m in sorted(metas, key=lambda m: m.year or 0))
            missing = now_year if now is None else before_year
            reason = f"索引中没有{name}{missing}年的报告（现有：{have}），无法按两年报告计算同比。"
            # the report itself may state the change against last year ("较上年减少2.10万元")
            if now is not None and parsed.metric in BY_NAME and not parsed.item:
                answer = self._change_stated(parsed, now)
                if answer:
                    return answer
            stated = self._passages(replace(parsed, units=(now,), asks_figure=False)) if now else None
            if (
                stated
                and stated.found
                and any(re.search(r"上年|去年|同比", c.quote) for c in stated.citations)
            ):
                lines = stated.answer.split("\n")
                lead = f"索引中没有{name}用来比较的另一年的报告；本年报告中与上年比较的原文："
                return replace(stated, answer="\n".join([lead, *lines[1:]]))
            return self._not_in_reports(parsed, reason)
        answer = derive.year_on_year(parsed, now, before, self.index)
        return answer or self._not_in_reports(
            parsed, f"{name}{now_year}年或{before_year}年的报告中没有载明所问的数字，无法计算同比。"
        )

    def _change_stated(self, parsed: ParsedQuestion, meta: ReportMeta) -> Answer | None:
        """The change against last year as the report states it, and last year's figure computed from it."""
        words = BY_NAME[parsed.metric or ""].synonyms
        found = [c for c in stated_changes(self._chunks_of(meta.doc), words) if c.base == "上年"]
        if not found:
            return None
        c = found[0]
        before = round(c.value - c.change, 2)
        op = "+" if c.change < 0 else "−"
        direction = "增加" if c.change > 0 else "减少"
        text = (
            f"{short_name(meta)}{year_of(meta)}报告：{metric_label(parsed.metric)}{c.shown}[1]，"
            f"即比上年{direction}{fmt_number(abs(c.change))}{c.change_unit}；"
            f"上年 = {fmt_number(c.value)} {op} {fmt_number(abs(c.change))} = {fmt_number(before)}{c.unit}。"
        )
        computed = [c.change, abs(c.change), before]
        value = derive.as_asked(parsed.text, c.change)
        return Answer(parsed.text, text, True, value, c.change_unit, [c.citation], "derived", computed)

    def _every_unit(self, year: int | None) -> tuple[list[ReportMeta], list[ReportMeta]]:
        """The reports a question across units ranks, and those left out: files the import was unsure are
        self-evaluation reports (a news article's 88.6% must not rank beside the units' own figures)."""
        metas = [m for m in self.metas if year is None or m.year == year]
        return [m for m in metas if m.confirmed], [m for m in metas if not m.confirmed]

    @staticmethod
    def _left_out(answer: Answer, unsure: list[ReportMeta]) -> Answer:
        if not unsure or not answer.found:
            return answer
        # unit names only: a file name's digits would read as figures no quote supports
        names = "、".join(dict.fromkeys(short_name(m) for m in unsure))
        note = f"\n未确认是绩效自评报告、未参与比较：{names}（确认后用 confirm 命令纳入）。"
        return replace(answer, answer=answer.answer + note)

    def _compare(self, parsed: ParsedQuestion) -> Answer:
        unsure: list[ReportMeta] = []
        units = list(parsed.units)
        if not units:
            units, unsure = self._every_unit(parsed.year)
        if not units:
            return self._not_in_reports(parsed)
        if len({u.org for u in units}) == 1:
            return self._compare_items(parsed, units[0])
        return self._left_out(self._ranked(parsed, units), unsure)

    def _ranked(self, parsed: ParsedQuestion, units: list[ReportMeta]) -> Answer:
        rows = [(m, f) for m in units if (f := self.index.best(m.doc, parsed.metric))]
        missing = [m for m in units if not any(m is r[0] for r in rows)]
        if not rows:
            return self._not_in_reports(parsed)
        if parsed.threshold:
            return self._filtered(parsed, rows, missing, parsed.threshold)
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

    def _filtered(
        self,
        parsed: ParsedQuestion,
        rows: list[tuple[ReportMeta, Fact]],
        missing: list[ReportMeta],
        threshold: tuple[str, float, str, str],
    ) -> Answer:
        """ "执行率低于90%的单位有哪些": each unit's figure checked against the threshold, each cited."""
        label = metric_label(rows[0][1].metric)
        hits = [m for m, f in rows if derive.meets(f.value, threshold)]
        head = (
            f"{label}{threshold[3]}的单位：{'、'.join(short_name(m) for m in hits)}。"
            if hits
            else f"没有{label}{threshold[3]}的单位。"
        )
        lines = [head, "各单位情况："]
        lines += [f"{i}. {short_name(m)}{year_of(m)}：{stated(f)} [{i}]" for i, (m, f) in enumerate(rows, 1)]
        if missing:
            lines.append("报告中未载明该数字的单位：" + "、".join(short_name(m) for m in missing) + "。")
        citations = [fact_citation(f) for _, f in rows]
        return Answer(parsed.text, "\n".join(lines), True, None, None, citations, "compare", [threshold[1]])

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
        if parsed.section and parsed.asks_figure and parsed.metric is None:
            # "内设机构有几个" names a section but asks a figure the section states
            answer = self._open_figure(parsed) or self._stated(parsed)
            if answer:
                return answer
        if parsed.section and not (parsed.item and not parsed.explain):
            answer = self._section(parsed)
            if answer:
                return answer
        return self._field(parsed) or self._passages(parsed)

    def _report_year(self, parsed: ParsedQuestion) -> Answer | None:
        """ "这份自评报告是哪个年度的": the year the report covers, cited from the line of its title that says it."""
        if len({u.doc for u in parsed.units}) != 1 or not _ASKS_REPORT_YEAR.search(parsed.text):
            return None
        meta = parsed.units[0]
        if meta.year is None:
            return None
        lines = (self.source(meta.doc) or "").split("\n")
        said = re.compile(rf"(?<!\d){meta.year}(?:\s*年度|(?=\s*年?.{{0,12}}(?:{_TITLE_WORDS.pattern})))")
        at = next((n for n, line in enumerate(lines[:40], 1) if said.search(line)), None)
        if at is None:
            return None
        quote = lines[at - 1].strip()[:200]
        return Answer(
            parsed.text,
            f"{short_name(meta)}这份报告是{meta.year}年度的。[1]",
            True,
            float(meta.year),
            "年",
            [Citation(meta.doc, meta.org, "", quote, at)],
            "lookup",
        )

    def _field(self, parsed: ParsedQuestion) -> Answer | None:
        """ "联系人是谁", "主管部门是哪个": a field of the report's form, answered with its value."""
        codes = re.search(r"编码|编号|代码|文号", parsed.text)  # "预算编码是多少": a code, no figure
        if (parsed.asks_figure and not codes) or parsed.explain or len(parsed.units) != 1:
            return None
        meta = parsed.units[0]
        lines = (self.source(meta.doc) or "").split("\n")
        asked = parsed.asked or parsed.text
        if _WHEN_WRITTEN.search(parsed.text):
            asked += " 报告日期 填报日期"  # "自评报告是哪天出的": the form's date field
        found = field_value(list(enumerate(lines, 1)), asked)
        if found is None or found[1] in parsed.text:
            return None  # (a value the question holds is a header's next cell, not the answer)
        name, value, line = found
        quote = lines[line - 1].strip() or value
        citation = Citation(meta.doc, meta.org, "", quote, line)
        return Answer(
            parsed.text,
            f"{short_name(meta)}{year_of(meta)}报告载明：{name}为{value}。[1]",
            True,
            None,
            None,
            [citation],
            "text",
        )

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
        if parsed.asks_figure and parsed.metric is None and not parsed.section:
            stated_answer = self._open_figure(parsed) or self._stated(parsed)
            if stated_answer:
                return stated_answer
        evidence = self.retriever.retrieve(parsed.text, [u.doc for u in parsed.units], 6)
        chunks = [e.chunk for e in evidence]
        if len(parsed.units) == 1:
            # the rest of the one report asked about, after the retrieved chunks (a sentence retrieval missed)
            seen = {id(c) for c in chunks}
            chunks += [c for c in self._chunks_of(parsed.units[0].doc) if id(c) not in seen]
        # a question for words may share few of them with its answer ("谁当组长" / "以镇长为组长")
        least = MIN_PASSAGE_OVERLAP if parsed.asks_figure else MIN_TEXT_OVERLAP
        if parsed.explain and not parsed.asks_figure:
            row = row_reason(chunks, strip_places(parsed.asked or parsed.text), least)
            if row is not None and self._citable(row):
                lines = [f"{self._who(parsed)}报告的自评表中，这一项的偏差原因写明：", f"{row.quote}[1]"]
                return Answer(parsed.text, "\n".join(lines), True, None, None, [row], "text")
            reasons = reason_sentences(chunks, strip_places(parsed.asked or parsed.text), least)
            if reasons:
                lines = [f"{self._who(parsed)}报告中说明原因的原文："]
                lines += [f"{c.quote}[{i}]" for i, c in enumerate(reasons, 1)]
                return Answer(parsed.text, "\n".join(lines), True, None, None, reasons, "text")
        # one report's question is read without the unit's names first: every sentence of its report is about
        # it, and its title would otherwise outrank the sentence that answers ("…招生坚持什么原则")
        one = len(parsed.units) == 1 and bool(strip_places(parsed.asked, parsed.units[0]).strip())
        asked = strip_places(parsed.asked, parsed.units[0]) if one else parsed.text
        ranked = best_sentences(chunks, asked, 3, keep=self._citable)
        good = [c for score, c in ranked if score >= least]
        if good and not parsed.asks_figure:
            # a question for words: the runners-up that match nearly as well are shown beside the best (the
            # answer is often the sentence after the one that repeats the question's words)
            good = [c for score, c in ranked if score >= least * RUNNER_UP_SHARE]
        if not good and one:
            good = [
                c for score, c in best_sentences(chunks, parsed.text, 3, keep=self._citable) if score >= least
            ]
        if not good and parsed.subject:
            # a long unit name can outweigh a short subject ("武侯区财政局的公务接待费"): match the subject alone
            good = [
                c
                for score, c in best_sentences(chunks, parsed.subject, 3, keep=self._citable)
                if score >= MIN_PASSAGE_OVERLAP
            ]
        if parsed.asks_figure and parsed.metric is None and parsed.subject:
            # a figure no metric covers: only sentences that hold a number and nearly all of the subject's
            # words answer it ("编制人员业务素质" does not answer "编制人数是多少")
            # a unit the asker names ("多少人", not the generic 个)
            units = expected_units(parsed.text) if asks_unit(parsed.text) else None
            good = [
                c
                for c in good
                if holds_number(c.quote)
                and coverage(parsed.subject, c.quote) >= FIGURE_COVERAGE
                # "发了多少人": a sentence with rates only does not answer it
                and (
                    units is None
                    or any(re.search(rf"\d[\s多余（(]*[万千百]?{re.escape(u)}", c.quote) for u in units)
                )
            ]
        if not good:
            return self._not_in_reports(parsed)
        lines = [f"{self._who(parsed)}报告中与问题最相关的原文："] + [
            f"{c.quote}[{i}]" for i, c in enumerate(good, 1)
        ]
        return Answer(parsed.text, "\n".join(lines), True, None, None, good, "text")

    def _citable(self, citation: Citation) -> bool:
        """The sentence stands in the source as quoted (the check every answer gets before it is shown)."""
        source = self.source(citation.doc)
        return bool(source) and locate(source, citation.quote, citation.line) is not None

    def _not_in_reports(self, parsed: ParsedQuestion, reason: str | None = None) -> Answer:
        if parsed.unknown_unit:
            indexed = indexed_names(self.metas, parsed.unknown_unit)
            return Answer(
                parsed.text,
                f"索引中没有“{parsed.unknown_unit}”的报告。已索引的单位：{indexed}。",
                False,
                kind="unanswerable",
            )
        if (
            parsed.units
            and parsed.year is not None
            and all(u.year not in (parsed.year, None) for u in parsed.units)
        ):
            names = "、".join(sorted({short_name(u) for u in parsed.units}))
            return Answer(
                parsed.text, f"索引中没有{names}{parsed.year}年的报告。", False, kind="unanswerable"
            )
        subject = parsed.item or metric_label(parsed.metric) or parsed.subject or "这一内容"
        text = reason or f"{self._who(parsed)}的报告中没有载明{subject}。"
        docs = [u.doc for u in parsed.units]
        evidence = self.retriever.retrieve(parsed.text, docs or None, 3, dense=bool(docs))
        citations = [c for _, c in best_sentences([e.chunk for e in evidence], parsed.text, 3)]
        if citations:
            text += "\n以下是最接近的原文，仅供参考（其中没有所问的答案）："
        return Answer(parsed.text, text, False, None, None, citations, "unanswerable")

    @staticmethod
    def _who(parsed: ParsedQuestion) -> str:
        return "、".join(short_name(u) for u in parsed.units) or "已索引"
