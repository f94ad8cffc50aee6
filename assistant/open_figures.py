"""Question → figure over the open layer: any number a report states, matched by the words that name it.

The kind of figure comes from the question (多少钱 → an amount, 率 → a percentage, 几分 → points, 多少人 → people);
the asker's words are matched against each candidate's label, its clause and its sentence, weighted by how rare
each word is in the report. A figure is given only when it clears a threshold and no figure of another value
matches nearly as well: a wrong number with a citation is worse than "not stated".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jieba

from assistant.units import report_words
from index.figures import CHANGE_VERB, MONEY_UNITS, RUN, UNITS
from index.models import Figure
from index.normalize import CJK

# Calibrated on the dev half of evals/unseen (python -m evals --unseen --split dev).
MIN_SCORE = 0.25
MIN_MARGIN = 0.08
ALIGNED_EXTRA = 0.05  # more of both for a figure read from run-together table cells
NEAR_BONUS = 0.15  # a later part of a question, in the row its first part was read from
TOTAL_BONUS = 0.1  # a table's total row, when the question names no row
WHOLE_BONUS = 0.1  # the words asked, written whole in the figure's label ("本年支出" over "…拨款支出")
HEAD_END_BONUS = (
    0.1  # the label ends in the asked head, as a Chinese name does ("下辖社区", not "社区文化站…")
)
_TOTAL_ROW = re.compile(r"合计|总计|资金总额|总额")
_ASKED_TOTAL = re.compile(r"一共|总共|共有|合计|总计|共计|全部|总数")
_SAID_TOTAL = re.compile(r"共有|共计|合计|总计|总共|一共|总数|总量|^共|^全[县市区镇乡]")
_PART = re.compile(r"项目支出|基本支出|人员经费|公用经费")
# words that say which measure of a row is asked, not which row ("全年实际执行了多少")
_MEASURE_GRAMS = {
    "全年",
    "年初",
    "年末",
    "预算",
    "算数",
    "执行",
    "行数",
    "行率",
    "实际",
    "支出",
    "出数",
    "完成",
    "资金",
    "金额",
}
MIN_PRESENT = 0.2  # share of the asked words (by weight) that must occur near the report's figures

TO_YUAN = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}
COUNT_UNITS = {
    "人": ("人", "名", "人次", "万人", "万人次", "万名"),
    "个": ("个", "家", "所", "处", "座", "项"),  # "多少个社区" / "下辖社区12家": 个 stands for any of them
    "项": ("项", "个"),
    "台": ("台", "套"),
    "户": ("户", "万户", "户次"),
    "家": ("家", "个"),
    "所": ("所", "个"),
    "次": ("次", "人次", "场", "场次", "期", "批次"),
    "辆": ("辆", "台"),
    "场": ("场", "次", "场次"),
    "件": ("件", "宗"),
    "条": ("条",),
    "座": ("座", "个", "处"),
    "处": ("处", "个"),
    "名": ("名", "人"),
    "公里": ("公里", "千米", "米", "km", "m"),
    "米": ("米", "公里", "千米", "m", "km"),
    "亩": ("亩", "万亩", "公顷"),
    "吨": ("吨", "万吨"),
    "平方米": ("平方米", "万平方米", "㎡", "m²"),
    "平方公里": ("平方公里", "km²"),
    "年": ("年",),
    "天": ("天", "日"),
    "起": ("起", "件", "次"),
    "例": ("例", "人"),
}
# what the question asks for → acceptable units
_EXPLICIT_UNIT = re.compile(rf"(?:多少|几)(?:个)?({UNITS.replace('|%|‰', '')}|年)")
_RATE = re.compile(r"率|比例|占比|百分之|百分比|比重|进度|覆盖面|满意度|[多几]少?成")
# "得了几分" asks the score given, "占多少分" the weight: a 分值 column holds the one, 得分/评分 the other
_SCORE_GIVEN = re.compile(r"得了?几分|得了?多少分|得分|评分|打了?几分|自评几分")
_TOTAL_SCORE = re.compile(r"总分|总得分|综合|合计|总计|自评得分|自评结论|评价得分|得分情况|自评结果|绩效评价")
_SCORE_WEIGHT = re.compile(r"分值|满分|权重|占多少分|占几分|标准分|总分值")
_SCORE = re.compile(r"几分|多少分|得分|分值|满分|评分|打分|扣了?几分|扣分|总分|权重")
_MONEY = re.compile(
    r"多少钱|钱|金额|资金|经费|预算|支出|收支|花了|花掉|花费|拨付|拨了|下达|到位|投入|投资|收入|费用|成本|补助|补贴|"
    r"结余|结转|额度|款|决算|增收|创收|产值|万元|亿元|用了多少|用去|支付|付了多少|开支|债|发行金额|发行额|保费|"
    r"安排了?多少|分配了?多少|争取(?:了|到)?多少|"
    r"(?:补|贴)了?多少(?![人个名户家所项次])"  # "每个学生补多少": what each is given
)
_PEOPLE = re.compile(r"多少人|几个人|几人|人数|人员|人口|多少名|几名|编制|职工|学生|患者|群众|受益人")
# "有几个副校长": a post or role after 几个 counts people
_PERSON_ASKED = re.compile(
    rf"几个[{CJK}]{{0,4}}?(?:长|员|师|书记|干部|医生|护士|职工|委员|主任|科员|人)[？?。！!\s]*$"
)
# "有多少城乡老年居民领到了养老金": the people counted right after 多少, whatever else is named
_COUNTED_PEOPLE = re.compile(
    rf"多少(?:名|位)?[{CJK}]{{0,6}}?(?:居民|老人|老年人|群众|学生|职工|患者|儿童|农户|教师|干部|人员|人口|贫困户|残疾人)"
)
_LENGTH = re.compile(r"多长|长度|里程|公里")
_AREA = re.compile(r"面积|平方米|亩")
_CAPACITY = re.compile(r"容量|存储|空间|带宽")
# units common enough that one figure alone in a report is no sign it is the one asked
_COMMON = {"亿元", "万元", "千元", "元", "%", "‰", "分", "个", "人", "项", "名", "次"}

# The asker's words → the words reports use (general finance vocabulary, no report's own terms).
SYNONYMS: tuple[tuple[str, str], ...] = (
    ("现在", "现有"),  # "现在在岗多少人": "现有在岗人员26人"
    ("花了", "支出执行"),
    ("花掉", "支出执行"),
    ("花费", "支出"),
    ("用了", "支出使用"),
    ("用掉", "支出使用"),
    ("实际执行", "执行数支出"),
    ("钱到位", "到位资金"),
    ("到位", "到位资金"),
    ("拨了", "拨付下达"),
    ("给了", "拨付下达安排"),
    ("批了", "批复预算"),
    ("安排了", "安排预算"),
    ("得了几分", "得分评分"),
    ("打了几分", "得分自评评分"),
    ("满分", "分值总分"),
    ("几个人", "人数"),
    ("多少人", "人数"),
    ("在编", "编制"),
    ("退休", "退休人员"),
    ("钱", "资金"),
    ("完成了多少", "完成值实际完成"),
    ("完成多少", "完成值实际完成"),
    ("目标值", "指标值目标"),
    ("定的目标", "指标值目标"),
)
# Question words and fillers. Single characters only where they are never part of a content word (的, 了, 吗…):
# 有 in 实有, 中 in 中央, 里 in 里程 must stay.
_NOISE = re.compile(
    r"请问|一下|多少钱|是多少|为多少|有多少|多少|多长|多大|多高|多深|多远|多久|是几|有几|几个|几|是否|有没有|"
    r"是什么|有哪些|共有|共计|总共|一共|报告里|报告中|报告上|里面|上面|提到|载明|年度|今年|去年|本年|"
    r"这个|这项|这笔|那个|到底|究竟|最后|最终|实际上|搞到|做到|达到|办了|弄了|详细|说明|介绍|告诉我|帮我|"
    r"查一下|查查|看看|这块|这一块|这一项|方面|那块|大概|大约|具体|还有|都是|就是|"
    r"[的了吗呢吧啊呀？?！!。，,、：:\s]"
)
CHANGE = re.compile(rf"比上年|较上年|同比|{CHANGE_VERB}")
_TARGET = re.compile(r"目标|计划|预计|预期|指标值|年度指标|不低于|不少于|达到|≥|以上")
_PLANNED = re.compile(r"预算|目标|计划|预计|预期|指标值|年度指标|不低于|不少于|≥")
_TARGET_ASKED = re.compile(r"目标|计划|预计|指标值")
_ACTUAL = re.compile(r"实际|完成值|完成情况|实绩|实际完成|全年完成|做到|达到了|实现了|搞到|完成了")


# what a sum of money is: spent, or budgeted (allocated, planned)
# "每户补助标准多少钱" asks an amount per head; a total is no answer to it
PER_HEAD = re.compile(r"每(?:人|户|个|位|名|家|所|亩|年|月|天|次)|人均|户均|平均每|标准")
_SPENT_ASKED = re.compile(r"(?<![目本员用费])支出|执行(?!率)|花了|花掉|花费|用了|用掉|使用了|支付了|开支")
# (项目支出, 基本支出 are kinds of spending, not its measure)
_SPENT_WORDS = re.compile(r"(?<![目本员用费])支出|执行|花|使用|(?<!转移)支付|开支|用于|用掉")
_BUDGET_WORDS = re.compile(r"预算|安排|批复|计划|下达|核定|拨款")
_RAISED = re.compile(r"发行|到位|拨付|筹集|总投资")
# "已经拨付了多少": what was paid out, which an amount allotted ("项目资金140万元") does not say
_PAID_ASKED = re.compile(r"拨付了|已拨付|已经拨付|拨了|拨出|付了|付出去")
_PAID_WORDS = re.compile(r"拨|付|支出|执行|到位|兑现|发放|使用|用于")


# words by which "多少" may ask a rate ("完成了多少", "增长了多少", "达到多少")
_NO_RATE_ASKED_OK = re.compile(
    rf"完成|达到|达|增长|下降|提高|降低|增幅|降幅|上升|超出|超过|超额|超任务|超计划|超目标|{_RATE.pattern}"
)
# a figure named only by the change it states ("下降5.6%") or as the actual of the one before it
# ("事业编制34人,实际29人")
_BARE_CHANGE = re.compile(
    rf"(?:共|分别|各)?(?:{CHANGE_VERB}|实际|实有|实际完成|实际到位|实际支出)(?:了|为|是)?"
)
# two one-character words listed ("收、支", "人、财、物"): one word as the asker writes it
_ONE_CHAR_LIST = re.compile(rf"(?<![{CJK}])([{CJK}])、([{CJK}])")


def _grams(text: str) -> list[str]:
    """CJK character bigrams (and single characters of one-character runs), in order."""
    out: list[str] = []
    text = _ONE_CHAR_LIST.sub(r"\1\2", text)  # "收、支与上年相比": 收支
    for run in re.findall(rf"[{CJK}A-Za-z0-9]+", text):
        if len(run) == 1:
            out.append(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _unit_named(question: str) -> str | None:
    """The unit a question names after 多少/几 ("多少人" → 人), if any."""
    m = _EXPLICIT_UNIT.search(question.replace("块钱", "钱"))
    return m.group(1) if m else None


def asks_unit(question: str) -> bool:
    """The question names the unit of its answer ("多少人", "几台"; not the generic 几个)."""
    return _unit_named(question) not in (None, "个")


_COUNTED_IN_TIMES = ("批", "车", "架", "期", "班", "户")


def expected_units(question: str) -> tuple[str, ...] | None:
    """The units a right answer may carry; None when the question does not say."""
    unit = _unit_named(question)
    if unit:
        if unit in TO_YUAN:
            return MONEY_UNITS
        if unit == "分":
            return ("分",)
        if unit == "个" and (_PEOPLE.search(question) or _PERSON_ASKED.search(question)):
            return (*COUNT_UNITS["人"], "个")  # "几个事业编制", "几个副校长": people
        # "几批" is answered in 批次 too ("国内公务接待35批次"): a count of times of it
        return COUNT_UNITS.get(unit, (unit, f"{unit}次") if unit in _COUNTED_IN_TIMES else (unit,))
    if _SCORE.search(question) and not re.search(r"得分率", question):
        return ("分",)
    if _COUNTED_PEOPLE.search(question):
        return COUNT_UNITS["人"]
    if _RATE.search(question):
        return ("%", "‰")
    if _PEOPLE.search(question) and not _MONEY.search(question):
        # "行政编制24个": posts are counted in 个 as often as in 人
        return (*COUNT_UNITS["人"], "个") if "编制" in question else COUNT_UNITS["人"]
    if _LENGTH.search(question) or re.search(r"多[深高宽]", question):
        return COUNT_UNITS["公里"]
    if re.search(r"多大|多重", question) and not _AREA.search(question):
        # a size: of an area, a volume, a weight or a capacity, never a count ("水塔多大" is not "1座")
        return (
            *COUNT_UNITS["平方米"],
            *COUNT_UNITS["亩"],
            *COUNT_UNITS["吨"],
            "立方米",
            "m³",
            "千瓦",
            "TB",
            "GB",
        )
    if _CAPACITY.search(question):
        return ("TB", "GB")
    if _AREA.search(question):
        return ("平方米", "万平方米", "亩", "万亩", "公顷", "平方公里", "㎡", "m²", "km²")
    if _MONEY.search(question):
        return MONEY_UNITS
    return None


def subject_words(subject: str) -> str:
    """The asked-about words with the asker's phrasing mapped to the report's."""
    text = subject
    for said, written in SYNONYMS:
        if said in text:
            text = text.replace(said, f"{said}{written}")
    return _NOISE.sub(" ", text)


# The asker wants a computation, not a figure the report states: the open layer does not guess it.
COMPUTE = re.compile(
    r"除去|除了|除.{1,16}外(?!的?(?:其他|其余|另外|别的))|去掉|扣除|扣掉|减去|还剩|剩下|剩余|没花|未花|没用|结余多少|多了多少|少了多少|多出|差多少|差了|差几|"
    r"还有多少(?:钱)?没|没拨|未拨|空着|比.{1,12}(?:多|少|高|低)|"
    r"高多少|低多少|增加了多少|减少了多少|净|加起来|相加|合起来|之和|平均|占.{0,12}(?:比|多少)|比重|是.{0,4}几倍"
)
# "分给各市具体多少": one figure per place is asked, never the total they share
_BREAKDOWN = re.compile(r"(?:分给|分配给|分到|下达给|拨给|给)各[省市州县区旗镇乡村校]|各[市州县区旗镇乡]分别")
_HEAD_DROP = re.compile(
    # "巡护面积这个三级指标自评得了几分": the score asked and the words pointing back name no head
    r"(?:自评)?(?:得了|得分|打了|打分)|自评(?=几|多少)|(?:这|那|该)一?(?:个|项)(?:[一二三]级)?(?:指标)?|"
    r"实际|目标|计划|预计|定的|定了|指标值|指标(?=目标|值)|达到|做到|多少钱|多少|多长|多大|多高|多深|多远|多久|万元|亿元|元|钱|几|"
    r"最后|最终|到底|究竟|一共|总共|是|的|了|(?<![实现拥])有|共|总|才|(?<=几|少)个?人(?=[？?。]?$)|"
    r"[？?！!。，,、：:\s]"
)
# verbs that end a question ("年初预算安排了多少") stand after the head, not for it
_TRAILING_VERB = re.compile(
    r"(?:安排|下达|拨付|拨|支出|执行|花|花费|用|使用|完成|实现|开展|办|组织|做|建成|新建|安装|培训|投入|争取|到位|"
    r"发放|补|管|查|搞|到|着|覆盖|服务|解决|设|设置|内设|要|能|为)+$"
)


_CLASSIFIERS_ASKED = set("个辆台名项所家户座条只头张册套件")
# verbs that say only that something was done (支出, 下达, 到位 say what is measured, and stay)
_DONE_ONLY = re.compile(r"(?:完成|实现|达到|做到|搞到|做|办|开展|组织)+")
_MODIFIER_ONLY = re.compile(r"^(?:全年|年初|年末|年底|本年|当年|年度|实际|总共|一共|合计|全部)*$")


def _head_of(run: str) -> str:
    """A run less the verbs that end it, unless only modifiers would be left ("全年实际执行": 执行 is it);
    a count of people is headed by who they are ("退休人员" → 退休: a report writes "退休42人")."""
    stripped = _TRAILING_VERB.sub("", run)
    stripped = run if _MODIFIER_ONLY.match(stripped) else stripped
    people = re.sub(r"(?:人员|人数)$", "", stripped)
    return people if len(people) >= 2 and not _MODIFIER_ONLY.match(people) else stripped


_COUNTED_NOUN = re.compile(
    rf"(?:多少|几)[{''.join(sorted(_CLASSIFIERS_ASKED))}]([{CJK}]{{1,3}})[？?。！!\s]*$"
)


def head_grams(asked: str) -> set[str]:
    """The head of what is asked: Chinese puts it last ("全年预算数" → 算数, 预算). A figure whose words
    hold none of it answers something else (业务收入 is no 预算数). "几辆车": the noun after the classifier."""
    counted = _COUNTED_NOUN.search(asked)
    if counted and counted.group(1) != "人":  # ("在职的有几个人": 人 says only that people are counted)
        noun = counted.group(1)
        return {noun} if len(noun) == 1 else {noun[i : i + 2] for i in range(len(noun) - 1)}
    found = re.findall(rf"[{CJK}]{{2,}}", _HEAD_DROP.sub(" ", asked))
    # "门票收入实际完成多少": a verb standing alone at the end heads nothing, the words before it do
    while len(found) > 1 and _DONE_ONLY.fullmatch(found[-1]):
        found.pop()
    runs = [_head_of(r) for r in found]
    runs = [r for r in runs if len(r) >= 2]
    if not runs:
        return set()
    last = runs[-1]
    return {last[i : i + 2] for i in range(max(0, len(last) - 3), len(last) - 1)}


# a table's numbering and naming columns ("行次", "序号", "项目"): a number there is a row's place, never a figure
_INDEX_COLUMN = re.compile(r"^(?:行次|栏次|序号|编号|项次|科目编码|科目代码|项目|名称|项目名称|科目名称)$")
_QUOTED = re.compile(rf"[“\"「『]([{CJK}A-Za-z0-9]{{2,20}})[”\"」』]")
# what names a fund or a cost in general ("…资金", "…经费"): the words before it say which
_GENERIC_TAIL = re.compile(r"(?:专项资金|资金|经费|金额|总额|费用|款项|项目)+$")


def head_core(asked: str) -> str:
    """The fund a question ends by naming, less the words any amount is named by ("农机报废更新资金" → 农机报废
    更新), when three characters or more are left: what the report must speak of to answer."""
    found = re.findall(rf"[{CJK}]{{2,}}", _HEAD_DROP.sub(" ", asked))
    while len(found) > 1 and _DONE_ONLY.fullmatch(found[-1]):
        found.pop()
    if not found:
        return ""
    head = _head_of(found[-1])
    core = _GENERIC_TAIL.sub("", head)
    # (only a fund's name: "比上年少", "百分之" are ways of asking, not what is asked of)
    # ("三公经费": two characters name a fund as well, when they are no bare modifier)
    return core if core != head and len(core) >= 2 and not _MODIFIER_ONLY.match(core) else ""


def abbreviated_in(core: str, text: str) -> bool:
    """Whether a text speaks of `core`: a word of it, or all of it written in full where the asker shortened
    it ("残保金" for 残疾人就业保障金, "厕改" for 厕所改造: its characters in order, a few apart at most)."""
    if any(core[i : i + 2] in text for i in range(len(core) - 1)):
        return True  # a word of it is enough: the asker's phrase joins words the report writes apart
    return written_out(core, text)


def written_out(core: str, text: str) -> bool:
    """All of `core` written out in full where the asker shortened it: its characters in order, a few apart."""
    return re.search(".{0,3}".join(map(re.escape, core)), text) is not None


def _said_at(core: str, f: Figure) -> bool:
    """A figure's own words speak of `core`."""
    return _said_in(
        core, f"{f.label} {f.quote} {f.context} {f.section} {f.column} {f.row} {table_project(f)}"
    )


