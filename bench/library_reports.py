"""Invented reports for the library bench (bench/library.py): each one of the five corpus reports with
another unit, district, city and year, its budget, spending, execution rate and self-evaluation score re-drawn
(the rate is the spending over the budget, at the report's own precision; a stated part of the score moves
with the total), and the questions whose answers are known from the draw.

Names are made of characters from small pools (a street from A×B, a district from C×D, a city from E×F); the
pools share no character, so one unit's name never stands inside another's. They are invented, not taken
from any evaluation set: tests/test_library_bench.py checks that none of them occurs in evals/unseen.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path

from index.facts import extract_facts
from index.loaders import load_document
from index.structure import parse_report

STREET_A = "青岚澄桐栖榆杉苇芷荻翠黛霁漪沅岫蘅蔚菁棠筠苓蓁萱蕙芸茗苒"
STREET_B = "禾汀坞垣陂屿墩埠湄渚沚皋岙畈垌"
DISTRICT_C = "鹤鹭雁鸥鹊莺鹂燕隼鸢鹄鹳鹬鹈鸠"
DISTRICT_D = "川峪崖峦嶂冈坳岑峄峁崮"
CITY_E = "云雾霞虹霓"
CITY_F = "渊泽原"
YEARS_PER_UNIT = 4  # a unit's reports are of consecutive years: the wrong year is a wrong report
FIRST_YEAR = 2019
STREETS_PER_DISTRICT = 12

# A part of the total score the template states, which moves with it (002: 管理效能 42.3 of 91.3; 004: 管理效能
# 44.21 of 94.21), and the range the total is drawn from so that no part exceeds its full marks.
SCORE_PARTS = {"002_9970a3a3f795190b.txt": ("42.3",), "004_99d524f8eeb46081.txt": ("44.21",)}
SCORE_RANGE = {"002_9970a3a3f795190b.txt": (84.0, 93.9), "004_99d524f8eeb46081.txt": (82.0, 94.9)}
_YEAR = re.compile(r"(?<![\d.,])20[12]\d(?![\d.,%])")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def names(pool_a: str, pool_b: str) -> list[str]:
    return [a + b for a, b in itertools.product(pool_a, pool_b)]


def all_names() -> list[str]:
    """Every name the generator can give (for the check against the evaluation sets)."""
    return names(STREET_A, STREET_B) + names(DISTRICT_C, DISTRICT_D) + names(CITY_E, CITY_F)


@dataclass(frozen=True)
class Template:
    """A corpus report and what is re-drawn in it: its place names and its figures as written."""

    doc: str
    text: str
    year: int
    city: str  # "广州"
    district: str  # "番禺"
    street: str | None  # "洛浦"; None for a district office (区府办)
    budget: str  # "34542.27" (the figure as the fact states it, without its unit)
    spending: str
    rate: str
    score: str | None

    @property
    def rate_decimals(self) -> int:
        return len(self.rate.split(".")[1]) if "." in self.rate else 0


def _number(text: str) -> str:
    m = _NUMBER.search(text)
    if m is None:
        raise ValueError(f"no number in {text!r}")
    return m.group(0).replace(",", "")


def load_templates(corpus: Path) -> list[Template]:
    """The corpus reports, with the unit-wide figures the project's own extraction reads from them."""
    out = []
    for path in sorted(corpus.glob("*.txt")):
        report = parse_report(load_document(path))
        meta = report.meta
        own = {f.metric: f for f in extract_facts(report) if f.item is None}
        score = own.get("自评得分")
        street = None
        if meta.org.endswith("街道办事处"):
            street = min(meta.aliases, key=len)
        out.append(
            Template(
                doc=path.name,
                text=path.read_text(encoding="utf-8"),
                year=meta.year or FIRST_YEAR,
                city=(meta.city or "").removesuffix("市"),
                district=(meta.district or "").removesuffix("区"),
                street=street,
                budget=_number(own["全年预算数"].text or ""),
                spending=_number(own["执行数"].text or ""),
                rate=_number(own["预算执行率"].text or ""),
                score=_number(score.text or "") if score else None,
            )
        )
    return out


