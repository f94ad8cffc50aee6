"""The open figure layer: every number a report states with a unit, with the words that name it.

The canonical facts (index/facts.py) read a closed list of metrics precisely. Reports state far more — 下达资金,
实际到位资金, 新建道路12公里, 受益群众3200人, a 自评表's columns — and a user asks about any of it. Here every
number with a unit becomes a `Figure` carrying its label (the words right before it in its clause), the clause
itself as the quote, its section and line; table cells carry their row and column headers. Matching a question
to a figure happens on the query side (assistant/open_figures.py); nothing here decides what a figure *means*.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from index.accounts import account_figures
from index.facts import NUM
from index.models import Block, Figure, Report
from index.normalize import CJK, is_web_residue, match_key, split_sentences
from index.numerals import CN_UNITS, cn_count
from index.runs import budget_headers, read_row, read_scored_rate
from index.tables import MONEY_COLUMN as _MONEY_COLUMN
from index.tables import YEARISH as _YEARISH
from index.tables import read_cell, table_figures

# Longest first: 万平方米 before 平方米 before 米, 个百分点 before 个, 万人次 before 万人 before 人.
UNITS = (
    "万平方米|平方公里|平方米|立方米|万人次|个百分点|百分点|个月|亿美元|万美元|美元|亿元|万元|千元|元|万人|万户|万亩|万吨|万千瓦|"
    "万名|人次|户次|批次|架次|车次|场次|TB|GB|公里|千米|公顷|学时|课时|小时|千瓦|%|‰|㎡|亩|吨|米|分|个|人|名|项|台|套|辆|次|场|家|户|所|座|处|"
    "件|宗|篇|份|批|条|间|张|册|卷|栋|幢|本(?![年级单部次期月届])|部(?![门分署队委长级位属])|具|棵|株|只|头|天|床|艘|架|期|块|口|眼|盏|种|年|例|"
    "起(?![草来止点始步])|"
    # lengths and areas in Latin letters ("管长800m", "2.6km", "500m²"), never a word's first letter
    "km²|km(?![A-Za-z²])|m²|m³|m(?![A-Za-z²³])"
)
MONEY_UNITS = ("亿元", "万元", "千元", "元")
# "95项目实施单位": 项 there begins a word, it counts nothing
# "350余人", "1500余册", "30多家": an approximate count is the number it states
# a rate's denominator written after its unit ("1150元/人/月", "86万吨/年", "3万元/公里"): part of the unit
_BARE_WAN = r"万(?![\d元人户亩吨名千平美余多个张册株棵头只套台次方公立粒字页件本份米里斤颗条间辆册尾羽株])"
PER = r"(?:/(?:人·月|人·天|人·年|人次|平方公里|平方米|公里|小时|学期|人|户|年|月|天|日|亩|次|生|所|个))"
_FIGURE = re.compile(
    rf"(?<![\d.])(?<!\d,)([+-]?(?:{NUM}))\s*(?:余|多)?\s*((?:{UNITS}){PER}{{0,2}}|{_BARE_WAN})(?<!项(?=目))"
)
# "项目批复资金260万已全部到位", "执行数18.4万": 万 with 元 left out is 万元 where the label names money
# ("300万粒", "总人口6.2万" are not)
_WAN_MONEY_LABEL = re.compile(
    r"资金|经费|预算|执行数|决算|收入|支出|费|补助|投资|拨款|下达|成本|缺口|收、?支|总计|合计"
)
# a figure whose unit the label implies: "自评总分: 95", "项目支出:1025.20" under a table in 万元
_SCORE_LABEL = r"自评总分|综合得分|自评得分|总得分|总分|得分|评分"
_MONEY_LABEL = r"支出|预算数?|资金|收入|拨款|决算数?|结转|结余|经费|投资|总额|执行数"
_LABELLED_BARE = re.compile(
    rf"(?:({_SCORE_LABEL})\s*[:：为是]?|({_MONEY_LABEL})\s*[:：])\s*((?:{NUM}))(?![\d.%‰、]|,\d|\s*(?!项目)(?:{UNITS}))"
)
# the words a report states a change with ("比上年增长5%"); the query side reads changes with the same words
CHANGE_VERB = r"增长|增加|下降|减少|上升|降低|提高|增幅|降幅"
_CHANGE = rf"(?:同比|比上年|较上年)?(?:{CHANGE_VERB})了?为?"
_CHANGE_ONLY = re.compile(_CHANGE)
_CHANGE_END = re.compile(rf"各?{_CHANGE}$")
# an indicator row naming its unit: "围墙修缮(≥**平方米)", "种羊(≥头)"
_ROW_UNIT = re.compile(rf"[（(][^（）()]*?({UNITS})\s*[）)]")
# an indicator table's value columns, and its title columns (一级指标, 指标名称) which hold no values
_INDICATOR_COL = re.compile(r"指标值|目标值|完成值|实际值|分值|权重|得分|自评分")
_TITLE_COL = re.compile(r"[一二三]级指标|名称|内容")
# a row of an indicator table named with its number ("指标1群众满意度", "3.受益人口")
_ROW_NAME = re.compile(rf"^(?:指标\s*\d{{1,2}}\s*[:：、.．]?|\d{{1,2}}\s*[、.．:：])\s*[{CJK}]{{2,}}")
# the title of a group of indicator rows, its 指标 wrapped away or not ("质量指标", "社会效益")
_GROUP_OF_ROWS = re.compile(
    r"^(?:产出|效益|满意度|成本|数量|质量|时效|经济效益|社会效益|生态效益|可持续影响|服务对象满意度)(?:指标)?$"
)
# a note between a header and its values: "(万元)", "(20分*执行率)", or a column's formula on a line of its
# own ("③=①+②", "C=B/A") — it names no column
_FORMULA_CELL = re.compile(r"^[①-⑳A-Z][=＝][①-⑳A-Z+\-*/×÷（()）]+$")
_NOTE_CELL = re.compile(rf"^[（(][^（）()]*[）)]$|{_FORMULA_CELL.pattern}")
_LEVEL_TITLE = re.compile(
    r"^(?:产出|效益|满意度|成本|数量|质量|时效|经济效益|社会效益|生态效益|可持续影响|服务对象满意度)指标"
    r"(?:[（(]\d+分[）)])?$"
)
_HEADER_WORD = re.compile(rf"预算数|执行数|执行率|{_INDICATOR_COL.pattern}")
_BOUND_CELL = re.compile(r"^(?:[≥≧≤≦>＞<＜]|不低于|不少于|不高于|不超过)")
_EMPTY_CELL = re.compile(r"^(?:[-—–/／]+|无|—)$")
# A label stops at a clause mark or the figure before it.
_LABEL_STOP = re.compile(r"[，,；;。！？!?（(）)“”\"|]")
_INNER_BRACKETS = re.compile(rf"[（(][{CJK}]{{1,8}}[）)](?=[{CJK}])")
_LEAD_FILLER = re.compile(r"^(?:其中|另外|此外|同时|并且)*[:：、]*")
_TRAIL_FILLER = re.compile(
    r"(?:为|是|达到|(?<![下到送传表])达|共计|共|(?<![设统会审估总合])计|约为|约|累计|仅为|仅|(?<![实现拥占享持具所])有|"
    r"：|:|[≥≧≤≦>＞<＜]|\s)+$"
)
# After the unit, words that make a figure something other than a plain amount (a bound, a change).
_BOUND_AFTER = re.compile(r"^(?:以上|以下|以内|左右|及以上|及以下|之间)")
_BOUND_BEFORE = re.compile(r"(?:[≥≧≤≦>＞<＜]|不低于|不少于|不高于|不超过|大于|小于|达到|控制在)\s*$")
_UNIT_HINT = re.compile(r"(?:单位|金额单位)\s*[:：]\s*(亿元|万元|千元|元)")
# a table's title line naming its unit: "资金情况 (万元)", "项目资金（万元"
_TITLE_UNIT = re.compile(r"[（(]\s*(亿元|万元|千元|元)\s*[）)]?\s*\|?\s*$")
_HEADER_UNIT = re.compile(r"[（(](亿元|万元|千元|元|%|分|人|个)[）)]")
MAX_LABEL = 24
# a name in quotes, or a name with its bracketed part, right before the figure
_CLOSED_NAME = re.compile(
    rf"(?:[“\"](?P<quoted>[{CJK}A-Za-z0-9]{{2,20}})[”\"]|(?P<pre>[{CJK}]{{2,16}})[（(](?P<inner>[{CJK}、]{{2,16}})[）)])"
    r"\s*[:：]?\s*$"
)


def _IMPLAUSIBLE(value: float, unit: str) -> bool:  # noqa: N802 - reads as a rule
    """Digits run together from table cells ("10001000100%"): no rate or count is that large."""
    return (unit in ("%", "‰") and value >= 100000) or value >= 1e11


def _closed_name(text: str) -> str:
    """ "“文化进万家”", "花灯演出(进社区)": the name closed by a quote or bracket that `text` ends
    with ("(万元)", a unit, names nothing)."""
    m = _CLOSED_NAME.search(text)
    if m is None or re.search(rf"\d|单位|^(?:{UNITS})$", m.group("inner") or ""):
        return ""
    return m.group("quoted") or f"{m.group('pre')}({m.group('inner')})"


def _label_before(text: str, start: int, floor: int) -> str:
    """The words naming the figure at `start`: back to the clause mark or the previous figure."""
    seg = text[floor:start]
    # a bracketed word inside a name ("文化生态保护(实验)区资金") stops nothing; "(万元)" before a value does
    masked = _INNER_BRACKETS.sub(lambda m: "〈" + m.group(0)[1:-1] + "〉", seg)
    cut = max((m.end() for m in _LABEL_STOP.finditer(masked)), default=0)
    label = seg[cut:]
    label = _TRAIL_FILLER.sub("", _LEAD_FILLER.sub("", label.strip()))
    closed = _closed_name(seg) if len(re.findall(rf"[{CJK}]", label)) < 2 else ""
    if closed:
        label = closed
    elif len(re.findall(rf"[{CJK}]", label)) < 2 and cut > 0:
        # "年初预算，共计100万元": the naming words stand in the clause before
        # "1.投入(得30分)": a score in brackets is named by the words before the bracket
        prev = seg[:cut].rstrip("，,；;：: " + ("（(" if label in ("得", "") else ""))
        back = max((m.end() for m in _LABEL_STOP.finditer(prev)), default=0)
        # "分析如下:1.投入(得30分)": the name after the list's colon and number
        named = re.sub(r"^\d{1,2}[.、．]", "", re.sub(r"^.*[:：](?=\d{1,2}[.、．])", "", prev[back:]))
        label = (named + label).strip() or _closed_name(prev)
    # a long label is cut from its start, never inside a number ("2024年度…" is not "024年度…")
    return re.sub(r"^[\d.,%]+(?:年度|年)?", "", label[-MAX_LABEL:]) if len(label) > MAX_LABEL else label


# what a count may name after it ("完成4个老旧小区改造"): the words up to the next clause or conjunction
_NOT_COUNTED = {
    "亿元",
    "万元",
    "千元",
    "元",
    "%",
    "‰",
    "分",
    "个百分点",
    "百分点",
    "年",
    "天",
    "个月",
    "小时",
}
_DONE_VERB = re.compile(
    r"(?:^|[，,；;:：])?(?:共|累计|全年|已|先后|共计|合计)?(?:完成|新建|建成|改造|开展|举办|组织|培训|发放|实施|"
    r"购置|新增|安装|修建|打造|建设|救助|资助|慰问|走访|接待|帮扶|签订|创建|召开|举行|开设|设立|引进|招聘|种植|"
    r"栽植|养殖|维修|治理|整治|培育|认定|办理|受理|查处|调解|处理|办结|检查|覆盖|惠及|新增设|配备|采购|印发|"
    r"内设|下设|设有|下辖|辖|管辖|拥有|现有)$"
)
_OBJECT_AFTER = re.compile(rf"[{CJK}（）()]{{2,16}}?(?=[和及与、，,；;。\s|]|$)")
# a listed item runs on into what is said of the list ("…、24家社区卫生所全面实施…"): its first words
_OBJECT_START = re.compile(rf"[{CJK}]{{2,6}}")


def _object_after(label: str, after: str) -> str:
    """ "完成4个老旧小区改造和159个…": a count a verb introduces is named by the words after it; a label that ends
    in a conjunction ("…改造和") is the previous item's, not this count's."""
    verb = _DONE_VERB.search(label)
    joined = re.search(r"[和及与、]$", label)
    modifier = label.endswith("的")  # "牵头办理的3个整改案件"
    if not (verb or joined or modifier or not label):
        # "数量指标800吨玉米": a measure runs straight on into the noun it counts
        m = _OBJECT_AFTER.match(after)
        return f"{label}{m.group(0)}"[-MAX_LABEL:] if m and len(m.group(0)) <= 8 else label
    m = _OBJECT_AFTER.match(after) or (_OBJECT_START.match(after) if joined else None)
    if not m:
        return label
    # "街道办事处内设5个机构": the count is of what follows the verb, said of the words before it
    return f"{'' if joined else label}{m.group(0)}"


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around a figure: from the previous clause mark to the next, so a quote reads whole."""
    left = max((m.end() for m in re.finditer(r"[，,；;。！？!?|]", text[:start])), default=0)
    right_m = re.search(r"[，,；;。！？!?|]", text[end:])
    right = end + right_m.start() + 1 if right_m else len(text)
    return left, right