def _said_in(core: str, text: str) -> bool:
    """A text speaks of `core`: half of its word pairs, or all of it written out in full."""
    text = _JOINED.sub("", text)
    pairs = [core[i : i + 2] for i in range(len(core) - 1)]
    return sum(p in text for p in pairs) * 2 >= len(pairs) or written_out(core, text)


def _spoken_text(figures: Sequence[Figure]) -> str:
    return _JOINED.sub("", " ".join(f"{f.label} {f.quote} {f.section} {f.context}" for f in figures))


def position_in(f: Figure, text: str | None = None) -> int:
    """Where the figure stands in its sentence (or `text`), never inside a longer number: "91人" in
    "在校生791人,比上年减少91人" is the second; -1 when it is not there."""
    m = re.search(rf"(?<![\d.]){re.escape(f.text)}", f.context if text is None else text)
    return m.start() if m else -1


def comparable(value: float, unit: str) -> tuple[float, str]:
    """Amounts in 元/万元/亿元 as 元, for telling equal figures from rival ones."""
    if unit in TO_YUAN:
        return round(value * TO_YUAN[unit], 2), "元"
    return round(value, 4), unit


@dataclass(frozen=True, slots=True)
class Match:
    figure: Figure
    score: float
    rival: Figure | None  # the best-matching figure of another value
    rival_score: float

    @property
    def margin(self) -> float:
        return self.score - self.rival_score

    alone: bool = False  # the only figure of its uncommon unit in the report ("0辆" when asked 几辆车)
    told_apart: bool = False  # its close rivals, named alike, are told from it by the asked words near it

    @property
    def confident(self) -> bool:
        if self.figure.qualifier == "aligned":
            # a cell whose column was inferred from position in run-together text: a stricter bar
            return self.score >= MIN_SCORE + ALIGNED_EXTRA and self.margin >= MIN_MARGIN + ALIGNED_EXTRA
        # alone in its unit, yet named by none of the asked words, it answers nothing asked
        return (
            (self.score >= MIN_SCORE and self.margin >= MIN_MARGIN)
            or (self.alone and self.score > 0)
            or (self.told_apart and self.score >= MIN_SCORE)
        )


