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
_VALUE = re.compile(rf"(?<![\d.])(?<!\d,)({NUM})(万元|亿元|元|%|分)")
MONEY, RATE, SCORE = ("万元", "亿元", "元"), ("%",), ("分",)


# "预算编制20分，得分18分" — an indicator's weight, then its score, named once
_PAIR = re.compile(
    rf"(?:^|(?<=[：:；;，,。]))\s*(?P<name>[{CJK}]{{2,12}}?)(?:方面|指标)?(?:总分|分值|满分)?为?(?P<w>{NUM})分[，,]\s*(?:实际)?(?:得分|得)为?(?P<s>{NUM})分"
)


def parse_amount(text: str) -> tuple[float, str] | None:
    """'27,330.07万元' → (27330.07, '万元'); '94.96%' → (94.96, '%'); a bare number has unit ''."""
    m = _AMOUNT.match(re.sub(r"\s+", "", text.translate(_WIDE)))
    return (float(m.group(1).replace(",", "")), m.group(2) or "") if m else None


# Metric words by kind, with their units and, for kinds that can only be the department's, their metric.
# At one position the first kind that matches wins, so specific phrasings (一般公共预算财政拨款收入,
# 预算执行率) come before the words they contain (财政拨款收入, 预算).
_B = r"全年预算(?:数|金额|资金|总额)?|调整后的?预算数?|预算(?:总额|总数)|总预算数?|预算收入指标|预算(?:数|金额)?"
_S = r"全年支出数?|本年支出(?:合计)?|(?<=[年度])共支出|实际支出(?:数|金额)?|支出(?:数|总额|合计)|总支出|执行(?:数|金额)|决算数|实际执行数?|已支出"
_G = r"自评得分|自评分数|自评分|综合(?:评价)?得分|综合评分|总得分|(?:绩效)?评价得分|得分(?!率)|评分(?![表标细办])"
CUES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("income_gen", MONEY, "一般公共预算财政拨款收入", r"一般公共预算财政拨款收入|一般公共预算收入"),
    (
        "income_fund",
        MONEY,
        "政府性基金预算财政拨款收入",
        r"政府性基金预算财政拨款收入|政府性基金(?:预算)?收入",
    ),
    ("income_total", MONEY, "财政拨款收入", r"财政拨款(?:总)?收入(?:合计|总额|总计)?"),
    ("exp_gen", MONEY, "一般公共预算财政拨款支出", r"一般公共预算财政拨款支出|一般公共预算支出"),
    ("exp_fund", MONEY, "政府性基金预算财政拨款支出", r"政府性基金预算财政拨款支出|政府性基金(?:预算)?支出"),
    ("exp_total", MONEY, "财政拨款支出", r"财政拨款(?:总)?支出(?:合计|总额|总计)?"),
    ("sangong", MONEY, "三公经费", r"[“\"]?三公[”\"]?经费(?:实际)?(?:支出数?|决算数?)?"),
    ("carry_rate", RATE, "结转结余率", r"结转结余率|结余率"),
    ("carry", MONEY, "结转结余", r"结转结余(?:资金|总额)?|结余资金|结转资金"),
    ("adjust_rate", RATE, "预算调整率", r"预算调整率|调整率"),
    (
        "rate",
        RATE,
        "",
        r"预算执行率|(?:预算)?(?:资金)?执行率|完成预算的?|(?:部门)?预算完成率|预算(?:资金)?支出率",
    ),
    ("budget_initial", MONEY, "", r"年初预算(?:数|金额|资金)?"),
    ("budget", MONEY, "", _B),
    ("spend", MONEY, "", _S),
    ("basic", MONEY, "基本支出", r"基本支出"),
    ("project_exp", MONEY, "", r"项目支出"),
    ("max", SCORE, "", r"总分值|分值|满分|权重"),
    ("total", SCORE, "", r"自评总分|总分(?!值)"),
    ("score", SCORE, "", _G),
)
_CUE = re.compile("|".join(f"(?P<{kind}>{rx})" for kind, _, _, rx in CUES))
_ANY_CUE = "|".join(rx for *_, rx in CUES)
UNITS = {kind: units for kind, units, _, _ in CUES}
FIXED = {kind: metric for kind, _, metric, _ in CUES if metric}  # department-level, whatever precedes them
OVERALL = {"budget": "全年预算数", "budget_initial": "年初预算数", "spend": "执行数", "rate": "预算执行率"}
PER_PROJECT = dict(budget="项目预算数", budget_initial="项目预算数", spend="项目支出数", rate="项目执行率")
# What may stand between a metric word and its figure; anything else (减少, 比上年, 未达) breaks the link.
_DEPT_BUDGET = re.compile(r"全年预算(?:总额|数)")
_FOLLOW = re.compile(
    rf"(?:为|是|达|到|了|共|计|合计|总计|总额|金额|仍在|仍为|仅为|只有|已达|的|安排|下达|批复|：|:|\s)*?"
    rf"(?<![\d.])(?<!\d,)({NUM})(万元|亿元|元|%|分)"
)
# "全年预算数、执行数分别为1000万元、900万元"
_RESPECTIVELY = re.compile(
    rf"((?:{_ANY_CUE})(?:[、和及与](?:{_ANY_CUE}))+)分别(?:为|是|达到|达)"
    rf"((?:{NUM})(?:万元|亿元|元|%|分)(?:[、,，和及与](?:{NUM})(?:万元|亿元|元|%|分))+)"
)
SCORE_KINDS = ("max", "total", "score")

