"""Computations over open figures: the two (or more) figures a question names, each found as a lookup would
be, then combined in code with the formula shown ("编制和实有人数差几个人" = 16 − 14 = 2人).

Every operand must be found confidently on its own and all must share a unit (amounts in 元/万元/亿元 are
converted to the first operand's unit); otherwise there is no answer, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from assistant.compounds import protect, restore
from assistant.open_figures import (
    MIN_MARGIN,
    MIN_SCORE,
    TO_YUAN,
    Match,
    best_figure,
    comparable,
    expected_units,
    score_figures,
    written_out,
)
from index.models import Figure
from index.normalize import CJK
from index.numerals import cn_count

_COMPARE_BI = re.compile(
    r"^(?P<a>.+?)比(?P<b>.+?)(?P<op>多出来|多出|多了|多花了|多收了|多(?!少)|高出|高了|高|超出|超了|少了|少|低了|低|差|"
    r"下降了?|降低了?|降了|减少了?|增加了?|增长了?|提高了?)"
)
_BOTH = re.compile(
    r"^(?P<a>.+?)(?:和|与|跟|同|加上|加(?!起来)|及)(?P<b>.+?)(?P<op>一共|合计|总共|共|加起来|之和|差|相差|相比)"
)
_LIST_SUM = re.compile(r"^(?P<items>.+?)(?:加起来|一共|合计|总共|共计|之和|总计)")
# "两个村的输水管线加起来多长", "这5个专项债项目一共发行了多少": that many figures named alike, added up
_COUNTED_SUM = re.compile(
    r"^.*?(?:这|那)?(?<!第)(?P<n>[两二三四五六七八九]|\d)(?:个|笔|项|类|条|处|座|家|所|批|次)(?P<what>[^，,。]{2,30}?)的?"
    r"(?:加起来|一共|合计|总共|共计|总计|之和)"
)
_LIST_SEP = re.compile(r"、|和|及|与|加上|以及|，|,")
_SHARE = re.compile(r"^(?P<a>.+?)占(?P<b>.*?)(?:的)?(?:比例|比重|百分比|多少|几成|%|百分之)")
_EXCEPT = re.compile(
    r"(?:除去|除了|扣除|去掉|扣掉|减去)(?P<b>[^，,。？?]+?)[，,]?(?:还有|还剩|剩下|剩余|其余|其他)(?P<a>.*)"
)
_TOTAL_LABEL = re.compile(r"合计|总计|总额|共计|总收入|总支出|总投资|总预算")
# "除财政拨款外的收入有多少": the whole less the part named
_EXCEPT_OUTSIDE = re.compile(r"除(?:了|去)?(?P<b>[^，,。？?外]{2,16}?)(?:以)?外(?:的)?(?P<a>[^，,。？?]{2,})")
# "合计批复投资里，建筑工程以外的部分有多少": the whole it is in less the part named
_OUTSIDE_OF = re.compile(
    r"^(?P<a>.+?)(?:里|中|当中|之中)[，,]?(?P<b>[^，,。？?]{2,16}?)(?:以外|之外)(?:的|还差|还有|还剩)"
)
_TARGET_GAP = re.compile(
    r"(?:离|距)(?:年度)?(?:目标|计划)(?:值)?还差|(?:跟|和|与|同)(?:年度)?(?:目标|计划)(?:值)?(?:比|相比)?[，,]?还?差|"
    r"没完成|未完成|差多少没完成"
)
_ACTUAL_OVER = re.compile(
    r"实际比(?:年初)?(?:目标|计划|预期)(?:值)?(?:多|高|超)|比(?:年初)?(?:目标|计划)(?:值)?(?:多|高|超)|"
    # "比目标值差了多少个百分点", "比年初定的指标多发了多少篇": the target a report states beside the result
    r"比(?:年初|年度)?(?:定的|设定的|确定的)?(?:目标|指标)值?(?:多|高|超|低|少|差)"
)
_GREW = re.compile(r"增加|增长|多了|多出|超出|超过|高出|提高|上升")
_REMAINING = re.compile(
    r"还剩|还有多少(?:钱)?没|没(?:花|用|执行|拨|拨付|支出)|未(?:执行|支出|拨付|使用)|结余了?多少|空着|空编|剩多少|剩下多少"
)
_BUDGET_SIDE = re.compile(r"预算|计划|下达|安排|核定|编制|申请|总投资|批复|资金总额")
_EXECUTED = re.compile(r"执行数|预算执行(?:金额|额)?$")
_SPENT_SIDE = re.compile(r"执行|支出|实际|拨付|支付|到位|在职|实有|已|完成|使用")
# "收到的钱还剩多少没支出": what arrived is the budget side when the question asks what was not spent
_FUND = re.compile(r"(?:资金|经费|补助|奖补|公益金)(?:[（(][^（）()]*[）)])?$")  # ("…资金(农业部分)")
_RECEIVED = re.compile(r"收到|到位|拨付|拨入|下拨|筹集")
_NOT_SPENT = re.compile(r"没(?:花|用|执行|支出|支付)|未(?:执行|支出|使用|支付)|结余")
_REMAINING_WORDS = re.compile(
    r"还剩|还有|剩下|剩|没花|没用|没执行|未执行|没拨付?|未拨付|没拨出去|空着|结余了?|结转到下年|多少钱?|几个?"
)


# "平均每个教学班多少学生", "平均每个嘎查受益多少人", "平均每天服务多少人次": a total over a count
_PER = re.compile(
    r"^(?P<subject>.*?)平均(?:每|一)(?P<cls>人次|个|名|位|所|家|户|村|天|日|月|次|人)?(?P<per>[\u4e00-\u9fff]{0,6}?)"
    r"(?P<verb>受益|服务|接待|有|对应|花了?|用了?|发放了?|发了|补助了?|补贴了?|补了|培训了?)?(?:多少|几)"
    r"(?P<what>[\u4e00-\u9fff]{0,8})"
)
# 中 of 中央, 中心, 中学… is no "in"
_NOT_IN = "央心学医国小型期共省"
_CONTAINER = re.compile(
    rf"^.+?(?:项目|资金|经费|预算|支出|收入)(?:中(?![{_NOT_IN}])|里|里面|当中|之中)(?=.{{2,}})"
)


@dataclass(frozen=True, slots=True)
class Operation:
    kind: str  # difference | sum | share
    operands: tuple[str, ...]  # the asker's words for each operand
    pair_label: bool = False  # target vs actual of one label (the pair a report states side by side)
    less: bool = False  # "A比B少/低多少": B − A
    whole: bool = False  # a whole less a part of it ("除…外"): never less than nothing
    count: int = 0  # "两笔…加起来": how many figures named alike are added up
    # a rate the report may state itself ("拨付率"): computed only when it does not
    stated_first: bool = False


# "…资金拨付率是多少", "钱用了百分之几": a rate is the part done of the whole it is of (not 执行率: a 自评表
# states it, and one read where its cells are not aligned is no ground to compute it from)
_RATE_OF = (
    ("拨付", "已拨付", "资金"),
    ("支付", "已支付", "资金"),
    ("到位", "实际到位资金", "计划资金"),
    ("使用", "已使用", "资金"),
)
_RATE_ASKED = re.compile(
    r"^(?P<what>.{2,}?)(?:的)?(?:(?P<verb>拨付|支付|到位|使用)率|钱?(?P<used>用|花)了?百分之几)"
    r"(?:是|为|有|达到|达)?(?:多少|几|百分之几)?$"
)


_VACANCY = re.compile(
    rf"(?P<who>(?:[{CJK}]{{2,6}}?(?:编制|人员))?)(?P<kind>缺编|空编|超编)(?:了)?(?:多少|几)"
)


def plan(question: str) -> Operation | None:
    """What to compute, from the question's shape; None when it asks no computation of stated figures."""
    q = protect(re.sub(r"[？?。！!\s]", "", question))
    op = _plan(q)
    return replace(op, operands=tuple(restore(w) for w in op.operands)) if op is not None else None