def _words_near(f: Figure, before: int = 40, after: int = 20) -> str:
    """The words of a figure's clause around it ("…共完成169处农村饮水工程维修养护"): in a long run of
    table cells pasted as one clause, the words far from it name other figures."""
    at = position_in(f, f.quote)
    return f.quote[max(0, at - before) : at + len(f.text) + after] if at >= 0 else f.quote


_CLASSIFIERS = set("个辆台名项所家户次套件座条只头张册")
# words that begin with a classifier's character and are words of their own (项目 is no 目)
_WORDS_NOT_COUNTED = {"项目", "名称", "名单", "家庭", "户籍", "所属", "条件", "台账", "次数", "件数", "头部"}
_STOP_CHARS = set("的了是有在和与及等把被对从向给为也都就还又再很更吗呢吧啊个这那哪啥")


def _word_grams(text: str) -> list[str]:
    """The asked words as matching keys: bigrams inside each word ("全年/实际/执行" gives no "年实"), and a
    word of one character ("羊", "补") as itself."""
    keys: list[str] = []
    for word, start, end in jieba.tokenize(text):
        if not re.fullmatch(rf"[{CJK}A-Za-z0-9]+", word):
            continue
        if word == "项目":
            if text[end:].startswith("支出"):
                keys.append("目支")  # 项目支出, the metric, split by the segmenter: its own pair names it
            if not re.search(r"[个几\d]\s*$", text[:start]):
                continue  # every figure of a project report is the project's ("几个项目" counts them)
        if len(word) == 2 and word[0] in _CLASSIFIERS and word not in _WORDS_NOT_COUNTED:
            word = word[1]  # "(几)辆车": the classifier belongs to the question word, the noun is 车
        if len(word) == 1:
            if word not in _STOP_CHARS and re.match(rf"[{CJK}]", word):
                keys.append(word)
            continue
        keys.extend(word[i : i + 2] for i in range(len(word) - 1))
    return list(dict.fromkeys(keys))


