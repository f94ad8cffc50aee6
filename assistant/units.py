"""Which reports a question names, when it does not type one of their aliases exactly.

People shorten names their own way ("白鹭数据中心" for 白鹭市数据发展中心, "白石镇卫生院的公卫项目"), and project
reports are known by their project. Each report's name text (unit, title less its report words) is cut into
character bigrams weighted by how rare they are among the indexed reports; a question names a report when it
shares enough rare bigrams with it, clearly more than with any other. A place the question names (X县, X镇…)
that a report's name lacks rules that report out: "天河区财政局" is never 武侯区财政局.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from index.models import ReportMeta
from index.normalize import CJK

# Report words, years and punctuation say nothing about which unit a report is.
_GENERIC = re.compile(
    r"(?:19|20)\d{2}\s*年?度?|部门整体支出|整体支出|项目支出|部门|绩效|自评|评价|报告|情况|公开|年度|"
    # a title that is really a table's first lines: its column words name no unit
    r"年初|全年|预算数?|执行数?|执行率|决算|分值|得分|资金总额|支出|收入|[^\u4e00-\u9fff]*\d+[^\u4e00-\u9fff]*|"
    r"[表（）()\[\]【】|:：.·,，、\s]|pdf|docx?|xlsx?"
)
# Question words that say what is asked, not which report: never evidence of a report's content.
_ASK_PHRASES = (
    r"多少|是多少|几[个项人次家台分]?|什么|哪些|哪个|怎么|如何|为什么|是否|有没有|分别|各是|一共|总共|合计|"
    r"预算|执行|支出|资金|经费|金额|目标|指标|完成|实际|情况|项目|年度|全年|今年|去年|万元|亿元|元|"
    r"报告|绩效|自评|评价|得分|单位|这个|那个|这块|那块|这项"
)
_ASK_WORDS = re.compile(rf"{_ASK_PHRASES}|[的了呢吗啊呀是有和与及或在对为把被]")
_ASK_PHRASE = re.compile(_ASK_PHRASES)
PLACE = re.compile(rf"([{CJK}]{{2,4}}?)(?:自治区|自治州|省|市|州|县|区|旗|镇|乡|街道)(?!级|直|属|场|域|民)")
_NOT_PLACE = re.compile(r"^(?:哪|各|每|本|我|该|这|那|其|全|所|几|多|地|社|小|城|园|景|辖|片|市|县|区|镇|年)")
# A share of the question's rare name bigrams a report must hold, and its lead over the next report.
MIN_NAME_SCORE = 2.5
LEAD = 1.25
# A unit the question names: "<place/name><kind of unit>" (used to tell an unindexed unit from none).
ORG_MENTION = re.compile(
    # (a verb or a preposition is no part of a name: "…围绕的是区委…", "…占鉴定馆藏…")
    rf"((?:(?!哪|各|每|本|我|该|这|那|其|全|所|的|和|与|及|年|了|几|个|多少|是|占|给|向|从|被|把)[{CJK}]){{2,8}}?)"
    r"(?:街道办事处|街道办|街道|街|镇|乡|区府办|县府办|局|委|厅|医院|卫生院|中心|中学|小学|学校|幼儿园|馆|站|联络处)"
    r"(?![村藏])"  # ("戏曲进乡村", "馆藏文物": a word going on, no unit)
)


def _grams(text: str) -> set[str]:
    out: set[str] = set()
    for run in re.findall(rf"[{CJK}]+", text):  # digits (years, dates, ids) name no unit
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


# a title that is really a sentence of the body ("根据区财政局《关于…》…") names no unit
# words a report's title holds (a first sentence standing in for a title holds none of them)
TITLE_LIKE = re.compile(r"报告|自评|评价|评估|决算|绩效")


def report_words(text: str) -> str:
    """A title or name less the words every report uses (整体支出, 预算, 执行, 项目…): what is its own."""
    return _ASK_WORDS.sub(" ", _GENERIC.sub(" ", text))


def name_grams(text: str) -> set[str]:
    """The bigrams that can name a unit: with one-character function words taken out ("预算和执行" is no name),
    and with them kept, since names hold them too (松和岭卫生院, 文化和旅游局)."""
    return _grams(_ASK_WORDS.sub(" ", text)) | _grams(_ASK_PHRASE.sub(" ", text))


# a title that is a report's name ends with what it is; text after that is the body run into it
_NAME_SENTENCE_MAX = 60
_TITLE_END = re.compile(r"^.{4,60}?(?:报告|自评表|评价表|自评结果|情况说明)")


def name_title(title: str) -> str:
    """The part of a report's title that can name it: up to its report words, or (an excerpt's first sentence
    standing in for a title, which names its project) up to the sentence's end."""
    if not TITLE_LIKE.search(title[:80]):
        return ""
    end = _TITLE_END.match(title)
    named = end.group(0) if end else re.split(r"[。；;]", title)[0]
    # "2.会议费支出3.6万元,完成预算90%": a sentence stating amounts is the body, not a name; of one running
    # on for lines ("根据…的通知,中心的主要职责是:…"), whose words are anyone's, only the units it names
    if _AMOUNT.search(named):
        return ""
    return named if len(named) <= _NAME_SENTENCE_MAX else " ".join(org_mentions(named))