def _compared(q: str) -> Operation | None:
    """ "A比B多/少多少": B − A or A − B; None for a change against last year ("比上年降了多少"), which the
    report states, not two figures of this one."""
    m = _COMPARE_BI.match(q)
    if m is None or re.match(r"上年|去年|上一年|前一年|同期|(?:19|20)\d{2}年?$", m.group("b")):
        return None
    less = m.group("op").startswith(("少", "低", "下降", "降", "减少"))
    return Operation("difference", (m.group("a"), m.group("b")), less=less)


def _plan(q: str) -> Operation | None:
    if m := _RATE_ASKED.match(q):
        verb = m.group("verb") or "使用"
        done, whole = next((d, w) for v, d, w in _RATE_OF if v == verb)
        what = m.group("what")
        return Operation("share", (f"{what}{done}", f"{what}{whole}"), stated_first=True)
    if m := _VACANCY.search(q):
        # "缺编多少人": the posts a unit is allowed less the people it has (超编: the other way round)
        who = m.group("who")
        posts = who if who.endswith("编制") else who + "编制数"
        people = re.sub(r"编制$", "", who) + "实有人数"
        return Operation("difference", (people, posts) if m.group("kind") == "超编" else (posts, people))
    if m := _EXCEPT.search(q):
        return Operation("difference", (m.group("a") or q, m.group("b")), whole=True)
    if (m := _EXCEPT_OUTSIDE.search(q)) and not re.match(r"其他|其余|另外|别的", m.group("a")):
        # ("除财政拨款外其他资金来源": the report states 其他资金来源 itself; a lookup)
        return Operation("difference", (m.group("a"), m.group("b")), whole=True)
    if m := _OUTSIDE_OF.match(q):
        return Operation("difference", (m.group("a"), m.group("b")), whole=True)
    if m := _SHARE.match(q):
        # "XX项目中高水平医院建设占总预算…": the part is what follows the whole it is in
        part = _CONTAINER.sub("", m.group("a")) or m.group("a")
        # "占比多少", "占多大比例": 比 and 多大 are no whole
        whole = re.sub(r"^[了有的]*(?:比|多大|多少|几|百分之)?$", "", m.group("b"))
        whole = re.sub(r"^[了有的]+", "", whole)
        inside = re.match(rf"^(.+?)(?:中(?![{_NOT_IN}])|里面|里|当中|之中)(?=.{{2,}})", m.group("a"))
        if not whole and inside:
            # "编报单位里事业单位占了几成": the whole is the one it is in, the part what follows it
            whole, part = inside.group(1), m.group("a")[inside.end() :]
        return Operation("share", (part, whole or m.group("b")))
    if _TARGET_GAP.search(q):
        return Operation("difference", (q,), pair_label=True)
    if _ACTUAL_OVER.search(q):
        return Operation("difference", (q,), pair_label=True)
    if compared := _compared(q):
        return compared
    if (m := _COUNTED_SUM.match(q)) and not re.search(r"[和与及、]|加上", q[: m.start("n")]):
        # ("投入和过程两项加起来" names its items: a sum of those two)
        what = re.sub(rf"^[{CJK}]{{1,2}}的", "", m.group("what"))  # "两个村的输水管线": 村 is what is counted
        return Operation("sum", (what,), count=cn_count(m.group("n")) or int(m.group("n")))
    if (m := _LIST_SUM.match(q)) and (counted := _counted_list(m.group("items"))):
        return Operation("sum", counted)  # "中央、省、县三级财政", "A、B、C三项支出": the tail is each one's
    if (
        (m := _LIST_SUM.match(q))
        and len(items := [i for i in _LIST_SEP.split(m.group("items")) if i]) >= 3
        and all(len(i) >= 2 for i in items)  # "科、所、室、队一共多少个" names one group, as reports write it
    ):
        return Operation("sum", tuple(items))  # "监理费、测绘费和青苗补偿费加起来"
    if m := _BOTH.match(q):
        kind = "difference" if m.group("op") in ("差", "相差", "相比") else "sum"
        # "投入和过程两项加起来": the count of items said is no part of the second one's name
        b = re.sub(r"(?:这)?[两二三几]项$|(?:这)?[两二三几]个$", "", m.group("b")) or m.group("b")
        a = m.group("a")
        # "A和B两个项目全年预算加起来": what is summed (全年预算) is of each, after the count of items
        counted = re.match(r"^(?P<item>.{2,}?)(?:这)?[两二三几](?:个|项)(?:项目)?(?P<tail>.{2,})$", b)
        if counted:
            a, b = a + counted.group("tail"), counted.group("item") + counted.group("tail")
        return Operation(kind, (a, b))
    if _REMAINING.search(q):
        return Operation("remaining", (q,))
    if m := _PER.match(q):
        per = m.group("per") or m.group("cls") or ""
        if per:
            return Operation(
                "per",
                (
                    f"{m.group('subject')}{m.group('verb') or ''}多少{m.group('what')}",
                    per,
                    m.group("cls") or "个",
                ),
            )
    return None


