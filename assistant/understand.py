"""Understanding a question: which reports, which year, which metric, item or section, and what kind of answer.

Everything is resolved against what the index holds (its alias table and the items its facts name), never
against a list written for one corpus. Where the question is ambiguous the parse says so, and the engine asks
back or refuses rather than guessing a number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.item_names import ItemIndex, bigrams, common_run, item_key, longest_common
from assistant.models import Kind, ParsedQuestion
from assistant.open_figures import expected_units
from assistant.romanized import RomanizedNames
from assistant.units import (
    CONTENT_CHARS,
    ORG_MENTION,
    AliasTable,
    ContentUnits,
    FuzzyUnits,
    abbreviated,
    in_name,
    is_unit_name,
    names_a_kind_of_unit,
    org_mentions,
    strip_places,
)
from index.models import ReportMeta

# what is left of a unit's name matched only in part: a few of its characters and its kind
_NAME_LEFT = re.compile(r"([\u4e00-\u9fff]{0,6}?)(?:局|馆|站|所|院|中心|办|委|厅)")
# words a question may open with before a unit's name, saying nothing of which unit
_LEAD_FILLER = re.compile(r"^(?:请问|问一下|想问|(?:19|20)\d{2}年度?|[，,\s])+")
_PLACE_END = re.compile(r"(?:省|市|州|盟|县|区|旗|镇|乡|街道|村)$")
_NOT_QUALIFIER = re.compile(
    r"^(?:我们|咱们|我|咱|本|该|这|那|贵|你们|他们|全|各|每|所有|上级|下属)|[给的是在对向从把被和与及跟同让]"
)
# an alias that begins with a place ("南县财政局"), and a character before it that would make the place
# another one ("青禾县"): any but a level that ends a place or a word a question puts before a name
_PLACE_HEAD = re.compile(r"^[\u4e00-\u9fff]{1,3}?[县市区州旗]")
_INSIDE_NAME = re.compile(r"[\u4e00-\u9fff](?<![省市县区州盟旗年问查看在和与及跟的了是给对把请那这])")
# a unit named by its level alone ("市财政局", "县卫健局"): the asker may write its place before it
_LEVEL_FIRST = "省市县区州旗盟"


@dataclass(frozen=True, slots=True)
class _Mention:
    metric: str
    word: str
    pos: int


# Specific metric words win over generic ones wherever they stand ("三公经费支出多少" is about 三公经费, not
# 支出). Within a tier the longest word wins, then the earliest.
SPECIFIC: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("自评总分值", ("自评满分", "满分", "总分值")),
    ("年初预算数", ("年初预算",)),
    ("三公经费", ("三公经费", "“三公”经费", "三公")),
    ("基本支出", ("基本支出",)),
    ("项目支出", ("项目支出",)),
    ("一般公共预算财政拨款支出", ("一般公共预算财政拨款支出", "一般公共预算支出")),
    ("政府性基金预算财政拨款支出", ("政府性基金预算财政拨款支出", "政府性基金支出")),
    ("一般公共预算财政拨款收入", ("一般公共预算财政拨款收入", "一般公共预算收入", "一般公共预算")),
    ("政府性基金预算财政拨款收入", ("政府性基金预算财政拨款收入", "政府性基金收入", "政府性基金")),
    ("财政拨款支出", ("财政拨款支出",)),
    ("财政拨款收入", ("财政拨款收入", "拨款收入", "财政拨款")),
    ("结转结余率", ("结转结余率", "结余率")),
    ("结转结余", ("结转结余", "结余资金")),
    ("预算调整率", ("预算调整率", "调整率")),
    ("预算执行率", ("预算执行率", "执行率", "完成率", "支出率", "执行进度", "支出进度")),
)
# Score words come before budget words: "预算编制得了几分" asks a score, not the budget.
SCORE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "自评得分",
        ("自评得分", "自评分数", "自评分", "绩效得分", "评价得分", "得分", "评分", "分数", "几分", "多少分"),
    ),
)
GENERIC: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "全年预算数",
        ("全年预算数", "全年预算", "预算总额", "总预算", "预算数", "预算规模", "预算金额", "预算"),
    ),
    (
        "执行数",
        ("执行数", "实际支出", "全年支出", "支出总额", "总支出", "执行金额", "支出", "花了", "用了", "花掉"),
    ),
)
# What may stand around a score word without naming an indicator ("部门整体支出绩效自评的得分是多少").
SCORE_FILLER = re.compile(
    r"(?:部门|机关|单位)整体支出|(?:部门|机关|单位)整体|整体支出|部门|机关|整体|支出|绩效|自评|综合|最终|总体|年度|全年|本年|今年|"
    r"这次|本次|报告|里面|里|中|"
    r"这个项目|该项目|本项目|项目|"
    r"单位|的|是|了|呢|吗|呀|啊|多少|几|得|打|分|评|总|这个|那个|一共|请问|〇|[\s，,。？?！!：:、]"
)
_SPECIFIC_NAMES = {name for name, _ in SPECIFIC}
SECTION_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "存在的主要问题",
        ("存在什么问题", "存在的问题", "主要问题", "什么问题", "哪些问题", "问题", "不足", "短板"),
    ),
    (
        "下一步改进措施",
        ("改进措施", "整改措施", "下一步", "怎么改", "如何改进", "改进", "措施", "建议", "打算"),
    ),
    ("工作任务完成情况", ("做了什么", "做了哪些", "工作成效", "主要工作", "重点工作", "完成了哪些", "成效")),
    ("基本情况", ("基本情况", "部门概况", "内设机构", "职责", "机构设置", "概况")),
)
ASKS_FIGURE = re.compile(
    r"多少|(?<![哪这那])几|是否|百分之|比例|比重|占比|金额(?!单位)|数额|多大|多长|多高|多深|多远|多宽|多重|多久"
)
# a pointing word after what it points at ("学前教育那块", "维修这部分")
_THAT_PART = re.compile(r"(?<=[\u4e00-\u9fff])[这那](?:一)?(?:块|部分)(?=[\u4e00-\u9fff，,？?]|$)")
_FREQUENCY = re.compile(r"(?:多久|多长时间|隔多久)[^，,。？?]{0,16}一次")
# when, what kind, who: asked in words, whatever figure the question's subject names
_WHEN_KIND_WHO = r"什么时候|何时|哪年|哪一年|哪天|哪一天|什么性质|什么类型|是谁"
# …and whether or where: a question the report's words answer, not a lookup (unless it asks 多少)
_WHETHER_WHEN_WHERE = re.compile(rf"有没有|有无|是否有|在哪|哪里|{_WHEN_KIND_WHO}")
# …and how, why, which document: no figure is asked, whatever the subject ends in (…经费, …率)
_ASKS_WORDS = re.compile(rf"几月|什么样|哪个文件|怎么|如何|为什么|为啥|{_WHEN_KIND_WHO}")
FOLLOW_UP_MARK = re.compile(r"^那|呢[？?]?$|^还有|^它|^其|同比|去年|前年|上年|(?:19|20)\d{2}年")
_WHICH_UNIT = re.compile(
    r"哪(?:个|些|家|几个|一个)(?:单位|街道|部门|镇|乡|学校|医院)|各(?:个)?(?:单位|街道|部门)|所有单位|全部单位"
)
ACROSS_WORDS = re.compile(r"所有|全部|各(?:个)?(?:单位|街道|部门|镇|乡)|哪")
# a question that wants words: what, which, how, who, when
TEXT_ASK = re.compile(
    r"什么|啥|哪些|哪几|哪个单位|是哪个|哪个部门|哪个文件|哪一|哪级|怎么|怎样|如何|谁|何时|什么时候|哪年|哪天|情况如何"
)
EXPLAIN = re.compile(r"为什么|为啥|什么原因|原因是|何故|怎么会|咋")
LOST = re.compile(r"扣了|扣分|扣多少|扣掉|丢了|丢分|失分|被扣|少得|差几分")
UNEXECUTED_RATE = re.compile(r"未执行率|没执行的比例|没花的比例|未完成的比例")
REMAINING = re.compile(
    r"没花|未花|没用完|没有花|未使用|未执行(?!率)|没执行(?!率)|剩余|剩下|剩多少|还剩|结余了?多少|没支出"
)
BUDGET_VS_SPENT = re.compile(r"预算.{0,10}(?:支出|执行|花).{0,6}(?:差|相差|差距|差额)")
SHARE = re.compile(r"占.{0,12}(?:比例|比重|多少|百分之)|占比|比重")
DIFFERENCE = re.compile(
    r"相差|差多少|差了多少|高多少|低多少|高出|低出|多多少|少多少|差距|差额|几个百分点|高几|低几|多几|少几"
)
SUM = re.compile(r"加起来|合计|总共|一共|总和|共计|加总")
# "平均是多少", "平均每个单位"; not a name's own words ("受助人数(按月平均)", "人均", "年平均气温")
AVERAGE = re.compile(r"(?<![按月年日周人])平均(?![）)])")
SUPERLATIVE_MAX = re.compile(
    r"最高|最多|最大|最好|第一|领先|哪个.{0,8}(?:高|多|大|好)|谁.{0,6}(?:高|多|大|好)"
)
SUPERLATIVE_MIN = re.compile(r"最低|最少|最小|最差|垫底|哪个.{0,8}(?:低|少|小|差)|谁.{0,6}(?:低|少|小|差)")
COMPARE = re.compile(
    r"比较|对比|排名|排序|排一下|哪个|哪家|谁的|谁|各(?:个)?(?:街道|单位|部门)|几个街道|几个单位|分别|都是多少"
)
WHICH = re.compile(r"哪个|哪项|哪一个|哪一项|哪些")
# Year on year: the same unit's figure against its previous year's report.
YOY = re.compile(
    r"同比|环比|比上年|较上年|与上年|和上年|跟上年|上一年|上年度|比去年|较去年|与去年|和去年|跟去年|去年"
)
CHANGE = re.compile(r"变化|变动|增长|增加|增幅|提高|提升|上升|下降|减少|降低|降幅|增减|多了|少了|高了|低了")
# Rates of something other than the budget: "绩效目标完成率" never asks the budget's 完成率.
_OTHER_RATE = re.compile(r"(?:绩效)?(?:目标|任务|指标|计划|工作|建设|考核)(?:完成|执行|达成)率")
# A part of the year: a quarter's or a month's figure is never the year's.
PERIOD = re.compile(
    r"(?:第|前)?[一二三四1-4]季度|[上下]半年|(?:[一二三四五六七八九十]|十[一二]|1[0-2]|[1-9])月(?:份|底|末)?"
)
# Question words, blanked out of the subject ("公务接待费是多少" → 公务接待费).
_SUBJECT_NOISE = re.compile(
    r"(?:有|是|为|共|一共|总共|合计)?(?:多少|几)(?:个|人|项|万元|元|分|次|家|所)?|是什么|什么|怎么样|如何|"
    r"是啥|啥|请问|一下|情况|具体|呢|吗|吧|啊|呀|[\s，,。？?！!：:、“”\"'（）()]"
)
YEAR = re.compile(r"((?:19|20)\d{2})\s*年?")
_DOC_NUMBER_YEAR = re.compile(
    # (and a month or a day, "截至2023年3月15日": reports are written the year after, a day of it is no
    # report's year)
    r"[〔\[【（(]\s*(?:19|20)\d{2}\s*[〕\]】）)]|(?:截至|截止|到)?(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|"
    # and a point in time ("到2024年底", "截至2024年末"): a project's figure as at then, in whichever report
    r"(?:截至|截止|到)\s*(?:19|20)\d{2}\s*年\s*(?:底|末)"
)
_BASE_YEAR = re.compile(r"(?<=比|较)\s*(?:19|20)\d{2}\s*年度?|(?<=相比|对比|同比)\s*(?:19|20)\d{2}\s*年度?")
# "23年" as staff write it: the year 2023 (not "运行10年", not "第5年")
SHORT_YEAR = re.compile(r"(?<![\d.第])(1[5-9]|2\d)(?=\s*年(?![代龄限内以来]))")
# A place the question names; "哪个街道", "几个街道", "最多的街道" name none.
PLACE = re.compile(
    r"((?:(?!的|哪|几|各|每|所有|全部|其他|其余|这|那)[\u4e00-\u9fff]){2,4}?)(?:街道办事处|街道办|街道|镇|区府办|县府办)"
)


# a code asked ("项目编码", "预算编码", "支出科目编码", "文号"): words of the form, never a figure
_CODE_ASKED = re.compile(r"编码|代码|编号|文号")
# words a question may run into a unit's name ("请问青禾县教体局…")
_FILLER = re.compile(r"[请问那个这查下想知道帮我看说一]*")
# A threshold the figure is checked against: "有没有达到90%", "执行率低于90%的单位", "95%以上".
THRESHOLD = re.compile(
    r"(?:有没有|是否|是不是|有无)?(未达到|没达到|没有达到|未达|不到|低于|少于|小于|不足|高于|超过|大于|达到|不低于|不少于)"
    r"\s*(\d+(?:\.\d+)?)\s*(%|分|万元)?|(\d+(?:\.\d+)?)\s*(%|分|万元)\s*(以上|以下)"
)
_THRESHOLD_OP = {
    "高于": ">",
    "超过": ">",
    "大于": ">",
    "达到": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "以上": ">=",
}
_THRESHOLD_OP |= {"以下": "<="}


def threshold_of(text: str) -> tuple[str, float, str, str] | None:
    """(operator, value, unit, the words) of a threshold in the question."""
    m = THRESHOLD.search(text)
    if not m:
        return None
    if m.group(1):
        word, value, unit = m.group(1), m.group(2), m.group(3) or ""
    else:
        word, value, unit = m.group(6), m.group(4), m.group(5)
    return _THRESHOLD_OP.get(word, "<"), float(value), unit, m.group(0)


# Across units: "所有单位…加起来", "几个单位的平均…".
ACROSS = re.compile(r"所有|全部|各(?:个)?(?:单位|街道|部门)|几个(?:单位|街道|部门)|这些|五个|单位|街道|部门")
COUNT = re.compile(r"([两二三四五六七八九十]|\d{1,2})(?:个(?:重点)?(?:项目|指标)|项(?!目))")
_CN_DIGITS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _mentions(text: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> list[_Mention]:
    found = []
    for metric, words in table:
        for word in words:
            pos = text.find(word)
            if pos != -1:
                found.append(_Mention(metric, word, pos))
    # longest word first, then earliest; a word inside a longer match does not count twice
    found.sort(key=lambda m: (-len(m.word), m.pos))
    kept: list[_Mention] = []
    for m in found:
        if not any(k.pos <= m.pos and m.pos + len(m.word) <= k.pos + len(k.word) for k in kept):
            kept.append(m)
    return kept


def _latest_first(units: tuple[ReportMeta, ...]) -> tuple[ReportMeta, ...]:
    """One unit's reports of several years, the latest first (a question naming no year is answered for the
    latest, the others listed after it); different units keep the order the question names them in."""
    orgs = list(dict.fromkeys(u.org for u in units))
    # (one township named with and without its county is one unit: its years are ordered together)
    key = {o: max((k for k in orgs if k.endswith(o) and _one_unit((k, o))), key=len) for o in orgs}
    first_seen = {key[org]: i for i, org in reversed(list(enumerate(u.org for u in units)))}
    return tuple(sorted(units, key=lambda u: (first_seen[key[u.org]], -(u.year or 0))))


# a place chain before a name: "石川市青禾县" in "石川市青禾县白沙镇人民政府"
_PLACES_BEFORE = re.compile(r"(?:[\u4e00-\u9fff]{1,6}?(?:省|自治区|市|州|盟|县|区|旗))+")
_OWN_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,8}?(?:镇|乡|街道|苏木)")


def one_unit(units: Sequence[ReportMeta]) -> bool:
    """The reports are all one unit's (of several years, or named with and without its county)."""
    orgs = sorted({u.org for u in units})
    return len(orgs) == 1 or (len(orgs) > 1 and _one_unit(orgs))


