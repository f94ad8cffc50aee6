"""Items (projects, indicators) named in a question: their match keys, and an index of every item the
library's facts name by the bigrams of its key, so that a question looks only at the items it shares a
bigram with, never at every item of every report."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Items are matched on character bigrams, so word order and brackets do not matter; common abbreviations
# are expanded the way staff write them.
_ITEM_SYNONYMS = (("新型冠状病毒肺炎", "新冠"), ("新冠肺炎", "新冠"), ("城市管理", "城管"))
_ITEM_NOISE = re.compile(r"[（）()“”\"'、，,\-—·\s]")
FUZZY_MIN_CHARS = 5  # a shorter name must be written out; fuzzy matches of it are noise


def bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def item_key(text: str) -> str:
    for long, short in _ITEM_SYNONYMS:
        text = text.replace(long, short)
    return _ITEM_NOISE.sub("", text)


def _item_key_keep(text: str) -> str:
    for long, short in _ITEM_SYNONYMS:
        text = text.replace(long, short)
    return text


def segments(item: str) -> list[str]:
    """The parts of an item name outside and inside its brackets, each matched on its own."""
    return [seg for seg in re.split(r"[（）()“”\"'、，,\-—·\s]+", _item_key_keep(item)) if len(seg) >= 2]


def common_run(a: str, b: str) -> str:
    """The longest run of characters `a` and `b` share (the first of equal ones)."""
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return best


def longest_common(a: str, b: str) -> int:
    return len(common_run(a, b))


@dataclass(frozen=True, slots=True)
class ItemName:
    """One item name as the facts write it, with what matching it needs (computed once, at open)."""

    name: str
    key: str
    grams: frozenset[str]  # the bigrams a fuzzy match is scored on (its segments'); empty when too short
    docs: frozenset[str]  # the reports whose facts name it


class ItemIndex:
    """Every item name of the library, once however many reports name it, found by the bigrams of its key.

    A name can match a question only by sharing a bigram with it: written out (its key inside the
    question's, so its first bigram is there), by coverage of its segments' bigrams (a subset of its key's),
    or by six characters in common. So the names posted under the question's bigrams are all there is to
    score."""

    def __init__(self, items_by_doc: Mapping[str, Iterable[str]]) -> None:
        docs_of: dict[str, set[str]] = {}
        for doc, items in items_by_doc.items():
            for item in items:
                docs_of.setdefault(item, set()).add(doc)
        self.names: dict[str, ItemName] = {}
        self._postings: dict[str, set[str]] = {}
        for item, docs in docs_of.items():
            key = item_key(item)
            grams: frozenset[str] = frozenset()
            if len(key) >= FUZZY_MIN_CHARS:
                grams = frozenset(set().union(*(bigrams(seg) for seg in segments(item))) or bigrams(key))
            self.names[item] = ItemName(item, key, grams, frozenset(docs))
            for g in bigrams(key):
                self._postings.setdefault(g, set()).add(item)

    def candidates(self, grams: set[str]) -> list[ItemName]:
        """The names sharing a bigram with the question's key, sorted by name (the same answer whatever
        PYTHONHASHSEED is)."""
        found: set[str] = set()
        for g in grams:
            found |= self._postings.get(g, set())
        return [self.names[n] for n in sorted(found)]