def _weight_of(key: str) -> float:
    return 0.5 if len(key) == 1 else 1.0  # one character says less than a two-character word


_TABLE_PROJECT = re.compile(r"(?:^|> )项目 ([^>]+)$")


def table_project(f: Figure) -> str:
    """The project of the 自评表 a figure stands in, where a file holds several (index/figures.py)."""
    m = _TABLE_PROJECT.search(f.section)
    return m.group(1) if m else ""


def heading_label(f: Figure) -> str:
    """A figure standing alone on its line ("(一)自评得分" / "100分。") is named by the heading above it."""
    said = re.sub(r"(?:指标)?(?:评价)?(?:得分|评分|分值)", "", f.quote.replace(f.text, ""))
    if f.column or len(re.findall(rf"[{CJK}]", said)) > 2:
        return ""  # ("指标评价得分9" under "一、资金管理方面": the score words name nothing of their own)
    heading = f.section.rsplit(">", 1)[-1].strip()
    return re.sub(r"^[(（]?[一二三四五六七八九十\d]+[)）、.．]\s*", "", heading)


_SCORE_WORDS_ONLY = re.compile(r"(?:指标)?(?:评价)?(?:自评)?(?:得分|评分)")


def own_label(f: Figure) -> str:
    """The words that name a figure: its label, or the heading above it where the label is none or only says
    it is a score ("一、资金管理方面" over "指标评价得分9")."""
    if f.label and not _SCORE_WORDS_ONLY.fullmatch(f.label):
        return f.label
    return heading_label(f) or f.label


def _idf(keys: Sequence[str], figures: Sequence[Figure]) -> dict[str, float | None]:
    """Inverse document frequency of each asked key over the report's figure sentences (None: never used)."""
    texts = [_JOINED.sub("", f"{f.label} {f.quote} {f.section} {f.context}") for f in figures]
    n = max(1, len(figures))
    out: dict[str, float | None] = {}
    for key in keys:
        count = sum(key in t for t in texts)
        out[key] = math.log(1 + n / count) if count else None
    return out


# "绩效自评表里…", "报告中…": the document asked about, no row of its table
_DOCUMENT_GRAMS = {"绩效", "效自", "自评", "评表", "表里", "表中", "报告", "告里", "告中", "评价", "价表"}
# words of measures and documents say which figure of a row, not which row: "指标", "得分" tell none apart
GENERIC_GRAMS = _MEASURE_GRAMS | _DOCUMENT_GRAMS | {"指标", "得分", "分值", "目标", "标值"}
# "收、支总计", "增、减": a 、 that joins the characters of one word is no gap in it
_JOINED = re.compile(rf"(?<=[{CJK}])、(?=[{CJK}])")


def _overlap(asked: dict[str, float], text: str) -> float:
    text = _JOINED.sub("", text)
    total = sum(asked.values())
    return sum(w for g, w in asked.items() if g in text) / total if total else 0.0


def names_row(asked: Iterable[str], project: str = "") -> bool:
    """Whether the asked keys name a table row: a key that is no measure ("执行率"), no word for the document
    ("自评表里") and not the report's own project."""
    return any(
        len(g) > 1 and g not in _MEASURE_GRAMS and g not in _DOCUMENT_GRAMS and not (project and g in project)
        for g in asked
    )


def _bare_named(f: Figure, figures: Sequence[Figure]) -> str:
    """What a figure named by a change or an actual alone is of: "事业编制34人,实际29人" → 事业编制 实际; "税收
    收入80.1万元,增长12.5%" → 税收收入 增长; "收、支与上年相比,减少…,下降5.6%" (no figure named before it)
    → the sentence up to it."""
    at = f.context.find(f.quote)
    if at < 0:
        return f.label
    before = [
        (pos, g)
        for g in figures
        if g.line == f.line
        and g.context == f.context
        and not _BARE_CHANGE.fullmatch(g.label)
        and 0 <= (pos := f.context.find(g.quote)) < at
    ]
    if before:
        return f"{max(before, key=lambda p: p[0])[1].label} {f.label}"
    return f.context[: at + len(f.quote)]


# a total run up over years, not one year's figure
_RUNNING_TOTAL = re.compile(r"累计|以来|历年|目前|至今|迄今")