_AMOUNT = re.compile(r"\d\s*(?:万元|亿元|千元|元|%)")


def name_text(meta: ReportMeta) -> str:
    places = (meta.city or "", meta.district or "") if meta.org == "未知单位" else ()
    return _GENERIC.sub(" ", " ".join((meta.org, name_title(meta.title), *meta.aliases, *places)))


# 县 and 州 are places whenever they follow a name ("石川县农村公路…"); 市, 区, 乡 are too often other words
_COUNTY = re.compile(rf"((?:(?![几个多少哪各每])[{CJK}]){{2,3}}?)(?:县|州)")  # ("有几个县" is no place)


# a question that opens with a place ("石川市农村饮水…", "2022年青禾区…") says where its unit is
_LEAD_PLACE = re.compile(rf"^(?:(?:19|20)\d{{2}}年度?)?([{CJK}]{{2,3}}?)(?:市|区|县|旗)")


def in_name(place: str, name: str) -> bool:
    """A place as typed ("青禾白石", 县 left out; "云岭松溪", the county before the town) is in a report's name
    when a bigram of it is: "天河" shares none with 武侯区财政局."""
    return place in name or any(place[i : i + 2] in name for i in range(len(place) - 1))


def places_of(text: str) -> set[str]:
    return {m.group(1) for m in PLACE.finditer(text) if not _NOT_PLACE.match(m.group(1))}


class AliasTable:
    """The library's aliases, longest first, each with its report, found by their first two characters: a
    question is matched against the aliases that can stand in it, not against the whole library's."""

    def __init__(self, metas: Sequence[ReportMeta]) -> None:
        pairs = [(alias, meta) for meta in metas for alias in meta.aliases]
        self.pairs = sorted(pairs, key=lambda p: -len(p[0]))
        self.metas_of: dict[str, list[ReportMeta]] = {}  # an alias's reports, in table order
        self._by_head: dict[str, list[int]] = {}
        self._always: list[int] = []  # one-character aliases (and any holding the blank 〇) are always tried
        for i, (alias, meta) in enumerate(self.pairs):
            self.metas_of.setdefault(alias, []).append(meta)
            if len(alias) < 2 or "〇" in alias:
                self._always.append(i)
            else:
                self._by_head.setdefault(alias[:2], []).append(i)

    def in_text(self, text: str) -> list[tuple[str, ReportMeta]]:
        """The (alias, report) pairs whose alias may stand in the text, in table order: every pair whose
        alias does stand in it is among them."""
        found = set(self._always)
        for i in range(len(text) - 1):
            found.update(self._by_head.get(text[i : i + 2], ()))
        return [self.pairs[i] for i in sorted(found)]