@dataclass(frozen=True)
class Plan:
    """One generated report: where it comes from and what it says."""

    index: int
    template: Template
    city: str
    district: str
    street: str | None
    year: int
    budget: float
    spending: float
    rate: float
    score: float | None

    @property
    def doc(self) -> str:
        return f"lib_{self.index:05d}.txt"

    @property
    def who(self) -> str:
        """How a question names the unit."""
        if self.street is None:
            return f"{self.district}区政府办公室"
        return f"{self.street}街道"

    @property
    def org(self) -> str:
        if self.street is None:
            return f"{self.city}市{self.district}区人民政府办公室"
        return f"{self.city}市{self.district}区人民政府{self.street}街道办事处"


class Library:
    """Report i is unit i // YEARS_PER_UNIT's report for one year; units cycle over the templates. The draw
    of every report depends only on (seed, i): the first 50 of a 2,000-report library are the 50-library."""

    def __init__(self, templates: list[Template], seed: int = 0) -> None:
        self.templates = templates
        self.seed = seed
        taken = "".join(t.text for t in templates)
        rng = random.Random(seed)
        self.streets = [n for n in names(STREET_A, STREET_B) if n not in taken]
        self.districts = [n for n in names(DISTRICT_C, DISTRICT_D) if n not in taken]
        self.cities = [n for n in names(CITY_E, CITY_F) if n not in taken]
        for pool in (self.streets, self.districts, self.cities):
            rng.shuffle(pool)

    def capacity(self) -> int:
        """How many reports fit before names run out."""
        offices = sum(1 for t in self.templates if t.street is None)
        streets = len(self.templates) - offices
        # a cycle over the templates takes `streets` street names, a district per office, and the streets'
        # share of a district
        cycles = min(
            len(self.streets) // max(streets, 1),
            int(len(self.districts) / (offices + streets / STREETS_PER_DISTRICT)),
        )
        return cycles * len(self.templates) * YEARS_PER_UNIT

    def plan(self, i: int) -> Plan:
        if i >= self.capacity():
            raise ValueError(f"at most {self.capacity()} reports can be named from the pools")
        unit, k = divmod(i, YEARS_PER_UNIT)
        cycle, slot = divmod(unit, len(self.templates))
        template = self.templates[slot]
        before = self.templates[:slot]
        street_no = cycle * sum(1 for t in self.templates if t.street) + sum(1 for t in before if t.street)
        office_no = cycle * sum(1 for t in self.templates if not t.street) + sum(
            1 for t in before if not t.street
        )
        # street units share a district, from the front of the pool; each office has its own, from the back
        if template.street:
            street, district = self.streets[street_no], self.districts[street_no // STREETS_PER_DISTRICT]
        else:
            street, district = None, self.districts[-1 - office_no]
        city = self.cities[self.districts.index(district) % len(self.cities)]
        rng = random.Random(f"{self.seed}:{i}")
        budget = round(float(template.budget) * rng.uniform(0.3, 3.0), 2)
        spending = round(budget * rng.uniform(0.7, 0.999), 2)
        rate = round(spending / budget * 100, template.rate_decimals)
        score = None
        if template.score:
            low, high = SCORE_RANGE.get(template.doc, (78.0, 98.0))
            decimals = len(template.score.split(".")[1]) if "." in template.score else 0
            score = round(rng.uniform(low, high), max(decimals, 1))
        year = FIRST_YEAR + k + cycle % 3  # units start in different years
        return Plan(i, template, city, district, street, year, budget, spending, rate, score)


def _written_like(value: float, original: str, decimals: int) -> str:
    text = f"{value:,.{decimals}f}" if "," in original else f"{value:.{decimals}f}"
    return text


def render(plan: Plan) -> str:
    """The template's text with the plan's names, year and figures."""
    t = plan.template
    text = t.text

    def decimals(s: str) -> int:
        return len(s.split(".")[1]) if "." in s else 0

    # figures first (their strings hold no names), each form the report writes them in ("23,135.18")
    def money(m: re.Match[str]) -> str:
        written = m.group(0)
        plain = written.replace(",", "")
        if plain == t.budget and plain == t.spending:
            # one figure standing for both (a rate of 100%): the words before it say which
            before = text[max(0, m.start() - 8) : m.start()]
            value = plan.spending if re.search(r"执行|支出", before) else plan.budget
        elif plain == t.budget:
            value = plan.budget
        else:
            value = plan.spending
        return _written_like(value, written, decimals(plain))

    figures = {t.budget, t.spending}
    pattern = "|".join(
        rf"(?<![\d.,]){re.escape(_with_commas(f))}(?![\d])|(?<![\d.,]){re.escape(f)}(?![\d])" for f in figures
    )
    text = re.sub(pattern, money, text)
    text = re.sub(rf"(?<![\d.,]){re.escape(t.rate)}(?=\s*%)", f"{plan.rate:.{t.rate_decimals}f}", text)
    if t.score and plan.score is not None:
        delta = plan.score - float(t.score)
        for part in SCORE_PARTS.get(t.doc, ()):
            new = round(float(part) + delta, 2)
            text = re.sub(rf"(?<![\d.]){re.escape(part)}(?=\s*分)", f"{new:.{decimals(part) or 1}f}", text)
        score_text = f"{plan.score:.{max(decimals(t.score), 1)}f}"
        text = re.sub(rf"(?<![\d.]){re.escape(t.score)}(?=\s*分)", score_text, text)
    # then names: the street before the district before the city (no name holds another)
    if t.street:
        text = _rename(text, t.street, plan.street or "")
    text = _rename(_rename(text, t.district, plan.district), t.city, plan.city)
    shift = plan.year - t.year
    return _YEAR.sub(lambda m: str(int(m.group(0)) + shift), text)


def _rename(text: str, old: str, new: str) -> str:
    """Every occurrence of a name, also where a hard wrap splits it ("番\\n禺"): the line breaks stay where
    they were, so every line of the template is a line of the report."""
    pattern = re.compile(r"(\s*)".join(re.escape(c) for c in old))

    def one(m: re.Match[str]) -> str:
        gaps = list(m.groups())
        out = new[0]
        for i, ch in enumerate(new[1:]):
            out += (gaps[i] if i < len(gaps) else "") + ch
        return out + "".join(gaps[len(new) - 1 :])

    return pattern.sub(one, text)


def _with_commas(plain: str) -> str:
    whole, _, frac = plain.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


@dataclass(frozen=True)
class Question:
    doc: str
    kind: str  # rate | budget | spending | score | remaining | problems | passage
    text: str
    value: float | None  # None: a text answer, right when found and cited from its report


def questions(plan: Plan, rng: random.Random) -> list[Question]:
    """The questions asked of one report, each naming its unit and year; a fifth of them also name the district."""
    who = plan.who
    if plan.street and rng.random() < 0.2:
        who = f"{plan.district}区{who}"
    y = f"{plan.year}年"
    out = [
        Question(plan.doc, "rate", f"{who}{y}的预算执行率是多少？", plan.rate),
        Question(plan.doc, "budget", f"{who}{y}全年预算数是多少？", plan.budget),
        Question(plan.doc, "spending", f"{who}{y}的执行数是多少？", plan.spending),
        Question(
            plan.doc, "remaining", f"{who}{y}还有多少预算没花出去？", round(plan.budget - plan.spending, 2)
        ),
        Question(plan.doc, "problems", f"{who}{y}存在哪些问题？", None),
        # a free question: retrieval within the report (its query embedded, BM25, the vector store)
        Question(plan.doc, "passage", f"{who}{y}如何开展绩效运行监控？", None),
    ]
    if plan.score is not None:
        out.append(Question(plan.doc, "score", f"{who}{y}部门整体支出绩效自评得分是多少？", plan.score))
    return out
