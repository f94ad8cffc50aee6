"""Questions that ask several things at once ("支出多少，执行率多少？", "几项，涉及资金多少？").

Each part is asked on its own, the later parts as follow-ups of the first (so they keep its unit), and the
answers are joined with their citations renumbered. `value`/`unit` stay the first part's; `parts` holds all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

import jieba

from assistant.compounds import protect, restore
from assistant.models import Answer, ParsedQuestion

# What makes a clause a question of its own.
_ASKS = re.compile(
    r"多少|几|是否|有没有|什么|哪些|哪个|怎么|如何|百分之|比例|占比|多大|多长|多高|多重|多久|多深|多宽"
)
_CUT = re.compile(r"[，,；;。？?、]|(?:另外|还有|以及|同时)")
# "行政编制和事业编制各多少名": two figures asked with one question word
_EACH = re.compile(r"^(?P<a>.+?)(?:和|及|与|跟|、)(?P<b>[^和及与跟、]+?)(?:各|分别)(?:是|为|有)?(?P<ask>.*)$")
# what is left of a part once asking and target/actual words are gone: its own subject, if any
_BARE = re.compile(
    r"多少(?:钱|万元|亿元|元|亩|人次|人|个|户|只|头|项|次|公里|米|吨|所|家|台|名|场)?|几|是|了|的|呢|吗|实际|完成|达到|做到|"
    r"目标|定|计划|预计|各|分别|有|为|_DEIXIS|[？?。，,\s]".replace("_DEIXIS", "这项|这块|这个|该项|此项")
)
_DEIXIS = re.compile(r"这项|这块|这个|该项|此项")
_MEASURE_ONLY = re.compile(
    r"^(?:年初|年度|全年|当年)?(?:实际)?(?:指标值|目标值|实际值|完成值|预算数|执行数|执行率|分值|得分|权重)"
    r"(?:是|为)?(?:多少|几)?[？?。\s]*$"
)
_MEASURE_AT_END = re.compile(
    r"(?:年初预算数?|全年预算数?|调整后预算数?|预算数?|执行数?|支出数?|编制数?|目标值?|指标值?|计划|实有|在职|人数|"
    r"(?:年初|年度|全年)?任务数?|预期|(?:年初|年度|全年)?(?:实际)?(?:完成值|实际值|指标值|目标值)|"
    r"定的|定了|多少)+$"
)
# what two parallel things asked "A和B…" share when B alone says it: a measure of each
_SHARED_TAIL = re.compile(
    r"(?:满意度|满意率|完成率|合格率|覆盖率|知晓率|人数|资金|补助|经费|得分|分值)"
    r"(?:年度指标值|全年完成值|实际完成值|完成值|目标值|指标值|实际值|实际完成|预算数|执行数)?"
)
# what was done to the thing a first part asks of, at its end ("已经拨", "实际花", "建"): no part of the subject
_DONE_AT_END = re.compile(
    r"(?:(?:已经|已|共|一共|总共|累计|实际)?(?:拨付|拨|花掉|花|用掉|用|使用|支出|执行|下达|安排|发放|到位|投入|办|建|争取|分配|支付|付))+$"
)
_MARKER = re.compile(r"\[(\d+)\]")
_MASKED = re.compile("[\ue000-\ue002]")  # a compound name's joining word, masked by `protect`
_CN = "一二三四五六七八九十"


def split_question(question: str) -> list[str]:
    """The clauses that each ask something; one element when the question asks one thing."""
    return [restore(p) for p in _split(protect(question))]


def _split(question: str) -> list[str]:
    each = _EACH.match(question.strip())
    years = re.findall(r"(?:19|20)\d{2}", question)
    # "2023年和2024年的执行率分别是多少": years listed are one question the engine answers for each year
    if each and _ASKS.search(each.group("ask")) and len(years) < 2:
        ask = each.group("ask")
        a, b = _parallel(each.group("a"), each.group("b"))
        return [a + ask, b + ask]
    pieces = [p.strip() for p in _CUT.split(question) if p and p.strip()]
    asking = [p for p in pieces if _ASKS.search(p)]
    if len(asking) < 2:
        return [question]
    # words before the first asking clause ("永平街2021年，预算多少，执行率多少") belong to it
    parts: list[str] = []
    lead = ""
    for p in pieces:
        if _ASKS.search(p):
            parts.append(lead + p)
            lead = ""
        elif parts:
            parts[-1] += "，" + p
        else:
            lead += p
    return parts


def _parallel(a: str, b: str) -> tuple[str, str]:
    """Two things asked "A和B各…", each made whole: B takes the words before the thing A names ("预拨资金中中央和
    省级" → 预拨资金中省级), A what B's thing is of ("东渠一期和西渠段的监理费" → 东渠一期的监理费)."""
    a_words, b_words = jieba.lcut(a), jieba.lcut(b)
    if "的" in b and "的" not in a and not _MASKED.search(b):  # ("对个人和家庭的补助": its own 的)
        a += b[b.rfind("的") :]
    if len(b_words) == 1 and len(a_words) > 1 and len(a_words[-1]) == len(b) >= 2:
        b = "".join(a_words[:-1]) + b  # "预拨资金中中央和省级": 省级 of the same 预拨资金
    tail = b[len(b_words[0]) :] if len(b_words) > 1 else ""
    if tail and _SHARED_TAIL.fullmatch(tail) and len(a_words[-1]) == len(b_words[0]) and not a.endswith(tail):
        a += tail  # "学生和家长满意度实际完成值": the students' 满意度实际完成值 too
    return a, b


def _renumber(text: str, offset: int) -> str:
    return _MARKER.sub(lambda m: f"[{int(m.group(1)) + offset}]", text)


def join_answers(question: str, answers: Sequence[Answer]) -> Answer:
    lines, citations, dropped, computed = [], [], [], []
    for i, a in enumerate(answers):
        lines.append(f"（{_CN[i % len(_CN)]}）{a.question}：")  # no digits: every digit shown is a figure
        lines.append(_renumber(a.answer, len(citations)))
        citations += a.citations
        dropped += a.dropped
        computed += a.computed
    head = answers[0]
    return Answer(
        question,
        "\n".join(lines),
        any(a.found for a in answers),
        head.value,
        head.unit,
        citations,
        head.kind,
        computed,
        dropped,
        parts=list(answers),
    )


def ask_parts(
    question: str,
    previous: ParsedQuestion | None,
    parse: Callable[..., ParsedQuestion],
    answer: Callable[[ParsedQuestion], Answer],
) -> tuple[Answer, ParsedQuestion] | None:
    """The joined answer of a multi-part question, or None when it asks one thing."""
    parts = split_question(question)
    if len(parts) < 2:
        return None
    first = parse(parts[0], previous)
    if previous is None and not first.units:
        # "退休和返聘人员各多少人": the report is found by the words of the whole question, which its first
        # part alone may not have enough of
        whole = parse(question, None)
        if whole.units and len({u.org for u in whole.units}) == 1:
            first = parse(parts[0], whole, carry=True)
    answers = [answer(first)]
    # "基本支出年初预算多少、实际执行多少": the later part is about the same thing (基本支出), not the same measure
    # (what the first part counts, "几个样地", is no part of the subject: "…设了几个样地、多少样株")
    # (nor is what was done to it: "…资金已经拨了多少，执行率多少" asks the 资金's 执行率)
    subject = _MEASURE_AT_END.sub(
        "", _BARE.sub("", re.split(r"多少|几|多[大长高深久重宽远]", first.asked)[0])
    )
    subject = _DONE_AT_END.sub("", subject)
    # "…执行了多少，预算执行得了几分": a later part is looked for first in the row the first was read from
    near = (answers[0].citations[0].doc, answers[0].citations[0].line) if answers[0].citations else None
    near_value = answers[0].value if near and answers[0].found and not answers[0].computed else None
    for part in parts[1:]:
        bare = _BARE.sub("", part)
        # "…合格率的年度指标值和全年实际值分别是多少": a part naming only a measure asks it of the same thing
        said = part if len(bare) > 2 and not _MEASURE_ONLY.match(part) else subject + _DEIXIS.sub("", part)
        got = answer(replace(parse(said, first, carry=True), near=near, near_value=near_value))
        if said != part and any(_same_figure(got, earlier) for earlier in answers):
            # the subject carried over drew the first part's figure back ("事业编制…、实际在编…"): the part
            # as written, read near the first one's row
            got = answer(replace(parse(part, first, carry=True), near=near, near_value=near_value))
        if any(_same_figure(got, earlier) for earlier in answers):
            # two different things asked, one figure found for both: one of them is misread
            got = Answer(
                said, "报告中没有找到与前一问不同的数字，无法分别回答这一问。", False, kind="unanswerable"
            )
        answers.append(got)
    return join_answers(question, answers), first


def _same_figure(a: Answer, b: Answer) -> bool:
    """Both answered with one figure of one place in one report."""
    if not (a.found and b.found and a.value is not None and a.citations and b.citations):
        return False
    ca, cb = a.citations[0], b.citations[0]
    # (two cells of one row holding one value, named by their columns, are two figures: the answers say so)
    return (
        a.value == b.value
        and (ca.doc, ca.line, ca.quote) == (cb.doc, cb.line, cb.quote)
        and a.answer.split("：", 1)[-1] == b.answer.split("：", 1)[-1]
    )