@dataclass
class FuzzyUnits:
    metas: Sequence[ReportMeta]

    def __post_init__(self) -> None:
        self.names = {m.doc: name_text(m) for m in self.metas}
        self.grams = {doc: name_grams(text) for doc, text in self.names.items()}
        df: Counter[str] = Counter()
        for grams in self.grams.values():
            df.update(grams)
        n = max(1, len(self.metas))
        self.idf = {g: math.log(1 + n / c) for g, c in df.items()}
        self._postings: dict[str, list[int]] = {}  # bigram → the reports whose name has it, in order
        for i, meta in enumerate(self.metas):
            for g in self.grams[meta.doc]:
                self._postings.setdefault(g, []).append(i)
        self.df = dict(df)
        # the places the library's units are in, as typed without their suffix ("青禾" for 青禾市)
        self.places = {
            p[:-1] if len(p) > 2 else p
            for m in self.metas
            for p in (m.city, m.district)
            if p and not re.search(r"[的是了]", p)
        }

    def elsewhere(self, question: str, meta: ReportMeta, text: str = "") -> bool:
        """The question places the unit somewhere this report's name does not ("石川县交通运输局" is not
        松原市交通运输局; "青禾卫健委" is not 石川州卫健委: 青禾 is a place the library knows). A report that
        names no place at all is not ruled out; nor is one whose `text` (its opening, when the report is
        found by what it says) names the place asked ("…下达我市青禾县文化馆…补助40万元")."""
        known = self._places_in(question)
        asked = (
            known
            | places_of(" ".join(org_mentions(question)))
            | {
                m.group(1)
                for m in (*_COUNTY.finditer(question), _LEAD_PLACE.match(question))
                if m
                if not _NOT_PLACE.match(m.group(1))
            }
        )
        # "…费用占石县就业中心": the county may be one character, the words before it none of its name
        asked = {
            p
            for p in asked
            if not (m := re.search(rf"{re.escape(p)}(?:县|州)", question))
            or not any(in_name(m.group(0)[k:], self.names[meta.doc]) for k in range(1, len(p)))
        }
        name = self.names[meta.doc]
        # a one-character county ("石县") is a place too, though no pattern of names finds it
        placed = places_of(name) or any(p for p in (meta.district, meta.city, meta.province))
        if text and any(p in text for p in asked):
            return False
        return bool(asked) and bool(placed) and not any(in_name(p, name) for p in asked)

    def _places_in(self, question: str) -> set[str]:
        """The library's places the question opens with (or names with 的): "松溪…" for 松溪区."""
        return {p for p in self.places if question.startswith(p) or f"{p}的" in question}

    def find(self, question: str) -> tuple[tuple[ReportMeta, ...], str]:
        """(the reports named, the question with their matched words blanked as 〇)."""
        asked = name_grams(question)
        # the score of every report sharing a bigram with the question, summed in the order the check below
        # sums it: only those that reach MIN_NAME_SCORE are looked at (the others are skipped there anyway)
        reach: dict[int, float] = {}
        for g in sorted(asked):
            for i in self._postings.get(g, ()):
                reach[i] = reach.get(i, 0) + self.idf[g]
        scored: list[tuple[float, int, ReportMeta]] = []
        for i in sorted(i for i, s in reach.items() if s >= MIN_NAME_SCORE):
            meta = self.metas[i]
            shared = asked & self.grams[meta.doc]
            score = sum(self.idf[g] for g in sorted(shared))  # sorted: float sums in one order
            # one shared bigram is enough when no other report's name has it and the question calls the unit
            # by its kind ("云雾中心" for 青禾县云雾茶产业服务中心), or it is the report's place ("松溪厕改")
            where = f"{meta.district or ''}{meta.city or ''}"
            sole = any(self.df.get(g) == 1 for g in shared) and (
                any(meta.org.endswith(m[-2:]) for m in org_mentions(question))
                or any(self.df.get(g) == 1 and g in where for g in shared)
            )
            if self.elsewhere(question, meta) or score < MIN_NAME_SCORE or (len(shared) < 2 and not sole):
                continue
            if meta.org == "未知单位" and len(shared) < 3 and not any(self.df.get(g, 0) <= 2 for g in shared):
                continue  # a report known only by its title's words: two words many titles share ("下达补助")
            scored.append((score, i, meta))
        if not scored:
            return (), question
        # "松溪雨污管网…": a report known only by its place and title, placed where the question says,
        # outranks a report that names no place (a unit of that place the question does not name does not)
        places = self._places_in(question)
        placed_there = [
            s
            for s in scored
            if s[2].org == "未知单位" and any(in_name(p, self.names[s[2].doc]) for p in places)
        ]
        scored = placed_there or scored
        scored.sort(key=lambda s: (-s[0], s[1]))
        top = scored[0][0]
        picked = [m for s, _, m in scored if s * LEAD > top]
        if len({_who(m) for m in picked}) > 1:
            return (), question  # two reports fit about equally: none is named clearly
        # one unit's reports of one year on several projects: the one whose project the question names
        score_of = {m.doc: s for s, _, m in scored}
        best_of: dict[tuple[str, int | None], float] = {}
        for m in picked:
            best_of[(m.org, m.year)] = max(best_of.get((m.org, m.year), 0.0), score_of[m.doc])
        picked = [m for m in picked if score_of[m.doc] == best_of[(m.org, m.year)]]
        shared = asked & self.grams[picked[0].doc]
        return tuple(picked), _blank(question, shared)


