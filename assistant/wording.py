"""The draft's own voice: how the unit calls itself, and report sentences made clean enough to paste.

A draft is written for the unit to put in its next report, so it speaks as the unit does (我街, 我办, 本部门 —
whichever its report uses most) and a sentence taken from a report is tidied before it is used: list markers
and leading connectives dropped, the common misspellings of `prompts/wording.md` corrected, half-width
punctuation in Chinese text made full-width, line breaks and stray spaces removed. A peer's sentence is also
made the unit's own: the peer's names and self-references become the unit's voice, and a sentence naming the
peer's district (its documents, its places) is left out. No step changes a digit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.models import ReportMeta
from index.normalize import split_sentences

WORDING_FILE = Path(__file__).resolve().parents[1] / "prompts" / "wording.md"
# How a unit calls itself, the usual first on a tie. 本单位 when its report uses none of them.
SELF_WORDS = (
    "我街道", "我街", "我办", "我局", "我镇", "我乡", "我委", "我中心", "我院", "我校", "我所", "我站",
    "本部门", "我部门", "本单位", "我单位",
)  # fmt: skip
DEFAULT_VOICE = "本单位"
_SELF = re.compile("|".join(sorted(SELF_WORDS, key=len, reverse=True)))
_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}是|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}(?:[、．]|\.(?!\d))"
    r"|[一二三四五六七八九十]{1,3}、|[①-⑳]|同时|此外|另外|其次|再次|最后|目前|但是|但|然而|另一方面"
    r"|总体来看|总的来看|总体而言)[，,：:\s]*"
)
_CJK = r"[\u4e00-\u9fff“”《》（）]"
_LINE = re.compile(r"^\s*-\s*(\S+)\s*(?:→|->)\s*(\S+)\s*$")
_DIGIT = re.compile(r"[0-9０-９]")


class WordingError(ValueError):
    """prompts/wording.md breaks its rules (a digit, an empty side, an entry twice)."""


@dataclass(frozen=True, slots=True)
class Corrections:
    pairs: tuple[tuple[str, str], ...]

    def apply(self, text: str) -> str:
        for wrong, right in self.pairs:
            text = text.replace(wrong, right)
        return text


def parse_corrections(text: str, source: str = "wording.md") -> Corrections:
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip().startswith("-"):
            continue
        found = _LINE.match(raw)
        if not found:
            raise WordingError(f"{source} 第{number}行：应写成“- 错误写法 → 规范写法”")
        wrong, right = found.groups()
        if _DIGIT.search(wrong + right):
            raise WordingError(f"{source} 第{number}行：改字不得涉及数字（{wrong} → {right}）")
        if wrong in seen:
            raise WordingError(f"{source} 第{number}行：“{wrong}”重复")
        seen.add(wrong)
        pairs.append((wrong, right))
    return Corrections(tuple(pairs))


@lru_cache(maxsize=2)
def corrections(path: str = str(WORDING_FILE)) -> Corrections:
    file = Path(path)
    return (
        parse_corrections(file.read_text(encoding="utf-8"), file.name) if file.is_file() else Corrections(())
    )


def voice_of(text: str) -> str:
    """The word the report most often calls its unit by (the usual one first on a tie)."""
    counts = {w: 0 for w in SELF_WORDS}
    for m in _SELF.finditer(text or ""):
        counts[m.group(0)] += 1
    best = max(SELF_WORDS, key=lambda w: (counts[w], -SELF_WORDS.index(w)))
    return best if counts[best] else DEFAULT_VOICE


def punctuate(text: str) -> str:
    """Half-width punctuation in Chinese text made full-width; a comma between digits (23,135.18) stays."""
    text = re.sub(r",(?!\d)|(?<!\d),", "，", text)
    text = re.sub(r";", "；", text)
    text = re.sub(rf"(?<={_CJK}):|:(?={_CJK})", "：", text)
    text = re.sub(rf"\(([^()]*{_CJK}[^()]*)\)", r"（\1）", text)
    text = re.sub(rf"(?<={_CJK})\?|(?<={_CJK})!", lambda m: "？" if m.group(0) == "?" else "！", text)
    return re.sub(r"([，。；：、])\1+", r"\1", text)


def one_line(text: str) -> str:
    """Line breaks and spaces gone, except a space between two Latin letters or digits."""
    return re.sub(r"\s+", lambda m: " " if _latin_both_sides(m) else "", text.strip())


def _latin_both_sides(m: re.Match[str]) -> bool:
    before, after = m.string[m.start() - 1 : m.start()], m.string[m.end() : m.end() + 1]
    return bool(re.match(r"[A-Za-z]", before) and re.match(r"[A-Za-z]", after))


def _names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    kept = sorted({n for n in names if len(n) >= 3}, key=len, reverse=True)
    # 市教育局 in a county 教育局's report is the city's bureau, not the unit
    return re.compile(r"(?<![省市县区州旗镇乡])(?:" + "|".join(map(re.escape, kept)) + ")") if kept else None


def clean(text: str, voice: str, own: ReportMeta | None = None) -> str:
    """A report sentence tidied into the unit's own words, ending in a full stop."""
    text = one_line(text)
    while True:
        stripped = _LEAD.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    text = punctuate(corrections().apply(text))
    names = _names_pattern((own.org, *own.aliases) if own else ())
    if names:
        text = names.sub(voice, text)
    text = _SELF.sub(voice, text)
    text = re.sub(rf"({re.escape(voice)})+", voice, text)
    text = re.sub(r"[；，：、\s]+$", "", text)
    return text if not text or text.endswith(("。", "！", "？")) else text + "。"


def adapt(text: str, voice: str, peer: ReportMeta, unit: ReportMeta) -> str:
    """A peer's sentence as the unit's own: the peer's names and self-words become the unit's voice; a
    sentence naming the peer's own district or city (not the unit's) is left out. Empty when nothing is left."""
    text = clean(text, voice, peer)
    places = [p for p in (peer.district, peer.city) if p and p not in (unit.district, unit.city)]
    kept = [text[s:e] for s, e in split_sentences(text) if not any(p in text[s:e] for p in places)]
    return "".join(kept)


def names_of(metas: Iterable[ReportMeta], unit: ReportMeta) -> set[str]:
    """Names by which the draft would name another unit (three characters at least, not one of the unit's)."""
    own = {unit.org, *unit.aliases}
    out: set[str] = set()
    for meta in metas:
        if meta.org == unit.org:
            continue
        out |= {n for n in (meta.org, *meta.aliases) if len(n) >= 3 and not any(n in o for o in own)}
    return out