# characters that tell an item from its sibling of the same name (种公猪/种母猪, 第一批/第二批, 上半年/下半年,
# 市级配套/县级配套, 预算数/决算数)
_CONTRASTS = (
    "公母",
    "男女",
    "上下",
    "一二三四五六七八九十",
    "春秋",
    "初末",
    "城乡",
    "正副",
    "新旧",
    "预决",
)
# levels only as such ("省级", "县级"): 县 and 乡 end the places a question opens with ("临河区义务教育")
_LEVELS = "省市县区乡镇村"
# in two characters, only what is always a pair (线上/线下, 公猪/母猪, 男生/女生)
_PAIRS = ("公母", "男女", "上下")
# whole words that are each other's opposite (收入总计 never answers 支出总计)
_OPPOSITE_WORDS = (("收入", "支出"),)


def _sibling_named(question: str, label: str) -> bool:
    """The label names, in three characters, the sibling of an item the question names: the same three
    but one, told apart by a pair of contrasting characters, and the label's own word not asked."""
    for pair in _OPPOSITE_WORDS:
        for own, other in (pair, pair[::-1]):
            if own in label and other not in label and other in question and own not in question:
                return True
    for size in (3, 2):
        for run in re.findall(rf"[{CJK}]{{{size},}}", label):
            for k in range(len(run) - size + 1):
                word = run[k : k + size]
                if word in question:
                    continue
                for j, ch in enumerate(word):
                    levels = (_LEVELS,) if word[j + 1 : j + 2] == "级" else ()
                    groups = (*_CONTRASTS, *levels) if size == 3 else _PAIRS
                    for group in groups:
                        if ch in group and any(
                            f"{word[:j]}{other}{word[j + 1 :]}" in question for other in group if other != ch
                        ):
                            return True
    return False