def _skips(short: str, name: str) -> int | None:
    """How many characters of `name` a short form leaves out, when it is one: the same first and last
    characters and the rest in order ("青禾县教体局" of 青禾县教育体育局: 2; "青禾县医院" of 青禾县人民医院: 2);
    None when it is not."""
    if len(short) < 3 or len(short) >= len(name) or short[0] != name[0] or short[-1] != name[-1]:
        return None
    at = 0
    for ch in short:
        at = name.find(ch, at)
        if at < 0:
            return None
        at += 1
    return len(name) - len(short)


def abbreviated(mention: str, metas: Sequence[ReportMeta]) -> list[tuple[int, ReportMeta]]:
    """The reports a name typed short may stand for, with the characters it leaves out of the unit's full
    name (else of the short name it shortens further), fewest first: the characters of one of a unit's
    names, in order, from its first to its last. A unit's kind abbreviated the way people do (教体局 of
    教育体育局, 县医院 of 县人民医院, 供销社 of 供销合作社联合社) needs no list."""
    fits: list[tuple[int, ReportMeta]] = []
    for meta in metas:
        if meta.org == "未知单位":
            continue
        # ("青禾县医院" leaves two characters out of 青禾县人民医院 and of 青禾县中医医院: neither is meant)
        own = _skips(mention, meta.org)
        skips = [k for n in meta.aliases if names_a_kind_of_unit(n) if (k := _skips(mention, n))]
        if own or skips:
            fits.append((own or min(skips), meta))
    return sorted(fits, key=lambda f: f[0])  # (stable: the library's order among equals)


def _who(meta: ReportMeta) -> str:
    """A report's unit for telling units apart; reports whose unit was not found are each their own."""
    return meta.doc if meta.org == "未知单位" else meta.org


def _blank(text: str, grams: set[str]) -> str:
    """Blank the longest run of matched bigrams (the name as typed, three characters or more): words of
    the question that merely also occur in a report's opening lines stay, for the answer to match."""
    best: tuple[int, int] = (0, 0)
    i = 0
    while i < len(text) - 1:
        j = i
        while j < len(text) - 1 and text[j : j + 2] in grams:
            j += 1
        if j - i >= 2 and j + 1 - i > best[1] - best[0]:
            best = (i, j + 1)
        i = max(j, i + 1)
    start, end = best
    return text[:start] + "〇" + text[end:] if end > start else text


_AREA_WORD = re.compile(r"(?:城乡|城镇|乡镇|村镇|县乡)$")


# how a unit's name ends, and a place's; a longer alias ending otherwise names a report's project
_UNIT_KIND_END = re.compile(
    r"(?:局|委|厅|办|院|中心|站|所|校|学|馆|队|会|社|公司|园|场|部|政府|中|小|幼|联|协|处|室|团|台)$"
)
_PLACE_LEVEL_END = re.compile(r"(?:镇|乡|街道|街|区|县|市|州|盟|旗|省|村)$")


