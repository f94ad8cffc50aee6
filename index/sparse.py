"""BM25 over Chinese text that we tokenise ourselves: jieba words (with the units' names in its dictionary)
plus character bigrams, so that 永平街 finds 永平街道 and a mis-segmented word still matches.
(llama-index's BM25Retriever splits on whitespace and English stemming: useless for Chinese.)"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[\u3400-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?%?")
_STOP = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "在",
        "是",
        "为",
        "对",
        "等",
        "中",
        "其",
        "按",
        "以",
        "将",
        "有",
        "也",
        "从",
        "并",
        "或",
        "个",
        "年",
        "多少",
        "什么",
        "哪些",
        "怎么",
        "如何",
        "吗",
        "呢",
        "啊",
    ]
)
_added: set[str] = set()


def add_words(words: Iterable[str]) -> None:
    """Teach jieba names it would split (unit short names, metric words)."""
    for word in words:
        if word and word not in _added:
            jieba.add_word(word, freq=200000)
            _added.add(word)


def tokenize(text: str) -> list[str]:
    tokens = [t for t in jieba.lcut(text) if _WORD.fullmatch(t) and t not in _STOP]
    for run in _CJK_RUN.findall(text):
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


class BM25:
    """Okapi BM25 over pre-tokenised documents."""

    def __init__(self, docs: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.avgdl = (sum(self.lengths) / len(docs)) if docs else 0.0
        df: Counter[str] = Counter()
        for tf in self.tf:
            df.update(tf.keys())
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def score_of(self, i: int, terms: list[str]) -> float:
        """Document i's BM25 score for the query terms (those the collection holds)."""
        tf = self.tf[i]
        score = 0.0
        norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / (self.avgdl or 1))
        for t in terms:
            f = tf.get(t)
            if f:
                score += self.idf[t] * f * (self.k1 + 1) / (f + norm)
        return score

    def scores(self, query: list[str], allowed: set[int] | None = None) -> list[tuple[int, float]]:
        terms = [
            t for t in dict.fromkeys(query) if t in self.idf
        ]  # in query order: sums alike whatever the hash seed
        ranked = [
            (i, self.score_of(i, terms)) for i in range(len(self.tf)) if allowed is None or i in allowed
        ]
        out = [(i, s) for i, s in ranked if s > 0]
        out.sort(key=lambda x: -x[1])
        return out