def score_figures(
    question: str,
    subject: str,
    figures: Sequence[Figure],
    names: Sequence[str] = (),
    near: int | None = None,
    year: int | None = None,
    topic: str = "",
) -> list[tuple[float, Figure]]:
    """Every figure of the expected kind, scored against the asked words; best first, ties in reading order.
    `names` (the unit's names) say who, not what: their words are not matched."""
    units = expected_units(question)
    pool = [
        f
        for f in figures
        if (units is None or f.unit.split("/")[0] in units or unstated_amount(f, units))
        and not _INDEX_COLUMN.search(f.column)
        # a score answers only a question about scoring ("执行数多少" is never "20分")
        and (units is not None or f.unit != "分" or _SCORE.search(question))
    ]
    if not pool:
        return []
    words = subject_words(subject)
    who = {g for name in names for g in _grams(name)}
    weights = _idf([g for g in _word_grams(words) if g not in who], figures)
    absent = math.log(1 + len(figures))
    said = {g: (w if w is not None else absent) * _weight_of(g) for g, w in weights.items()}
    # words the report never uses around its figures ("搞到", a place the asker added) tell no figure from
    # another; but when most of what was asked is absent, the report does not speak of it at all
    asked = {g: said[g] for g, w in weights.items() if w is not None}
    units_asked = _EXPLICIT_UNIT.search(question)
    only = len({comparable(f.value, f.unit) for f in pool}) == 1 and units_asked and units is not None
    # the report's title words (its project: "村道养护项目") are spoken of, though near no figure
    # ("家庭医生签约里重点人群…": the whole a part is asked of only says where it stands, as the asker calls it)
    gate = {g: v for g, v in said.items() if g not in _whole_keys(subject, who)} or said
    spoken = sum(v for g, v in gate.items() if g in asked or (topic and g in topic))
    if not only and (not asked or spoken < MIN_PRESENT * sum(gate.values())):
        return []
    core = head_core(subject)
    if core and not only and not any(abbreviated_in(core, text) for text in (_spoken_text(figures), topic)):
        return []  # "农机报废更新资金" of a report that never names 农机报废更新: its 资金 are other funds
    # a name the asker puts in quotes ("“三公”经费") is what is asked: a report that never says it has no answer
    for quoted in _QUOTED.findall(subject):
        if not only and not any(abbreviated_in(quoted, text) for text in (_spoken_text(figures), topic)):
            return []
    # a fund asked that is not what the whole report is about must be named where its figure is
    core_elsewhere = bool(core) and not only and not _said_in(core, topic)
    # the project the whole report is about ("村道养护经费…执行数"), named by no figure: it tells no figure
    # from another, so it does not lower every figure's match either
    project = report_words(topic) if topic else ""
    labels = "|".join(f.label for f in pool) if project else ""
    naming = {g: w for g, w in asked.items() if not (project and g in project and g not in labels)} or asked
    # the head's pairs are matched whole ("助资" and "资金" of 补助资金): a pair that is also in the unit's
    # name still names the head; only a head that is all the unit's name says who, not what
    heads = head_grams(subject)
    heads = set() if heads <= who else heads
    rate_head = next((h for h in sorted(heads) if h.endswith("率")), "")
    wants_change = bool(CHANGE.search(question))
    wants_given = bool(_SCORE_GIVEN.search(question)) and not _SCORE_WEIGHT.search(question)
    wants_per_head = bool(PER_HEAD.search(question)) and not PER_HEAD.search(" ".join(names))
    wants_total = bool(_ASKED_TOTAL.search(question))
    wants_total_score = bool(re.search(r"总分|总得分|综合得分|最终得分|最后得分", question)) and units == (
        "分",
    )
    wants_target = bool(re.search(r"目标|计划|预计|指标值", question))
    wants_actual = bool(_ACTUAL.search(question))
    wants_spent = bool(_SPENT_ASKED.search(question)) and not _BUDGET_WORDS.search(question)
    wants_budget = bool(_BUDGET_WORDS.search(question)) and not _SPENT_ASKED.search(question)
    wants_paid = bool(_PAID_ASKED.search(question))
    # a report that states both its own level's figures (本级) and others: which one is asked tells them apart
    wants_own_level = "本级" in question
    with_level = sum("本级" in (f.label if f.column else f"{f.label}{f.quote}") for f in pool)
    own_level_split = 0 < with_level < len(pool) / 2
    # does the question name one of the report's table rows? if not, a row total answers it
    # (the project's name, which the title states, names no row)
    # (words of the report's title name its project, not a row, unless a row holds them: "调查队专项经费年初
    # 预算" names the project, and its table's total row answers; "本年财政拨款年初预算" names a row)
    row_words = [g for g in asked if len(g) > 1 and g not in _MEASURE_GRAMS and g not in _DOCUMENT_GRAMS]
    rows = {f.row for f in pool if f.row}
    # (a word no row holds names the project or item the table is about, not one of its rows)
    names_a_row = names_row(asked, project) and any(any(g in r for r in rows) for g in row_words)
    totals = {f.column for f in pool if f.row and _TOTAL_ROW.search(f.row)}
    # the asked words as one phrase, less question words and the unit's names ("本年支出")
    bare = subject
    for name in sorted(names, key=len, reverse=True):
        bare = bare.replace(name, " ")
    runs = re.findall(rf"[{CJK}]{{3,}}", _HEAD_DROP.sub(" ", bare))
    phrase = max(runs, key=len) if runs else ""
    part_keys = _part_keys(bare, who)
    # sentences stating an actual after a planned figure ("事业编制34人,实际29人"): the planned one there
    # is no answer to "实际有多少"
    with_actual = {
        (f.line, f.context)
        for f in pool
        if not f.column and _BARE_CHANGE.fullmatch(f.label) and not CHANGE.search(f.label)
    }
    scored: list[tuple[float, int, Figure]] = []
    for seq, f in enumerate(pool):
        own = own_label(f)
        bare = not f.column and _BARE_CHANGE.fullmatch(f.label)
        if bare:
            own = _bare_named(f, figures)
        # a table of one project among several ("> 项目 购买服务"): the project names its cells too
        label = _overlap(naming, f"{own} {table_project(f)}")
        # a cell's clause is its row read with its column's header
        clause = _overlap(
            naming,
            f"{f.column} {f.quote}" if f.column else f"{own} {_words_near(f)}" if bare else _words_near(f),
        )
        wide = _overlap(naming, f"{f.context} {f.section}")
        # nothing of what was asked names this figure: its sentence or table alone is no answer
        score = 0.55 * label + 0.3 * clause + 0.15 * wide if label or clause else 0.0
        if bare and not CHANGE.search(f.label) and not wants_actual:
            score *= 0.7  # "实际29人" beside "编制34人" answers the actual only when it is asked
        elif wants_actual and not bare and (f.line, f.context) in with_actual:
            score *= 0.7
        # a table cell is named by its row and column: the row's other cells name other figures
        named_by = own if f.column else f"{own}{f.quote}"
        if rate_head and rate_head not in named_by and "率" not in named_by:
            score *= 0.4  # "绩效目标完成率" is a rate by that name: "完成预算的100%" is another figure
        if heads and not any(h in named_by for h in heads):
            score *= 0.4
        if _sibling_named(question, own if f.column else f.label):
            score = 0.0  # "种母猪" asked, "种公猪" named: the item beside the one asked
        if part_keys and score:
            # "义务教育补助里省级补助": the part asked names the figure, the whole only says where it stands
            score *= max(0.5, sum(g in named_by for g in part_keys) / len(part_keys))
        if core_elsewhere and not _said_at(core, f):
            score *= 0.3  # "机关运行经费" asked, "…“三公”经费支出合计" found: its sentence names another fund
        part = None if f.column else _PART.search(f.context[:16])
        if part and part.group(0) not in question:
            score *= 0.7  # "项目支出…全年预算数…" is the projects' figure, not the unit's, unless asked
        if not wants_change and CHANGE.search(f.label):
            score *= 0.6  # "比上年增长5%" does not answer "增长率" unless asked
        if f.column and wants_given and _SCORE_WEIGHT.search(f.column) and not _SCORE_GIVEN.search(f.column):
            score *= 0.6
        if wants_given and not f.column and re.search(rf"[（(]{re.escape(f.text)}[）)]", f.quote):
            score *= 0.3  # "预算执行情况(10分)": the weight a title carries, not the score given
        if wants_total_score and not _TOTAL_SCORE.search(f"{named_by}{f.row}{f.column}{f.section}"):
            score *= 0.3  # "自评总分" is the report's (or table's) total, not one indicator's 分值
        if wants_per_head and not PER_HEAD.search(f"{named_by}{f.unit}{'' if f.column else f.context}"):
            score *= 0.2
        if own_level_split and ("本级" in named_by) != wants_own_level:
            # "市本级分到多少" is not the city's whole; "一共安排了多少" is not its 本级 share
            score *= 0.4 if wants_own_level else 0.5 if re.search(r"一共|总共|合计|全部", question) else 0.7
        if f.qualifier == "bound" and not wants_target:
            score *= 0.7
        # a pair "指标值 完成值" under one label: the first is the target, the second what was achieved
        if f.qualifier == "first" and not wants_target:
            score *= 0.6 if wants_actual else 0.85
        if f.qualifier == "second" and wants_target:
            score *= 0.6
        if f.column:
            if wants_target and not _TARGET.search(f.column) and _ACTUAL.search(f.column):
                score *= 0.6
            if wants_actual and _PLANNED.search(f.column) and not _ACTUAL.search(f.column):
                score *= 0.0  # "实际执行了多少" is not the 预算数 or 目标值 column
            if wants_spent and f.unit in TO_YUAN and not _SPENT_WORDS.search(f.column):
                # "实际支出了多少" is never a column of money raised or allotted ("发行金额", "预算数")
                score *= 0.0 if _BUDGET_WORDS.search(f.column) or _RAISED.search(f.column) else 0.5
        if score and not f.column:
            # "实际支出了多少" is not answered by a sentence's budget ("下达预算资金…"), nor the reverse
            if wants_spent and not _SPENT_WORDS.search(named_by):
                # "实际花了多少" is never answered by a budget ("下达…预算412.5万元"), however well named
                score *= 0.0 if _BUDGET_WORDS.search(named_by) else 0.75
            elif wants_budget and _SPENT_WORDS.search(named_by) and not _BUDGET_WORDS.search(named_by):
                score *= 0.3
            elif wants_paid and not _PAID_WORDS.search(named_by):
                score *= 0.0 if _BUDGET_WORDS.search(named_by) else 0.3
        if f.row and score and not names_a_row and f.column in totals and f.unit != "分":
            # "全年执行了多少", naming no row of the table: its total row, not one of the rows under it
            score = score + TOTAL_BONUS if _TOTAL_ROW.search(f.row) else score * 0.7
        if (
            year
            and score
            and (said_years := set(re.findall(r"(?:19|20)\d{2}", f.label)))
            and str(year) not in said_years
        ):
            score *= 0.5  # the "2022年决算数" column does not answer for 2023
        elif (
            year
            and score
            and re.search(rf"(?<!\d)(?:{year}|{year % 100})\s*年", question)
            and _RUNNING_TOTAL.search(f.context[: max(position_in(f), 0)] or f.label)
            and not _RUNNING_TOTAL.search(question)
        ):
            score *= 0.5  # "2024年批了多少": that year's, not "截至目前,…累计获批…"
        if score and f.label.rstrip("、，,：: ").endswith(tuple(h for h in heads if len(h) > 1)):
            score += HEAD_END_BONUS
        if wants_total and score and _SAID_TOTAL.search(f.label):
            score += TOTAL_BONUS  # "一共有几辆车": "共有公务车辆3辆", not the kinds listed after it
        if phrase and score and phrase in _JOINED.sub("", f.label):
            score += WHOLE_BONUS
        if near is not None and score and abs(f.line - near) <= 1:
            score += NEAR_BONUS  # the row (or sentence) the question's first part was answered from
        scored.append((score, seq, f))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return _whole_before_parts(scored, near)


# "A里B" / "A当中B" / "A其中B": B is asked, a part of A (公里, 里程 are words of their own)
_PART_OF = re.compile(
    rf"[{CJK}]{{2,}}(?:里面|里头|里边|(?<![公千英海邻])里(?!程|程碑)|当中|之中|其中)的?([{CJK}]{{2,}}.*)$"
)


