"""Figures read from a report: budget, execution, rates, self-evaluation scores, project and indicator rows.

Every fact carries the clean-text words that state it and the source line of its number. The reading is
deliberately narrow: a number becomes a fact only when a metric word stands right before it (nothing but
filler such as 为/达/： between them), its unit fits the metric, and nothing in its clause marks it as a
change (比上年减少), a target (目标/预计), another year or an economic statistic (GDP, 税收). A wrong number
with a confident citation is worse than a missing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.models import Block, Fact, Report
from index.normalize import CJK

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WIDE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "．": ".", "，": ","})
_AMOUNT = re.compile(rf"^([+-]?(?:{NUM}))(万元|亿元|元|%|分|个|人|项|家|次)?$")
_VALUE = re.compile(rf"(?<![\d.,])({NUM})(万元|亿元|元|%|分)")
MONEY, RATE, SCORE = ("万元", "亿元", "元"), ("%",), ("分",)


def parse_amount(text: str) -> tuple[float, str] | None:
    """'27,330.07万元' → (27330.07, '万元'); '94.96%' → (94.96, '%'); a bare number has unit ''."""
    m = _AMOUNT.match(re.sub(r"\s+", "", text.translate(_WIDE)))
    if not m:
        return None
    return float(m.group(1).replace(",", "")), m.group(2) or ""


# Metric words, by kind. Order matters: at one position the first kind that matches wins, so the
# specific phrasings (一般公共预算财政拨款收入, 预算执行率) come before the words they contain (预算).
CUES: tuple[tuple[str, str], ...] = (
    ("income_gen", r"一般公共预算财政拨款收入|一般公共预算收入"),
    ("income_fund", r"政府性基金预算财政拨款收入|政府性基金(?:预算)?收入"),
    ("income_total", r"财政拨款(?:总)?收入(?:合计|总额|总计)?"),
    ("exp_gen", r"一般公共预算财政拨款支出|一般公共预算支出"),
    ("exp_fund", r"政府性基金预算财政拨款支出|政府性基金(?:预算)?支出"),
    ("exp_total", r"财政拨款(?:总)?支出(?:合计|总额|总计)?"),
    ("sangong", r"[“\"]?三公[”\"]?经费(?:实际)?(?:支出(?:数)?|决算(?:数)?)?"),
    ("carry_rate", r"结转结余率|结余率"),
    ("carry", r"结转结余(?:资金|总额)?|结余资金|结转资金"),
    ("adjust_rate", r"预算调整率|调整率"),
    ("rate", r"预算执行率|(?:预算)?(?:资金)?执行率|完成预算的?|(?:部门)?预算完成率|预算(?:资金)?支出率"),
    ("budget_initial", r"年初预算(?:数|金额|资金)?"),
    (
        "budget",
        r"全年预算(?:数|金额|资金|总额)?|调整后的?预算数?|预算(?:总额|总数)|总预算数?|预算收入指标|预算(?:数|金额)?",
    ),
    (
        "spend",
        r"全年支出数?|实际支出(?:数|金额)?|支出(?:数|总额|合计)|总支出|执行(?:数|金额)|决算数|实际执行数?|已支出",
    ),
    ("basic", r"基本支出"),
    ("project_exp", r"项目支出"),
    ("max", r"总分值|分值|满分|权重"),
    ("total", r"自评总分|总分(?!值)"),
    (
        "score",
        r"自评得分|自评分数|自评分|综合得分|综合评分|总得分|(?:绩效)?评价得分|得分(?!率)|评分(?![表标细办])",
    ),
)
_CUE = re.compile("|".join(f"(?P<{kind}>{rx})" for kind, rx in CUES))
# What may stand between a metric word and its figure; anything else (减少, 比上年, 未达) breaks the link.
_FOLLOW = re.compile(
    rf"(?:为|是|达到|达|到|了|共计|共|计|合计|总计|约|总额|金额|仍在|仍为|仅为|只有|已达|的|：|:|\s)*?"
    rf"(?<![\d.,])({NUM})(万元|亿元|元|%|分)"
)
UNITS = {
    **dict.fromkeys(["income_gen", "income_fund", "income_total", "exp_gen", "exp_fund", "exp_total"], MONEY),
    **dict.fromkeys(["sangong", "carry", "budget_initial", "budget", "spend", "basic", "project_exp"], MONEY),
    **dict.fromkeys(["carry_rate", "adjust_rate", "rate"], RATE),
    **dict.fromkeys(["max", "total", "score"], SCORE),
}
# Department-level only: no item, and the words around them cannot make them a project's figure.
FIXED = {
    "income_gen": "一般公共预算财政拨款收入",
    "income_fund": "政府性基金预算财政拨款收入",
    "income_total": "财政拨款收入",
    "exp_gen": "一般公共预算财政拨款支出",
    "exp_fund": "政府性基金预算财政拨款支出",
    "exp_total": "财政拨款支出",
    "sangong": "三公经费",
    "carry_rate": "结转结余率",
    "carry": "结转结余",
    "adjust_rate": "预算调整率",
    "basic": "基本支出",
}
OVERALL = {"budget": "全年预算数", "budget_initial": "年初预算数", "spend": "执行数", "rate": "预算执行率"}
PER_PROJECT = {
    "budget": "项目预算数",
    "budget_initial": "项目预算数",
    "spend": "项目支出数",
    "rate": "项目执行率",
}
SCORE_KINDS = ("max", "total", "score")

# Sentences about the local economy (GDP, tax, investment) carry big 万元 figures that are no budget.
_ECON = re.compile(
    r"GDP|生产总值|税收|财政收入|固定资产投资|固投|总产值|产值|营业收入|营收|销售额|零售总额|招商引资|投资额|进出口"
)
# Words in a figure's clause that make it a change, a target, a forecast or another period's figure.
_NEG = re.compile(
    r"上年|去年|上一年|同期|同比|环比|较年初|比年初|预计|预期|目标|计划|力争|不低于|不少于|不高于|往年|历年"
)
_AFTER_NEG = re.compile(r"^(?:以上|以下|以内|左右|及以上)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_BOUNDARY = re.compile(r"[，,；;：:、]")
_SENT_END = re.compile(r"[。！？!?]+[”’」』）)]*")
_SEG_END = re.compile(r"[。！？!?；;]+[”’」』）)]*")
_SELF = re.compile(r"该项|本项|此项")
_RESET = re.compile(r"部门整体|整体支出|整体绩效|本部门|我街|我办|我局|我委|本单位|我单位|^部门")
_LEAD = re.compile(
    r"^(?:其中|包括|按支出分类|[一二三四五六七八九十]是|经|评定|根据|财政|下达|批复|安排|本次|全年|年度|"
    r"部门|单位|本级|合计|总计|累计|共|实际|的|为|及|和|[，、\s])+"
)
_TRAIL = re.compile(
    r"(?:绩效|的|情况|共|合计|总计|累计|实际|为|预算收支|收支|财政|下达|批复|安排|方面|[，、\s])+$"
)
_PROJECT = re.compile(r"(?:项目|专项|经费|资金|工程|补助|补贴|保健金|服务费|购置费|建设费)$")
_INDICATOR = re.compile(
    r"(?:效能|效率|管理|指标|效益|产出|效果|满意度|编制|执行|公开|成本|质量|时效|数量|合规性|率|情况|建设|应用)$"
)
_NAME = re.compile(rf"^[{CJK}A-Za-z0-9（）()\-—·、“”\"]{{2,30}}$")
_QUOTED = re.compile(r"“([^“”]{2,40})”")
# 003-style score tables that PDF extraction flattened into running text: a header, then rows
# "1绩效管理制度建设5 0未完成。" (number, indicator name, points, score, remarks).
_BLOB_HEAD = re.compile(r"名称(?:指标)?(?:(分值|权重|满分)(?:指标)?得分|得分(?:指标)?(分值|权重|满分))")
_BLOB_ROW = re.compile(
    r"(\d{1,2})(?=[^\d\s.、，。])([^\d\s。；，]{2,40}?)(\d+(?:\.\d+)?) (\d+(?:\.\d+)?)(?![\d.%])"
)
_UNIT_HINT = re.compile(r"单位[:：]\s*(万元|亿元|元)")
_TOTAL_ROW = re.compile(r"^(?:合计|总计|小计|总分|合计得分)$")
_FUND_TOTAL_ROW = re.compile(r"^(?:年度资金总额|资金总额|部门整体支出|部门预算)$")


@dataclass(slots=True)
class _Ctx:
    """Whose figures the clauses of a sentence state: the department (item None) or a named item."""

    item: str | None = None
    kind: str | None = None  # project | indicator
    start: int = -1  # where the subject was named, so that the quote can include it


@dataclass(slots=True)
class _Hit:
    fact: Fact
    order: int
    canonical: str | None


class _Extractor:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.hits: list[_Hit] = []
        names = {report.meta.org, *(a for a in report.meta.aliases if len(a) >= 3)}
        alias_rx = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
        self.anchor = re.compile(rf"(?:{alias_rx}|(?:19|20)\d{{2}}年度?|本年度|本年|全年度|当年)")
        self.block_scores: list[tuple[str | None, str, float]] = []  # (item, metric, value) in this block

    # ---- output -------------------------------------------------------------------------------------
    def emit(self, block: Block, metric: str, item: str | None, n0: int, n1: int, q0: int, q1: int) -> None:
        """A fact for the figure block.text[n0:n1], quoted by block.text[q0:q1]."""
        text = block.text[n0:n1]
        parsed = parse_amount(text)
        if parsed is None:
            return
        value, unit = parsed
        unit = unit or (
            "分" if metric in ("指标分值", "指标得分", "自评得分", "自评总分值", "项目评价得分") else ""
        )
        while q0 < q1 and block.text[q0].isspace():
            q0 += 1
        meta = self.report.meta
        fact = Fact(
            doc=meta.doc,
            org=meta.org,
            year=meta.year,
            metric=metric,
            value=value,
            unit=unit,
            quote=block.text[q0:q1].rstrip(),
            line=block.line_at(n0),
            item=item,
            text=text,
            section=" > ".join(block.section_path),
        )
        self.hits.append(_Hit(fact, len(self.hits), block.canonical))
        if unit == "分":
            self.block_scores.append((item, metric, value))

    # ---- subjects -----------------------------------------------------------------------------------
    def subject(self, prefix: str, kind: str) -> tuple[str, str | None]:
        """Classify the words before a metric word: ('overall'|'inherit'|'item'|'skip', item name)."""
        cut = None
        for m in self.anchor.finditer(prefix):
            cut = m.end()
        anchored = cut is not None
        rest = prefix[cut:] if anchored else prefix
        if _RESET.search(rest):
            return "overall", None
        rest = _TRAIL.sub("", _LEAD.sub("", rest))
        if not rest:
            return ("overall" if anchored else "inherit"), None
        quoted = _QUOTED.fullmatch(rest)
        name = quoted.group(1) if quoted else rest.strip('“”"')
        if not _NAME.match(rest) or name[0].isdigit():
            return "skip", None
        if _PROJECT.search(name) or quoted:
            return "item", name
        if kind in ("max", "total") or (kind == "score" and _INDICATOR.search(name)):
            return "item", name
        return "skip", None

    def clean_item(self, name: str, block: Block) -> str:
        name = re.sub(r"方面$", "", name.strip('“”"。，、 '))
        if name.endswith("项目"):  # 拆违经费项目 when the block calls it “拆违经费”项目
            for q in _QUOTED.findall(block.text):
                if q == name[:-2]:
                    return q
        return name

    def title_of(self, block: Block) -> str | None:
        """The item a 该项/本项 refers to: the block's own enumerated title, else its heading."""
        if block.enum:
            m = re.match(r"[^。，,：:；]{2,30}", block.text[len(block.enum) :])
            if m:
                return self.clean_item(m.group(0), block)
        if block.section_path:
            head = block.section_path[-1]
            head = re.sub(
                r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]?)",
                "",
                head,
            )
            head = re.sub(r"[（(][^）)]*分[^）)]*[）)]|[。：:]$", "", head).strip()
            return self.clean_item(head, block) if 2 <= len(head) <= 30 else None
        return None

    # ---- sentences ----------------------------------------------------------------------------------
    def block(self, block: Block) -> None:
        text = block.text
        title = self.title_of(block) if block.enum else None
        # An enumerated title naming an indicator ("1.管理效能方面，总分45分") is the subject of its sentence.
        title_ctx = None
        if title and not re.search(r"自评|结论|综述|总体|整体|部门|收支|预算", title) and _NAME.match(title):
            title_ctx = _Ctx(title, "project" if _PROJECT.search(title) else "indicator", 0)
        start = 0
        for m in list(_SENT_END.finditer(text)) + [None]:
            end = m.end() if m else len(text)
            if end > start:
                self.sentence(block, start, end, title_ctx if start == 0 else None)
            start = end

    def sentence(self, block: Block, s0: int, s1: int, ctx: _Ctx | None) -> None:
        text = block.text
        sent = text[s0:s1]
        if _ECON.search(sent):
            return
        ctx = ctx or _Ctx()
        last_value_end = s0
        for cue in _CUE.finditer(text, s0, s1):
            kind = cue.lastgroup or ""
            v = _FOLLOW.match(text, cue.end(), s1)
            if v is None or v.group(2) not in UNITS[kind] or _AFTER_NEG.match(text, v.end(), s1):
                if kind == "max" and cue.group(0) == "满分" and text[cue.start() - 1 : cue.start()] == "得":
                    self.full_marks(block, ctx, cue.start(), s0, s1)
                continue
            clause0 = max([s0] + [s0 + b.end() for b in re.finditer(r"[，,；;]", text[s0 : cue.start()])])
            clause = text[clause0 : cue.start()]
            p0 = max(
                [s0, last_value_end] + [s0 + b.end() for b in _BOUNDARY.finditer(text[s0 : cue.start()])]
            )
            prefix = text[p0 : cue.start()]
            last_value_end = v.end()
            if _NEG.search(clause) or not self.year_ok(text[s0 : cue.start()]):
                continue
            seg0 = max([s0] + [s0 + b.end() for b in _SEG_END.finditer(text[s0 : cue.start()])])
            seg1 = s1
            seg_end = _SEG_END.search(text, v.end(), s1)
            if seg_end:
                seg1 = seg_end.end()
            metric, item = self.resolve(block, kind, prefix, ctx, p0, v, s0, s1)
            if metric is None:
                continue
            q0 = min(seg0, ctx.start) if item is not None and ctx.start >= 0 else seg0
            self.emit(block, metric, item, v.start(1), v.end(), q0, seg1)
            self.all_of(block, kind, v, q0, s1)
        self.listed_scores(block, s0, s1)

    def resolve(
        self, block: Block, kind: str, prefix: str, ctx: _Ctx, p0: int, v: re.Match[str], s0: int, s1: int
    ) -> tuple[str | None, str | None]:
        """The metric and item of a figure, updating the sentence's subject on the way."""
        if kind in FIXED:
            how, name = self.subject(prefix, kind)
            return (None, None) if how == "item" else (FIXED[kind], None)
        if _SELF.search(prefix):
            title = self.title_of(block)
            if not title:
                return None, None
            ctx.item, ctx.kind, ctx.start = title, "project" if _PROJECT.search(title) else "indicator", 0
        else:
            how, name = self.subject(prefix, kind)
            if how == "skip":
                return None, None
            if how == "overall":
                ctx.item, ctx.kind, ctx.start = None, None, p0
            elif how == "item" and name:
                project = bool(_PROJECT.search(name)) or kind not in SCORE_KINDS
                ctx.item, ctx.kind, ctx.start = (
                    self.clean_item(name, block),
                    "project" if project else "indicator",
                    p0,
                )
        if kind == "project_exp":
            return ("项目支出", None) if ctx.item is None else (None, None)
        if kind in OVERALL:  # money and rates: only a project can own them besides the department
            return (PER_PROJECT[kind], ctx.item) if ctx.kind == "project" else (OVERALL[kind], None)
        if ctx.item is None:
            if kind == "max":
                return "自评总分值", None
            if kind == "total":  # 总分 is the maximum when a score follows or it is 100, else the score
                later = _CUE.search(block.text, v.end(), s1)
                is_max = (later is not None and later.lastgroup == "score") or float(v.group(1)) == 100
                return ("自评总分值" if is_max else "自评得分"), None
            return "自评得分", None
        if kind in ("max", "total"):
            return "指标分值", ctx.item
        return ("项目评价得分" if ctx.kind == "project" else "指标得分"), ctx.item

    def year_ok(self, before: str) -> bool:
        """A figure in a clause dated another year than the report's is that year's figure."""
        year = self.report.meta.year
        years = [int(y) for y in _YEAR.findall(re.sub(r"《[^》]*》", "", before))]
        return year is None or not years or years[-1] == year

    def all_of(self, block: Block, kind: str, v: re.Match[str], q0: int, s1: int) -> None:
        """'…预算收入指标3982.33万元，均为一般公共预算财政拨款收入': the figure is also that income."""
        if kind not in MONEY_KINDS_ALL:
            return
        m = re.match(r"[，,]?(?:均|全部|全)(?:为|是|属于)", block.text[v.end() : s1])
        cue = _CUE.match(block.text, v.end() + m.end(), s1) if m else None
        if cue is None or cue.lastgroup not in ("income_gen", "income_fund", "income_total"):
            return
        end = _SEG_END.search(block.text, cue.end(), s1)
        q1 = end.end() if end else s1
        self.emit(block, FIXED[cue.lastgroup], None, v.start(1), v.end(), q0, q1)
        if cue.lastgroup != "income_total":
            self.emit(block, "财政拨款收入", None, v.start(1), v.end(), q0, q1)

    def full_marks(self, block: Block, ctx: _Ctx, at: int, s0: int, s1: int) -> None:
        """'总分50分。…本项得满分' states the score: the item's points."""
        item = self.title_of(block) if _SELF.search(block.text[s0:at]) else ctx.item
        for hit in reversed(self.hits):
            f = hit.fact
            if f.metric == "指标分值" and f.item == item and item and block.text.find(f.quote) >= 0:
                q0 = block.text.find(f.quote)
                n0 = q0 + f.quote.find(f.text)
                end = _SEG_END.search(block.text, at, s1)
                self.emit(block, "指标得分", item, n0, n0 + len(f.text), q0, end.end() if end else s1)
                return

    def listed_scores(self, block: Block, s0: int, s1: int) -> None:
        """'其中，资金管理15.26分、采购管理1.95分…': parts of a score, kept when they add up to a stated total."""
        text = block.text
        m = re.search(rf"其中[，,：:]?((?:[{CJK}]{{2,12}}(?:{NUM})分[、和及]?){{2,}})", text[s0:s1])
        if not m:
            return
        start = s0 + m.start(1)
        parts = list(re.finditer(rf"([{CJK}]{{2,12}}?)({NUM})分", text[start : s0 + m.end(1)]))
        if any(re.search(r"得分|分值|总分|满分|扣", p.group(1)) for p in parts):
            return
        total = round(sum(float(p.group(2)) for p in parts), 2)
        same = [metric for _, metric, value in self.block_scores if abs(value - total) < 0.005]
        metric = "指标得分" if any("得分" in s for s in same) else "指标分值" if same else None
        if metric is None:
            return
        end = _SEG_END.search(text, s0 + m.end(1), s1)
        for p in parts:
            n0 = start + p.start(2)
            self.emit(
                block, metric, p.group(1), n0, start + p.end(2) + 1, s0 + m.start(), end.end() if end else s1
            )

    # ---- tables -------------------------------------------------------------------------------------
    def blob_rows(self, block: Block, active: bool) -> bool:
        """Rows of a flattened score table; returns whether the table goes on in the next block."""
        text = block.text
        heads = list(_BLOB_HEAD.finditer(text))
        if heads:
            active = True
        if not active:
            return False
        # A row starts the block or follows a header (after its remarks column title, 实际完成值 etc.).
        starts = [0] + [h.end() + len(re.match(r"[^\d。]{0,12}", text[h.end() :]).group(0)) for h in heads]
        swapped = bool(heads and heads[0].group(2))
        found = False
        for at in starts:
            row = _BLOB_ROW.match(text, at)
            if not row:
                continue
            found = True
            pts, got = (row.group(4), row.group(3)) if swapped else (row.group(3), row.group(4))
            if not (0 <= float(got) <= float(pts) <= 100):
                continue
            name, q1 = self.blob_name(block, row, heads)
            if _TOTAL_ROW.match(name):
                metrics, name = ("自评总分值", "自评得分"), None
            else:
                metrics = ("指标分值", "指标得分")
            for metric, g in zip(metrics, (4, 3) if swapped else (3, 4), strict=True):
                self.emit(block, metric, name, row.start(g), row.end(g), row.start(), q1)
        return found or bool(heads)

    def blob_name(self, block: Block, row: re.Match[str], heads: list[re.Match[str]]) -> tuple[str, int]:
        """The row's name and quote end; a name cut by a page break goes on after the repeated header."""
        text, name = block.text, row.group(2)
        end = _SEG_END.search(text, row.end())
        q1 = end.end() if end else len(text)
        nxt = next((h for h in heads if h.start() >= row.end()), None)
        if nxt is None or (end and end.start() < nxt.start()):
            return name, q1
        # Remarks cut mid-sentence: the short, punctuation-free source lines after the header are the
        # rest of the name column ("新增预算项" … "目事前绩效" "评估").
        i, lines = nxt.end(), block.char_lines
        while i < len(text):
            j = i
            while j < len(text) and lines[j] == lines[i]:
                j += 1
            piece = text[i:j]
            if len(piece) > 6 or not re.fullmatch(rf"[{CJK}]+", piece):
                break
            name += piece
            i = j
        return name, max(q1, i) if i > nxt.end() else q1

    def tables(self, blocks: list[Block]) -> set[int]:
        """Tab/pipe tables with a header row: project and indicator rows. Returns the blocks consumed."""
        used: set[int] = set()
        header: list[tuple[str, str | None]] | None = None
        hint: str | None = None
        for i, block in enumerate(blocks):
            if block.kind != "table_row":
                header = None
                m = _UNIT_HINT.search(block.text) if len(block.text) < 30 else None
                hint = (
                    m.group(1)
                    if m
                    else (hint if block.kind == "paragraph" and len(block.text) < 30 else None)
                )
                continue
            cells = [(c.start(), c.end()) for c in re.finditer(r"[^|]+", block.text)]
            cells = [
                (
                    a + len(block.text[a:b]) - len(block.text[a:b].lstrip()),
                    b - len(block.text[a:b]) + len(block.text[a:b].rstrip()),
                )
                for a, b in cells
            ]
            words = [block.text[a:b] for a, b in cells]
            if header is None or len(words) != len(header):
                header = self.header(words, hint) if not any(parse_amount(w) for w in words) else None
                continue
            used.add(i)
            self.table_row(block, header, cells, words)
        return used

    def header(self, words: list[str], hint: str | None) -> list[tuple[str, str | None]] | None:
        """Column roles: name | budget | budget_initial | spend | rate | max | score | None, with units."""
        cols: list[tuple[str, str | None]] = []
        year = self.report.meta.year
        for w in words:
            unit = _UNIT_HINT.search(w) or re.search(r"[（(](万元|亿元|元)[）)]", w)
            u = unit.group(1) if unit else hint
            y = _YEAR.search(w)
            if y and year and int(y.group(1)) != year:
                cols.append(("", None))
            elif re.search(r"项目名称|预算项目|^项目$|名称$|^[一二三]级指标$|^指标$", w):
                cols.append(("name", None))
            elif re.search(r"执行率|完成率|支出率", w):
                cols.append(("rate", "%"))
            elif "得分" in w:
                cols.append(("score", "分"))
            elif re.search(r"分值|权重|满分", w):
                cols.append(("max", "分"))
            elif "年初预算" in w:
                cols.append(("budget_initial", u))
            elif re.search(r"支出|执行数|决算|实际", w):
                cols.append(("spend", u))
            elif "预算" in w:
                cols.append(("budget", u))
            else:
                cols.append(("", None))
        roles = [r for r, _ in cols]
        return (
            cols
            if any(r in ("budget", "budget_initial", "spend", "rate", "max", "score") for r in roles)
            else None
        )

    def table_row(
        self,
        block: Block,
        header: list[tuple[str, str | None]],
        cells: list[tuple[int, int]],
        words: list[str],
    ) -> None:
        names = [
            w for (role, _), w in zip(header, words, strict=True) if role == "name" and not parse_amount(w)
        ]
        item = names[-1] if names else None
        roles = [r for r, _ in header]
        overall = item is None or bool(_FUND_TOTAL_ROW.match(item or ""))
        if item and _TOTAL_ROW.match(item):
            if not any(r in SCORE_KINDS for r in roles):
                return
            overall = True
        q1 = (
            max(b for (role, _), (_, b) in zip(header, cells, strict=True) if role)
            if any(roles)
            else len(block.text)
        )
        for (role, unit), (a, b), w in zip(header, cells, words, strict=True):
            parsed = parse_amount(w)
            if role in ("", "name") or parsed is None or unit is None or parsed[1] not in ("", unit):
                continue
            if role == "budget_initial" and not overall and "budget" in roles:
                continue  # a project's 全年 column is its budget
            if role in SCORE_KINDS:
                metric = (
                    ("自评总分值" if role == "max" else "自评得分")
                    if overall
                    else ("指标分值" if role == "max" else "指标得分")
                )
            else:
                metric = OVERALL[role] if overall else PER_PROJECT[role]
            self.emit_cell(block, metric, None if overall else item, a, b, unit, q1)

    def emit_cell(
        self, block: Block, metric: str, item: str | None, a: int, b: int, unit: str, q1: int
    ) -> None:
        before = len(self.hits)
        self.emit(block, metric, item, a, b, 0, q1)
        if len(self.hits) > before and not self.hits[-1].fact.unit:
            f = self.hits[-1].fact
            self.hits[-1] = _Hit(
                Fact(**{**{k: getattr(f, k) for k in f.__slots__}, "unit": unit}),
                self.hits[-1].order,
                self.hits[-1].canonical,
            )

    # ---- driver -------------------------------------------------------------------------------------
    def run(self) -> list[Fact]:
        blocks = self.report.blocks
        used = self.tables(blocks)
        active = False
        for i, block in enumerate(blocks):
            self.block_scores = [] if block.kind != "table_row" else self.block_scores
            if block.kind == "title" or i in used:
                continue
            if block.kind == "paragraph":
                active = self.blob_rows(block, active)
            else:
                active = False
            self.block(block)
        return dedupe(self.hits)


MONEY_KINDS_ALL = {k for k, u in UNITS.items() if u == MONEY}
_PREFERRED = ("收支情况", "自评结论")


def dedupe(hits: list[_Hit]) -> list[Fact]:
    """One fact per (metric, item, value), the one in 收支情况/自评结论 first; for one (metric, item) stated
    with different values in the same section, the first statement."""
    best: dict[tuple[str, str | None, float], _Hit] = {}
    for h in hits:
        key = (h.fact.metric, h.fact.item, h.fact.value)
        old = best.get(key)
        if old is None or (h.canonical in _PREFERRED and old.canonical not in _PREFERRED):
            best[key] = h
    kept: list[_Hit] = []
    seen: set[tuple[str, str | None, str]] = set()
    for h in sorted(best.values(), key=lambda h: h.order):
        k = (h.fact.metric, h.fact.item, h.fact.section)
        if k in seen:
            continue
        seen.add(k)
        kept.append(h)
    return [h.fact for h in kept]


def extract_facts(report: Report) -> list[Fact]:
    """Every figure of the report that a metric word states, with its quote and source line."""
    return _Extractor(report).run()
