"""Extractive text answers: the items of a section, the report's own explanation of a figure, and the
sentences that best match a question. Every piece is a verbatim quote with its line."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.models import Citation
from index.models import Chunk
from index.normalize import split_sentences
from index.numerals import cn_count

# An item starts at a list marker or at 一是/二是…; a paragraph may hold several such items.
_ITEM_START = re.compile(
    r"^(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[.、．](?!\d)|"
    r"[一二三四五六七八九十]是|[①-⑳]|首先|其次|再次|最后|此外|同时)"
)
MAX_ITEM_CHARS = 300


def _items_of_paragraph(para: str) -> list[tuple[int, int]]:
    """Spans of the items in a paragraph: sentences grouped from one item marker to the next."""
    spans = split_sentences(para)
    items: list[list[int]] = []
    for s, e in spans:
        sentence = para[s:e]
        # "…但仍存在一些问题：一是…" — an item marker may follow a colon inside the sentence
        inner = re.search(r"[：:]([一二三四五六七八九十]是)", sentence)
        if inner and inner.start(1) > 0:
            cut = s + inner.start(1)
            if items:
                items[-1][1] = cut
            else:
                items.append([s, cut])
            items.append([cut, e])
            continue
        if not items or _ITEM_START.match(sentence.lstrip()) or e - items[-1][0] > MAX_ITEM_CHARS:
            items.append([s, e])
        else:
            items[-1][1] = e
    return [(s, e) for s, e in items if para[s:e].strip()]


def section_items(chunks: Sequence[Chunk]) -> list[tuple[str, int, Chunk]]:
    """The items of a section in order, each a verbatim quote with the line it starts on."""
    out: list[tuple[str, int, Chunk]] = []
    for chunk in chunks:
        offset = 0
        for para in chunk.text.split("\n"):
            start = offset
            offset += len(para) + 1
            if len(para.strip()) < 6:
                continue
            for s, e in _items_of_paragraph(para):
                quote = para[s:e].strip()
                lead = len(para[s:e]) - len(para[s:e].lstrip())
                out.append((quote, chunk.line_at(start + s + lead), chunk))
    return out


def sentence_citation(chunk: Chunk, start: int, sentence: str) -> Citation:
    """A sentence of a chunk (starting at `start` in its text) as a citation, on the line it starts on."""
    lead = len(sentence) - len(sentence.lstrip())
    return Citation(
        chunk.doc,
        chunk.org,
        " > ".join(chunk.section_path),
        sentence.strip()[:MAX_ITEM_CHARS],
        chunk.line_at(start + lead),
    )


# "收、支与上年相比…": one character listed with the next is the word they make ("收支")
_ONE_CHAR_LISTED = re.compile(r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])、(?=[\u4e00-\u9fff])")


def _grams(text: str) -> set[str]:
    text = _ONE_CHAR_LISTED.sub(r"\1", text)
    return {
        text[i : i + 2]
        for i in range(len(text) - 1)
        # (a blanked-out question word 〇 and half-width punctuation match no sentence: no gram of theirs)
        if not re.search(r"[\s，。？！、：；“”〇?!,.;:]", text[i : i + 2])
    }


_QUESTION_NOISE = re.compile(
    r"是多少|多少|是什么|什么|是啥|为啥|干啥|啥|哪些|哪个|怎么样|怎么|咋样|咋|如何|有没有|是否|吗|呢|吧|啊|的|了|请问|一下"
)


def coverage(subject: str, sentence: str) -> float:
    """The share of the subject's character pairs that the sentence holds."""
    grams = _grams(subject)
    return len(grams & _grams(sentence)) / len(grams) if grams else 0.0


_ANY_NUMBER = re.compile(r"\d|[一二两三四五六七八九十百千万]+(?:个|人|项|家|所|次)")


def holds_number(sentence: str) -> bool:
    return bool(_ANY_NUMBER.search(sentence))