# "…卫生健康三项支出", "…县三级财政": the count of the items listed, then what each of them is
_COUNT_TAIL = re.compile(
    r"(?:这)?(?P<n>[两二三四五六七八九十]|\d{1,2})(?:个|项|类|级|块|笔|种|部分)(?P<tail>[^、，,]*)$"
)


def _counted_list(text: str) -> tuple[str, ...] | None:
    """Items listed with their number said after them ("一般公共服务、社会保障和就业、卫生健康三项支出"): each
    item with the words after the count (支出, 财政) — only when the count is the number of items listed."""
    items = [i for i in _LIST_SEP.split(text) if i]
    tail = _COUNT_TAIL.search(items[-1]) if len(items) >= 2 else None
    if tail is None or (cn_count(tail.group("n")) or 0) != len(items):
        return None
    items[-1] = items[-1][: tail.start()]
    words = re.sub(r"^项目", "", tail.group("tail"))  # "A和B两个项目全年预算": each one's 全年预算
    items = [i if not words or i.endswith(words) else f"{i}{words}" for i in items]
    return tuple(items) if all(len(i) >= 2 for i in items) else None


def _convert(value: float, unit: str, to: str) -> float:
    if unit == to or unit not in TO_YUAN or to not in TO_YUAN:
        return value
    return value * TO_YUAN[unit] / TO_YUAN[to]


@dataclass(frozen=True, slots=True)
class Computed:
    value: float
    unit: str
    inputs: tuple[Figure, ...]
    formula: str


def formula_number(x: float) -> str:
    """A number as a formula shows it: every digit the report states (156.2371, 2272.746695; not :g's 156.237),
    so that the formula's inputs verify."""
    return f"{x:.6f}".rstrip("0").rstrip(".") if abs(x) < 1e15 else str(x)


_fmt = formula_number


_MEASURE_WORDS = re.compile(
    r"实际|全年|年初|年末|调整后|预算数?|执行数?|完成值?|目标值?|计划|多花了?|花了?|的|\s"
)


def _find(
    words: str,
    question: str,
    figures: Sequence[Figure],
    names: Sequence[str],
    near: int | None = None,
    topic: str = "",
) -> Match | None:
    match = best_figure(question, words, figures, names, compute_ok=True, near=near, topic=topic)
    return match if match is not None and match.confident else None


def _part_beside_whole(
    operands: tuple[str, ...], units_q: str, figures: Sequence[Figure], names: Sequence[str], topic: str
) -> tuple[Match, Match] | None:
    """A share's part named alike in several places ("中央资金" of this project and of the year's total):
    the one stated beside the whole it is asked as a share of ("总投资42.3万元,其中中央财政资金16.92万元"),
    when the whole is found and exactly one value of the part's best-named figures stands on its line.
    (part, whole)."""
    part, whole_words = operands
    whole = _find(whole_words, f"{whole_words}{_asked_as(whole_words, units_q)}", figures, names, topic=topic)
    ranked = score_figures(f"{part}{_asked_as(part, units_q)}", part, figures, names, topic=topic)
    if whole is None or not ranked or ranked[0][0] < MIN_SCORE:
        return None
    w = whole.figure
    beside = [
        (s, f)
        for s, f in ranked
        if s >= ranked[0][0] - 1e-9
        and f.line == w.line
        and f is not w
        and _same_kind(f, w)
        and 0 < _convert(f.value, f.unit, w.unit) < w.value
    ]
    if len({comparable(f.value, f.unit) for _, f in beside}) != 1:
        return None
    score, fig = beside[0]
    return Match(fig, score, None, 0.0), whole