# Sentences about the local economy (GDP, tax, investment) carry big 万元 figures that are no budget.
_ECON = re.compile(
    r"GDP|生产总值|税收|财政收入|固定资产投资|固投|产值|营业收入|营收|销售额|零售总额|招商引资|投资额|进出口"
)
# Words in a figure's clause that make it a change, a target, a forecast or another period's figure.
_NEG = re.compile(
    r"上年|去年|上一年|同期|同比|环比|较年初|比年初|预计|预期|目标|计划|力争|不低于|不少于|不高于|往年|历年"
)
_AFTER_NEG = re.compile(r"(?:以上|以下|以内|左右|及以上)")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年")
_BOUNDARY = re.compile(r"[，,；;：:、]")
_CLAUSE_END = re.compile(r"[，,；;。！？!?]")
_SENT_END = re.compile(r"[。！？!?]+[”’」』）)]*")
_SEG_END = re.compile(r"[。！？!?；;]+[”’」』）)]*")
_SELF = re.compile(r"该项|本项|此项")
_RESET = re.compile(
    r"部门整体|整体支出|整体绩效|^部门|本(?:部门|单位|局|委|中心|院|镇|乡|街道)|我(?:单位|街|办|局|委|镇|乡|中心|院|所|站|馆|校)"
)
_LEAD = re.compile(
    r"^(?:其中|包括|按支出分类|[一二三四五六七八九十]是|经|评定|根据|财政|下达|批复|安排|本次|全年|年度|"
    r"部门|单位|本级|合计|总计|累计|共|实际|的|为|及|和|[，、（(\s])+"
)
_TRAIL = re.compile(
    r"(?:绩效|的|情况|共|合计|总计|累计|实际|为|预算收支|收支|财政|下达|批复|安排|方面|[，、\s])+$"
)
_PROJECT = re.compile(r"(?:项目|专项|经费|资金|工程|补助|补贴|保健金|服务费|购置费|建设费)$")
# Not a project's name: a bare kind of money (专项资金) or words of the figure itself (调整预算后项目).
_NAMED_PROJECT = re.compile(rf"[{CJK}“”]{{2,14}}(?:项目|专项|经费)(?:资金)?")
_GENERIC = re.compile(
    r"^(?:本|各|全部|部分|重点|其他|所有)?(?:专项|项目|财政|预算|部门|单位)?(?:资金|经费|项目|专项)$"
    r"|预算|支出|执行|调整|年初|全年|结转|结余|人员经费|公用经费|日常"
)
_INDICATOR = re.compile(
    r"(?:效能|效率|管理|指标|效益|产出|效果|编制|执行|公开|成本|质量|时效|数量|合规性|率|建设|应用)$"
)
_NAME = re.compile(rf"^[{CJK}A-Za-z0-9（）()\-—·、“”\"]{{2,30}}$")
# A heading's list marker, its points "（15分）" and closing punctuation: what is left names the item.
_HEAD_DECOR = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]?)|[（(][^）)]*分[^）)]*[）)]|[。：:]$"
)
_CUT_NAME_ENDS = re.compile(r"^[一二三四五六七八九十\d]{1,3}[)）、.．]|[（(]$")
_QUOTED = re.compile(r"“([^“”]{2,40})”")
_OVERALL_TITLE = re.compile(r"自评|结论|综述|总体|整体|部门|收支|预算")
# Score tables that PDF extraction flattened into running text: a header, then rows
# "1绩效管理制度建设5 0未完成。" (number, indicator name, points, score, remarks).
_BLOB_HEAD = re.compile(r"名称(?:指标)?(?:(分值|权重|满分)(?:指标)?得分|得分(?:指标)?(分值|权重|满分))")
_BLOB_ROW = re.compile(
    r"(\d{1,2})(?=[^\d\s.、，。])([^\d\s。；，]{2,40}?)(\d+(?:\.\d+)?) (\d+(?:\.\d+)?)(?![\d.%])"
)
_REMARKS = (
    r"(?:实际完成值|实际完成情况|完成情况|完成值|扣分原因|扣分理由|评分依据|得分依据|评价依据|备注|说明)"
)
_UNIT_HINT = re.compile(r"单位[:：]\s*(万元|亿元|元)")
_TOTAL_ROW = re.compile(r"^(?:合计|总计|小计|总分|合计得分)$")
_FUND_TOTAL_ROW = re.compile(r"^(?:年度资金总额|资金总额|总额|部门整体支出|部门预算)$")
_PART_ROW = re.compile(r"^(?:其中[:：]?)?(基本支出|项目支出)(?:合计)?$")
_SOURCE_ROW = re.compile(r"^其中|财政拨款|财政资金|上年结转|其他资金|单位资金|财政专户|自有资金|结转|结余")
_SCORE_LABEL = re.compile(
    r"^(?:部门整体支出)?(?:绩效)?(?:自评总分|自评得分|自评分数|综合得分|总得分)(?:[（(]分[）)])?$"
)
_PREFERRED = ("收支情况", "自评结论")


