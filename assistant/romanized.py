"""Places a report is known by only in pinyin: its file name ("m01_qinghe_caizhengju.txt") or its web address
("czj.qinghe.gov.cn"). An excerpt of a city's 财政局 report may never write the city, while the asker does
("青禾财政局…"): the name typed is spelled out in pinyin and looked for among those words.

A name matches when its spelling is a run of whole words ("songxi"+"zhujing"+"banshichu" for 松溪驻京办事处)
or opens one word that goes on with a place's own ending ("yueyangxian" for 岳阳). A report whose own Chinese
names hold another place spelled alike (伊川 and 宜川 are both "yichuan") is never matched by the sound.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from index.models import ReportMeta

# words of any web address, and a file's own extension: no place is spelled so
_NOT_NAMES = frozenset(
    {"www", "gov", "cn", "com", "net", "org", "edu", "html", "htm", "shtml", "jsp", "txt", "pdf"}
)
# the pinyin of a place's own ending, which a file name may run on after the place ("yueyangxian")
_PLACE_ENDINGS = ("xian", "shi", "qu", "zhou", "sheng", "zhen", "xiang", "qi", "meng", "jiedao")
_MAX_SPELLINGS = 16  # a name of many characters read several ways: the first spellings are enough
_SOURCE = re.compile(r"\s*SOURCE:\s*(\S+)")


@lru_cache(maxsize=4096)
def spellings(name: str) -> tuple[str, ...]:
    """The ways `name` is spelled in pinyin without tones, run together: the reading in context first, then
    each character's other readings (长 as chang or zhang); ü as v and as u."""
    from pypinyin import Style, lazy_pinyin, pinyin  # (its dictionaries load only when a name needs them)

    found = ["".join(lazy_pinyin(name))]
    # (each character alone: in a phrase the dictionary gives one reading)
    readings = [pinyin(ch, style=Style.NORMAL, heteronym=True)[0] for ch in name]
    for combo in itertools.islice(itertools.product(*readings), _MAX_SPELLINGS):
        found.append("".join(combo))
    found += [s.replace("v", "u") for s in found if "v" in s]
    return tuple(dict.fromkeys(s for s in found if s.isascii() and s.isalpha()))


def words_of(doc: str, text: str) -> tuple[tuple[str, ...], ...]:
    """The runs of Latin words a report is known by: its file name, and the host and path of the web address
    its text opens with (`SOURCE: …`)."""
    runs = [re.sub(r"\.[A-Za-z0-9]{2,5}$", "", doc.rsplit("/", 1)[-1])]
    source = _SOURCE.match(text)
    if source:
        parts = urlsplit(source.group(1))
        runs += [*parts.netloc.split("."), *parts.path.split("/")]
    out = []
    for run in runs:
        words = tuple(w for w in re.split(r"[^a-z]+", run.lower()) if w and w not in _NOT_NAMES)
        if words:
            out.append(words)
    return tuple(out)


def _spelled_in(spelling: str, words: tuple[str, ...]) -> bool:
    for i, first in enumerate(words):
        if first.startswith(spelling):
            rest = first[len(spelling) :]
            if not rest or rest in _PLACE_ENDINGS:
                return True
        joined = first
        for word in words[i + 1 :]:
            if len(joined) >= len(spelling):
                break
            joined += word
        if joined == spelling:
            return True
    return False


@dataclass
class RomanizedNames:
    """Which reports spell a name the question typed, in their file name or web address."""

    metas: Sequence[ReportMeta]
    text_of: Callable[[str], str]
    _words: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict, init=False, repr=False)

    def words(self, meta: ReportMeta) -> tuple[tuple[str, ...], ...]:
        if meta.doc not in self._words:
            self._words[meta.doc] = words_of(meta.doc, self.text_of(meta.doc)[:500])
        return self._words[meta.doc]

    def spells(self, meta: ReportMeta, name: str) -> bool:
        """`meta`'s file name or address spells `name` (two characters or more), and none of its own Chinese
        names is another place spelled alike."""
        if len(name) < 2:
            return False
        sounds = spellings(name)
        if not any(len(s) >= 4 and _spelled_in(s, w) for s in sounds for w in self.words(meta)):
            return False
        own = [n for n in (meta.org, meta.district, meta.city, meta.province, *meta.aliases) if n]
        if any(name in n for n in own):
            return True
        for n in own:  # a homophone among its own names: another place
            for k in range(len(n) - len(name) + 1):
                part = n[k : k + len(name)]
                if part != name and set(spellings(part)) & set(sounds):
                    return False
        return True

    def named(
        self,
        mention: str,
        fits: Callable[[ReportMeta, str], bool],
        keep: Callable[[ReportMeta], bool] = lambda meta: True,
    ) -> tuple[ReportMeta, ...]:
        """The reports of the one unit `mention` names through a spelled place: the whole name spelled
        ("松溪驻京办事处"), else a place of two characters or more spelled and the rest of the name one that
        `fits` the report ("青禾" spelled, 财政局 its own); () when none or several units fit. Only reports
        the question leaves possible (`keep`) are looked at."""
        metas = [m for m in self.metas if keep(m)]
        whole = tuple(m for m in metas if self.spells(m, mention))
        if len({m.org for m in whole}) == 1:
            return whole
        for cut in range(len(mention) - 2, 1, -1):
            place, rest = mention[:cut], mention[cut:]
            found = tuple(m for m in metas if fits(m, rest) and self.spells(m, place))
            if found:
                return found if len({m.org for m in found}) == 1 else ()
        return ()