def _one_unit(orgs: Sequence[str]) -> bool:
    """ "云岭县白沙土家族乡人民政府" and "白沙土家族乡人民政府": one township's reports, named with and without its
    county — not two units to ask about. Only for a name that is a place of its own (a 镇, 乡 or 街道):
    "交通运输局" and "青禾县交通运输局" may well be two."""
    longest = max(orgs, key=len)
    return all(
        o == longest
        or (
            longest.endswith(o)
            and _OWN_PLACE.match(o) is not None
            and _PLACES_BEFORE.fullmatch(longest[: -len(o)]) is not None
        )
        for o in orgs
    )


class QuestionParser:
    def __init__(
        self,
        metas: Sequence[ReportMeta],
        items_by_doc: dict[str, set[str]],
        text_of: Callable[[str], str] | None = None,
    ) -> None:
        """`text_of`: a report's source text, to find a report by what it talks about when the question
        names no unit."""
        self.metas = list(metas)
        self.items_by_doc = items_by_doc
        self.items = ItemIndex(items_by_doc)
        self.fuzzy = FuzzyUnits(self.metas)
        self.content = ContentUnits(self.metas, text_of or (lambda doc: ""))
        self.romanized = RomanizedNames(self.metas, text_of or (lambda doc: ""))
        self._place_words: dict[str, bool] = {}  # two characters → whether some report names them as a place
        self.alias_table = AliasTable(self.metas)
        self.aliases = self.alias_table.pairs
        self._one_org = len({m.org for m in self.metas}) == 1
        self._by_district: dict[str, list[ReportMeta]] = {}
        for m in self.metas:
            if m.district:
                self._by_district.setdefault(m.district, []).append(m)
        districts = {m.district for m in self.metas if m.district}
        self.districts = sorted(
            {(d, d) for d in districts} | {(d[:-1], d) for d in districts if len(d) > 2},
            key=lambda p: (-len(p[0]), p),  # (set order is the hash seed's: never let it decide)
        )

    def _abbreviated(self, text: str, ruled_out: set[str]) -> tuple[tuple[ReportMeta, ...], str] | None:
        """A unit the question names by a short form of its own ("青禾县教体局"), and the question with that
        name blanked: the longest tail of the name typed (words run into it, "请问…", left off) that stands
        for one unit — of several that fit, the one whose report clearly speaks most of what is asked, else
        the one whose name it shortens least; two alike are none."""
        for mention in org_mentions(text):
            for k in range(len(mention) - 2):
                if not _FILLER.fullmatch(mention[:k]):
                    break  # ("大英县图书馆" is not any 图书馆)
                fits = [(n, u) for n, u in abbreviated(mention[k:], self.metas) if u.doc not in ruled_out]
                if not fits:
                    continue
                rest = text.replace(mention[k:], "〇" * (len(mention) - k), 1)
                units = tuple(u for _, u in fits)
                if len({u.org for u in units}) > 1:
                    units = self.content.narrow(rest, units, across_units=True)
                if len({u.org for u in units}) > 1:
                    fewest = [u for n, u in fits if n == fits[0][0]]
                    if len({u.org for u in fewest}) > 1:
                        return None
                    units = tuple(fewest)
                return units, rest
        return None

    def _spelled(self, text: str, ruled_out: set[str]) -> tuple[tuple[ReportMeta, ...], str] | None:
        """The one unit a name typed stands for through a place its file name or web address spells, and
        the question with that name blanked."""

        def named(meta: ReportMeta, kind: str) -> bool:
            if any(kind in n for n in (meta.org, *meta.aliases)):
                return True
            return kind[-1] == meta.org[-1] and _shortens(kind, meta.org)  # ("教体局" of its 教育体育局)

        def spoken_of(meta: ReportMeta, kind: str) -> bool:
            # the unit's name read from the report may be another's (its 主管部门, a web page's): what its
            # text says of itself counts then
            return kind in self.content.text_of(meta.doc)[:CONTENT_CHARS]

        for fits in (named, spoken_of):
            for mention in org_mentions(text):
                for k in range(len(mention) - 3):
                    if not _FILLER.fullmatch(mention[:k]):
                        break
                    units = self.romanized.named(mention[k:], fits, lambda m: m.doc not in ruled_out)
                    if units:
                        return units, text.replace(mention[k:], "〇" * (len(mention) - k), 1)
        return None

    @staticmethod
    def _elsewhere_unnamed(text: str, units: Sequence[ReportMeta], others: Sequence[ReportMeta]) -> bool:
        """The units share no place with the others, and the text names none of theirs."""
        places = {p for u in others for p in (u.district, u.city, u.province) if p}
        own = {p for u in units for p in (u.district, u.city, u.province) if p}
        if not places or not own or own & places:
            return False
        return not any(p in text or (len(p) > 2 and p[:-1] in text) for p in own)

    def _spelled_lead(self, text: str, units: tuple[ReportMeta, ...]) -> tuple[ReportMeta, ...]:
        """Of units sharing the name typed, those of the one whose file name or web address spells the
        words typed right before that name (two to four characters)."""
        said = [a for a, m in self.alias_table.in_text(text) if a in text and m in units]
        if not said:
            return ()
        lead = _LEAD_FILLER.sub("", text[: text.find(max(said, key=len))])
        for size in (4, 3, 2):
            if len(lead) < size:
                continue
            found = tuple(u for u in units if self.romanized.spells(u, lead[-size:]))
            if found:
                return found if len({u.org for u in found}) == 1 else ()
        return ()

    def _project_of_place(self, text: str, units: tuple[ReportMeta, ...]) -> tuple[ReportMeta, ...]:
        """The reports of the one other unit of the same place whose project (an alias or the title) the
        question writes out, four characters of it or more that the place's own report never says, when the
        unit found is a bare place."""
        meta = units[0]
        if meta.org not in (meta.district, meta.city, meta.province):
            return ()
        asked = re.sub(r"[^\u4e00-\u9fff]", "", text)
        # (the place is who, not what: "石川区" and "石川" say nothing of the project)
        for place in filter(None, (meta.district, meta.city, meta.province)):
            asked = asked.replace(place, "〇")
            if len(place) > 2:
                asked = asked.replace(place[:-1], "〇")
        own = "".join(self.content.text_of(u.doc)[:CONTENT_CHARS] + u.title for u in units)

        def names_project(m: ReportMeta) -> bool:
            for name in (*m.aliases, m.title):
                if is_unit_name(name):
                    continue
                run = common_run(name, asked)
                if len(run) >= 4 and run not in own:
                    return True
            return False

        found = tuple(
            m
            for m in self.metas
            if m.org not in (meta.org, "未知单位")
            and ((m.district and m.district == meta.district) or (m.city and m.city == meta.city))
            and names_project(m)
        )
        return found if len({m.org for m in found}) == 1 else ()

    def _led_by_other_place(self, text: str, rest: str, units: tuple[ReportMeta, ...]) -> bool:
        """What is left of the question once the units' names are matched opens with two characters that
        some report names as a place ("桂林市"), which the units' own reports never say."""
        lead = re.match(r"\s*(?:(?:19|20)\d{2}年度?)?([\u4e00-\u9fff]{2})", rest)
        if lead is None:
            return False
        word = lead.group(1)
        if any(word in self.content.text_of(u.doc) or word in u.title for u in units):
            return False
        if any(len(a) >= 3 and is_unit_name(a) and a in text for u in units for a in (u.org, *u.aliases)):
            return False  # ("徐闻下桥镇": the unit is named; a county before it its report need not say)
        if word not in self._place_words:
            self._place_words[word] = any(
                re.search(rf"{word}[市县区州]", self.content.text_of(m.doc)[:CONTENT_CHARS])
                for m in self.metas
            )
        return self._place_words[word]

    # ---- the parse -------------------------------------------------------------------------------
    def parse(
        self, question: str, previous: ParsedQuestion | None = None, carry: bool = False
    ) -> ParsedQuestion:
        """`carry`: the question is a later part of one the user asked (its units, year and subject hold)."""
        text = SHORT_YEAR.sub(r"20\1", question.strip())
        text = _THAT_PART.sub("", text)  # "学前教育那块一共多少钱": 那块 points at what it follows
        carried = frozenset(u.org for u in previous.units) if previous is not None and carry else frozenset()
        units, rest = self._units(text, carried)
        units = tuple(u for u in units if not self.fuzzy.elsewhere(text, u))
        ruled_out: set[str] = set()
        if units and self._unheld_qualifier(text, units):
            # "七星农场农业农村局": none of the 农业农村局 indexed; the report is found by its words below
            ruled_out = {u.doc for u in units}
            units, rest = (), text
        same_name = self._same_name(text, units)
        if same_name:
            # "青禾林业局": the shared name (林业局) and a word of only one unit's name (青禾) say which
            units, same_name = self._by_other_words(text, units), ()
            if len({u.org for u in units}) > 1:
                # "青禾财政局" of several 财政局: the one whose file name or address spells 青禾
                units = self._spelled_lead(text, units) or units
            if len({u.org for u in units}) > 1 and previous is None:
                units = self.content.narrow(rest, units, across_units=True)
            if len({u.org for u in units}) > 1:
                same_name = tuple(sorted({u.org for u in units}))
        if not units and (previous is None or org_mentions(text)):
            # a follow-up names a unit only in so many words ("那白石卫生院呢"), never by a stray bigram
            units, rest = self.fuzzy.find(text)
            if any(u.doc in ruled_out for u in units):
                units, rest = (), text
            if units and previous is None and not org_mentions(text):
                # names matched on words any title may hold ("设施…维护", "满意度"): a report that alone speaks
                # of what is asked, clearly more than any other, is the one meant
                by_content = self.content.find(
                    text, lambda u: u.doc in ruled_out or self._placed_elsewhere(text, u)
                )
                if by_content and by_content[0].doc not in {u.doc for u in units}:
                    units, rest = by_content, text
                elif not by_content and self._title_shared(text, rest, units):
                    units, rest = (), text
        if not any(len(a) >= 3 and a in text for u in units for a in (u.org, *u.aliases)):
            # no name of a unit found is written out: a unit whose name the one typed shortens is meant
            # ("青禾县教体局"), before any found by shared words
            units, rest = self._abbreviated(text, ruled_out) or (units, rest)
        mentioned = org_mentions(text)
        # a unit named loosely ("青禾县文旅局"): no name of the report found is written out in the question
        loosely = bool(mentioned) and not any(
            len(a) >= 3 and a in text for u in units for a in (u.org, *u.aliases)
        )
        # a unit named by one of its own full names ("石川区总工会") is meant, whatever another report says
        named_in_full = any(
            len(a) >= 4 and names_a_kind_of_unit(a) and a in text for u in units for a in (u.org, *u.aliases)
        )
        if (
            units
            and previous is None
            and (not mentioned or loosely)
            and not named_in_full
            and len({u.org for u in units}) == 1
        ):
            # "云岭…农机报废更新资金": a place (or a short name) fits the report found by it and another that
            # speaks of what is asked; the one whose text holds the question's other words is meant (a unit
            # named loosely: another of its place, "青禾县文化广播电视和旅游局" for "青禾县文旅局…执勤装备")
            fit = self.content.better_fit(text, rest, units)
            place = (units[0].district, units[0].city)
            if fit and (not mentioned or all((f.district, f.city) == place for f in fit)):
                units = fit
        if units and previous is None and len({u.org for u in units}) == 1:
            # "白沙县文物修缮专项经费…": the place alone names a report whose unit is only its place, while
            # another unit of that place reports on the project asked
            units = self._project_of_place(text, units) or units
        if units and previous is None and self._led_by_other_place(text, rest, units):
            # "云岭城市更新…" matched by its project words to another city's 城市更新 report: not that one
            ruled_out |= {u.doc for u in units}
            units, rest = (), text
        if not units and previous is None and not _WHICH_UNIT.search(text):
            # (a question asking which unit, "哪个单位执行率最低", is about them all, never one found by its words)
            units = self.content.find(text, lambda u: u.doc in ruled_out or self._placed_elsewhere(text, u))
        if not units and previous is None:
            # "青禾财政局" of a report whose text never writes 青禾, known as "…qinghe…" by its file or address
            units, rest = self._spelled(text, ruled_out) or (units, rest)
        if units and carry and previous is not None and self._elsewhere_unnamed(text, units, previous.units):
            # "青禾区种苗站和区林业服务中心各…": a later part names a body beside the first's, never a unit of
            # another place it does not name that shares some of its words (…就业服务中心)
            units, rest = (), text
        if units:
            rest = self._named_lead_blanked(rest, units)
        elif self._one_org and previous is None:
            rest = self._named_lead_blanked(rest, tuple(self.metas), strict=True)
        # a document's number ("青办发〔2019〕12号") and a lone year compared against ("比2023年增长") are not
        # the year of the report asked about
        dated = _DOC_NUMBER_YEAR.sub("〇", rest)
        if len(YEAR.findall(dated)) == 1:
            dated = _BASE_YEAR.sub("〇", dated)
        year_m = YEAR.search(dated)
        year = int(year_m.group(1)) if year_m else None
        years = tuple(dict.fromkeys(int(y) for y in YEAR.findall(dated)))
        rest_no_year = YEAR.sub("〇", rest)

        # 支出 in 基本支出 is no mention; 完成率 in 绩效目标完成率 is none either
        every = _mentions(_OTHER_RATE.sub("〇", rest_no_year), SPECIFIC + SCORE_WORDS + GENERIC)
        specific = [m for m in every if m.metric in _SPECIFIC_NAMES]
        scores = [m for m in every if m.metric == "自评得分"]
        generic = scores + [m for m in every if m.metric not in _SPECIFIC_NAMES and m.metric != "自评得分"]
        mentions = specific or generic
        metric = mentions[0].metric if mentions else None
        section = next(iter(_mentions(rest_no_year, SECTION_WORDS)), None)
        section_name = section.metric if section else None
        metric_words = [m.word for m in specific + generic]

        item, item_missing, ambiguous = self._item(rest_no_year, units, metric_words)
        if not (specific or generic) and not ASKS_FIGURE.search(rest):
            ambiguous = ()  # a question about text needs no single item; passages answer it
        explain = bool(EXPLAIN.search(rest))
        operation = self._operation(rest_no_year, units, item, specific, generic)
        # "去年发了多少册": a bare 去年 says when, not a comparison with the year before
        yoy = YOY.search(rest_no_year)
        if yoy and yoy.group(0) == "去年" and not (CHANGE.search(rest) or DIFFERENCE.search(rest)):
            yoy = None
        if yoy or (len(years) >= 2 and (CHANGE.search(rest) or DIFFERENCE.search(rest))):
            operation = "yoy"
        score_asked = bool(generic) and generic[0].metric == "自评得分" and not specific
        if score_asked and item is None and not item_missing and operation is None and not explain:
            # "预算编制得了几分" with no such indicator: only the score words are taken out of the name
            named = [
                n for u in units for n in (u.org, u.title, *u.aliases, u.city, u.district, u.province) if n
            ]
            item_missing = _unscored_name(rest_no_year, [m.word for m in scores], named)
        base_metric = None
        if operation == "share":
            metric, base_metric = self._share_terms(rest_no_year, specific + generic)
        if metric == "三公经费" and re.search(r"预算(?!执行)", rest_no_year):
            metric = "三公经费预算数"  # a figure of its own; never answer it with the spending
        if operation == "unexecuted_rate":
            metric = "预算执行率"
        if operation == "lost_points":
            metric = "指标得分" if item else "自评得分"
        across = operation in ("sum", "average") and not item and not re.search(r"项目|指标|专项", rest)
        across = across and (len({u.org for u in units}) > 1 or (not units and bool(ACROSS.search(rest))))
        if (
            operation in ("remaining", "sum", "average")
            and not item
            and not across
            and metric in (None, "全年预算数", "执行数")
        ):
            metric = "全年预算数" if operation != "remaining" else None
        if item or (operation in ("sum", "average") and not across):
            metric = self._item_metric(rest_no_year, metric)
        # "预算执行率和自评得分分别是多少": every metric named, in order; a budget word right after a
        # specific one is part of it ("三公经费支出")
        joined = [m for m in sorted(every, key=lambda m: m.pos) if not _part_of(m, specific)]
        metrics = (
            tuple(dict.fromkeys(m.metric for m in joined)) if re.search(r"分别|和|及|与|、", rest) else ()
        )
        if len(metrics) < 2 or operation or item:
            metrics = ()

        superlative = (
            "max" if SUPERLATIVE_MAX.search(rest) else "min" if SUPERLATIVE_MIN.search(rest) else None
        )
        count_m = COUNT.search(rest)
        count = (
            (int(count_m.group(1)) if count_m.group(1).isdigit() else _CN_DIGITS[count_m.group(1)])
            if count_m
            else None
        )
        scope = "重点" if "重点" in rest else None

        # A follow-up ("那洛浦街呢？") takes what it leaves out from the previous question.
        # short, and about something: a unit, a figure or a section, or marked as a follow-up ("那…呢")
        about = bool(
            units
            or mentions
            or section_name
            or operation
            or item
            or item_missing
            or FOLLOW_UP_MARK.search(rest)
        )
        is_follow_up = previous is not None and (
            carry or (len(rest) <= 12 and about) or rest.startswith(("那", "那么", "它", "其"))
        )
        # a question across units ("哪个街道执行率最低？") never inherits the previous one's unit
        across_units = bool(superlative or COMPARE.search(rest) or ACROSS_WORDS.search(rest))
        if previous is not None and is_follow_up:
            if not units and not across_units and not _district_in(rest, self.districts):
                units = previous.units
                year = year or previous.year
            if metric is None and section_name is None and operation is None and not explain:
                metric, section_name, operation = previous.metric, previous.section, previous.operation
                item = item or previous.item
                explain = previous.explain

        if not units or COMPARE.search(rest):
            district_units = self._district_units(rest)
            if not units and district_units:
                units = district_units
        if not units and "街道" in rest and (COMPARE.search(rest) or superlative or across):
            units = tuple(m for m in self.metas if "街道" in m.org)  # "哪个街道…最多": the 街道 indexed
        named_other = next(iter(org_mentions(rest)), None) if not units else None
        if not units and self._one_org and not (PLACE.search(rest) or named_other):
            units = tuple(self.metas)  # one unit indexed: a question naming none is about it
        if operation == "yoy":
            units_in_year = units  # every year of the unit: the engine picks the two to compare
        elif len(years) >= 2:
            units_in_year = tuple(u for u in units if u.year in years)
        else:
            # a report that names no year of its own may be the one asked of any
            units_in_year = (
                (tuple(u for u in units if u.year == year) or tuple(u for u in units if u.year is None))
                if year is not None
                else units
            )
        prior_year = False
        if units and year is not None and not units_in_year and len(years) == 1:
            # "2022年的收支总计" with only the 2023 report indexed: it states 2022's as 上年; "2024年批了多少"
            # of a 2023 report written in 2024 may be stated as of 2024
            units_in_year = tuple(u for u in units if u.year == year + 1) or tuple(
                u for u in units if u.year == year - 1
            )
            prior_year = bool(units_in_year)
        unknown = None
        if not units:
            place = PLACE.search(rest)
            unknown = place.group(0) if place else named_other
            if unknown is None and previous is not None and is_follow_up and not across_units:
                unknown = previous.unknown_unit  # "…多少，执行数多少": the unit not indexed is still asked

        code_asked = bool(_CODE_ASKED.search(rest_no_year))
        if code_asked:
            metric, operation = None, None  # "预算编码是多少": a code, no figure of the budget
        kind = self._kind(
            rest, units_in_year, metric, section_name, item, operation, explain, superlative, mentions
        )
        if code_asked and kind == "lookup":
            kind = "text"
        if (
            kind == "lookup"
            and _WHETHER_WHEN_WHERE.search(rest)
            and not re.search(r"多少|几", rest)
            and not threshold_of(rest_no_year)  # ("执行率有没有达到90%": the rate answers)
        ):
            # "有没有国有资本经营预算收支", "…报告放在哪": whether, when, where — the report's words, not a figure
            kind, metric = "text", None
        threshold = threshold_of(rest_no_year) if metric else None
        if threshold and not units and kind in ("lookup", "unanswerable", "text") and not unknown:
            kind = "compare"  # "执行率低于90%的单位有哪些": every unit, checked
        if (units and year is not None and not units_in_year) or (unknown and not units):
            kind = "unanswerable"
        period = PERIOD.search(rest_no_year)
        return ParsedQuestion(
            asked=rest_no_year.replace("〇", " "),
            subject=_subject(rest_no_year),
            period=period.group(0) if period else None,
            years=years,
            across=across,
            threshold=threshold,
            metrics=metrics,
            # ("合格率为啥没完成": a rate named in asking why is what is explained, not a figure asked)
            asks_figure=not code_asked
            and not _FREQUENCY.search(rest)  # ("多久报一次": 每月, 按季度 — words)
            and bool(
                ASKS_FIGURE.search(rest)
                or (
                    not explain
                    and not _ASKS_WORDS.search(rest)  # ("…经费是什么时候到账的": a date, not the 经费)
                    and re.search(r"(?:率|数|额|费)$", _subject(rest_no_year))
                )
            ),
            text=text,
            units=(units_in_year or units)
            if years
            else _latest_first(units)
            if operation == "yoy"
            else self.content.narrow(
                text, _latest_first(units), across_units=self._one_name_for_all(text, units)
            ),
            year=year,
            metric=metric,
            item=item,
            kind=kind,
            operation=operation,
            section=section_name,
            superlative=superlative or ("all" if kind == "compare" else None),
            unknown_unit=unknown,
            base_metric=base_metric,
            explain=explain,
            item_missing=item_missing,
            ambiguous_items=ambiguous,
            ambiguous_units=same_name,
            count=count,
            scope=scope,
            prior_year=prior_year,
        )

    def _kind(
        self,
        rest: str,
        units: tuple[ReportMeta, ...],
        metric: str | None,
        section: str | None,
        item: str | None,
        operation: str | None,
        explain: bool,
        superlative: str | None,
        mentions: list[_Mention],
    ) -> Kind:
        many = len({u.org for u in units}) > 1
        if explain:
            return "text"
        if units and TEXT_ASK.search(rest) and not ASKS_FIGURE.search(rest) and not superlative:
            return "text"  # "整体支出的年度总体目标是啥": words, not a figure, whatever metric it names
        if operation == "difference" and not many:
            operation = None
        if operation:
            return "derived"
        asks_figure = bool(ASKS_FIGURE.search(rest)) or bool(
            mentions and mentions[0].metric in dict(SPECIFIC)
        )
        if section and (
            not metric or not asks_figure or item is None and metric in dict(GENERIC) and not asks_figure
        ):
            return "text"
        if metric and (many or (not units and (superlative or COMPARE.search(rest)))):
            return "compare"
        if (
            metric
            and len(units) == 1
            and item is None
            and WHICH.search(rest)
            and re.search(r"项目|指标|专项|哪项", rest)
        ):
            return "compare"
        if metric or item:
            return "lookup"
        if section:
            return "text"
        return "text" if units else "unanswerable"

    def _operation(
        self,
        rest: str,
        units: Sequence[ReportMeta],
        item: str | None,
        specific: list[_Mention],
        generic: list[_Mention],
    ) -> str | None:
        if UNEXECUTED_RATE.search(rest):
            return "unexecuted_rate"
        if LOST.search(rest):
            return "lost_points"
        if REMAINING.search(rest) or (BUDGET_VS_SPENT.search(rest) and len({u.org for u in units}) <= 1):
            return "remaining"
        if SHARE.search(rest) and len(specific + generic) >= 1:
            return "share"
        if AVERAGE.search(rest):
            return "average"
        many_or_none = len({u.org for u in units}) > 1 or (not units and ACROSS.search(rest))
        if SUM.search(rest) and item is None and (re.search(r"项目|指标|专项", rest) or many_or_none):
            return "sum"
        if DIFFERENCE.search(rest):
            return "difference"
        return None

    @staticmethod
    def _share_terms(rest: str, mentions: list[_Mention]) -> tuple[str | None, str | None]:
        """The part and the base of a share: "基本支出占全年支出的比例" → (基本支出, 执行数)."""
        cut = rest.find("占")
        before = sorted((m for m in mentions if m.pos < cut), key=lambda m: m.pos) if cut != -1 else mentions
        after = sorted((m for m in mentions if m.pos > cut), key=lambda m: m.pos) if cut != -1 else []
        part = before[-1].metric if before else (mentions[0].metric if mentions else None)
        base = after[0].metric if after else None
        if base is None and part:
            base = "财政拨款收入" if part.endswith("收入") else "执行数"
        return part, base

    # ---- units -----------------------------------------------------------------------------------
    def _named_lead_blanked(self, rest: str, units: tuple[ReportMeta, ...], strict: bool = False) -> str:
        """The question with the unit it opens with blanked (〇) when that name is another way of saying the
        report's unit ("石川市文旅局" for 石川市文化旅游局, a township its report names only in passing): a
        unit's name says who is asked about, never what. `strict` (the report was not found by the question):
        only a shortening of the unit's own name counts — a name sharing its district is another unit."""
        lead = _LEAD_FILLER.match(rest)
        start = lead.end() if lead else 0
        known = " ".join(n for u in units for n in (u.org, *u.aliases, u.district or "", u.city or "") if n)
        if rest.startswith("〇", start):
            # the name matched only in part ("石川县档案" of 石川县档案局 asked as 档案馆, "石川市文" of
            # 石川市文化旅游局 asked as 文旅局): the rest of it is left, its characters all the unit's
            left = _NAME_LEFT.match(rest, start + 1)
            if left and set(left.group(1)) <= set(known):
                return rest[: start + 1] + rest[left.end() :]
            return rest
        spelled = re.match(r"([\u4e00-\u9fff]{2,4})〇", rest[start:])
        if spelled and any(self.romanized.spells(u, spelled.group(1)) for u in units):
            return (
                rest[:start] + rest[start + spelled.end(1) :]
            )  # ("石川" of "…_shichuan_…" before its 财政局)
        named = ORG_MENTION.search(rest, start, start + 12)
        if named is None or named.start() > start + 1:
            return rest
        name = named.group(0)
        if strict:
            if not any(_shortens(name, u.org) for u in units):
                return rest
        elif not (
            bigrams(name) & bigrams(known) or name[-4:] in self.content.text_of(units[0].doc)[:CONTENT_CHARS]
        ):
            return rest
        return rest[: named.start()] + "〇" + rest[named.end() :]

    def _units(self, text: str, owners: frozenset[str] = frozenset()) -> tuple[tuple[ReportMeta, ...], str]:
        """Reports named in the text, longest alias first; a matched name is blanked out of the rest. A
        report known by its project's name ("乡村文化惠民资金") is not named by it when the question names a unit
        by its own name and that unit is another: the fund is then what is asked of that unit."""
        matched = self._alias_matches(text)
        # (`owners`: the units a later part of a question carries from its first part)
        by_name = {m.org for alias, ms in matched if is_unit_name(alias) for m in ms} | owners
        if by_name:
            matched = [
                (alias, [m for m in ms if is_unit_name(alias) or m.org in by_name]) for alias, ms in matched
            ]
            matched = [(alias, ms) for alias, ms in matched if ms]
        found: list[tuple[int, ReportMeta]] = []
        rest = text
        for alias, metas in matched:
            pos = rest.find(alias)
            if pos == -1:
                continue
            found.extend((pos, m) for m in metas if all(m is not f for _, f in found))
            rest = rest.replace(alias, "〇")
            if alias[0] in _LEVEL_FIRST:
                # "云岭市财政局" for a report that names itself "市财政局": the place before it is the asker's
                rest = re.sub(r"^([\u4e00-\u9fff]{2,3})〇", "〇", rest)
            # "云岭县白沙卫生院": the place the asker puts before the unit's name is part of naming it
            rest = re.sub(r"^[\u4e00-\u9fff]{1,6}?(?:省|自治区|市|州|盟|县|区|旗)〇", "〇", rest)
        # one unit's reports of one year on several projects: those whose project the question also names
        named = {m.doc: sum(a in text for a in m.aliases) for _, m in found}
        best: dict[tuple[str, int | None], int] = {}
        for _, m in found:
            best[(m.org, m.year)] = max(best.get((m.org, m.year), 0), named[m.doc])
        found = [(pos, m) for pos, m in found if named[m.doc] == best[(m.org, m.year)]]
        # in the order the question names them: "南洲比永平高多少" subtracts 永平 from 南洲
        return tuple(m for _, m in sorted(found, key=lambda f: f[0])), rest

    def _one_name_for_all(self, text: str, units: Sequence[ReportMeta]) -> bool:
        """Whether the units were all found by one name they share ("县妇联"), none named on its own."""
        matched = [ms for _, ms in self._alias_matches(text) if any(m in units for m in ms)]
        return len(matched) == 1 and all(u in matched[0] for u in units)

    def _alias_matches(self, text: str) -> list[tuple[str, list[ReportMeta]]]:
        """The aliases that stand in the text, longest first, each where no longer one already stood."""
        out: list[tuple[str, list[ReportMeta]]] = []
        rest = text
        for alias, _ in self.alias_table.in_text(text):
            pos = rest.find(alias)
            if pos > 0 and _PLACE_HEAD.match(alias) and _INSIDE_NAME.match(rest[pos - 1]):
                continue  # "青禾县": 禾县 is the tail of another place's name, not that county
            if pos != -1 and all(a != alias for a, _ in out):
                out.append((alias, list(self.alias_table.metas_of[alias])))
                rest = rest.replace(alias, "〇")
        return out

    def _title_shared(self, text: str, rest: str, units: Sequence[ReportMeta]) -> bool:
        """Reports found by the words of their title only ("茶园提质项目" of 白沙镇's report, its unit not named),
        when another unit's report speaks of those words too, and of the question as much: the title says
        what is asked, not whose."""
        start = rest.find("〇")
        if start < 0:
            return False
        typed = text[start : start + len(text) - len(rest) + 1]
        named = [n for u in units if u.org != "未知单位" for n in (u.org, *u.aliases)]
        if len(typed) < 3 or any(typed in n for n in named):
            return False
        orgs = {u.org for u in units}
        scores = self.content.scores_of(text)
        own = max(scores.get(u.doc, 0.0) for u in units)
        return any(
            m.org not in orgs
            and scores.get(m.doc, 0.0) >= own
            and typed in self.content.text_of(m.doc)[:CONTENT_CHARS]
            for m in self.metas
        )

    def _placed_elsewhere(self, text: str, meta: ReportMeta) -> bool:
        """For a report found by what it says: placed elsewhere unless its opening names the place asked."""
        return self.fuzzy.elsewhere(text, meta, self.content.text_of(meta.doc)[:CONTENT_CHARS])

    def _unheld_qualifier(self, text: str, units: Sequence[ReportMeta]) -> bool:
        """The question opens with words before a name its reports share ("七星农场" before 农业农村局) that no
        such report's name holds: it names another unit of that kind. (Places are judged by `elsewhere`.)"""
        said = [a for a, m in self.alias_table.in_text(text) if a in text and m in units]
        if not said:
            return False
        alias = max(said, key=len)
        if not names_a_kind_of_unit(alias):
            return False  # a place ("广西") is judged by `elsewhere`
        lead = _LEAD_FILLER.sub("", text[: text.find(alias)]) + alias[:1]  # ("云岭" + 市财政局: a place)
        lead = lead[:-1] if lead[-1:] not in "省市州盟县区旗镇乡" else lead
        if (
            not re.fullmatch(r"[\u4e00-\u9fff]{2,6}", lead)
            or _PLACE_END.search(lead)
            or _NOT_QUALIFIER.search(lead)
        ):
            return False
        # (a place its file name or web address spells holds too: "石川" of "…_shichuan_…")
        return not any(
            in_name(lead, self.fuzzy.names[u.doc]) or self.romanized.spells(u, lead) for u in units
        )

    def _same_name(self, text: str, units: Sequence[ReportMeta]) -> tuple[str, ...]:
        """Different units the question names by one short name they share ("司法局" of two counties), and
        by no name of their own: which one is meant is for the asker to say."""
        orgs = sorted({u.org for u in units})
        if len(orgs) < 2 or _one_unit(orgs):
            return ()
        said = [a for a, m in self.alias_table.in_text(text) if a in text and m in units]
        own = [a for a in said if len({m.org for m in self.alias_table.metas_of[a] if m in units}) == 1]
        return () if own else tuple(orgs)

    def _by_other_words(self, text: str, units: Sequence[ReportMeta]) -> tuple[ReportMeta, ...]:
        shared = [a for a, m in self.alias_table.in_text(text) if a in text and m in units]
        rest = text
        for alias in sorted(shared, key=len, reverse=True):
            rest = rest.replace(alias, "〇")
        grams = {rest[i : i + 2] for i in range(len(rest) - 1)} - {""}
        extra = {
            u.doc: sum(
                g in f"{u.org}{u.district or ''}{u.city or ''}{u.province or ''}{''.join(u.aliases)}"
                for g in grams
                if "〇" not in g
            )
            for u in units
        }
        top = max(extra.values(), default=0)
        return tuple(u for u in units if extra[u.doc] == top) if top else tuple(units)

    def _district_units(self, text: str) -> tuple[ReportMeta, ...]:
        district = _district_in(text, self.districts)
        if not district:
            return ()
        metas = list(self._by_district.get(district, ()))
        if "街道" in text or "街" in text:
            metas = [m for m in metas if "街道" in m.org]
        return tuple(metas)

    # ---- items (projects, indicators) ------------------------------------------------------------
    def _item(
        self, text: str, units: Sequence[ReportMeta], metric_words: list[str]
    ) -> tuple[str | None, str | None, tuple[str, ...]]:
        """(item of the named units, item named but absent from them, near-equal candidates to ask about)."""
        key = item_key(text)
        grams = bigrams(key)
        unit_docs = {u.doc for u in units}
        scored: list[tuple[float, int, int, str, bool]] = []
        coverage_of: dict[str, float] = {}  # how much of a fuzzily matched name the question writes out
        # one entry per name, however many reports name it: the answer depends only on the name and on
        # whether one of the named units' reports names it
        for entry in self.items.candidates(grams):
            ikey = entry.key
            if len(ikey) < 2 or any(ikey in w for w in metric_words):
                continue  # 预算执行 inside 预算执行率 is the metric, not the indicator
            ours = not unit_docs or not entry.docs.isdisjoint(unit_docs)
            if ikey in key:
                # "管理效能下的资产管理": the name written last is the one asked (Chinese puts the head last)
                scored.append((1.0, len(ikey), key.rfind(ikey), entry.name, ours))
                continue
            if not entry.grams:
                continue  # a short name must be written out; fuzzy matches of it are noise
            coverage = len(entry.grams & grams) / len(entry.grams)
            coverage_of[entry.name] = max(coverage, coverage_of.get(entry.name, 0.0))
            score = (
                coverage if coverage >= 0.9 else max(coverage, 0.9 if longest_common(ikey, key) >= 6 else 0.0)
            )
            if score >= 0.7:
                scored.append((score, len(ikey), -1, entry.name, ours))
        if not scored:
            return None, None, ()
        # exact names first, the longest of them (绩效管理制度建设 over 绩效管理), the last written; then the
        # best fuzzy score; the name itself breaks any tie left
        scored.sort(key=lambda s: (-s[0], -s[1], -s[2], s[3]))
        best_score, _, _, best_item, _ = scored[0]
        if best_score == 1.0:
            mine = [s for s in scored if s[0] == 1.0 and s[4]]
            if mine:
                return mine[0][3], None, ()
            # another report's short name ("投入", "产出") is a word any question may use ("投入资金多少")
            return None, (best_item if len(item_key(best_item)) >= 4 else None), ()
        close = sorted({s[3] for s in scored if s[4] and s[0] >= best_score - 0.1})
        if len(close) == 1:
            return close[0], None, ()
        if close:
            return None, None, tuple(close[:6])
        # an item of another report is "named but absent" only when the question writes out most of its
        # words; a long shared phrase alone ("公共文化服务体系建设") names the topic, not that item
        return None, (best_item if coverage_of.get(best_item, 0.0) >= 0.9 else None), ()

    @staticmethod
    def _item_metric(text: str, metric: str | None) -> str | None:
        if re.search(r"分值|满分|权重|总分", text):
            return "指标分值"
        if re.search(r"得分|得了|几分|多少分|分数|评分", text) or metric == "自评得分":
            return "得分"  # 指标得分 or 项目评价得分, whichever the report states
        if metric in ("预算执行率", "项目执行率") or "执行率" in text:
            return "项目执行率"
        if metric in ("执行数", "项目支出", "项目支出数") or re.search(r"支出|花了|花掉|用了|执行数", text):
            return "项目支出数"
        if metric in ("全年预算数", "年初预算数", "项目预算数") or "预算" in text:
            return "项目预算数"
        if metric == "指标得分":
            return "指标得分"
        if expected_units(text) not in (None, ("分",)):
            return None  # "…工程发了多少专项债": an amount (a count…) no metric names, for the open layer
        return "得分"  # 指标得分 or 项目评价得分, whichever the report states