def _whole_keys(subject: str, who: set[str]) -> set[str]:
    """The keys of the whole a part is asked of, and of nothing else the question asks."""
    m = _PART_OF.search(subject)
    if not m:
        return set()
    whole = _word_grams(subject_words(_HEAD_DROP.sub(" ", subject[: m.start(1)])))
    return set(whole) - _part_keys(subject, who)


def _part_keys(subject: str, who: set[str]) -> set[str]:
    """The keys of the part a question asks of a whole ("家庭医生签约里重点人群实际签了多少人" → 重点, 人群)."""
    m = _PART_OF.search(subject)
    if not m:
        return set()
    part = _HEAD_DROP.sub(" ", m.group(1))
    return {g for g in _word_grams(subject_words(part)) if len(g) == 2 and g not in GENERIC_GRAMS | who}


def _label_key(label: str) -> str:
    return re.sub(rf"[^{CJK}A-Za-z]", "", label)


# words that say a sentence (or its section) states a whole: "共安排…项目31个", "(一)总体情况"
WHOLE_SAID = re.compile(r"共|总|合计|累计|全[省市县区旗盟州镇乡院校局]|整体|汇总")


def _whole_before_parts(
    scored: list[tuple[float, int, Figure]], near: int | None
) -> list[tuple[float, Figure]]:
    """Figures named alike and matched (nearly) equally ("完成投资2.35亿元; …云岭县…完成投资8600万元"):
    the one stated first that is no less than all the others together is their whole, and a question that
    names no part asks the whole (a question naming a part matches that part better, so no tie arises) —
    when the whole's sentence or section says it is one, and at least two parts follow."""
    ranked = [(s, f) for s, _, f in scored]
    if len(ranked) < 2 or ranked[0][0] < MIN_SCORE or near is not None:
        return ranked  # (a later part of a question has its own row to look near)
    top = ranked[0][0]
    # the figures too close to the best to tell apart; the whole must be the best of them itself
    tied = [f for s, f in ranked if s > top - MIN_MARGIN]
    if len({comparable(f.value, f.unit) for f in tied}) < 2 or any(f.unit == "%" for f in tied):
        return ranked
    # the best of them, stated before every rival of another value
    first_seq, whole = scored[0][1], scored[0][2]
    if any(
        seq < first_seq and comparable(f.value, f.unit) != comparable(whole.value, whole.unit)
        for s, seq, f in scored
        if s > top - MIN_MARGIN
    ):
        return ranked
    key = _label_key(whole.label)
    value, unit = comparable(whole.value, whole.unit)
    at = position_in(whole)
    listed = at >= 0 and "其中" in whole.context[at:]

    def part_of_whole(f: Figure) -> bool:
        # named as the whole is, or listed after it in its sentence ("共下达300万元(其中:中央250万元…")
        if key and key in _label_key(f.label):
            return True
        return listed and f.line == whole.line and (f.context != whole.context or position_in(f) > at)

    others = [
        f for s, f in ranked if s > 0 and f is not whole and comparable(f.value, f.unit) != (value, unit)
    ]
    parts = [comparable(f.value, f.unit)[0] for f in others if part_of_whole(f)]
    before = whole.context[: max(0, at)] or whole.context
    if (
        len(parts) < 2  # one other figure may be the same thing said twice, rounded ("7万元", "69390元")
        or any(not part_of_whole(f) for f in tied if f in others)
        or any(comparable(f.value, f.unit)[1] != unit for f in others if part_of_whole(f))
        or value < sum(parts) - 0.01
        or not (WHOLE_SAID.search(before) or WHOLE_SAID.search(whole.section.split(">")[-1]))
    ):
        return ranked
    rest = [(s, f) for s, f in ranked if f is not whole]
    return [(top + TOTAL_BONUS, whole), *rest]


def best_figure(
    question: str,
    subject: str,
    figures: Sequence[Figure],
    names: Sequence[str] = (),
    compute_ok: bool = False,
    near: int | None = None,
    year: int | None = None,
    topic: str = "",
) -> Match | None:
    """The figure a question asks for. A question asking a computation gets none (unless `compute_ok`:
    the caller is finding one operand of it)."""
    # "支部书记一年报酬平均多少": an average the report states ("年均29860元") is looked up, not computed
    stated_average = {m.group(0) for m in COMPUTE.finditer(question)} == {"平均"}
    if (COMPUTE.search(question) and not compute_ok and not stated_average) or _BREAKDOWN.search(question):
        return None
    ranked = score_figures(question, subject, figures, names, near, year, topic)
    if not compute_ok and expected_units(question) is None and not _NO_RATE_ASKED_OK.search(question):
        rates = [s for s, f in ranked if f.unit in ("%", "‰")]
        ranked = [(s, f) for s, f in ranked if f.unit not in ("%", "‰")]  # "赣州市执行了多少" asks no rate
        if rates and ranked and rates[0] > ranked[0][0] + MIN_MARGIN:
            return None  # what is asked is stated as a rate only: no other figure is its answer
    if stated_average and not compute_ok:
        ranked = [(s, f) for s, f in ranked if re.search(r"[均每]", f"{f.label}{_words_near(f)}")]
    if not ranked:
        return None
    score, best = ranked[0]
    if (
        best.qualifier == "bound"
        and _ACTUAL.search(question)
        and not re.search(r"目标|计划|预计|指标值", question)
    ):
        return None  # "实际达到多少" is never answered by a target ("≥90%")
    key = comparable(best.value, best.unit)
    rival = next(((s, f) for s, f in ranked[1:] if comparable(f.value, f.unit) != key), None)
    units = expected_units(question)
    asked_unit = _EXPLICIT_UNIT.search(question)
    alone = (
        rival is None
        and units is not None
        and not set(units) & _COMMON
        and asked_unit is not None
        and best.unit == asked_unit.group(1)  # "几辆" is answered by 辆 alone, never by 台
    )
    close = [f for s, f in ranked[1:] if s > score - MIN_MARGIN]
    told = _told_apart(subject, names, best, close)
    tied = [f for s, f in ranked[1:] if s >= score - 1e-9 and comparable(f.value, f.unit) != key]
    if not told and len(tied) == 1 and _told_apart(subject, names, tied[0], [best, *close]):
        # two alike of equal score ("资金使用率100%", "资金使用率83.72%"): the one the asked words stand by
        best, told = tied[0], True
        key = comparable(best.value, best.unit)
        rival = next(((s, f) for s, f in ranked if comparable(f.value, f.unit) != key), None)
    if (
        not told
        and len(tied) == 1
        and tied[0].line == best.line
        and not (best.column or tied[0].column)
        and _label_key(tied[0].label) == _label_key(best.label)
        and len(re.findall(rf"[{CJK}]", best.label)) >= 3  # (a label of a stray character names nothing)
        and (_ACTUAL.search(question) or _TARGET_ASKED.search(question))
        and not (_ACTUAL.search(question) and _TARGET_ASKED.search(question))
    ):
        # one line naming one thing twice ("年度目标 | 实际完成" cells: "线上销售额8.6亿元 … 线上销售额11.35亿元"):
        # the target is stated first, what was achieved after it (ties rank in reading order)
        told = True
        if _ACTUAL.search(question):
            best = tied[0]
            key = comparable(best.value, best.unit)
            rival = next(((s, f) for s, f in ranked if comparable(f.value, f.unit) != key), None)
    if not told and rival is not None and rival[0] >= score - 1e-9:
        # tied with a figure of another value: the one whose label holds a longer run of the question as
        # typed ("下达的中央农田建设补助资金" of "下达…中央农田建设补助资金" over "下达…资金"; the words the report's
        # topic shares are blanked from `subject`, not from what was typed)
        mine, theirs = _typed_run(question, best), _typed_run(question, rival[1])
        if mine >= 4 and mine >= theirs + 2:
            told = True
        elif theirs >= 4 and theirs >= mine + 2 and len(tied) == 1:
            best, told = rival[1], True
            key = comparable(best.value, best.unit)
            rival = next(((s, f) for s, f in ranked if comparable(f.value, f.unit) != key), None)
    # "总建筑面积" asked, its figure named so, the rival "地下建筑面积" not: the question says which
    said = rival is not None and _said_whole(subject, best, rival[1])
    return Match(best, score, rival[1] if rival else None, rival[0] if rival else 0.0, alone, told or said)