def _after_last_number(text: str, end: int) -> int:
    """Where the words naming a figure may begin: after the number before it ("…:1325.68其中:基本支出:")."""
    return max((n.end() for n in re.finditer(r"\d[\d.,]*%?", text[:end])), default=0)


def _labelled_bare(doc: str, block: Block, section: str, unit_hint: str) -> Iterator[Figure]:
    """Numbers with no unit written whose label says what they count: a score (自评总分: 95) in 分, an amount
    set out as "项目支出:1025.20" in the unit the table or document declares — never guessed when none is."""
    text = block.text
    for s, e in split_sentences(text):
        sentence = text[s:e]
        for m in _LABELLED_BARE.finditer(sentence):
            value = float(m.group(3).replace(",", ""))
            if m.group(1):
                if value > 100:
                    continue
                unit = "分"
            elif _YEARISH.match(m.group(3)):
                continue
            elif declared := [
                h.group(1) for h in _MONEY_HINT.finditer(text, max(0, s + m.start() - 400), s + m.start())
            ]:
                unit = declared[-1]  # "年度预算申请(万元 … 基本支出:900.47": declared in the table above
            elif unit_hint in MONEY_UNITS:
                unit = unit_hint
            else:
                continue
            left, right = _clause(sentence, m.start(), m.end())
            label = _label_before(sentence, m.start(3), _after_last_number(sentence, m.start()))
            if len(_HEADER_WORD.findall(label)) >= 3:
                continue  # "全年预算数 全年执行数 分值 执行率 得分 0 …": a header run, its values come after
            yield Figure(
                doc=doc,
                value=value,
                unit=unit,
                text=m.group(3),
                label=label or m.group(1) or m.group(2),
                quote=sentence[left:right].strip(),
                line=block.line_at(s + m.start(3)),
                section=section,
                context=sentence.strip()[:200],
            )