HEADED = 0.8  # share of the asked words a section's heading must hold to be the section asked about
HEADING_BONUS = 0.3
CUE_BONUS = 0.2
# the shape of a question for words, and the words its answer is said in
_UNIT_KIND_CUE = re.compile(
    r"单位类型|单位性质|[一二]类事业单位|全额拨款|差额拨款|自收自支|行政单位|事业单位|参照公务员法"
)
_ANSWER_CUES = (
    (
        re.compile(r"多久|多长时间|频次|隔多少"),
        re.compile(r"每[月季年周天日]|按[月季年周]|季度|每半年|半年一次|定期|实时"),
    ),
    (
        re.compile(r"怎么发|如何发|怎样发|发放方式|什么方式发|怎么拨|怎么给|发到.{0,8}手"),
        re.compile(r"一卡[（(]?折?[）)]?通|打卡|直接发放|直接打|转账|账户|社会化发放|代发|兑付"),
    ),
    (
        re.compile(
            r"什么(?:经费)?(?:类型|性质|级别)的?单位|单位(?:类型|性质)|属于什么(?:单位|性质)|什么样的单位"
            r"|经费(?:性质|保障方式)"
        ),
        _UNIT_KIND_CUE,
    ),
    (
        re.compile(r"什么时候|何时|哪天|几月|哪个月"),
        re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月|\d{1,2}\s*月\s*\d{1,2}\s*日"),
    ),
)


def best_sentences(
    chunks: Sequence[Chunk],
    question: str,
    limit: int = 3,
    keep: Callable[[Citation], bool] | None = None,
) -> list[tuple[float, Citation]]:
    """Sentences ranked by how much of the question (less its question words) they contain. `keep` drops a
    sentence that could not be cited (one the cleaner joined across lines it dropped), so that the next
    best is shown instead of nothing."""
    grams = _grams(_QUESTION_NOISE.sub("〇", question))
    if not grams:
        return []
    # what kind of words answer the question ("多久…一次": 每月, 按季度): a sentence holding them answers it
    cues = [cue for asked, cue in _ANSWER_CUES if asked.search(question)]
    scored: list[tuple[float, Citation]] = []
    for rank, chunk in enumerate(chunks):
        # a sentence under a heading that names the question's subject answers it ("部门整体支出绩效目标")
        heading = _grams(chunk.section_path[-1]) if chunk.section_path else set()
        # a section headed by what is asked ("（三）部门整体支出绩效目标" for "绩效目标是啥") is its answer, over
        # sentences elsewhere that only mention it
        headed = HEADING_BONUS if len(grams & heading) >= HEADED * len(grams) else 0.0
        for s, e in split_sentences(chunk.text):
            sentence = chunk.text[s:e].strip()
            if len(sentence) < 6:
                continue
            overlap = len(grams & (_grams(sentence) | heading)) / len(grams)
            score = overlap + headed - 0.01 * rank  # a tie goes to the better-retrieved chunk
            if overlap and any(cue.search(sentence) for cue in cues):
                score += CUE_BONUS
            scored.append((score, sentence_citation(chunk, s, chunk.text[s:e])))
    scored.sort(key=lambda x: -x[0])
    seen: set[str] = set()
    out = []
    for score, cite in scored:
        if cite.quote not in seen and (keep is None or keep(cite)):
            seen.add(cite.quote)
            out.append((score, cite))
        if len(out) == limit:
            break
    return out


# A figure the question names in its own words, stated right after those words in a report sentence
# ("公务接待费3.20万元", "年末实有人数为81人"): only connectives may stand between, so "公务接待费预算5万元"
# never answers "公务接待费是多少".
_CONNECTIVE = r"[）)”」]?(?:共|合计|总计|累计|全年)?(?:为|是|达到|达|仅为|仅|约为|约|共计|计)?[:：]?\s*"
_FIGURE = re.compile(
    _CONNECTIVE + r"(\d[\d,]*(?:\.\d+)?)\s*"
    r"(万人次|人次|万元|亿元|千元|元|个百分点|%|％|分|人|个|项|次|家|户|所|辆|台|套|件|天|平方米|公里|篇|场|期)"
)
# What may stand just before the words found: a boundary or a function word, not a longer name
# ("项目自评得分" is not "自评得分").
_BEFORE = re.compile(r"(?:^|[^\u4e00-\u9fff]|年度|[其中年末初共和及与的为是属门设])$")
# Qualifiers a question may add that a report leaves out ("年末实有人数" finds "实有人数81人").
_LOOSE_PREFIX = re.compile(r"^(?:年末|年初|全年|本年|年度|部门|单位|本单位|全局|本局|我局|我单位|其中)+")