def _unscored_name(text: str, metric_words: list[str], unit_names: Sequence[str] = ()) -> str | None:
    """A name left beside a score word once the fillers are gone ("预算编制得了几分" → 预算编制)."""
    for word in metric_words:
        text = text.replace(word, "〇")
    for chunk in re.split(r"[〇\s，,。？?！!：:、]+", text):
        if re.search(r"(?:委|局|办|街道?|镇|乡|中心|院|所|站|队|处|厅|部|会)$", chunk):
            continue  # a unit's name the alias table does not know, not an indicator
        if any(chunk in name for name in unit_names) or not strip_places(chunk).strip():
            continue  # the unit's place or a piece of its name ("广水", "廊坊"), not an indicator
        for name in unit_names:  # "松溪衔接资金…": the unit's place typed before what is asked
            lead = next((chunk[:k] for k in range(len(chunk) - 1, 1, -1) if chunk[:k] in name), "")
            chunk = chunk[len(lead) :]
        if len(SCORE_FILLER.sub("", chunk)) >= 2:
            name = re.sub(r"^(?:的|是|了)+|(?:的|是|了|呢|吗|得了|得)+$", "", chunk)
            # "…项目里学生满意度这项", "档案归档合格率这个三级指标": the indicator's own name
            name = re.sub(
                r"^.*?(?:项目|表|自评)(?:里面?|中|的|内)", "", name
            )  # "…自评表里项目管理": 项目管理
            name = re.sub(
                r"(?:(?:这|那|该|此|本)(?:一)?(?:项|个|块|次)?|(?:三级|二级|一级)?指标|自评|方面|部分)+$",
                "",
                name,
            )
            # "乡村振兴资金这次自评得了几分": a fund is what the report is about, no indicator of it
            return name if len(name) >= 2 and not re.search(r"(?:资金|经费)$", name) else None
    return None