# "六个内设处室", "两名副校长": a count in Chinese numerals (never 一: "一个目标" counts nothing)
_CN_FIGURE = re.compile(rf"([二两三四五六七八九十][一二三四五六七八九十]{{0,2}})({CN_UNITS})")


def _cn_counts(doc: str, block: Block, section: str) -> Iterator[Figure]:
    text = block.text
    for s, e in split_sentences(text):
        sentence = text[s:e]
        for m in _CN_FIGURE.finditer(sentence):
            value = cn_count(m.group(1))
            before = sentence[max(0, m.start() - 1) : m.start()]
            if value is None or before in ("第", "之", "十", "百", "千", "万", "周", "星"):
                continue  # "第二个", "十二个" read whole, "之三"
            floor = _after_last_number(sentence, m.start())
            # (the previous count's measure word is no part of this one's name: "1名、副校长两名")
            own = re.sub(rf"^(?:{UNITS})?[、,，;；]", "", _label_before(sentence, m.start(), floor))
            label = _object_after(own, sentence[m.end() :])
            left, right = _clause(sentence, m.start(), m.end())
            yield Figure(
                doc=doc,
                value=float(value),
                unit=m.group(2),
                text=m.group(0),
                label=label,
                quote=sentence[left:right].strip(),
                line=block.line_at(s + m.start()),
                section=section,
                context=sentence.strip()[:200],
            )


_ITEM_LEAD = re.compile(
    r"^\s*(?:\d{1,2}[.、．](?=(?:19|20)\d{2}年|\D)|[(（]\d{1,2}[)）])\s*([^，,。；;]{4,40}?)[，,。；;]"
)


def sentence_figures(doc: str, block: Block, section: str, unit_hint: str = "") -> Iterator[Figure]:
    """Figures of running text. Two figures with no words between them share their label ("老年人体检数
    3100人 2950人": a target, then what was achieved) and are marked as the first and second of a pair."""
    yield from _labelled_bare(doc, block, section, unit_hint)
    yield from _cn_counts(doc, block, section)
    text = block.text
    # "1.2021年第二批…茶叶加工厂建设项目,……目前项目资金已拨付180万元": a numbered paragraph's opening words
    # say what its later sentences are about
    item = _ITEM_LEAD.match(text)
    for s, e in split_sentences(text):
        sentence = text[s:e]
        where = f"{section} > {item.group(1)}" if item and s >= item.end() else section
        floor = 0
        previous: Figure | None = None
        pending: list[Figure] = []
        for m in _FIGURE.finditer(sentence):
            value_text, unit = m.group(1), m.group(2)
            after = sentence[m.end() : m.end() + 4]
            if _YEARISH.match(value_text) and unit in ("个", "人"):
                continue
            # "15年" is a span (使用年限≥15年); "2021年", "22年度", "3年来" are dates or periods
            if unit == "年" and (
                float(value_text.replace(",", "")) >= 100 or re.match(r"[度月底初末内来以前后第]", after)
            ):
                continue
            between = sentence[floor : m.start()]
            # "老年人体检数 5662人 4044人", "诊断准确率95%以上97%": a target (or bound), then what was achieved
            bare = (
                _BOUND_AFTER.sub("", between.strip(" ，,"))
                if previous and previous.qualifier == "bound"
                else between
            )
            paired = previous is not None and not re.search(rf"[{CJK}]", bare) and floor > 0
            label = previous.label if paired and previous else _label_before(sentence, m.start(), floor)
            if (
                not label
                and previous is not None
                and previous.unit == "%"
                and re.fullmatch(r"\s*[为是]\s*", between)
            ):
                # "中央财政补贴40%为20万元": the amount is of what the rate before it names
                label = previous.label
            if not paired and unit not in _NOT_COUNTED:
                label = _object_after(label, sentence[m.end() :])
            if previous and not paired and _CHANGE_ONLY.fullmatch(label):
                # "收、支总计各增加42.10万元，增长6.20%": the rate is of the same subject
                subject = _CHANGE_END.sub("", previous.label)
                label = subject + label if subject != previous.label else label
            elif previous and not paired and label.startswith("占") and unit in ("%", "‰"):
                # "财政拨款收入1520.40万元，占本年收入71%": the share is the previous figure's
                label = (previous.label + label)[-MAX_LABEL:]
            if unit == "万":
                # (the next 万 of a sentence whose last was money is money too: "从人均0.6万增加到0.9万")
                money_before = (
                    previous is not None and previous.text.endswith("万") and previous.unit == "万元"
                )
                said = money_before or _WAN_MONEY_LABEL.search(label)
                if not said or re.search(r"人口|面积|产量|字数", label):
                    continue
                unit = "万元"
            floor = m.end()
            left, right = _clause(sentence, m.start(), m.end())
            quote = sentence[left:right].strip()
            if not label and left > 0:
                left = max(
                    (x.end() for x in re.finditer(r"[，,；;。！？!?]", sentence[: left - 1])), default=0
                )
                quote = sentence[left:right].strip()
            bound = _BOUND_AFTER.match(after) or _BOUND_BEFORE.search(
                sentence[max(0, m.start() - 4) : m.start()]
            )
            if _IMPLAUSIBLE(float(value_text.replace(",", "")), unit):
                continue
            fig = Figure(
                doc=doc,
                value=float(value_text.replace(",", "")),
                unit=unit,
                text=m.group(0),
                label=label,
                quote=quote,
                line=block.line_at(s + m.start()),
                section=where,
                qualifier="bound" if bound else ("second" if paired else ""),
                context=sentence.strip()[:200],
            )
            if paired and pending and pending[-1].qualifier in ("", "bound"):
                pending[-1] = replace(pending[-1], qualifier="first")
            pending.append(fig)
            previous = fig
        yield from pending