def names_a_kind_of_unit(alias: str) -> bool:
    """Whether an alias ends as a unit of some kind does (…局, …中心, …卫生院), not as a place or a project."""
    return bool(_UNIT_KIND_END.search(alias))


def is_unit_name(alias: str) -> bool:
    """Whether an alias names the unit (or its place) rather than the project a report is about
    ("乡村文化惠民资金"): a project's name may be any unit's fund, and says what is asked, not who."""
    return len(alias) < 4 or names_a_kind_of_unit(alias) or bool(_PLACE_LEVEL_END.search(alias))


# "县市卫健局", "乡镇卫生院": units of every such place, no one unit
_LEVELS_ONLY = re.compile(r"^[省市州县区乡镇]{2}")


def org_mentions(text: str) -> list[str]:
    # "城乡居民" ends in 乡 but names no township
    return [
        m.group(0)
        for m in ORG_MENTION.finditer(text)
        if not _AREA_WORD.search(m.group(0)) and not _LEVELS_ONLY.match(m.group(0))
    ]


def strip_places(text: str, meta: ReportMeta | None = None, report_text: str = "") -> str:
    """The asker's words less the places in them ("红枫区编制" → 编制): who, not what is asked. Given the
    report asked about, a place that is not the unit's own but the report speaks of stays: it is what is
    asked ("资金分给石川市多少")."""
    own = (
        " ".join((meta.org, *meta.aliases, meta.district or "", meta.city or "", meta.province or ""))
        if meta
        else ""
    )

    def drop(m: re.Match[str]) -> str:
        if _NOT_PLACE.match(m.group(1)):
            return m.group(0)
        if meta:
            # the match may start early ("分给石川市"): the place is any ending of it of two or more characters
            name, place = m.group(1), m.group(0)
            for k in range(len(name) - 1):
                if name[k:] not in own and place[k:] in report_text:
                    return place
        return " "

    return PLACE.sub(drop, text)


# A report is found by its content only when the question shares this many words no other report (or
# only one other) holds, and clearly more than the next report.
CONTENT_MIN_RARE = 2
CONTENT_LEAD = 1.5
# a report found by its words alone (the question names no unit): its lead over the next, with two rare
# words of the question and more, and with one (over every other report then)
CONTENT_FIND_LEAD = 1.25
CONTENT_FAR_LEAD = 1.6
FIT_CANDIDATES = 20  # the reports best matched by content that are looked at for the name the question used
CONTENT_CHARS = 6000  # the opening of a report: its overview, where projects and places are named