@dataclass(slots=True)
class _Ctx:
    """Whose figures a sentence's clauses state: the department (item None), a named item, or unknown."""

    item: str | None = None
    kind: str | None = None  # project | indicator | sangong | unknown
    start: int = -1  # where the subject was named, so that the quote can include it
    sentence: int = 0  # where the sentence starts


@dataclass(slots=True)
class _Link:
    kind: str
    cue: int  # start of the metric word (of the first one, for 分别为 lists)
    n0: int  # the figure: number start …
    n1: int  # … unit end


_Hit = tuple[Fact, int, str | None]  # a fact, its order of finding, the canonical section it stands in
_Header = list[tuple[str, str | None]]  # a table's column roles and units


def _head_end(text: str, head: re.Match[str]) -> int:
    """End of a flattened table header, past the remarks column's title (实际完成值, 扣分原因…)."""
    tail = re.match(_REMARKS, text[head.end() :]) or re.match(r"[^\d。]{0,12}?(?=\d|$)", text[head.end() :])
    return head.end() + (len(tail.group(0)) if tail else 0)


class _Extractor:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.hits: list[_Hit] = []
        self.block_scores: list[tuple[str, float]] = []  # (metric, value) of the current block
        names = {report.meta.org, *(a for a in report.meta.aliases if len(a) >= 3)}
        alias_rx = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
        # Words that name the department or the year: what stands after them is the subject.
        self.anchor = re.compile(rf"(?:{alias_rx}|(?:19|20)\d{{2}}年度?|本年度|本年|全年度|当年)")

    def emit(
        self, block: Block, metric: str, item: str | None, n0: int, n1: int, q0: int, q1: int, unit: str = ""
    ) -> None:
        """A fact for the figure block.text[n0:n1], quoted by block.text[q0:q1]; `unit` for bare table cells."""
        text = block.text[n0:n1]
        parsed = parse_amount(text)
        if parsed is None:
            return
        while q0 < n0 and block.text[q0].isspace():
            q0 += 1
        m, quote, section = self.report.meta, block.text[q0:q1].rstrip(), " > ".join(block.section_path)
        if item is not None:
            # a flattened row's name cut at its points ("(一)项目管理(10分)" → "一)项目管理("): the name alone
            item = _CUT_NAME_ENDS.sub("", item) or None
        figure = (m.doc, m.org, m.year, metric, parsed[0], parsed[1] or unit)
        fact = Fact(*figure, quote, block.line_at(n0), item, text, section)
        self.hits.append((fact, len(self.hits), block.canonical))
        if fact.unit == "分":
            self.block_scores.append((metric, fact.value))

    # ---- subjects -----------------------------------------------------------------------------------
    def subject(self, prefix: str, kind: str) -> tuple[str, str | None]:
        """The words before a metric word: ('overall'|'inherit'|'item'|'sangong'|'skip', item name)."""
        cut = None
        for m in self.anchor.finditer(prefix):
            cut = m.end()
        rest = prefix if cut is None else prefix[cut:]
        if "三公" in rest:
            return "sangong", None
        if _RESET.search(rest):
            return "overall", None
        rest = _TRAIL.sub("", _LEAD.sub("", rest))
        if not rest:
            return ("inherit" if cut is None else "overall"), None
        quoted = _QUOTED.fullmatch(rest)
        name = quoted.group(1) if quoted else rest.strip('“”"')
        if not _NAME.match(rest) or not name or name[0].isdigit():
            return "skip", None
        if (_PROJECT.search(name) or quoted) and not _GENERIC.search(name):
            return "item", name
        if kind in ("max", "total") or (kind == "score" and _INDICATOR.search(name)):
            return "item", name
        return "skip", None

    def clean_item(self, name: str, block: Block) -> str:
        name = re.sub(r"方面$|[（(][^）)]*分[^）)]*[）)]$", "", name.strip('“”"。，、 '))
        if name.endswith("项目"):  # 拆违经费项目, where the block calls it “拆违经费”项目
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
            head = _HEAD_DECOR.sub("", block.section_path[-1]).strip()
            return self.clean_item(head, block) if 2 <= len(head) <= 30 else None
        return None

    def resolve(
        self, block: Block, link: _Link, prefix: str, p0: int, ctx: _Ctx
    ) -> tuple[str | None, str | None]:
        """The metric and item of a figure, updating the sentence's subject on the way."""
        kind = link.kind
        if _SELF.search(prefix):  # 该项/本项: the block's title, which the quote then starts with
            how, name = "item", self.title_of(block)
            if not name:
                return None, None
            p0 = 0 if block.enum else p0
        else:
            how, name = self.subject(prefix, kind)
        if how == "inherit" and ctx.kind == "unknown" and _DEPT_BUDGET.match(block.text, link.cue):
            how = "overall"  # "年中追加预算…，全年预算总额…": the formal total names the department again
        if how == "inherit" and ctx.kind in ("unknown", "sangong"):
            how = ctx.kind
        if how == "inherit" and ctx.kind is None and kind in OVERALL:
            # "疫情防控专项资金执行偏慢，执行率仅为78.59%": a project named earlier in the sentence owns it
            before = block.text[ctx.sentence : link.cue]
            if (
                _NAMED_PROJECT.search(before)
                and not _RESET.search(before)
                and self.report.meta.org not in before
            ):
                how = "skip"
        if kind in FIXED and how == "skip":
            how = "overall"  # its own words say what it is; only a named item or an unclear sentence stop it
        if how in ("skip", "unknown"):
            ctx.item, ctx.kind = None, "unknown"  # what follows in the sentence shares the unclear subject
            return None, None
        if how == "sangong":  # "“三公”经费预算数30万元，实际支出27.9万元": only its spending is 三公经费
            ctx.item, ctx.kind = None, "sangong"
            if kind in ("budget", "budget_initial"):
                return "三公经费预算数", None
            return ("三公经费", None) if kind in ("spend", "sangong") else (None, None)
        if kind in FIXED:
            return (None, None) if how == "item" else (FIXED[kind], None)  # a project's 基本支出 is no fact
        if how == "overall":
            ctx.item, ctx.kind, ctx.start = None, None, p0
        elif how == "item" and name:
            project = bool(_PROJECT.search(name)) or kind not in SCORE_KINDS
            ctx.item, ctx.start = self.clean_item(name, block), p0
            ctx.kind = "project" if project else "indicator"
        if kind == "project_exp":
            return ("项目支出", None) if ctx.item is None else (None, None)
        if kind in OVERALL:  # money and rates belong to the department or to a project
            return (PER_PROJECT[kind], ctx.item) if ctx.kind == "project" else (OVERALL[kind], None)
        if ctx.item is None:
            if kind == "total":  # 总分 is the maximum when a score follows it or it is 100, else the score
                later = _CUE.search(block.text, link.n1, _SENT_END.search(block.text + "。", link.n1).end())
                value = parse_amount(block.text[link.n0 : link.n1])
                is_max = (later is not None and later.lastgroup == "score") or (
                    value is not None and value[0] == 100
                )
                return ("自评总分值" if is_max else "自评得分"), None
            return ("自评总分值" if kind == "max" else "自评得分"), None
        if kind in ("max", "total"):
            return "指标分值", ctx.item
        return ("项目评价得分" if ctx.kind == "project" else "指标得分"), ctx.item

    def year_ok(self, before: str) -> bool:
        """A figure in a sentence dated another year than the report's is that year's figure."""
        years = [int(y) for y in _YEAR.findall(re.sub(r"《[^》]*》", "", before))]
        return self.report.meta.year is None or not years or years[-1] == self.report.meta.year

    # ---- sentences ----------------------------------------------------------------------------------
    def block(self, block: Block) -> None:
        title = self.title_of(block) if block.enum else None
        # An enumerated title naming an item ("1.管理效能方面，总分45分") is the subject of its sentence.
        first = None
        if title and not _OVERALL_TITLE.search(title) and _NAME.match(title):
            first = _Ctx(title, "project" if _PROJECT.search(title) else "indicator", 0)
        start = 0
        for m in [*_SENT_END.finditer(block.text), None]:
            end = m.end() if m else len(block.text)
            if end > start:
                self.sentence(block, start, end, first if start == 0 else None)
            start = end

    def links(self, text: str, s0: int, s1: int) -> list[_Link]:
        out = []
        for cue in _CUE.finditer(text, s0, s1):
            v = _FOLLOW.match(text, cue.end(), s1)
            kind = cue.lastgroup or ""
            if v and v.group(2) in UNITS[kind] and not _AFTER_NEG.match(text, v.end(), s1):
                out.append(_Link(kind, cue.start(), v.start(1), v.end()))
        for m in _RESPECTIVELY.finditer(text, s0, s1):
            cues, values = list(_CUE.finditer(m.group(1))), list(_VALUE.finditer(m.group(2)))
            if len(cues) == len(values):
                for c, v in zip(cues, values, strict=True):
                    if v.group(2) in UNITS[c.lastgroup or ""]:
                        n0 = m.start(2) + v.start(1)
                        out.append(_Link(c.lastgroup or "", m.start(1), n0, m.start(2) + v.end()))
        return sorted(out, key=lambda k: k.n0)

    def sentence(self, block: Block, s0: int, s1: int, ctx: _Ctx | None) -> None:
        text = block.text
        if _ECON.search(text, s0, s1):
            return
        ctx = ctx or _Ctx()
        ctx.sentence = s0
        last_end = s0
        for link in self.links(text, s0, s1):
            before = text[s0 : link.cue]
            clause0 = max([s0] + [s0 + b.end() for b in re.finditer(r"[，,；;]", before)])
            p0 = max([clause0, min(last_end, link.cue)] + [s0 + b.end() for b in _BOUNDARY.finditer(before)])
            last_end = link.n1
            if _NEG.search(text, clause0, link.cue) or not self.year_ok(before):
                ctx.item, ctx.kind = None, "unknown"
                continue
            metric, item = self.resolve(block, link, text[p0 : link.cue], p0, ctx)
            if metric is None:
                continue
            q0, q1 = self.quote_span(text, s0, s1, link, ctx if item is not None else None)
            self.emit(block, metric, item, link.n0, link.n1, q0, q1)
            self.all_of(block, link, q0, s1)
        for m in re.finditer(r"(?:本项|该项|此项)?得满分", text[s0:s1]):
            self.full_marks(block, ctx, s0 + m.start(), s0, s1)
        self.listed_scores(block, s0, s1)
        self.weight_score_pairs(block, s0, s1)

    def quote_span(self, text: str, s0: int, s1: int, link: _Link, ctx: _Ctx | None) -> tuple[int, int]:
        """The ；-segment stating the figure, from where its item was named; a long one shrinks to clauses."""
        seg0 = max([s0] + [s0 + b.end() for b in _SEG_END.finditer(text[s0 : link.cue])])
        end = _SEG_END.search(text, link.n1, s1)
        q0, q1 = min(seg0, ctx.start) if ctx and ctx.start >= 0 else seg0, end.end() if end else s1
        if q1 - q0 > 100:
            stops = [b.end() for b in _CLAUSE_END.finditer(text, s0, link.cue)]
            q0 = min(ctx.start, stops[-1]) if ctx and ctx.start >= 0 and stops else stops[-1] if stops else q0
            end = _CLAUSE_END.search(text, link.n1, s1)
            q1 = end.end() if end else s1
        return q0, q1

    def all_of(self, block: Block, link: _Link, q0: int, s1: int) -> None:
        """'…预算收入指标3982.33万元，均为一般公共预算财政拨款收入': the figure is also that income."""
        m = re.match(r"[，,]?(?:均|全部|全)(?:为|是|属于)", block.text[link.n1 : s1])
        cue = _CUE.match(block.text, link.n1 + m.end(), s1) if m and UNITS[link.kind] == MONEY else None
        if cue is None or cue.lastgroup not in ("income_gen", "income_fund", "income_total"):
            return
        end = _SEG_END.search(block.text, cue.end(), s1)
        q1 = end.end() if end else s1
        self.emit(block, FIXED[cue.lastgroup], None, link.n0, link.n1, q0, q1)
        if cue.lastgroup != "income_total":  # all of it one kind of 财政拨款收入: that is the total too
            self.emit(block, "财政拨款收入", None, link.n0, link.n1, q0, q1)

    def full_marks(self, block: Block, ctx: _Ctx, at: int, s0: int, s1: int) -> None:
        """'总分50分。…本项得满分' states the score: the item's points."""
        item = self.title_of(block) if _SELF.search(block.text[s0 : at + 2]) else ctx.item
        for f, _, _ in reversed(self.hits):
            q0 = block.text.find(f.quote)
            if item and f.metric == "指标分值" and f.item == item and q0 >= 0 and q0 < at:
                n0 = q0 + f.quote.find(f.text)
                end = _SEG_END.search(block.text, at, s1)
                self.emit(block, "指标得分", item, n0, n0 + len(f.text), q0, end.end() if end else s1)
                return

    def weight_score_pairs(self, block: Block, s0: int, s1: int) -> None:
        """'其中：预算编制20分，得分18分；预算执行30分，得分28.5分': each indicator's weight and score."""
        text = block.text
        for m in _PAIR.finditer(text, s0, s1):
            name = m.group("name")
            if re.search(r"得分|总分|满分|分值|自评|扣", name) or _ECON.search(name):
                continue
            end = _SEG_END.search(text, m.end(), s1)
            q0, q1 = m.start("name"), end.end() if end else m.end()
            self.emit(block, "指标分值", name, m.start("w"), m.end("w") + 1, q0, q1)
            self.emit(block, "指标得分", name, m.start("s"), m.end("s") + 1, q0, q1)

    def listed_scores(self, block: Block, s0: int, s1: int) -> None:
        """'其中，资金管理15.26分、采购管理1.95分…': parts of a score, kept when they add up to a stated total."""
        text = block.text
        m = re.compile(rf"其中[，,：:]?((?:[{CJK}]{{2,12}}(?:{NUM})分[、和及]?){{2,}})").search(text, s0, s1)
        if not m:
            return
        parts = list(re.compile(rf"([{CJK}]{{2,12}}?)({NUM})分").finditer(text, m.start(1), m.end(1)))
        if any(re.search(r"得分|分值|总分|满分|扣", p.group(1)) for p in parts):
            return
        total = round(sum(float(p.group(2)) for p in parts), 2)
        same = [metric for metric, value in self.block_scores if abs(value - total) < 0.005]
        metric = "指标得分" if any("得分" in s for s in same) else "指标分值" if same else None
        if metric is None:
            return
        end = _CLAUSE_END.search(text, m.end(1), s1)
        # the quote starts at the parent's title ("1.管理效能方面，总分45分。其中，…")
        q0 = 0 if block.enum and _SENT_END.search(text, 0, m.start()) else m.start()
        for p in parts:
            self.emit(block, metric, p.group(1), p.start(2), p.end(2) + 1, q0, end.end() if end else s1)

    # ---- tables -------------------------------------------------------------------------------------
    def blob_rows(self, block: Block, active: bool) -> bool:
        """Rows of a flattened score table; returns whether the table goes on in the next block."""
        text = block.text
        heads = list(_BLOB_HEAD.finditer(text))
        if not heads and not active:
            return False
        swapped = bool(heads and heads[0].group(2))  # 得分 before 分值
        found = False
        for at in [0] + [_head_end(text, h) for h in heads]:
            row = _BLOB_ROW.match(text, at)
            if not row:
                continue
            found = True
            pts, got = (4, 3) if swapped else (3, 4)
            if not 0 <= float(row.group(got)) <= float(row.group(pts)) <= 100:
                continue
            name, q1 = self.blob_name(block, row, heads)
            total = bool(_TOTAL_ROW.match(name))
            item, metrics = (None, ("自评总分值", "自评得分")) if total else (name, ("指标分值", "指标得分"))
            for metric, g in zip(metrics, (pts, got), strict=True):
                self.emit(block, metric, item, row.start(g), row.end(g), row.start(), q1, "分")
        return found or bool(heads)

    def blob_name(self, block: Block, row: re.Match[str], heads: list[re.Match[str]]) -> tuple[str, int]:
        """The row's name and quote end; a name cut by a page break goes on after the repeated header."""
        text, name = block.text, row.group(2)
        end = _SEG_END.search(text, row.end())
        q1 = end.end() if end else len(text)
        nxt = next((h for h in heads if h.start() >= row.end()), None)
        if nxt is None or (end and end.start() < nxt.start()):
            return name, q1
        # Remarks cut mid-sentence ("预算金额超过1000万元" + header): the short, punctuation-free source lines
        # after the header are the rest of the name column ("新增预算项" … "目事前绩效" "评估").
        i = _head_end(text, nxt)
        while i < len(text):
            j = i
            while j < len(text) and block.char_lines[j] == block.char_lines[i]:
                j += 1
            if j - i > 6 or not re.fullmatch(rf"[{CJK}]+", text[i:j]):
                break
            name, i = name + text[i:j], j
        return name, (max(q1, i) if name != row.group(2) else q1)

    def tables(self, blocks: list[Block]) -> set[int]:
        """Tab/pipe tables with a header row: project and indicator rows. Returns the row blocks read."""
        used: set[int] = set()
        header: _Header | None = None
        hint: str | None = None  # a "单位：万元" line above the table
        first = False  # the next row is the table's first under its header
        for i, block in enumerate(blocks):
            if block.kind != "table_row":
                header = None
                short = block.kind == "paragraph" and len(block.text) < 30
                m = _UNIT_HINT.search(block.text) if short else None
                hint = m.group(1) if m else hint if short else None
                continue
            cells = [(c.start(), c.end()) for c in re.finditer(r"[^|\s](?:[^|]*[^|\s])?", block.text)]
            words = [block.text[a:b] for a, b in cells]
            if header is not None and len(words) == len(header):
                used.add(i)
                # a 合计 row first, broken down by the 其中 rows under it, is the department's own total
                follows = blocks[i + 1] if i + 1 < len(blocks) else None
                breakdown = first and follows is not None and follows.kind == "table_row"
                breakdown = breakdown and follows.text.lstrip("| ").startswith("其中")
                self.table_row(block, header, cells, words, total_is_overall=breakdown)
                first = False
            elif not any(parse_amount(w) for w in words):
                header = self.header(words, hint)
                first = header is not None
            for k in range(len(words) - 1):  # a 自评表's "自评总分(分) | 97.6"
                value = parse_amount(words[k + 1])
                if _SCORE_LABEL.match(words[k]) and value and value[1] in ("", "分") and 0 < value[0] <= 100:
                    metric = "自评总分值" if "总分" in words[k] and value[0] == 100 else "自评得分"
                    self.emit(block, metric, None, *cells[k + 1], cells[k][0], cells[k + 1][1], "分")
        return used

    def header(self, words: list[str], hint: str | None) -> _Header | None:
        """Column roles (name, budget, budget_initial, spend, rate, max, score or '') and units."""
        cols: _Header = []
        for w in words:
            m = _UNIT_HINT.search(w) or re.search(r"[（(](万元|亿元|元)[）)]", w)
            unit = m.group(1) if m else hint
            y = _YEAR.search(w)
            if y and self.report.meta.year and int(y.group(1)) != self.report.meta.year:
                cols.append(("", None))  # another year's column
            elif re.search(r"项目名称|预算项目|^项目$|名称$|^[一二三]级指标$|^指标$", w):
                cols.append(("name", None))
            elif re.search(r"执行率|完成率|支出率", w):
                cols.append(("rate", "%"))
            elif "得分" in w:
                cols.append(("score", "分"))
            elif re.search(r"分值|权重|满分", w):
                cols.append(("max", "分"))
            elif "年初预算" in w:
                cols.append(("budget_initial", unit))
            elif re.search(r"支出|执行数|执行金额|决算|实际执行", w):
                cols.append(("spend", unit))
            elif "预算" in w:
                cols.append(("budget", unit))
            else:
                cols.append(("", None))
        return cols if any(r not in ("", "name") for r, _ in cols) else None

    def table_row(
        self,
        block: Block,
        header: _Header,
        cells: list[tuple[int, int]],
        words: list[str],
        total_is_overall: bool = False,
    ) -> None:
        if header[0][0] not in ("", "name") and words[0] and not parse_amount(words[0]):
            # a header with no title column over rows that start with their label ("年初预算数 | 全年预算数 |…"
            # over "年度资金总额 | 412.50 | …"): the row's values stand one cell to the right
            header = [("", None), *header[:-1]]
        roles = [r for r, _ in header]
        names = [w for r, w in zip(roles, words, strict=True) if r == "name" and not parse_amount(w)]
        item = names[-1] if names else None
        money = any(r in OVERALL for r in roles)
        if item is None:  # no name column: only an unlabelled or total row is the department's
            label = words[0] if not parse_amount(words[0]) else None
            if label and not (_FUND_TOTAL_ROW.match(label) or _TOTAL_ROW.match(label)):
                return  # 其中：财政资金, 上年结转…
            overall = True
        elif _TOTAL_ROW.match(item):
            if money and not total_is_overall:
                return  # the sum of the listed projects, not a stated department figure
            overall = True
        elif part := _PART_ROW.match(item):
            # "其中：项目支出" under the department's total: its spending is the department's 项目支出
            for (role, unit), (a, b), w in zip(header, cells, words, strict=True):
                parsed = parse_amount(w)
                if role == "spend" and parsed and unit and parsed[1] in ("", unit):
                    self.emit(block, part.group(1), None, a, b, 0, b, unit)
            return
        elif _SOURCE_ROW.search(item):
            return  # a source of the money (其中：当年财政拨款), not a project
        else:
            overall = bool(_FUND_TOTAL_ROW.match(item))
        q1 = max(b for r, (_, b) in zip(roles, cells, strict=True) if r)
        for (role, unit), (a, b), w in zip(header, cells, words, strict=True):
            parsed = parse_amount(w)
            if role in ("", "name") or parsed is None or unit is None or parsed[1] not in ("", unit):
                continue
            if role == "budget_initial" and not overall and "budget" in roles:
                continue  # a project's budget is its 全年 column
            if role in SCORE_KINDS and money and (overall or role != "score"):
                continue  # a 自评表's points for its 预算执行率 indicator, not the report's total
            if role == "score" and money:
                metric = "项目评价得分"
            elif role in SCORE_KINDS:
                metric = ("自评" if overall else "指标") + (
                    "总分值" if overall and role == "max" else "分值" if role == "max" else "得分"
                )
            else:
                metric = OVERALL[role] if overall else PER_PROJECT[role]
            self.emit(block, metric, None if overall else item, a, b, 0, q1, unit)

    def run(self) -> list[Fact]:
        blocks = self.report.blocks
        used = self.tables(blocks)
        active = False  # inside a flattened score table
        for i, block in enumerate(blocks):
            self.block_scores = []
            if block.kind == "title" or i in used:
                continue
            active = self.blob_rows(block, active) if block.kind == "paragraph" else False
            self.block(block)
        return dedupe(self.hits)


def dedupe(hits: list[_Hit]) -> list[Fact]:
    """One fact per (metric, item, value), the one in 收支情况/自评结论 first; a (metric, item) stated with
    different values in one section keeps its first statement."""
    best: dict[tuple[str, str | None, float], _Hit] = {}
    for hit in hits:
        f, old = hit[0], best.get((hit[0].metric, hit[0].item, hit[0].value))
        if old is None or (hit[2] in _PREFERRED and old[2] not in _PREFERRED):
            best[(f.metric, f.item, f.value)] = hit
    kept: list[Fact] = []
    seen: set[tuple[str, str | None, str]] = set()
    for f, _, _ in sorted(best.values(), key=lambda hit: hit[1]):
        if (f.metric, f.item, f.section) not in seen:
            seen.add((f.metric, f.item, f.section))
            kept.append(f)
    return kept


def extract_facts(report: Report) -> list[Fact]:
    """Every figure of the report that a metric word states, with its quote and source line."""
    return _Extractor(report).run()