def _cell_figure(cell: str) -> tuple[float, str] | None:
    found = read_cell(cell, 0)
    return (found.value, found.unit) if found.value is not None else None


_TOKEN = re.compile(r"\S+")
# the cell before a row's values names the row (年度资金总额 320.5 …), not a column
_ROW_LABEL = re.compile(
    r"合计|总计|小计|资金总额|其中|当年财政拨款|上年结转|其他资金|基本支出|项目支出|^[一二三四五六七八九十\d]+[、.]"
)
# words that head a column of figures
_COLUMN_WORD = re.compile(
    r"数|率|分|值|额|权重|指标|目标|完成|实际|预算|执行|金额|人|时间|^[小合]计$|[（(][A-Z][）)]"
)
_GROUP_TITLE = re.compile(r"情况|[（(](?:万元|元|亿元|人|个|%)[）)]?$")
_MONEY_HINT = re.compile(r"(?:[（(]\s*|(?:单位|金额单位)\s*[:：]\s*)(亿元|万元|千元|元)")
_GROUP_UNIT = re.compile(r"[（(](万元|元|亿元|人|个|%)[）)]?$")
MAX_CELL = 24


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    line: int
    start: int  # offset in its source line


def _numeric_token(tok: str) -> tuple[float, str] | None:
    if _EMPTY_CELL.match(tok):
        return (float("nan"), "")
    return _cell_figure(tok)


def _aligned(doc: str, tokens: list[_Token], source: dict[int, str], loose: bool) -> Iterator[Figure]:
    """Header runs followed by value runs of the same length, in a stream of cells: each value named by
    its column (and by the row's label where one stands before the values)."""
    kinds = [_numeric_token(t.text) if len(t.text) <= MAX_CELL else None for t in tokens]
    header: list[_Token] = []
    indicator_cols: list[_Token] = []
    after_row = -1  # where the last indicator row read ended
    part: list[_Token] = []  # the columns of a sub-row that fills only the first of them
    unit_hint = ""
    # "项目资金 (万元) 年初预算数 全年预算数 …": the amounts of the columns after it are in 万元
    money = [""] * len(tokens)
    for n, t in enumerate(tokens):
        hint = _MONEY_HINT.search(t.text)
        money[n] = hint.group(1) if hint else (money[n - 1] if n else "")
    i = 0
    while i < len(tokens):
        if kinds[i] is not None:
            i += 1
            continue
        j = i
        while j < len(tokens) and kinds[j] is None and len(tokens[j].text) <= MAX_CELL:
            j += 1
        k = j
        while k < len(tokens) and kinds[k] is not None:
            k += 1
        # "(万元)" or "(20分*执行率)" between the header and the values says the unit or how a column is
        # scored (money[] holds the unit); "产出指标(40分)", "数量指标" title a group of rows: no column either
        words = [t for t in tokens[i:j] if not (_NOTE_CELL.match(t.text) or _LEVEL_TITLE.match(t.text))]
        values = list(range(j, k))
        row_label = ""
        numbered = False
        n = len(values)
        cols = [w for w in words if _INDICATOR_COL.search(w.text) and not _TITLE_COL.search(w.text)]
        if len(cols) >= 3:
            indicator_cols = cols  # "年度指标值 实际完成值 分值 得分": the indicator table's value columns
        named_row = bool(words) and (
            _ROW_NAME.match(words[-1].text) is not None
            # "质量指标 巡查到位率 90% 92% 20 20": a row under its group's title, or right after another row
            or (j - 2 >= i and _GROUP_OF_ROWS.match(tokens[j - 2].text) is not None)
            or (after_row == i and n == len(indicator_cols))
        )
        if n >= 2 and words and indicator_cols and named_row and re.search(rf"[{CJK}]{{2}}", words[-1].text):
            # "指标1群众满意度 95 96 10 10": a row of the indicator table, its values under those columns in
            # order, however many group titles and blank cells stand between it and the header
            row_label = words[-1].text
            values = values[: len(indicator_cols)]
            header = indicator_cols[: len(values)]
            numbered = True
            after_row = k
        elif n >= 2 and len(words) > 1 and len(header) == n and (label := _row_name(words)):
            row_label = label  # a later row of the same table, named after a serial ("① 项目支出") or spaced ("合 计")
        elif n >= 2 and len(words) >= 2:
            if (
                len(words) > n
                and _GROUP_TITLE.search(words[-n - 1].text)
                and not _numeric_token(words[-1].text)
            ):
                # "财政供养人员情况(人 | 编制数 | 实际在职人数 | 控制率" then 30 28 93.33%: a group title first
                unit_m = _GROUP_UNIT.search(words[-n - 1].text)
                unit_hint = unit_m.group(1) if unit_m else ""
                header = words[-n:]
            elif len(words) == n + 1 or (
                len(words) > n
                and _ROW_LABEL.search(words[-1].text)
                and (loose or all(_COLUMN_WORD.search(w.text) for w in words[-n - 1 : -1]))
            ):
                header, row_label = words[-n - 1 : -1], words[-1].text  # "…得分 年度资金总额 52.6 52.6 …"
                unit_hint = ""
            elif (
                len(words) > n
                and not _COLUMN_WORD.search(words[-1].text)
                and all(_COLUMN_WORD.search(w.text) for w in words[-n - 1 : -1])
            ):
                # "2022年决算数 | 2023年预算数 | 2023年决算数 | 三公经费:" then three values: the last word is
                # the row's name, the n before it the columns
                header, row_label = words[-n - 1 : -1], words[-1].text
                unit_hint = ""
            elif len(words) == n or (loose and len(words) > n):
                # one cell per line: the last n header lines name the n values; within one line of run-together
                # cells only an exact run is trusted
                header, unit_hint = words[-n:], ""
            else:
                header = []
            if loose and sum(bool(_COLUMN_WORD.search(w.text)) for w in header) * 2 < len(header):
                header = []  # these lines do not read as column headers: no guessing which value is which
        elif n >= 2 and len(words) == 1 and len(header) == n:
            row_label = words[0].text  # a later row of the same table
        elif n >= 2 and len(words) == 1 and len(header) > n and _ROW_LABEL.search(words[0].text):
            # "其中:本年财政拨款 40 38.50 38.50" under "年初预算数 全年预算数 全年执行数 分值 执行率 得分": a
            # sub-row of the budget block fills its amount columns, the first ones, and leaves the scores blank
            row_label = words[0].text
            part = header[:n]
        else:
            i = max(k, j, i + 1)
            continue
        columns = part or header
        part = []
        if columns and len(columns) == len(values) and _consistent(columns, [kinds[v] for v in values]):
            for col, v in zip(columns, values, strict=True):
                found = kinds[v]
                if found is None or found[0] != found[0]:  # an empty cell (—)
                    continue
                value, unit = found
                tok = tokens[v]
                if _YEARISH.match(tok.text):
                    continue
                if not unit:
                    unit = _unit_for_column(col.text, row_label) or unit_hint
                    if not unit and _MONEY_COLUMN.search(f"{row_label} {col.text}"):
                        unit = money[v]
                context = " ".join(t.text for t in tokens[max(0, i - 2) : k])
                fig = _cell_by_position(
                    doc, value, unit, tok, col.text, row_label, _span(col, tok, source), context
                )
                # a numbered indicator row under its table's value columns is read by structure, not guessed
                yield replace(fig, qualifier="") if numbered else fig
        i = max(k, i + 1)