@dataclass(frozen=True, slots=True)
class StatedFigure:
    citation: Citation
    value: float
    unit: str
    shown: str  # the report's words from the subject to the figure: "第三季度支出进度仅为58.3%"


def stated_figures(
    chunks: Sequence[Chunk], subject: str, owners: Sequence[str] = (), limit: int = 3
) -> list[StatedFigure]:
    """Figures that follow the subject's words in the chunks' sentences, in document order. The words may
    also follow one of the owners' names ("永平街道办事处内设机构8个")."""
    terms = [subject]
    loose = _LOOSE_PREFIX.sub("", subject)
    if loose != subject and len(loose) >= 2:
        terms.append(loose)
    if len(subject) < 2 or not re.search(r"[\u4e00-\u9fff]", subject):
        return []
    out: list[StatedFigure] = []
    for chunk in sorted(chunks, key=lambda c: c.line_start):
        for s, e in split_sentences(chunk.text):
            sentence = chunk.text[s:e]
            for term in terms:
                found = _after_term(sentence, term, owners)
                if found is None:
                    continue
                value, unit, shown = found
                out.append(StatedFigure(sentence_citation(chunk, s, sentence), value, unit, shown))
                break
            if len(out) == limit:
                return out
    return out


# A count written before what it counts: "下属五个事业单位", "共11个单位".
_COUNT_BEFORE = re.compile(r"(\d+|[一二两三四五六七八九十]{1,3})\s*(个|家|所|项|名)(?:下属|直属|内设|所属)?$")


def _after_term(sentence: str, term: str, owners: Sequence[str]) -> tuple[float, str, str] | None:
    start = 0
    while (pos := sentence.find(term, start)) != -1:
        start = pos + 1
        count = _COUNT_BEFORE.search(sentence[:pos])
        if count and (n := cn_count(count.group(1))) is not None:
            return float(n), count.group(2), sentence[count.start() : pos + len(term)]
        if not _BEFORE.search(sentence[:pos]) and not sentence[:pos].endswith(tuple(owners)):
            continue
        m = _FIGURE.match(sentence, pos + len(term))
        if m:
            unit = "%" if m.group(2) == "％" else m.group(2)
            return float(m.group(1).replace(",", "")), unit, sentence[pos : m.end()]
    return None


# A figure stated with its change against a base: "“三公”经费支出27.90万元，比年初预算数减少0.64万元",
# "支出12.34万元，较上年减少2.10万元".
_CHANGE = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(万元|亿元|千元|元|%|分)[，,]?\s*(?:比|较|与)(上年|去年|上一年度?|年初预算数?|预算数?)"
    r"(?:相比)?[，,]?(减少|下降|节约|降低|增加|增长|上升|提高|超出)了?\s*(\d[\d,]*(?:\.\d+)?)\s*(万元|亿元|千元|元|个百分点|%|分)"
)
_UP = ("增加", "增长", "上升", "提高", "超出")


@dataclass(frozen=True, slots=True)
class StatedChange:
    citation: Citation
    value: float  # the figure itself (27.90)
    unit: str
    base: str  # "上年" or "预算": what it is compared with
    change: float  # signed: −0.64 for 减少0.64
    change_unit: str
    shown: str  # the report's words from the figure to the change


def stated_changes(chunks: Sequence[Chunk], words: Sequence[str]) -> list[StatedChange]:
    """Figures stated with their change against last year or the budget, in sentences where one of the
    words (the metric's names) comes before the figure, in document order."""
    out: list[StatedChange] = []
    for chunk in sorted(chunks, key=lambda c: c.line_start):
        for s, e in split_sentences(chunk.text):
            sentence = chunk.text[s:e]
            for m in _CHANGE.finditer(sentence):
                before = sentence[: m.start()]
                if not any(w in before for w in words) or m.group(2) != m.group(6).replace("个百分点", "%"):
                    continue
                if m.group(2) == "%" and m.group(6) == "%":
                    # "为年初预算的112.4%，比上年降低18.6%": a rate's change in points is said in 个百分点; a
                    # change in % after a rate is the amount's, and last year's rate cannot be had from it
                    continue
                sign = 1 if m.group(4) in _UP else -1
                cite = sentence_citation(chunk, s, sentence)
                base = "预算" if "预算" in m.group(3) else "上年"
                change = sign * float(m.group(5).replace(",", ""))
                value = float(m.group(1).replace(",", ""))
                out.append(StatedChange(cite, value, m.group(2), base, change, m.group(6), m.group(0)))
    return out