def compute(
    question: str, figures: Sequence[Figure], names: Sequence[str], topic: str = ""
) -> Computed | None:
    """`topic`: the report's title and names, what all of its figures are about."""
    op = plan(question)
    if op is None:
        return None
    units_q = re.sub(r"^.*?(?=多少|几)", "", question)  # "…差几个人" → the unit asked, for each operand
    if op.kind == "share":
        units_q = "多少"  # "占了几成", "占比多少": the answer is a share; its operands are of any kind alike
        # ...but amounts or counts: a rate (its 执行率) is no part of a whole
        figures = [f for f in figures if f.unit != "%"]
    if op.pair_label:
        paired = _pair_gap(question, figures, names, topic)
        # ("实际拨付比指标少了多少" of two figures stated apart, not a 自评表 pair: the two compared; a
        # 目标 is a target, only ever the pair's)
        compared = _compared(protect(re.sub(r"[？?。！!\s]", "", question))) if paired is None else None
        if compared is None or "目标" in compared.operands[1]:
            return paired
        op = replace(compared, operands=tuple(restore(w) for w in compared.operands))
    if op.kind == "remaining":
        return _remaining(question, figures, names, topic)
    if op.kind == "per":
        return _per(op, figures, names, topic)
    if op.count:
        return _counted_sum(op.operands[0], op.count, f"{op.operands[0]}{units_q}", figures, names, topic)
    # each operand asked in its own terms ("行政编制比在职人数多几个": people, not 个 of something); one
    # naming only a measure ("项目支出实际比年初预算多花了多少") is about the first one's subject, in its row
    # "除财政拨款外的收入": of the figures named 收入, the one named by the part left out is no rival of the whole
    left_out = (
        _MEASURE_WORDS.sub("", op.operands[-1]) if op.kind == "difference" and len(op.operands) == 2 else ""
    )
    pool = [f for f in figures if not (len(left_out) >= 2 and left_out in f.label)] if left_out else figures
    first = None
    if op.whole:
        # the whole of "除财政拨款外的收入" is the total stated (收入合计), not another part (上级补助收入)
        totals = [f for f in pool if _TOTAL_LABEL.search(f.label)]
        first = _find(
            op.operands[0],
            f"{op.operands[0]}{_asked_as(op.operands[0], units_q)}",
            totals,
            names,
            topic=topic,
        )
    first = first or _find(
        op.operands[0], f"{op.operands[0]}{_asked_as(op.operands[0], units_q)}", pool, names, topic=topic
    )
    # "龙头村蔬菜园项目干管加分干管": the project named before the first operand is what both are of (read
    # only when the operand as written names no figure: "一期治理工程监理费" tells 一期 from 二期)
    head = re.sub(r"^.*(?:项目|工程)(?:里|中|的)?", "", op.operands[0]) if op.kind == "sum" else ""
    if first is None and len(head) >= 2:
        op = replace(op, operands=(head, *op.operands[1:]))
        first = _find(head, f"{head}{_asked_as(head, units_q)}", pool, names, topic=topic)
    beside = None
    if first is None and op.kind == "share" and len(op.operands) == 2:
        beside = _part_beside_whole(op.operands, units_q, pool, names, topic)
        first = beside[0] if beside else None
    if first is None:
        return None
    found: list[Match | None] = [first]
    subject = _MEASURE_WORDS.sub("", op.operands[0])
    for words in op.operands[1:] if beside is None else ():
        bare = not _MEASURE_WORDS.sub("", words).strip()
        said = f"{subject}{words}" if bare else words
        # an operand naming only a measure is in the first one's row; of rivals named alike, the one in the
        # first one's sentence is meant ("核定行政编制40人，在职人员36人。…核定编制150人，在职人员141人")
        asked_as = f"{said}{_asked_as(said, units_q)}"
        others = [f for f in figures if f is not first.figure]  # another operand is another figure
        found.append(
            # (a share's base is the whole, not a row beside the part: no row hint for it)
            _find(
                said,
                asked_as,
                others,
                names,
                near=first.figure.line if bare and op.kind != "share" else None,
                topic=topic,
            )
            or _in_sentence_of(first.figure, said, asked_as, others, names)
        )
    if beside is not None:
        found.append(beside[1])  # (the whole the part was found beside)
    if any(m is None for m in found):
        return None
    if len(found) > 2:
        return sum_of([m.figure for m in found if m is not None])
    a, b = (m.figure for m in found if m is not None)
    one_reading = a.line == b.line and (a.label in b.label or b.label in a.label)
    if a == b or (a.value == b.value and (one_reading or a.label == b.label)):
        return None  # one figure, or one figure read twice ("干管1100m、分干管1100m" are two)
    if op.kind == "share":
        if not _same_kind(a, b) or not b.value:
            return None
        value = round(_convert(a.value, a.unit, b.unit) / b.value * 100, 2)
        if value > 100 and a.unit != "%":
            return None  # a part larger than its whole: one of the two is the wrong figure
        return Computed(value, "%", (a, b), f"{_fmt(a.value)} ÷ {_fmt(b.value)} × 100% = {_fmt(value)}%")
    if op.kind == "sum":
        if not _same_kind(a, b) or _names_other(a, b, op.operands[1]) or _names_other(b, a, op.operands[0]):
            return None  # "…用于保障房和旧改的资金96.5亿元" is the total asked, not one of its parts
        value = round(a.value + _convert(b.value, b.unit, a.unit), _places(a, b))
        return Computed(value, a.unit, (a, b), f"{_terms((a, b), ' + ')} = {_fmt(value)}{a.unit}")
    # "实际拨付比指标少了多少": how much less, a positive figure (指标 − 实际)
    done = _difference(b, a) if op.less else _difference(a, b)
    # a whole less its part, or "比…增加/多了多少", is never below nothing: a negative result says the
    # figures found are not the ones asked
    grew = _GREW.search(question) and not op.less
    return None if (op.whole or grew) and done is not None and done.value < 0 else done