def _district_in(text: str, districts: list[tuple[str, str]]) -> str | None:
    for name, full in districts:
        at = text.find(name)
        # "青禾县" holds 禾县, and is another county
        if at != -1 and not (at > 0 and _PLACE_HEAD.match(name) and _INSIDE_NAME.match(text[at - 1])):
            return full
    return None


def _part_of(mention: _Mention, specific: list[_Mention]) -> bool:
    """A generic word right after a specific one belongs to it: 支出 in "三公经费支出"."""
    return mention.metric not in _SPECIFIC_NAMES and any(
        s.pos + len(s.word) == mention.pos or (s.pos <= mention.pos < s.pos + len(s.word)) for s in specific
    )


def _shortens(short: str, name: str) -> bool:
    """`short` is `name` with characters left out, in order ("文旅广电局" of 文化旅游广电局)."""
    chars = iter(name)
    return len(short) < len(name) and all(c in chars for c in short)


def _subject(rest: str) -> str:
    """The question less the units' names (blanked as 〇), the year and the question words: what is asked."""
    parts = [p for p in _SUBJECT_NOISE.sub("〇", rest).split("〇") if p]
    text = max(parts, key=len) if parts else ""
    return re.sub(r"^(?:的|年度)+|(?:的|是|为|有|了)+$", "", text)
