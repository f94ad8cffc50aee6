"""Domain objects of the ingest side: source → report → section/block → chunk, and facts.

Line numbers are 1-based lines of the document's source text (the file itself for .txt/.md, the
extracted text for .pdf/.docx, which is stored in the index so that every citation can be re-checked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["title", "heading", "paragraph", "table_row"]


@dataclass(frozen=True, slots=True)
class SourceLine:
    number: int
    text: str
    page: int | None = None


@dataclass(slots=True)
class RawDocument:
    """A loaded file: its lines as they were, before any cleaning."""

    name: str  # file name, the citation's `doc`
    fmt: str  # txt | md | pdf | docx
    lines: list[SourceLine]
    sha256: str

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass(slots=True)
class Block:
    """One logical unit of clean text: a heading, a paragraph re-joined across hard wraps, a table row.

    `char_lines[i]` is the source line of `text[i]`: the way back from any quote to the file.
    """

    kind: BlockKind
    text: str
    char_lines: list[int]
    pages: list[int | None]
    level: int = 0  # heading depth (1 = 一、 …); 0 for non-headings
    enum: str | None = None  # the list marker it starts with: 一、 （一） 1. （1） ①
    section_path: tuple[str, ...] = ()
    canonical: str | None = None  # canonical section it falls in, e.g. 存在的主要问题

    @property
    def line_start(self) -> int:
        return self.char_lines[0]

    @property
    def line_end(self) -> int:
        return self.char_lines[-1]

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None

    def line_at(self, offset: int) -> int:
        return self.char_lines[min(max(offset, 0), len(self.char_lines) - 1)]


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    level: int
    path: tuple[str, ...]
    canonical: str | None
    line: int


@dataclass(frozen=True, slots=True)
class ReportMeta:
    doc: str
    org: str  # full name of the reporting organisation (单位)
    aliases: tuple[str, ...]  # short names people type, longest first
    district: str | None
    city: str | None
    province: str | None
    year: int | None
    kind: str  # 部门整体支出 | 项目支出 | 其他
    title: str
    # False while it is unsure the file is a self-evaluation report (a news article about one, say): it is
    # answerable when named, but kept out of cross-unit rankings until confirmed (`jixiao confirm`)
    confirmed: bool = True


@dataclass(slots=True)
class Report:
    meta: ReportMeta
    raw: RawDocument
    blocks: list[Block]
    sections: list[Section]

    def canonical_sections(self) -> set[str]:
        return {s.canonical for s in self.sections if s.canonical}


@dataclass(frozen=True, slots=True)
class Chunk:
    id: str
    doc: str
    org: str
    year: int | None
    section_path: tuple[str, ...]
    canonical: str | None
    text: str
    line_start: int
    line_end: int
    page: int | None = None
    header: str = ""  # short context header (unit · year · section) prepended for embedding and BM25
    line_marks: tuple[tuple[int, int], ...] = ()  # (offset in text, source line) where the line changes

    def line_at(self, offset: int) -> int:
        line = self.line_start
        for start, number in self.line_marks:
            if start > offset:
                break
            line = number
        return line

    @property
    def embed_text(self) -> str:
        return f"{self.header}\n{self.text}" if self.header else self.text


@dataclass(frozen=True, slots=True)
class Fact:
    """A figure read from a report, with the exact words it came from."""

    doc: str
    org: str
    year: int | None
    metric: str  # canonical metric name, see index/metrics.py
    value: float
    unit: str  # unit of measure: 万元 元 亿元 % 分 个 …
    quote: str  # the sentence (clean text) that states it
    line: int  # source line where the figure stands
    item: str | None = None  # project or indicator name for per-item metrics
    text: str = ""  # the figure as written, e.g. "16898.11 万元"
    section: str = ""
    chunk_id: str | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    """Any number a report states with a unit (the open layer under the canonical facts)."""

    doc: str
    value: float
    unit: str  # as written: 万元 % 人 公里 …; a table cell takes its column's or table's unit ('' if none)
    text: str  # the figure as written
    label: str  # the words naming it: those right before it, or a table cell's row and column headers
    quote: str  # the clause (or table row) it stands in
    line: int
    section: str = ""
    column: str = ""  # table cells: the column header
    row: str = ""  # table cells: the row's label
    qualifier: str = ""  # "bound" for 80%以上: a threshold, not a measured value
    context: str = ""  # the whole sentence (or header + row), for matching


@dataclass(frozen=True, slots=True)
class ReportVersion:
    """One version of a unit's report, as a user choosing between two is shown it."""

    doc: str  # the name it is (or would be) indexed under
    chars: int  # characters of text read
    chunks: int
    facts: int
    size: int | None = None  # bytes of the file, when it is at hand
    indexed_at: str = ""  # when the indexed one was indexed (local time, minutes); "" for a new file


@dataclass(frozen=True, slots=True)
class VersionConflict:
    """A file with new content whose unit and year (and project) an indexed report already has: whether it
    replaces that report or joins it is the user's choice (`Indexer.ingest_file(..., on_conflict="ask")`)."""

    org: str
    year: int | None
    old: ReportVersion
    new: ReportVersion
    changes: tuple[str, ...] = ()  # headline figures that differ: "预算执行率：94.96% → 95.12%"


@dataclass(slots=True)
class IngestOutcome:
    path: str
    # "conflict": nothing written, details["conflict"] is a VersionConflict (only with on_conflict="ask")
    status: Literal["added", "updated", "unchanged", "failed", "conflict"]
    message: str = ""
    org: str | None = None
    year: int | None = None
    chunks: int = 0
    facts: int = 0
    details: dict[str, object] = field(default_factory=dict)


IngestStep = Literal["解析", "切分", "向量化", "入库"]


@dataclass(frozen=True, slots=True)
class IngestStage:
    """Where the ingest of one file stands, for a progress bar: the step, the share of the file's work done
    (0..1; within 向量化, the share of its chunks embedded) and what is counted (“12/25 段”)."""

    step: IngestStep
    done: float
    detail: str = ""