def _per(op: Operation, figures: Sequence[Figure], names: Sequence[str], topic: str) -> Computed | None:
    """A stated total over a stated count ("学生1080人" ÷ "24个教学班"), each found by its own words."""
    total_words, per, cls = op.operands
    total = _find(re.sub(r"多少", "", total_words), total_words, figures, names, topic=topic)
    if total is None:
        return None
    day = cls in ("天", "日") and per in ("天", "日")
    count_asked = f"多少天{per}" if day else f"多少{cls}{per}"
    others = [f for f in figures if f is not total.figure]
    count = _find(per if not day else "天数", count_asked, others, names, topic=topic)
    if count is None or not count.figure.value or count.figure.unit in TO_YUAN or count.figure.unit == "%":
        return None
    a, b = total.figure, count.figure
    value = round(a.value / b.value, 2)
    if a.unit in ("万元", "亿元") and abs(a.value / b.value) < 1:
        # "1.234567万元 ÷ 56户次" is 0.03万元 at two places: each one's share is shown in 元
        yuan = round(a.value * TO_YUAN[a.unit] / b.value, 2)
        formula = f"{_fmt(a.value)}{a.unit} ÷ {_fmt(b.value)} = {_fmt(yuan)}元"
        return Computed(yuan, "元", (a, b), formula)
    return Computed(value, a.unit, (a, b), f"{_fmt(a.value)} ÷ {_fmt(b.value)} = {_fmt(value)}{a.unit}")


def _counted_sum(
    words: str, count: int, question: str, figures: Sequence[Figure], names: Sequence[str], topic: str
) -> Computed | None:
    """The `count` figures that fit `words` best, added up — only when exactly that many stand clearly
    above the rest (a figure read twice counts once; a stated total is no term)."""
    found = counted_figures(words, count, question, figures, names, topic)
    return sum_of(found) if found else None


def counted_figures(
    words: str, count: int, question: str, figures: Sequence[Figure], names: Sequence[str], topic: str
) -> list[Figure] | None:
    """The `count` figures that fit `words` best ("两批资金", "两个服务项目的中标价"), when exactly that many
    stand clearly above the rest; a figure read twice counts once, a stated total is none of them."""
    ranked: list[tuple[float, Figure]] = []
    seen: set[tuple[int, float]] = set()
    for score, f in score_figures(question, words, figures, names, topic=topic):
        if (f.line, f.value) in seen or re.search(r"合计|总计|共计|小计|总额", f.label):
            continue
        seen.add((f.line, f.value))
        ranked.append((score, f))
    if len(ranked) < count or ranked[count - 1][0] < MIN_SCORE:
        return None
    if len(ranked) > count and ranked[count][0] > ranked[count - 1][0] - MIN_MARGIN:
        return None  # a further figure fits as well: which ones are meant is not clear
    return [f for _, f in ranked[:count]]


def _names_other(f: Figure, other: Figure, other_words: str) -> bool:
    """A figure found for one operand of a sum that is the total of both: larger than the other's figure, and
    its label names the other operand too ("用于保障性住房和老旧小区改造…96.5亿元" asked "保障房和旧改")."""
    words = re.sub(rf"[^{CJK}]|(?:19|20)\d{{2}}年?", "", other_words)
    words = re.sub(r"(?:资金|经费|补助|的|多少|一共|合计)+$", "", _MEASURE_WORDS.sub("", words))
    head = next(
        (words[i : i + 2] for i in range(len(words) - 1) if words[i : i + 2] not in _COMMON_PAIRS), ""
    )
    bigger = _convert(f.value, f.unit, other.unit) > other.value
    return (
        bool(head) and bigger and head not in other.label and (head in f.label or written_out(head, f.label))
    )


_COMMON_PAIRS = {"资金", "经费", "补助", "项目", "财政", "专项", "工程", "用于", "一共", "合计"}


def _terms(figures: Sequence[Figure], sign: str) -> str:
    """The operands as a formula shows them: bare numbers, but each with its unit when amounts of unlike
    scale are combined (万元 with 元)."""
    if len({TO_YUAN.get(f.unit, 1.0) for f in figures}) == 1:
        return sign.join(_fmt(f.value) for f in figures)
    return sign.join(f"{_fmt(f.value)}{f.unit}" for f in figures)


def sum_of(figures: list[Figure]) -> Computed | None:
    """Three or more stated figures added up, each a different figure of one kind."""
    first = figures[0]
    if len({(f.line, f.value, f.label) for f in figures}) < len(figures) or not all(
        _same_kind(first, f) for f in figures
    ):
        return None
    value = round(sum(_convert(f.value, f.unit, first.unit) for f in figures), _places(*figures))
    terms = _terms(figures, " + ")
    return Computed(value, first.unit, tuple(figures), f"{terms} = {_fmt(value)}{first.unit}")