_SERIAL_ONLY = re.compile(r"^(?:[①-⑳]|[（(]?[一二三四五六七八九十\d]{1,2}[)）、.]?)$")


def _row_name(words: list[_Token]) -> str:
    """The name of a row that stands before its values as one cell — after a serial number of its own
    ("① 项目支出"), or its characters spaced apart ("合 计") — else ""."""
    named = [w.text for w in words if not _SERIAL_ONLY.match(w.text)]
    if len(named) == 1:
        return named[0]
    return "".join(named) if len(named) in (2, 3) and all(len(w) == 1 for w in named) else ""


def _consistent(header: list[_Token], cells: list[tuple[float, str] | None]) -> bool:
    """A row read by position is trusted only when its cells fit their columns: no 分值 or 得分 above 100 (a
    row read with its columns shifted puts an amount there). A 执行率 that disagrees with 执行数 ÷ 预算数 is
    no such sign: reports do print those."""
    for col, cell in zip(header, cells, strict=True):
        if (
            cell is not None
            and cell[0] == cell[0]
            and re.search(r"分值|得分|权重", col.text)
            and cell[0] > 100
        ):
            return False
    return True


def _span(first: _Token, last: _Token, source: dict[int, str]) -> str:
    """The source text from one cell to another, lines joined by a space (a quote that stands in the file)."""
    if first.line == last.line:
        return source[first.line][first.start : last.start + len(last.text)].strip()
    lines = [source[first.line][first.start :]]
    lines += [source[n] for n in range(first.line + 1, last.line) if n in source]
    lines.append(source[last.line][: last.start + len(last.text)])
    return " ".join(x.strip() for x in lines if x.strip())


_MODIFIER = re.compile(r"^(?:全年|年初|年末|本年|上年|当年|年度|实际|调整后|预期|计划)$")


def _joined(tokens: list[_Token]) -> list[_Token]:
    """A header word a PDF split in two ("全年 预算数", or 全年 and 预算数 on lines of their own) read as one
    cell again."""
    out: list[_Token] = []
    for tok in tokens:
        if out and _MODIFIER.match(out[-1].text) and _numeric_token(tok.text) is None and len(tok.text) <= 8:
            prev = out.pop()
            gap = " " * (tok.start - prev.start - len(prev.text)) if prev.line == tok.line else ""
            out.append(_Token(prev.text + gap + tok.text, prev.line, prev.start))
            continue
        out.append(tok)
    return _unwrapped_header(out)


_HEAD_TAIL = re.compile(r"^(?:指标值|完成值|实际值|目标值|完成情况|预算数|执行数)$")
_MODIFIERS_ONLY = re.compile(r"^(?:(?:全年|年初|年末|本年|上年|当年|年度|实际|调整后|预期|计划)\s*)+$")


def _unwrapped_header(tokens: list[_Token]) -> list[_Token]:
    """A header whose cells a PDF wrapped, their first words on one line and the rest on the next ("年度 实际
    分值 得分" over "指标值 完成值"): the words put together again, in order (年度指标值, 实际完成值), where as
    many heads as tails stand before the table's first value."""
    joined: dict[int, list[str]] = {}  # a head's place → the header words it stands for
    dropped: set[int] = set()
    for at, tok in enumerate(tokens):
        if not _MODIFIERS_ONLY.match(tok.text):
            continue
        end = next(
            (n for n in range(at + 1, len(tokens)) if _numeric_token(tokens[n].text) is not None), len(tokens)
        )
        heads = [n for n in range(at, end) if _MODIFIERS_ONLY.match(tokens[n].text) and n not in joined]
        words = [w for n in heads for w in tokens[n].text.split()]
        tails = [
            n for n in range(at + 1, end) if _HEAD_TAIL.match(tokens[n].text) and tokens[n].line > tok.line
        ]
        if at in joined or not tails or len(tails) != len(words):
            continue
        texts = iter(word + tokens[tail].text for word, tail in zip(words, tails, strict=True))
        for n in heads:
            joined[n] = [next(texts) for _ in tokens[n].text.split()]
        dropped.update(tails)
    if not joined:
        return tokens
    out: list[_Token] = []
    for n, tok in enumerate(tokens):
        if n in joined:
            out.extend(_Token(text, tok.line, tok.start) for text in joined[n])
        elif n not in dropped:
            out.append(tok)
    return out


# a header cell naming a column of values: 目标值, 实际完成值, 编制数, 执行率, 得分, 预算数(A)
# (not a unit: "实际数(万元)" read by position is as unsure as before)
_NOTE_AFTER = re.compile(r"[（(](?!(?:万元|元|亿元|千元|%|人|个)[）)])[^（）()]*[）)]$")
_VALUE_HEAD = re.compile(r"(?:值|数|率|分|权重|金额|完成情况)(?:[（(][A-Z/]+[）)])?$")


def _fit_records(tokens: list[_Token], start: int, width: int, labels: int) -> int:
    """How many records of `width` cells follow `start`: `labels` word cells, then values (a number or an
    empty mark in at least one of them)."""
    n = 0
    at = start
    while at + width <= len(tokens):
        cells = tokens[at : at + width]
        heads, values = cells[:labels], cells[labels:]
        if (
            any(_numeric_token(c.text) is not None for c in heads)
            or len(max(cells, key=lambda c: len(c.text)).text) > 40
        ):
            break
        if not any(_numeric_token(c.text) is not None for c in values):
            break
        n += 1
        at += width
    return n