def explanation(chunk: Chunk, quote: str, line: int, after: int = 2) -> Citation | None:
    """The fact's own sentence and the next ones in its chunk: where reports say why a score is what it is."""
    spans = split_sentences(chunk.text)
    key = quote[:12]
    pos = chunk.text.find(key)
    if pos == -1:
        return None
    idx = next((i for i, (s, e) in enumerate(spans) if s <= pos < e), None)
    if idx is None:
        return None
    s0 = spans[idx][0]
    e0 = spans[min(idx + after, len(spans) - 1)][1]
    return sentence_citation(chunk, s0, chunk.text[s0:e0])


_REASON = re.compile(r"原因|由于|因为|主要是|主要系|系因|导致|所致|影响")
_WHY_ASKED = re.compile(
    r"(?:主要)?(?:是)?(?:因为啥|因为什么|为什么|为何|为啥|什么原因|啥原因|的?(?:主要)?原因(?:是什么|是啥)?|怎么回事)"
)


def reason_sentences(chunks: Sequence[Chunk], question: str, least: float) -> list[Citation]:
    """ "收支减少的主要原因是什么": the sentences about the asked subject that give a reason."""
    # (the why-words are what any reason sentence answers, not what it is about)
    ranked = best_sentences(chunks, _WHY_ASKED.sub("〇", question), 40)
    out: dict[str, Citation] = {}
    for score, c in ranked:
        if score < least:
            continue
        if _REASON.search(c.quote):
            out.setdefault(c.quote.rstrip("。；;，, "), c)  # one sentence, whichever chunk holds it
        elif (reason := _reason_after(chunks, c.quote)) is not None:
            # "收、支总计…增加210.5万元。原因主要是:新建档案库房…": the change, then its reason
            out.setdefault(c.quote.rstrip("。；;，, "), c)
            out.setdefault(reason.quote.rstrip("。；;，, "), reason)
    return list(out.values())[:2]


_REASON_OPENS = re.compile(r"^(?:其|究其)?(?:主要)?(?:原因|主要是|是由于|这是由于|由于)")


def _reason_after(chunks: Sequence[Chunk], quote: str) -> Citation | None:
    """The sentence right after `quote` in its chunk, when it opens with its reason ("原因主要是…")."""
    for chunk in chunks:
        at = chunk.text.find(quote)
        if at < 0:
            continue
        spans = split_sentences(chunk.text)
        for k, (s, e) in enumerate(spans[:-1]):
            if s <= at < e:
                s2, e2 = spans[k + 1]
                if _REASON_OPENS.match(chunk.text[s2:e2].strip()):
                    return sentence_citation(chunk, s2, chunk.text[s2:e2])
                return None
    return None


# the words a table's own reason cell is asked with: what was not done, and why
_WHY = re.compile(r"为什么|为何|为啥|原因|怎么回事")
# a cell that names a column (偏差原因分析及改进措施) or holds no reason (无, 已完成)
_NO_REASON = re.compile(r"原因|措施|说明|^无$|^(?:已)?完成$|^达成|^合格$|^是$|^否$")
_REASON_CELL = re.compile(r"[\u4e00-\u9fff]{4,}")


def row_reason(chunks: Sequence[Chunk], question: str, least: float) -> Citation | None:
    """ "低保对象人数为什么没达到": the row of a 自评表 that names the indicator asked, whose last cell,
    after its values, is the reason the table gives (偏差原因分析 …). Only a row clearly the best match."""
    if not _WHY.search(question):
        return None
    grams = _grams(_QUESTION_NOISE.sub("〇", _WHY.sub("〇", question)))
    if not grams:
        return None
    scored: list[tuple[float, Citation]] = []
    for chunk in chunks:
        at = 0
        for line in chunk.text.split("\n"):
            start, at = at, at + len(line) + 1
            cells = [c.strip() for c in line.split("|") if c.strip()]
            if len(cells) < 3 or not any(re.search(r"\d", c) for c in cells[:-1]):
                continue
            last = cells[-1]
            if re.search(r"\d", last) or _NO_REASON.search(last) or not _REASON_CELL.search(last):
                continue
            named = " ".join(cells[:-1])
            scored.append((len(grams & _grams(named)) / len(grams), sentence_citation(chunk, start, line)))
    if not scored:
        return None
    scored.sort(key=lambda x: -x[0])
    best = scored[0]
    if best[0] < least or (
        len(scored) > 1 and scored[1][0] >= best[0] and scored[1][1].quote != best[1].quote
    ):
        return None
    return best[1]