def _in_sentence_of(
    anchor: Figure, words: str, question: str, figures: Sequence[Figure], names: Sequence[str]
) -> Match | None:
    """Of the figures that best fit `words` equally, the one stated in the anchor's sentence, if only one is."""
    ranked = score_figures(question, words, figures, names)
    if not ranked or ranked[0][0] < MIN_SCORE:
        return None
    top = [f for s, f in ranked if s >= ranked[0][0] - 1e-9 and f is not anchor]
    mine = {(f.value, f.unit): f for f in top if f.context == anchor.context and f.line == anchor.line}
    if len(mine) != 1 or len(top) < 2:
        return None
    return Match(next(iter(mine.values())), ranked[0][0], None, 0.0)


def _asked_as(words: str, units_q: str) -> str:
    """The unit words an operand is looked up with: the question's ("多少人"), except that "差几个" of
    编制/人数 counts people, not 个 of something."""
    own = expected_units(words)
    if expected_units(units_q) == ("个",) and own and own[0] == "人":
        return "多少人"
    if "百分点" in units_q:
        return "率多少"  # a difference of rates is in points; each rate is a %
    return units_q


def _same_kind(a: Figure, b: Figure) -> bool:
    return (
        a.unit == b.unit
        or (a.unit in TO_YUAN and b.unit in TO_YUAN)
        or {a.unit, b.unit} <= {"人", "名", "人次"}
    )


def _places(*figures: Figure) -> int:
    """Decimal places a sum or difference keeps: four, or as many as the most precise figure states
    ("512.36 − 401.259837" is 111.100163, not 111.1002)."""
    stated = [len(m.group(1)) for f in figures if (m := re.search(r"\.(\d+)", f.text))]
    return max([4, *stated])


def _difference(a: Figure, b: Figure) -> Computed | None:
    if not _same_kind(a, b):
        return None
    value = round(a.value - _convert(b.value, b.unit, a.unit), _places(a, b))
    unit = a.unit if a.unit != "%" else "个百分点"
    # amounts in two units ("40万元 − 334896元") are shown with them, never as bare numbers of unlike scale
    terms = _terms((a, b), " − ")
    return Computed(value, a.unit, (a, b), f"{terms} = {_fmt(value)}{unit}")


def _remaining(
    question: str, figures: Sequence[Figure], names: Sequence[str], topic: str = ""
) -> Computed | None:
    """What is left: a budget-side figure (预算, 下达, 核定编制…) less a spent-side one (执行, 拨付, 实有…) of
    the same subject, preferably stated together (one table row, one sentence)."""
    units = expected_units(question) or expected_units("多少钱")
    if re.search(r"编制|人员|人数", question):
        units = ("人", "名", "个")
    subject = _REMAINING_WORDS.sub(" ", question)
    pool = [f for f in figures if units is None or f.unit.split("/")[0] in units]
    scored = score_figures(f"{subject}多少", subject, pool, names, topic=topic) if subject.strip() else []
    rank = {id(f): s for s, f in scored}
    received_is_budget = bool(_NOT_SPENT.search(question))

    def budget_side(name: str) -> bool:
        if _EXECUTED.search(name):
            return False  # ("预算执行数": what was spent of the budget)
        return bool(_BUDGET_SIDE.search(name) or (received_is_budget and _RECEIVED.search(name)))

    spent = [
        f for f in pool if _SPENT_SIDE.search(f.column or f.label) and not budget_side(f.column or f.label)
    ]
    # "…专项资金86.40万元,全年执行数80.15万元": the fund named right before what was spent of it is its budget
    spent_ids = {id(f) for f in spent}
    fund_spent = {
        id(f)
        for f, nxt in zip(figures, figures[1:], strict=False)
        if id(nxt) in spent_ids and nxt.line == f.line and not f.column and _FUND.search(f.label)
    }
    budget = [f for f in pool if budget_side(f.column or f.label) or id(f) in fund_spent]
    spent = [f for f in spent if id(f) not in fund_spent]
    # "其中中央补助经费执行300万元" is a part of what was spent, not all of it
    whole_spent = [f for f in spent if not re.match(r"\s*其中", f.quote)]
    spent = whole_spent or spent
    # what is left is of the year's budget (全年/调整后预算数), not the one set at its start, unless asked
    start_asked = "年初" in question

    def year_budget(b: Figure) -> float:
        bonus = 0.5 if b.column and (b.column.startswith("年初") == start_asked) else 0.0
        # a table's total row, not the 其中 rows under it, unless the question names one of them
        if b.row and re.search(r"资金总额|总金额|合计|总计", b.row):
            bonus += 0.3
        return bonus

    pairs = [
        (
            rank.get(id(b), 0.0)
            + rank.get(id(s), 0.0)
            + (1.0 if b.line == s.line else 0.0)
            + (0.2 if b.row and b.row == s.row else 0.0)  # one row's two cells, not two rows run together
            + year_budget(b),
            -i,
            b,
            s,
        )
        for i, (b, s) in enumerate((b, s) for b in budget for s in spent)
        # stated together: one sentence or table line, or one table row read cell by cell; what is left
        # is never less than nothing ("行政编制0人…在职实有12人" is no pair)
        if (b.line == s.line or (b.row and b.row == s.row and abs(b.line - s.line) <= 12))
        and _convert(b.value, b.unit, s.unit) >= s.value
    ]
    # the one pair the report's own execution rate confirms, even stated apart ("预算820万元。…实际执行
    # 738万元，执行率90%"), and never a part spent ("其中中央补助经费执行300万元") beside the budget
    funds = [f for f in pool if _FUND.search(f.label) and f not in spent]
    confirmed = _by_stated_rate([*budget, *funds], spent, figures)
    if confirmed is not None and (
        rank.get(id(confirmed[0])) or rank.get(id(confirmed[1])) or _of_the_report(subject, topic)
    ):
        return _difference(*confirmed)
    told = _told_pair(question, budget, spent)
    if told is not None:
        return _difference(*told)
    if not pairs:
        return None
    pairs.sort(key=lambda p: (-p[0], -p[1]))
    _, _, b, s = pairs[0]
    if (
        len(pairs) > 1
        and pairs[1][0] == pairs[0][0]
        and (pairs[1][2].value, pairs[1][3].value) != (b.value, s.value)
    ):
        return None  # two readings fit equally: no guess
    done = _difference(b, s)
    return done if done is not None and done.value >= 0 else None