def _records(doc: str, tokens: list[_Token], source: dict[int, str]) -> Iterator[Figure]:
    """A table pasted one cell per line: a header of K cells (row-name columns, then value columns) and
    records of K cells under it. The header's width is the one under which most records line up."""
    i = 0
    while i < len(tokens):
        if _numeric_token(tokens[i].text) is not None:
            i += 1
            continue
        end = i
        while end < len(tokens) and _numeric_token(tokens[end].text) is None:
            end += 1
        if end >= len(tokens):
            break
        best: tuple[int, int, int] | None = None  # (records, header end, value columns)
        for h in range(end - 1, i - 1, -1):
            if not _VALUE_HEAD.search(tokens[h].text):
                continue
            v = 1
            while h - v >= i and _VALUE_HEAD.search(tokens[h - v].text):
                v += 1
            labels = end - h - 1
            width = labels + v
            if width < 2 or h - width + 1 < i:
                continue
            fit = _fit_records(tokens, h + 1, width, labels)
            if fit >= 2 and (best is None or fit > best[0]):
                best = (fit, h, v)
        if best is None:
            i = end + 1
            continue
        fit, h, v = best
        labels = end - h - 1
        width = labels + v
        header = tokens[h - width + 1 : h + 1]
        for r in range(fit):
            cells = tokens[h + 1 + r * width : h + 1 + (r + 1) * width]
            row = " ".join(c.text for c in cells[:labels])
            for col, tok in zip(header[labels:], cells[labels:], strict=True):
                found = _numeric_token(tok.text)
                if found is None or found[0] != found[0]:
                    continue
                value, unit = found
                unit = unit or _unit_for_column(col.text, row)
                if not unit:
                    continue
                context = " ".join(t.text for t in [*header, *cells])
                yield _cell_by_position(
                    doc, value, unit, tok, col.text, row, _span(cells[0], tok, source), context
                )
        i = h + 1 + fit * width


# a column's number and formula after its name ("支出实现率(%)⑤=④/③", "年中调整金额②"): no words of it
_COLUMN_FORMULA = re.compile(r"(?:[（(]%[）)])?[①-⑳]+(?:[=＝][①-⑳+\-*/×÷]+)?$")


def _cell_by_position(
    doc: str, value: float, unit: str, tok: _Token, column: str, row: str, quote: str, context: str
) -> Figure:
    column = _COLUMN_FORMULA.sub("", column) or column
    return Figure(
        doc=doc,
        value=value,
        unit=unit,
        text=tok.text,
        label=f"{row} {column}".strip(),
        quote=quote[-240:],
        line=tok.line,
        column=column,
        row=row,
        qualifier="aligned",  # read by position from cells run together or one per line: the least sure reading
        context=context[:240],
    )


def _unit_for_column(column: str, row: str) -> str:
    """A bare cell's unit from its column ("执行率" → %, "得分" → 分, "(万元)") or its row's "(个)"."""
    if column.endswith("率") or re.search(r"率[（(]", column):
        return "%"
    if re.search(r"分值|得分|权重", column):
        return "分"
    if re.search(r"(?:率|满意度)$", row):
        return "%"  # "指标2工程验收合格率 | 100": a rate's target and achieved value
    m = _HEADER_UNIT.search(column) or _HEADER_UNIT.search(row) or _ROW_UNIT.search(row)
    return m.group(1) if m else ""


_FIELD_LABEL = re.compile(rf"[{CJK}（）()、]{{2,12}}")
_PEOPLE_FIELD = re.compile(r"人数|编制|人员|职工|在职|退休|在编")


def _field_pairs(
    doc: str, tokens: list[_Token], source: dict[int, str], stated_only: bool = False
) -> Iterator[Figure]:
    """A form filled in one cell per line, a field then its value ("人员编制" / "46" / "实有人数" / "52"):
    each value named by its field. A field followed by more than one value heads a table (read as records).
    `stated_only`: only fields that state their unit ("实际到位资金(万元) 18.6", a form run into one line)."""
    for i in range(len(tokens) - 1):
        label, cell = tokens[i], tokens[i + 1]
        after = tokens[i + 2].text if i + 2 < len(tokens) else ""
        found = _numeric_token(cell.text)
        if (
            found is None
            or found[0] != found[0]  # an empty cell
            or not _FIELD_LABEL.fullmatch(label.text)
            or _numeric_token(after) is not None
            or (
                i > 0
                and _FIELD_LABEL.fullmatch(tokens[i - 1].text)
                and _COLUMN_WORD.search(tokens[i - 1].text)
            )
        ):
            continue
        value, unit = found
        stated = _GROUP_UNIT.search(label.text)
        if stated_only and (unit or not stated):
            continue
        if not unit and stated:
            unit = stated.group(1)  # "实际到位资金(万元) 18.6": the field says its unit
        if not unit:
            unit = "人" if _PEOPLE_FIELD.search(label.text) and value == int(value) else ""
        if not unit or _IMPLAUSIBLE(value, unit):
            continue  # a code, a phone number, an amount whose unit is not said
        yield Figure(
            doc=doc,
            value=value,
            unit=unit,
            text=cell.text,
            label=label.text,
            quote=_span(label, cell, source),
            line=cell.line,
            section="",
            context=f"{label.text} {cell.text}",
        )


def flattened_figures(doc: str, report: Report) -> Iterator[Figure]:
    """自评表 and other tables pasted as text, where the clean text has lost the cells: read from the source
    lines, both as one cell per line (header lines, then value lines) and as cells split by spaces within a
    line ("年初预算数 全年预算数 全年执行数 分值 执行率 得分 年度资金总额 52.6 52.6 50 10 95.06% 9.5")."""
    source = {src.number: src.text for src in report.raw.lines}
    # a budget row whose cells a PDF ran together ("年度资金总额60606010100%"), read by its arithmetic: its
    # line is read by nothing else, which would only misread it
    run_lines: set[int] = set()
    for fig in _run_rows(doc, report, source):
        run_lines.add(fig.line)
        yield fig
    # a 决算 table's rows ("五教育支出 36 3,208.11"): the row number between name and amount misleads the rest
    accounts = [f for f in account_figures(doc, report) if f.line not in run_lines]
    yield from accounts
    run_lines |= {f.line for f in accounts}
    yield from (f for f in _other_readings(doc, report, source) if f.line not in run_lines)
    yield from _total_scores(doc, report)


# a 自评表's last row: 总分, its full marks (100) and the score, apart or run together ("总分10091")
_TOTAL_SCORE = re.compile(
    r"(?<![\u4e00-\u9fff])总分\s*(?:[（(]分[）)])?\s*[|:：]?\s*"
    r"(?:100(?:\.0+)?\s*\|?\s*(?P<score>100|\d{1,2}(?:\.\d{1,2})?)|(?P<only>\d{1,2}(?:\.\d{1,2})?))(?![\d.%])"
)


def _total_scores(doc: str, report: Report) -> Iterator[Figure]:
    for src in report.raw.lines:
        for m in _TOTAL_SCORE.finditer(src.text):
            text = m.group("score") or m.group("only")
            left = max(0, m.start() - 20)
            yield Figure(
                doc=doc,
                value=float(text),
                unit="分",
                text=text,
                label="总分 得分",
                quote=src.text[left : m.end() + 12].strip(),
                line=src.number,
                column="得分",
                row="总分",
                context=src.text.strip()[:200],
            )


RUN = "run:"  # the qualifier of a cell read from run-together digits, followed by the row's reading