# A form's field and its value, on one line ("报告日期：2022年3月8日") or on two ("联系人" / "张三").
_FIELD_INLINE = re.compile(r"^[•·\s]*([\u4e00-\u9fff（）()]{2,10})\s*[:：]\s*(\S.{0,40}?)\s*\|?$")
_FIELD_NAME = re.compile(r"^[\u4e00-\u9fff（）()]{2,10}$")
MAX_FIELD_VALUE = 40
# a line that is itself a field's name, not a value ("联系电话" after "联系人" left blank)
_FIELD_WORD = re.compile(r"(?:人|名称|日期|电话|部门|单位|方式|机构|编码|地址|情况|概述|内容|目标|指标)$")


def field_value(lines: Sequence[tuple[int, str]], question: str) -> tuple[str, str, int] | None:
    """(field, value, line) of the form field the question names ("联系人是谁" → 联系人 / 张三): the longest
    field name standing in the question, read from `lines` (number, text) of the source."""
    fields: list[tuple[str, str, int]] = []
    texts = [(n, t.strip().strip("|").strip()) for n, t in lines]
    texts = [(n, t) for n, t in texts if t]
    for k, (n, text) in enumerate(texts):
        if m := _FIELD_INLINE.match(text):
            fields.append((m.group(1), m.group(2).strip(" |"), n))
        elif _FIELD_NAME.match(text) and k + 1 < len(texts):
            value = texts[k + 1][1]
            if len(value) <= MAX_FIELD_VALUE and not _FIELD_WORD.search(value):
                fields.append((text, value, texts[k + 1][0]))
    named = [f for f in fields if f[0] in question and f[1]]
    if not named:
        return _field_in_line(texts, question)

    # the field asked is the name written last ("青禾工程自评等级是什么": 自评等级, not the row's name), the
    # longest of those ending there (联系人电话 over 电话)
    def rank(f: tuple[str, str, int]) -> tuple[int, int]:
        return question.rfind(f[0]) + len(f[0]), len(f[0])

    best = max(rank(f) for f in named)
    values = {f[1] for f in named if rank(f) == best}
    if len(values) != 1 or next(iter(values)) in question:
        return None  # a value the question itself holds is the next cell of a table's header, no answer
    return next(f for f in named if rank(f) == best)


# a form's fields set out along one line ("项目负责人 王五 地址 …", "中央主管部门农业农村部", "预 算 编 码: 102001")
_FORM_FIELD = re.compile(r"(?:负责人|联系人|主管部门|实施单位|项目单位|编码|编号|代码|文号|日期|等级|性质)$")
_PHONE = re.compile(r"[\d\-－]{7,}$")


def _field_in_line(texts: Sequence[tuple[int, str]], question: str) -> tuple[str, str, int] | None:
    """The value after a form field the question names, where fields and values run along one line: the
    longest such name in the question that the source writes (its characters may be spaced), then the next
    word. Only names that end as form fields do (负责人, 编码, 主管部门…), never a sentence's words."""
    names = {
        question[i:j]
        for i in range(len(question))
        for j in range(i + 3, min(len(question), i + 10) + 1)
        if re.fullmatch(r"[\u4e00-\u9fff]+", question[i:j]) and _FORM_FIELD.search(question[i:j])
    }
    for name in sorted(names, key=lambda n: (-len(n), n)):
        spaced = r"\s*".join(map(re.escape, name))
        pattern = re.compile(rf"{spaced}(?:及电话|及联系电话)?\s*[:：|]?\s*([^\s|:：,，。;；]{{2,30}})")
        for n, text in texts:
            m = pattern.search(text)
            if not m:
                continue
            value = _PHONE.sub("", m.group(1)) or m.group(1)
            if len(value) >= 2 and value not in question and not _FIELD_WORD.search(value):
                return name, value, n
    return None
