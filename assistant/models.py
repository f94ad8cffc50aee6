"""Domain objects of the query side: parsed question → evidence → answer with citations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from index.models import Chunk, ReportMeta

Kind = Literal["lookup", "derived", "compare", "text", "unanswerable"]


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    text: str
    units: tuple[ReportMeta, ...]  # reports the question names (all years unless `year` is set)
    year: int | None
    metric: str | None
    item: str | None  # project or indicator named in the question
    kind: Kind
    operation: str | None = (
        None  # derived: remaining | unexecuted_rate | share | difference | lost_points | sum | average | yoy
    )
    section: str | None = None  # text questions: the canonical section asked about
    superlative: str | None = None  # compare: max | min | all
    unknown_unit: str | None = None  # a place the question names that no indexed report covers
    base_metric: str | None = None  # derived share: the total the part is divided by
    explain: bool = False  # "为什么…": the report's own explanation is wanted
    item_missing: str | None = None  # an item other reports name but the asked reports do not
    ambiguous_items: tuple[str, ...] = ()  # near-equal item candidates: ask back, never guess
    ambiguous_units: tuple[str, ...] = ()  # different units named only by a name they share: ask back
    count: int | None = None  # "四个重点项目": how many items the question expects
    scope: str | None = None  # "重点": only items of the key-projects part
    subject: str = (
        ""  # what is asked about, in the asker's words: the question less units, year, question words
    )
    period: str | None = (
        None  # "第三季度", "上半年": a part of the year, never answered with the year's figure
    )
    asks_figure: bool = False  # "多少", "几", "比例": a number is wanted
    years: tuple[int, ...] = ()  # every year the question names ("2023年和2024年")
    across: bool = False  # a sum or average over units, not over one report's items
    metrics: tuple[str, ...] = ()  # several metrics asked at once ("执行率和自评得分分别是多少")
    threshold: tuple[str, float, str, str] | None = None  # ("<", 90.0, "%", "低于90%"): a figure checked
    asked: str = ""  # the whole question less the units' names and the year: what the open layer matches
    near: tuple[str, int] | None = None  # a later part of a question: (doc, line) the first part was read at
    near_value: float | None = None  # and the figure it was answered with
    # the year asked has no report of the unit, the next (or the last) year's has: `units` are those
    prior_year: bool = False


@dataclass(frozen=True, slots=True)
class Citation:
    doc: str
    org: str
    section: str
    quote: str
    line: int
    line_end: int | None = None
    page: int | None = None
    # a row whose cells a PDF ran together ("1836.251836.2510"), as they were read: the checker joins them
    # back and finds them in the quote, so the figures of the reading count as quoted
    cells: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "doc": self.doc,
            "org": self.org,
            "section": self.section,
            "quote": self.quote,
            "line": self.line,
        } | ({"cells": list(self.cells)} if self.cells else {})


@dataclass(frozen=True, slots=True)
class Evidence:
    chunk: Chunk
    score: float


@dataclass
class Answer:
    question: str
    answer: str
    found: bool
    value: float | None = None
    unit: str | None = None
    citations: list[Citation] = field(default_factory=list)
    kind: Kind = "lookup"
    computed: list[float] = field(default_factory=list)  # results computed in code from cited inputs
    dropped: list[str] = field(default_factory=list)  # claims removed by verification, said to the user
    parts: list[Answer] = field(default_factory=list)  # a multi-part question: each part's own answer

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "question": self.question,
            "answer": self.answer,
            "found": self.found,
            "value": self.value,
            "unit": self.unit,
            "citations": [c.to_dict() for c in self.citations],
            "kind": self.kind,
        }
        if self.parts:
            out["parts"] = [
                {
                    "question": p.question,
                    "found": p.found,
                    "value": p.value,
                    "unit": p.unit,
                    "citations": [c.to_dict() for c in p.citations],
                }
                for p in self.parts
            ]
        return out