def run_cells(fig: Figure) -> tuple[str, ...]:
    """The row's cells as read from run-together digits (empty for any other figure)."""
    return tuple(fig.qualifier[len(RUN) :].split("|")) if fig.qualifier.startswith(RUN) else ()


def _run_rows(doc: str, report: Report, source: dict[int, str]) -> Iterator[Figure]:
    lines = report.raw.lines
    for i, src in enumerate(lines):
        if not re.search(r"\d[\d.%]{3,}|\d%", src.text):
            continue
        # the header: on the line itself before the rows, or the nearest line above naming the columns
        window = [ln.text for ln in lines[max(0, i - 8) : i]]
        own = budget_headers(src.text)
        above = next((h for t in reversed(window) if (h := budget_headers(t))), [])
        if own:  # each header reads the rows between it and the next one
            ends = [h.start for h in own[1:]] + [len(src.text)]
            segments = [(h.end, end, h.columns, h.named) for h, end in zip(own, ends, strict=True)]
            if above and own[0].start > 0:
                # a table going on from the line above, its header repeated further on (a new page)
                segments.insert(0, (0, own[0].start, above[-1].columns, above[-1].named))
        elif above:
            segments = [(0, len(src.text), above[-1].columns, above[-1].named)]
        else:
            continue
        line_text = src.text.strip()
        rows = [
            replace(row, start=row.start + at, end=row.end + at)
            for at, end, columns, named in segments
            for row in read_row(src.text[at:end], columns, named)
            or (read_scored_rate(src.text[at:end], columns) if own else [])
        ]
        for row in rows:
            # the money unit the table states nearest before the row ("资金情况(万元)")
            hint = _MONEY_HINT.findall(" ".join([*window, src.text[: row.start]]))
            money = hint[-1] if hint else ("万元" if "万元" in " ".join(window) else "")
            left = max(0, row.start - 20)
            quote = src.text[left : row.end + 12].strip() if len(line_text) > 240 else line_text
            for cell in row.cells:
                if cell.column == "执行率":
                    unit = "%"
                elif cell.column in ("分值", "权重", "得分"):
                    unit = "分"
                else:
                    # an amount whose unit the table does not say is never guessed: it stays bare, and is
                    # shown so (its row's rate confirms it is the amount of that column)
                    unit = money
                yield Figure(
                    doc=doc,
                    value=cell.value,
                    unit=unit,
                    text=cell.text,
                    label=f"{row.row} {cell.column}".strip(),
                    quote=quote,
                    line=src.number,
                    column=cell.column,
                    row=row.row,
                    qualifier=RUN + "|".join(c.text for c in row.cells),
                    context=line_text[:200],
                )


# an indicator cell carrying its points ("预算完成率(3分)"), its score the next cell ("2.25")
_WEIGHTED_NAME = re.compile(rf"(?P<name>[{CJK}A-Za-z“”\"]{{2,30}})[（(](?P<w>\d{{1,3}}(?:\.\d+)?)\s*分?[）)]")
_BARE_SCORE = re.compile(r"\d{1,3}(?:\.\d{1,2})?")


def _weighted_scores(doc: str, tokens: list[_Token], source: dict[int, str]) -> Iterator[Figure]:
    """A score table one cell per line, each indicator with its points in brackets and its score under it
    ("预算完成率(3分)" / "2.25"): the score, named by the indicator (the points are read as its weight)."""
    for cell, after in zip(tokens, tokens[1:], strict=False):
        named = _WEIGHTED_NAME.fullmatch(cell.text)
        if named is None or not _BARE_SCORE.fullmatch(after.text) or after.line - cell.line > 3:
            continue
        if re.search(r"总分|合计|总计", named.group("name")):
            continue  # the table's total row is read as such (_total_scores)
        score = float(after.text)
        if score > float(named.group("w")):
            continue  # more than the points: no score of this indicator
        name = named.group("name").strip('“”"')
        yield Figure(
            doc=doc,
            value=score,
            unit="分",
            text=after.text,
            label=f"{name}得分",
            quote=_span(cell, after, source),
            line=after.line,
            section="",
            context=f"{cell.text} {after.text}",
        )


def _other_readings(doc: str, report: Report, source: dict[int, str]) -> Iterator[Figure]:
    # one cell per line, sometimes each closed by a pipe ("目标值 |", "100% |")
    per_line = _joined(
        [
            _Token(cell, src.number, src.text.find(cell))
            for src in report.raw.lines
            if (cell := src.text.strip().strip("|").strip()) and "|" not in cell and not is_web_residue(cell)
        ]
    )
    seen: set[tuple[int, int]] = set()
    for fig in _weighted_scores(doc, per_line, source):
        seen.add((fig.line, hash(fig.text)))
        yield fig
    for fig in _records(doc, per_line, source):
        seen.add((fig.line, hash(fig.text)))
        yield fig
    for fig in _aligned(doc, per_line, source, loose=True):
        if (fig.line, hash(fig.text)) not in seen:
            seen.add((fig.line, hash(fig.text)))
            yield fig
    for fig in _field_pairs(doc, per_line, source):
        if (fig.line, hash(fig.text)) not in seen:
            seen.add((fig.line, hash(fig.text)))
            yield fig
    for src in report.raw.lines:
        if "|" in src.text:
            continue  # cells marked as such are read as a table (index/tables.py)
        tokens = _joined([_Token(m.group(0), src.number, m.start()) for m in _TOKEN.finditer(src.text)])
        for fig in _field_pairs(doc, tokens, source, stated_only=True):
            if (fig.line, hash(fig.text)) not in seen:
                seen.add((fig.line, hash(fig.text)))
                yield fig
        if len(tokens) >= 4:
            # cells of one row may hold equal values ("96.30 96.30"): within a line each column is its own
            before = set(seen)
            for fig in _aligned(doc, tokens, source, loose=False):
                if (fig.line, hash(fig.text)) not in before:
                    seen.add((fig.line, hash(fig.text)))
                    yield fig
        for fig in _run_fields(doc, src.text, src.number):
            if (fig.line, hash(fig.text)) not in seen:
                seen.add((fig.line, hash(fig.text)))
                yield fig
    earlier = set(seen)
    for fig in _spaced_rows(doc, report.raw.lines, source):
        if (fig.line, hash(fig.text)) not in earlier:
            yield fig


# a form a PDF ran into one line, each field stating its unit right before its value and the next field
# right after it ("计划安排资金(万元)实际到位资金(万元)64实际支出(万元)…"); a value followed by more
# values is a header row's (read as a table), one followed by an operator or digits is OCR residue
_RUN_FIELD = re.compile(
    rf"(?P<label>[{CJK}]{{2,12}})[（(](?P<unit>万元|元|亿元)[）)](?P<num>\d[\d,]*(?:\.\d+)?)"
    rf"(?=[{CJK}]|\s*$)"
)