def _typed_run(question: str, f: Figure) -> int:
    """The longest run of the question's characters (names of years and places aside) the figure's label
    holds."""
    label = re.sub(r"(?:19|20)\d{2}年度?", "", f.label)
    text = re.sub(rf"[^{CJK}]", " ", re.sub(r"(?:19|20)\d{2}年度?", "", question))
    best = 0
    for run in text.split():
        for i in range(len(run)):
            j = i + best + 1
            while j <= len(run) and run[i:j] in label:
                best, j = j - i, j + 1
    return best


def _said_whole(subject: str, best: Figure, rival: Figure) -> bool:
    """The question writes out the best figure's whole label (four characters or more) and not the rival's."""
    mine, theirs = (_label_key(re.sub(r"^\d+[、.．]", "", f.label)) for f in (best, rival))
    asked = _label_key(subject)
    return len(mine) >= 4 and mine in asked and theirs not in asked and not best.column


def _leading_words(f: Figure, before: int = 40) -> str:
    """The words of a figure's sentence up to it (its clause may be no more than "分配到青禾县任务为5家")."""
    clause = f.context.find(f.quote)
    at = f.context.find(f.text, max(0, clause)) if clause >= 0 else -1
    if at < 0:
        return _words_near(f)
    return f.context[max(0, at - before) : at + len(f.text)]


def _telling_words(f: Figure) -> str:
    """The words that say which of figures named alike this one is: its sentence up to it, and the heading (or
    numbered paragraph's opening, "1.…茶叶加工厂建设项目") it stands under."""
    return f"{f.section.rsplit('>', 1)[-1]} {_leading_words(f)}"


def _told_apart(subject: str, names: Sequence[str], best: Figure, close: list[Figure]) -> bool:
    """Figures named alike ("其中青禾县承担1家", "…承担5家") each follow the words that say which is which
    ("创建星级文化大院20家", "创建星级乡村戏台10家"): the best one is told apart when asked words stand near it and near
    none of its close rivals of another value, and no asked word stands near a rival but not near it."""
    key = comparable(best.value, best.unit)
    close = [f for f in close if comparable(f.value, f.unit) != key]
    if not close or not best.label or best.column or best.qualifier == "aligned":
        return False
    same = _label_key(re.sub(r"^(?:19|20)\d{2}年度?", "", best.label))
    if any(f.column or _label_key(re.sub(r"^(?:19|20)\d{2}年度?", "", f.label)) != same for f in close):
        return False
    who = {g for name in names for g in _grams(name)}
    asked = {g for g in _word_grams(subject_words(subject)) if len(g) == 2 and g not in who | GENERIC_GRAMS}
    near_best = asked & set(_grams(_JOINED.sub("", _telling_words(best))))
    for f in close:
        near_rival = asked & set(_grams(_JOINED.sub("", _telling_words(f))))
        if not near_best - near_rival or near_rival - near_best:
            return False
    return True


def unmatched_words(asked: str, said: str, known: Sequence[str]) -> float:
    """How much of what the asker named (less the words of `known` — a metric's synonyms, the unit's
    names) the sentence `said` leaves out: 0 when it covers all of it, 1 when none. "等保测评花了多少" is
    not answered by the department's total spending, whose sentence names no 等保测评."""
    text = subject_words(asked)
    for word in sorted(known, key=len, reverse=True):
        text = text.replace(word, " ")
    grams = set(_grams(re.sub(r"(?:支出|执行|资金|预算|实际|全年|总共|合计|多少|金额)", " ", text)))
    grams = {g for g in grams if len(g) == 2}
    if len(grams) < 2:
        return 0.0
    have = set(_grams(said))
    return 1 - len(grams & have) / len(grams)


def unstated_amount(fig: Figure, units: Sequence[str]) -> bool:
    """A budget table's amount whose unit the report never states (its row's rate confirms the column):
    an answer to a question about money, shown bare with that said."""
    return not fig.unit and fig.qualifier.startswith(RUN) and bool(set(units) & set(TO_YUAN))


def shown_value(fig: Figure) -> str:
    """The figure as written, with the unit its table states where the cell itself has none ("3,208.11" under
    金额单位:万元 → 3,208.11万元): an amount shown without its unit could be read a ten-thousandfold off."""
    if not fig.unit and fig.qualifier.startswith(RUN):
        return f"{fig.text}（报告未注明单位）"
    if not fig.unit or fig.text.endswith(fig.unit) or fig.unit in fig.text:
        return fig.text
    if fig.unit == "万元" and fig.text.endswith("万"):
        return f"{fig.text}元"  # "260万" of money, its 元 left out
    return f"{fig.text}{fig.unit}"


def lead_words(fig: Figure) -> str:
    """The words right before a figure in its quote ("指标3:投诉处置率 | 100%"): what a figure read with
    no label of its own is shown as, so that an answer never shows a bare number."""
    for text in (fig.quote,):  # (never the context: a cell pasted alone has its neighbours' words there)
        at = position_in(fig, text)
        before = text[:at] if at > 0 else ""
        parts = [p.strip() for p in re.split(r"[,，;；。|\n]", before) if re.search(rf"[{CJK}]{{2}}", p)]
        if parts:
            return re.sub(r"\d+(?:\.\d+)?%?", "", parts[-1][-24:]).strip(" :：")
    return ""


def shown_label(fig: Figure) -> str:
    """The figure's name as an answer shows it: a table header's numbers ("(20分)", "(B/A)") that its cited
    row does not hold are left out, so that every number shown stands in the quote."""
    quoted = set(re.findall(r"\d+(?:\.\d+)?", fig.quote))
    words = []
    for word in (fig.label or heading_label(fig)).split():
        if re.match(r"\d", word) and not set(re.findall(r"\d+(?:\.\d+)?", word)) <= quoted:
            # "5门票收入": a table's number run into the name (a row's weight) is left off, the name stays
            word = re.sub(rf"^[\d.]+(?=[{CJK}])(?![年月日])", "", word)
        word = re.sub(
            r"[（(][^）)]*[）)]", lambda m: m.group(0) if not re.search(r"\d", m.group(0)) else "", word
        )
        if all(n in quoted for n in re.findall(r"\d+(?:\.\d+)?", word)):
            words.append(word)
    return " ".join(w for w in words if w)