# an amount the asker states ("下达了246万,发了141万"): 万 and 亿 written short for 万元, 亿元
_ASKED_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(亿元|万元|元|亿|万)(?!人|户|个|亩|株|平)")


def _told_pair(
    question: str, budget: Sequence[Figure], spent: Sequence[Figure]
) -> tuple[Figure, Figure] | None:
    """The budget and spent figures whose amounts the question itself states, in that order, when the report
    states each once: the asker says which two are meant, however far apart the report puts them."""
    amounts = [(float(v), u if u.endswith("元") else f"{u}元") for v, u in _ASKED_AMOUNT.findall(question)]
    if len(amounts) != 2:
        return None
    (bv, bu), (sv, su) = amounts

    def stating(pool: Sequence[Figure], value: float, unit: str) -> list[Figure]:
        return [f for f in pool if f.unit in TO_YUAN and abs(_convert(f.value, f.unit, unit) - value) < 1e-6]

    b, s = stating(budget, bv, bu), stating(spent, sv, su)
    if len({f.value for f in b}) != 1 or len({f.value for f in s}) != 1:
        return None
    return b[0], s[0]


_STATED_RATE = re.compile(r"执行率|执行进度|支出率|支付率|拨付率|使用率")


def _of_the_report(subject: str, topic: str) -> bool:
    """The subject asked is the report's own (its title's project, or nothing beyond the unit): every figure
    of the report is of it, so its words rank none above another."""
    words = re.sub(rf"[^{CJK}A-Za-z0-9]", "", subject)
    words = re.sub(r"(?:项目|资金|专项|经费)$", "", words)
    return not words or (len(words) >= 2 and words in re.sub(rf"[^{CJK}A-Za-z0-9]", "", topic))


def _by_stated_rate(
    budget: Sequence[Figure], spent: Sequence[Figure], figures: Sequence[Figure]
) -> tuple[Figure, Figure] | None:
    """The budget and spent figures whose ratio is a rate the report states (to the places it states it),
    when exactly one pair of values is."""
    rates = [f for f in figures if f.unit == "%" and 0 < f.value < 100 and _STATED_RATE.search(f.label)]
    found: dict[tuple[float, float], tuple[Figure, Figure]] = {}
    for rate in rates:
        places = len(re.sub(r"^[^.]*\.?", "", re.sub(r"[^\d.]", "", rate.text)))
        for b in budget:
            for s in spent:
                if not b.value or not _same_kind(b, s) or b is s:
                    continue
                ratio = _convert(s.value, s.unit, b.unit) / b.value * 100
                if abs(round(ratio, places) - rate.value) < 1e-9:
                    key = (comparable(b.value, b.unit), comparable(s.value, s.unit))
                    # of figures stating the same values, the two stated nearest each other
                    if key not in found or abs(b.line - s.line) < abs(
                        found[key][0].line - found[key][1].line
                    ):
                        found[key] = (b, s)
    return next(iter(found.values())) if len(found) == 1 else None


def _mates(a: Figure, b: Figure | None) -> bool:
    """Two figures stated together as one thing's target and result: one line, one label or one table row."""
    if b is None:
        return False
    one_row = bool(a.row and a.row == b.row)
    # (a row rebuilt from one cell per line: its cells on lines of their own share the row's quote)
    return (a.line == b.line and (a.label == b.label or one_row)) or (one_row and a.quote == b.quote)


def _pair_gap(
    question: str, figures: Sequence[Figure], names: Sequence[str], topic: str = ""
) -> Computed | None:
    """A target and what was achieved, stated side by side under one label: achieved − target."""
    # the subject stands before "实际比目标多…" / "离目标还差…"
    cut = _ACTUAL_OVER.search(question) or _TARGET_GAP.search(question)
    words = question[: cut.start()] if cut and cut.start() >= 2 else question
    words = re.sub(r"(?:实际|的)$", "", words.strip(" ，,？?"))
    pair = target_and_actual(words, re.sub(r"^.*?(?=多少|几)", "", question), figures, names, topic)
    if pair is None:
        return None
    target, actual = pair
    if re.search(r"还差|没完成|未完成|比[^，,]*?(?:目标|指标|计划)[^，,]*?(?:(?<!多)少|低|差)", question):
        return _difference(target, actual)  # (how far short of the target: target − result)
    return _difference(actual, target)