def _run_fields(doc: str, text: str, line: int) -> Iterator[Figure]:
    for m in _RUN_FIELD.finditer(text):
        value = float(m.group("num").replace(",", ""))
        yield Figure(
            doc=doc,
            value=value,
            unit=m.group("unit"),
            text=m.group("num"),
            label=m.group("label"),
            quote=m.group(0),
            line=line,
            section="",
            context=m.group(0),
        )


_WRAPPED_WORD = re.compile(rf"[{CJK}]{{0,4}}")
_UNIT_LINE = re.compile(r"[(（](?:万元|元|亿元|千元)[)）]")


def _spaced_rows(doc: str, lines: list, source: dict[int, str]) -> Iterator[Figure]:
    """A table whose cells are split by spaces, one row per line: a header line ("资金来源 年初预算数 全年预算数
    …") and the rows under it ("年度资金总额 6.40 2.50 2.50 10 100.00% 10"), read as one stream of cells; the
    table's unit from a "(万元)" just above it."""
    run: list = []
    inner = ""
    for src in [*lines, None]:
        cells = _TOKEN.findall(src.text) if src is not None and "|" not in src.text else []
        if len(cells) >= 2 or (
            # (…or a column's formula under the header, "③=①+②")
            run
            and src is not None
            and (_WRAPPED_WORD.fullmatch(src.text.strip()) or _FORMULA_CELL.match(src.text.strip()))
        ):
            run.append(
                src
            )  # a blank line, or a word wrapped from the row above ("指标"), goes on with the table
            continue
        if run and src is not None and _UNIT_LINE.fullmatch(src.text.strip()):
            inner = src.text.strip()  # "(万元)" on its own line under the header: the table goes on
            continue

        if len(run) >= 2:
            tokens = _joined(
                [_Token(m.group(0), r.number, m.start()) for r in run for m in _TOKEN.finditer(r.text)]
            )
            above = " ".join(source.get(n, "") for n in range(run[0].number - 6, run[0].number))
            hint = _MONEY_HINT.findall(f"{above} {inner}")
            for fig in _aligned(doc, tokens, source, loose=False):
                if not fig.unit and hint and _MONEY_COLUMN.search(f"{fig.row} {fig.column}"):
                    fig = replace(fig, unit=hint[-1])
                yield fig
        run, inner = [], ""


def extract_figures(report: Report) -> list[Figure]:
    doc = report.meta.doc
    out: list[Figure] = []
    unit_hint = ""
    table: list[Block] = []
    table_section = ""

    def flush() -> None:
        nonlocal table
        if table:
            out.extend(table_figures(doc, table, table_section, unit_hint))
        table = []

    for block in report.blocks:
        section = " > ".join(block.section_path)
        hint = _UNIT_HINT.search(block.text) or (
            _TITLE_UNIT.search(block.text) if len(block.text) <= 40 else None
        )
        if hint:
            unit_hint = hint.group(1)
        if block.kind == "table_row":
            if not table:
                table_section = section
            table.append(block)
            # a figure inside a cell's sentence ("落实39户特色种养业奖补政策") is no cell of its own
            values = [c for c in block.text.split("|") if read_cell(c.strip(), 0).value is not None]
            out.extend(
                f for f in sentence_figures(doc, block, section) if not any(f.text in c for c in values)
            )
            continue
        if table and len(block.text) <= 40:
            # a group title between rows ("产出指标(50分)", "质量指标"): the table goes on
            table.append(block)
            out.extend(sentence_figures(doc, block, section, unit_hint))
            continue
        flush()
        out.extend(sentence_figures(doc, block, section, unit_hint))
    flush()
    # a 自评表 read from its source lines names its values better than the run-together clean text does
    # (a cell read by position under a "header" that names no measure — "30分)", a word a PDF broke in two —
    # is misread: its sentence's own reading stands)
    # (a table written one cell per line is rebuilt into rows, index/cell_runs.py: its cells are read under
    # their columns, and a guess by position over the same lines is no rival to them)
    rebuilt = {
        n for b in report.blocks if b.kind == "table_row" and b.line_start != b.line_end for n in b.char_lines
    }
    flat = [
        f
        for f in flattened_figures(doc, report)
        if (
            f.qualifier != "aligned"
            # ("年初部门预算安排金额(含历年结余结转)": a note after the column's name)
            or _VALUE_HEAD.search(_NOTE_AFTER.sub("", f.column))
            or _HEADER_WORD.search(f.column)
        )
        and not (f.qualifier == "aligned" and f.line in rebuilt)
    ]
    seen = {(f.line, f.value, f.unit) for f in flat}
    # a sentence reading of digits a budget row's arithmetic has read ("中央财政资金8600%" is 86|0|0%)
    runs: dict[int, list[str]] = {}
    for f in flat:
        if f.qualifier.startswith(RUN):
            runs.setdefault(f.line, []).append("".join(run_cells(f)))
    out = [f for f in out if not any(f.text in joined for joined in runs.get(f.line, ()))]
    return _with_projects(
        report, _quotable(report, flat + [f for f in out if (f.line, f.value, f.unit) not in seen])
    )


# "项目名称: 46000021T000000001234-校舍维修": a project code before the name is no part of it
_PROJECT_LINE = re.compile(
    rf"项目名称\s*[:：|]?\s*(?:[0-9A-Z]{{6,}}\s*[-－—_]\s*)?([{CJK}A-Za-z0-9（）()“”]{{3,40}})"
)


def _with_projects(report: Report, figures: list[Figure]) -> list[Figure]:
    """A file of several 自评表, one per project: each figure's section names the project of the table it
    stands under ("项目名称 购买服务"), so that two tables' 年度资金总额 rows are told apart."""
    starts = []
    for src in report.raw.lines:
        if m := _PROJECT_LINE.search(src.text):
            name = re.split(r"\s|主管部门|实施单位|项目单位", m.group(1))[0]
            if len(name) >= 3:
                starts.append((src.number, name))
    if len({name for _, name in starts}) < 2:
        return figures  # one project: the report's title already says it
    out = []
    for f in figures:
        project = next((name for line, name in reversed(starts) if line <= f.line), None)
        out.append(replace(f, section=f"{f.section} > 项目 {project}".lstrip(" >")) if project else f)
    return out


def _quotable(report: Report, figures: list[Figure]) -> list[Figure]:
    """Every figure's quote stands in the source near its line: a clause the cleaner joined across lines it
    dropped (a date, a breadcrumb) is replaced by the figure's own source line; a figure that has neither is
    left out, since no citation of it could be checked."""
    keys = {src.number: match_key(src.text) for src in report.raw.lines}
    texts = {src.number: src.text.strip() for src in report.raw.lines}
    out = []
    for f in figures:
        window = "".join(keys.get(n, "") for n in range(f.line - 40, f.line + 8))
        if match_key(f.quote) in window:
            out.append(f)
        elif match_key(f.text) in keys.get(f.line, ""):
            out.append(replace(f, quote=texts[f.line][:240]))
    return out