@dataclass
class ContentUnits:
    """The report a question is about when it names no unit but something only one report talks about
    ("青禾站房扩建这块松溪区要承担多少"): matched on the rare bigrams of each report's opening text. The
    index (bigram → reports) is built the first time it is needed, from `text_of`, and holds no text."""

    metas: Sequence[ReportMeta]
    text_of: Callable[[str], str]
    _postings: dict[str, list[int]] | None = field(default=None, init=False, repr=False)
    _at: dict[str, int] | None = field(default=None, init=False, repr=False)

    def _position(self, doc: str) -> int:
        """A report's place in `metas` (-1 when not there), from an index built once."""
        if self._at is None:
            self._at = {m.doc: i for i, m in enumerate(self.metas)}
        return self._at.get(doc, -1)

    def _index(self) -> dict[str, list[int]]:
        if self._postings is None:
            postings: dict[str, list[int]] = {}
            for i, meta in enumerate(self.metas):
                for g in sorted(_grams(self.text_of(meta.doc)[:CONTENT_CHARS])):
                    postings.setdefault(g, []).append(i)
            self._postings = postings
        return self._postings

    def _scores(self, question: str) -> tuple[dict[int, float], Counter[int]]:
        """Each report's IDF-weighted share of the question's bigrams, and how many rare ones it holds."""
        n = len(self.metas)
        postings = self._index()
        scores: dict[int, float] = {}
        rare: Counter[int] = Counter()
        # (rare among a few hundred reports is a word three of them share: the bar grows with the library)
        few = max(2, n // 100)
        asked = _ASK_WORDS.sub(" ", question)
        # a pair joining a year to the word after it ("2021年基本…": 年基) is rare by chance, no word of
        # anything a report is about: it adds to a report's score, never counts as a rare word
        dated = {m.group(1) for m in re.finditer(r"\d\s*((?:年度?|月份?|日)[\u4e00-\u9fff])", asked)}
        dated = {d[0] + d[-1] for d in dated}
        for g in sorted(_grams(asked)):
            docs = postings.get(g, [])
            weight = math.log(1 + n / len(docs)) if docs else 0.0
            for i in docs:
                scores[i] = scores.get(i, 0.0) + weight
                rare[i] += len(docs) <= few and g not in dated
        return scores, rare

    def scores_of(self, question: str) -> dict[str, float]:
        """Each report's IDF-weighted share of the question's words, by its document."""
        scores, _ = self._scores(question)
        return {self.metas[i].doc: s for i, s in scores.items()}

    def narrow(
        self, question: str, units: tuple[ReportMeta, ...], across_units: bool = False
    ) -> tuple[ReportMeta, ...]:
        """Reports the question fits equally by name (one unit's several years; units sharing a short name,
        "残联"): the one whose text clearly speaks most of what is asked ("技能培训补贴占…", "孤独症儿童
        康复训练"), or all of them when none stands out."""
        if len(units) < 2 or (len({u.org for u in units}) > 1 and not across_units):
            return units  # (two units named are both asked: "南洲比永平高多少")
        scores, _ = self._scores(question)
        ranked = sorted(units, key=lambda u: -scores.get(self._position(u.doc), 0.0))
        best, second = (scores.get(self._position(u.doc), 0.0) for u in ranked[:2])
        if best > second * CONTENT_LEAD:
            return (ranked[0],)
        if len({u.org for u in units}) == 1:
            return units  # (one unit's years: all of them answer)
        # units that all speak of it alike: the one whose report's title is about it ("…无障碍改造项目…")
        asked = _grams(_ASK_WORDS.sub(" ", question))
        titled = {u.doc: len(asked & _grams(report_words(u.title))) for u in units}
        top = max(titled.values())
        about = [u for u in units if titled[u.doc] == top]
        return tuple(about) if top and len({u.org for u in about}) == 1 else units

    def better_fit(
        self, question: str, rest: str, named: tuple[ReportMeta, ...]
    ) -> tuple[ReportMeta, ...] | None:
        """Another report than the one `named`, when its text holds the name the question used for it and
        clearly more of the question's other words (`rest`, the name blanked) than the named one's does."""
        if len(self.metas) < 2:
            return None
        scores, rare = self._scores(rest)
        own = max((scores.get(self._position(u.doc), 0.0) for u in named), default=0.0)
        if any(rare[self._position(u.doc)] for u in named):
            return None  # the named report speaks of a rare word asked too: it is meant
        # what is asked, as a phrase ("农机报废更新"), must be one the named report never speaks of
        phrases = [
            p for p in re.findall(rf"[{CJK}]{{3,}}", _ASK_WORDS.sub(" ", rest)) if not _GENERIC.fullmatch(p)
        ]
        unspoken = [p for p in phrases if not any(p in self.text_of(u.doc) for u in named)]
        if not unspoken:
            return None
        said = {
            n[:-1] if len(n) > 2 and n[-1] in "省市州盟县区旗" else n
            for u in named
            for n in (u.org, *u.aliases, u.city or "", u.district or "", u.province or "")
            if n and (n in question or (len(n) > 2 and n[:-1] in question))
        }
        said = {n for n in said if len(n) >= 2}
        if not said:
            return None
        # the reports that also go by the name the question used, best first: the best must clearly lead
        # both the named report and any other that goes by that name
        docs = {u.doc for u in named}
        leading = sorted(
            ((s, i) for i, s in scores.items() if self.metas[i].doc not in docs), key=lambda x: (-x[0], x[1])
        )
        fits = [
            (s, i)
            for s, i in leading[:FIT_CANDIDATES]
            if rare[i] and any(n in self.text_of(self.metas[i].doc)[:CONTENT_CHARS] for n in sorted(said))
        ]
        if not fits or fits[0][0] <= own * CONTENT_LEAD:
            return None
        if len(fits) > 1 and fits[1][0] * CONTENT_LEAD > fits[0][0]:
            return None
        return (self.metas[fits[0][1]],)

    def speaks_of(self, question: str) -> bool:
        """Some report uses most of the question's words (a pair of characters each): a question about
        what the reports hold, whatever vocabulary it uses ("危改实际超任务多少")."""
        grams = sorted(_grams(_ASK_WORDS.sub(" ", question)))
        postings = self._index()
        held = sum(bool(postings.get(g)) for g in grams)
        return held >= 2 and held * 2 >= len(grams)

    def find(
        self, question: str, ruled_out: Callable[[ReportMeta], bool] = lambda meta: False
    ) -> tuple[ReportMeta, ...]:
        """`ruled_out`: reports the question excludes (placed elsewhere), left out before the lead is judged."""
        if len(self.metas) < 2:
            return ()
        years = {int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", question)}
        if len(years) == 1:
            # a report of a year far from the one asked is not the one meant, whatever words it shares (a
            # year either side may be: reports are written the year after, and state the year before)
            asked_year = next(iter(years))
            outside = ruled_out

            def ruled_out(meta: ReportMeta) -> bool:
                return outside(meta) or (meta.year is not None and abs(meta.year - asked_year) > 1)

        scores, rare = self._scores(question)
        found = self._leading(question, scores, rare, ruled_out, CONTENT_MIN_RARE, CONTENT_FIND_LEAD)
        if not found:
            # one rare word only ("双心创建"): the report must lead every other by far, rare words or not
            found = self._leading(question, scores, rare, ruled_out, 1, CONTENT_FAR_LEAD)
        return found

    def _leading(
        self,
        question: str,
        scores: dict[int, float],
        rare: Counter[int],
        ruled_out: Callable[[ReportMeta], bool],
        min_rare: int,
        lead: float,
    ) -> tuple[ReportMeta, ...]:
        """The report holding `min_rare` rare words of the question that leads the next by `lead` (with
        fewer than CONTENT_MIN_RARE, the next of any)."""
        ranked = sorted(
            ((s, i) for i, s in scores.items() if not ruled_out(self.metas[i])),
            key=lambda x: (-x[0], x[1]),
        )
        if min_rare >= CONTENT_MIN_RARE:
            ranked = [r for r in ranked if rare[r[1]] >= min_rare]
        mentions = org_mentions(question)
        if mentions:
            # a unit the question names ("天河区财政局") must be one the report itself talks about — in so many
            # words, or nearly ("石川区审计局" of a report on "石川区审计工作…审计局依法…"; "松溪州中医院" of
            # "松溪州中医医院"); reports that do not are no rivals either
            ranked = [
                r
                for r in ranked
                if all(_spoken_of(m, self.text_of(self.metas[r[1]].doc)[:CONTENT_CHARS]) for m in mentions)
            ]
        years = set(re.findall(r"((?:19|20)\d{2})\s*年", question))
        if len(years) == 1 and len(ranked) > 1 and ranked[1][0] * lead > ranked[0][0]:
            # two years' reports on one subject ("…租车经费" of 2021 and of 2022): the year asked says which
            year = int(next(iter(years)))
            ranked = [r for r in ranked if self.metas[r[1]].year == year]
        if (
            not ranked
            or rare[ranked[0][1]] < min_rare
            or (len(ranked) > 1 and ranked[1][0] * lead > ranked[0][0])
        ):
            return ()
        return (self.metas[ranked[0][1]],)


def _spoken_of(name: str, text: str) -> bool:
    """`name` is in `text`, or all but one of its pairs of characters are (and at least three: "石川审计局"
    of a report on "石川区审计工作…审计局")."""
    if name in text:
        return True
    pairs = [name[i : i + 2] for i in range(len(name) - 1)]
    held = sum(p in text for p in pairs)
    return held >= 3 and held >= len(pairs) - 1
