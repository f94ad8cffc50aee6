"""A question costs in proportion to the reports it names, not to the library: facts, items, aliases, report
names, BM25 terms and chunks are reached through per-report maps and indexes.

The library-wide lists are wrapped so that walking through one fails the test, and the answers must be
those of the same index opened unwrapped. The indexes are also checked against the scans they replace."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from assistant.engine import Engine
from assistant.item_names import bigrams, item_key, longest_common, segments
from assistant.retrieve import PostedBM25
from assistant.understand import QuestionParser
from assistant.units import AliasTable, FuzzyUnits
from index import provenance
from index.models import ReportMeta
from index.sparse import BM25
from index.structure import aliases_for


class NoScan(list):
    """A library-wide list a question may index into but never walk through."""

    def __iter__(self):
        raise AssertionError("a question walked through the whole library")


class NoScanDict(dict):
    def __iter__(self):
        raise AssertionError("a question walked through the whole library")

    def keys(self):
        raise AssertionError("a question walked through the whole library")

    def items(self):
        raise AssertionError("a question walked through the whole library")

    def values(self):
        raise AssertionError("a question walked through the whole library")


def _no_count():
    raise AssertionError("count() per question: one more round trip to a Chroma server")


@pytest.fixture(scope="module")
def guarded(five_engine) -> Engine:
    engine = Engine.open(five_engine.settings, embedder=five_engine.retriever.embedder)
    engine.facts = NoScan(engine.facts)
    engine.index.facts = NoScan(engine.index.facts)
    engine.parser.items_by_doc = NoScanDict(engine.parser.items_by_doc)
    engine.parser.aliases = NoScan(engine.parser.aliases)
    engine.parser.fuzzy.metas = NoScan(engine.parser.fuzzy.metas)
    engine.retriever.chunks = NoScan(engine.retriever.chunks)
    engine.retriever.bm25.tf = NoScan(engine.retriever.bm25.tf)
    engine.retriever.vectors.count = _no_count
    return engine


@pytest.mark.parametrize(
    "question",
    [
        "永平街道的预算执行率是多少？",  # facts
        "洛浦街还有多少预算没花出去？",  # derived from facts
        "南洲街道存在什么问题？",  # a section's chunks
        "永平街道内设机构有几个",  # open figures
        "小谷围街道如何加强绩效管理？",  # retrieval within one report: BM25 and Chroma
        "南洲街道资产管理得了几分",  # an item
        "区府办的预算执行率是多少",  # an alias shared by no other unit
        "永平街和洛浦街的预算执行率哪个高",  # two units
        "天河区财政局的预算是多少",  # a unit not indexed: report names by their bigrams
        "执行率低于90%的单位有哪些",  # every unit's figure, through each report's facts
    ],
)
def test_a_question_reads_only_the_reports_it_names(guarded, five_engine, question):
    got, _ = guarded.ask(question)
    want, _ = five_engine.ask(question)
    assert got == want


def test_retrieval_over_the_whole_library_reads_the_terms_postings(guarded, five_engine):
    got = [(e.chunk.id, e.score) for e in guarded.retrieve("预算执行率不高的原因")]
    want = [(e.chunk.id, e.score) for e in five_engine.retrieve("预算执行率不高的原因")]
    assert got and got == want


def test_bm25_postings_score_exactly_as_the_scan():
    rng = random.Random(7)
    vocab = [f"词{i}" for i in range(60)]
    docs = [[rng.choice(vocab) for _ in range(rng.randint(1, 30))] for _ in range(300)]
    posted, scan = PostedBM25(docs), BM25(docs)
    for _ in range(50):
        query = [rng.choice(vocab) for _ in range(rng.randint(1, 6))] + ["不在词表"]
        allowed = set(rng.sample(range(300), 20)) if rng.random() < 0.5 else None
        assert posted.scores(query, allowed) == scan.scores(query, allowed)


def _item_scan(parser: QuestionParser, text: str, units, metric_words):
    """The scan the item index replaces: every item of every report scored, once per report naming it."""
    key = item_key(text)
    grams = bigrams(key)
    unit_docs = {u.doc for u in units}
    scored = []
    covered: dict[str, float] = {}
    for doc in sorted(parser.items_by_doc):
        for item in sorted(parser.items_by_doc[doc]):
            ikey = item_key(item)
            if len(ikey) < 2 or any(ikey in w for w in metric_words):
                continue
            ours = not unit_docs or doc in unit_docs
            if ikey in key:
                scored.append((1.0, len(ikey), key.rfind(ikey), item, ours))
                continue
            if len(ikey) < 5:
                continue
            igrams = set().union(*(bigrams(seg) for seg in segments(item))) or bigrams(ikey)
            coverage = len(igrams & grams) / len(igrams)
            covered[item] = max(coverage, covered.get(item, 0.0))
            score = max(coverage, 0.9 if longest_common(ikey, key) >= 6 else 0.0)
            if score >= 0.7:
                scored.append((score, len(ikey), -1, item, ours))
    if not scored:
        return None, None, ()
    scored.sort(key=lambda s: (-s[0], -s[1], -s[2], s[3]))
    best_score, _, _, best_item, _ = scored[0]
    if best_score == 1.0:
        mine = [s for s in scored if s[0] == 1.0 and s[4]]
        return (mine[0][3], None, ()) if mine else (None, best_item, ())
    close = sorted({s[3] for s in scored if s[4] and s[0] >= best_score - 0.1})
    if len(close) == 1:
        return close[0], None, ()
    if close:
        return None, None, tuple(close[:6])
    return None, (best_item if covered.get(best_item, 0.0) >= 0.9 else None), ()


def test_the_item_index_names_the_items_the_scan_named(five_engine):
    parser = QuestionParser(five_engine.metas, five_engine.parser.items_by_doc)
    names = sorted({i for items in parser.items_by_doc.values() for i in items})
    rng = random.Random(3)
    texts = []
    for name in names:
        cut = name[: max(2, len(name) - 2)]
        texts += [f"{name}得了几分", f"{cut}的执行率是多少", f"关于{name[1:]}项目支出多少", name[::-1]]
    texts += ["预算执行率是多少", "资产管理合规性和绩效管理", "没有这一项的问题"]
    metas = five_engine.metas
    for text in texts:
        units = rng.choice([(), (rng.choice(metas),), tuple(rng.sample(metas, 2))])
        words = rng.choice([[], ["执行率"], ["预算执行率", "得分"]])
        assert parser._item(text, units, words) == _item_scan(parser, text, units, words), text


def _meta(doc: str, org: str, district: str, city: str) -> ReportMeta:
    return ReportMeta(
        doc, org, aliases_for(org, district, city, None), district, city, None, 2023, "部门整体支出", ""
    )


def _library(n: int) -> list[ReportMeta]:
    """n invented units: streets of districts of cities, and one data centre to be named loosely."""
    streets = [a + b for a in "青岚澄桐栖榆杉苇芷荻" for b in "禾汀坞垣陂屿墩埠湄渚"]
    metas = [
        _meta(
            f"r{i}.txt",
            f"霞泽市鹤{'川峪崖'[i % 3]}区人民政府{s}街道办事处",
            f"鹤{'川峪崖'[i % 3]}区",
            "霞泽市",
        )
        for i, s in enumerate(streets[:n])
    ]
    return [*metas, _meta("dc.txt", "白鹭市数据发展中心", "", "白鹭市")]


def test_a_unit_named_loosely_is_found_through_name_postings():
    metas = _library(100)
    fuzzy = FuzzyUnits(metas)
    fuzzy.metas = NoScan(fuzzy.metas)
    found, rest = fuzzy.find("白鹭数据中心的预算执行率")
    assert [m.doc for m in found] == ["dc.txt"] and "执行率" in rest
    assert fuzzy.find("绿洲区财政局的预算是多少")[0] == ()


def test_aliases_are_tried_only_where_their_first_characters_stand():
    metas = _library(100)
    parser = QuestionParser(metas, {})
    parser.aliases = NoScan(parser.aliases)
    text = "青禾街道和澄坞街道的执行率"
    assert sorted(u.doc for u in parser.parse(text).units) == ["r0.txt", "r22.txt"]
    table = AliasTable(metas)
    tried = table.in_text(text)
    assert len(tried) < len(table.pairs) / 10
    # every pair whose alias stands in the text is among those tried, in table order
    assert [p for p in table.pairs if p[0] in text] == [p for p in tried if p[0] in text]


def test_a_source_is_keyed_once_for_all_the_quotes_checked_against_it(monkeypatch):
    calls: Counter[str] = Counter()
    real = provenance.match_key

    def counting(text: str) -> str:
        calls[text] += 1
        return real(text)

    monkeypatch.setattr(provenance, "match_key", counting)
    source = "\n".join(f"第{i}行：青禾街道预算数{i}万元。" for i in range(200))
    assert provenance.locate(source, "青禾街道预算数150万元", 151) == (151, 151)
    assert provenance.locate(source, "青禾街道预算数20万元", 21) == (21, 21)
    assert calls["第7行：青禾街道预算数7万元。"] == 1  # each line keyed once, not once per quote