# "…满意度目标和实际完成各是多少", "…年初定多少、实际完成多少", "指标值和全年完成值各是多少": one thing's target
# and what was achieved, asked together
_TARGET_CUE = r"(?:(?:年度|年初|全年)?(?:目标值?|指标值|计划数?|任务数?)(?:定的?|定了)?|年初定的?)"
_ACTUAL_CUE = r"(?:全年|年度)?(?:实际(?:完成值?|做到|达到|值)?|完成值|实绩)"
_PAIR_ASKED = re.compile(
    rf"^(?P<subject>.+?)[,，]?的?{_TARGET_CUE}(?:是|为)?(?:多少|几)?[^，,、和与及？?]{{0,4}}"
    rf"(?:和|与|及|、|，|,){_ACTUAL_CUE}(?:各|分别)?(?:是|为)?(?P<units>(?:多少|几).*)$"
)
_THIS_ONE = re.compile(r"(?:这个|这项|这一项|该项|这块)(?:指标)?$")


# "两批钱各下了多少", "两个服务项目的中标价各是多少": that many figures named alike, each asked
_EACH_COUNTED = re.compile(
    r"^(?P<pre>.*?)(?:这|那)?(?<!第)(?P<n>[两二三四五六七八九]|\d)(?:个|笔|批|项|类|条|处|座|家|所|次)"
    r"(?P<what>[^，,。？?各]{1,30}?)各(?:自)?(?P<verb>[^，,。？?多几]{0,4}?)(?P<ask>多少|几)"
)


def each_counted(question: str) -> tuple[str, int, str] | None:
    """(what is asked of, how many, the words asking it) of "N个X各多少", or None."""
    m = _EACH_COUNTED.match(re.sub(r"\s", "", question))
    if m is None or re.search(r"[和与及、]", m.group("pre")):
        return None  # ("A和B两个项目各多少" names its items: a question of parts)
    count = cn_count(m.group("n")) or 0
    what = re.sub(r"^的", "", m.group("what"))
    rest = question[question.find(m.group("ask")) :]
    return (
        (f"{m.group('pre')}{what}{m.group('verb')}", count, rest) if count >= 2 and len(what) >= 1 else None
    )


def pair_asked(question: str) -> tuple[str, str] | None:
    """(what is asked of, the unit words) when a question asks one thing's target and its result together."""
    m = _PAIR_ASKED.match(re.sub(r"\s", "", question))
    if m is None:
        return None
    subject = _THIS_ONE.sub("", m.group("subject").rstrip("，,的"))
    return (subject, m.group("units")) if len(subject) >= 2 else None


def target_and_actual(
    words: str, units_q: str, figures: Sequence[Figure], names: Sequence[str], topic: str = ""
) -> tuple[Figure, Figure] | None:
    """The target and the result a report states side by side for what `words` name (a sentence's "达到3亿元
    3亿元 4.25亿元", a bound beside a plain figure, a 自评表 row's 指标值 and 完成值 cells); None unless one
    such pair clearly fits."""
    units_q = _asked_as(words, units_q)
    match = best_figure(f"{words}{units_q}", words, figures, names, compute_ok=True, topic=topic)
    # a target and its achievement are named alike: a rival that is the best one's mate is no rival
    if match is None or not (
        match.confident or (match.score >= MIN_SCORE and _mates(match.figure, match.rival))
    ):
        return None
    fig = match.figure
    i = figures.index(fig)
    # "达到3亿元 3亿元 4.25亿元" (年初目标, 全年目标, 实际完成): the run's first is the target, its last the result
    run = [
        f for f in figures if f.line == fig.line and f.label == fig.label and f.label and _same_kind(f, fig)
    ]
    if len(run) in (2, 3) and not fig.column and all(f.qualifier in ("first", "second") for f in run):
        return run[0], run[-1]
    # the other figure of the same kind stated with it (one sentence or table line, same label or row)
    asked = {words[k : k + 2] for k in range(len(words) - 1)}
    mates = [
        f
        for f in figures
        if f is not fig
        and (f.line == fig.line or _mates(f, fig))
        and _same_kind(f, fig)
        and (f.label == fig.label or (f.row and f.row == fig.row) or any(g in f.label for g in asked))
    ]
    bounds = [f for f in mates if f.qualifier == "bound"]
    if fig.qualifier == "second" and i > 0 and figures[i - 1].label == fig.label:
        return figures[i - 1], fig
    if fig.qualifier == "first" and i + 1 < len(figures) and figures[i + 1].label == fig.label:
        return fig, figures[i + 1]
    if fig.qualifier == "bound" and len([f for f in mates if f.qualifier != "bound"]) == 1:
        # "≥3亿元 … 4.25亿元": the bound is the target, the plain figure beside it what was achieved
        return fig, next(f for f in mates if f.qualifier != "bound")
    if fig.qualifier != "bound" and len(bounds) == 1 and not fig.column:
        return bounds[0], fig
    if fig.column and fig.row:
        # a 自评表 row: 年度指标值 and 实际完成值 in two columns of one row
        # (a row rebuilt from one cell per line has its cells on lines of their own: the row's quote is one)
        row = [
            f
            for f in figures
            if (f.line == fig.line or f.quote == fig.quote) and f.row == fig.row and f.column != fig.column
        ]
        targets = [f for f in [fig, *row] if re.search(r"指标值|目标|计划", f.column)]
        actuals = [f for f in [fig, *row] if re.search(r"完成值|实际|实绩", f.column)]
        if len(targets) == 1 and len(actuals) == 1:
            return targets[0], actuals[0]
    return None
