"""The unseen questions asked without their unit's name: how well a report is found by what is asked.

Staff often name no unit ("高标准农田项目还有多少没支付?") or a short one no report writes. Each question that
writes its gold report's unit name (the unit, its aliases, its places, with and without 省/市/县/区) is asked
again with those names taken out. Such a question may have become one no report answers alone ("基本支出是
多少?"): a refusal or a list of units is then right in spirit, and the figure to watch is the answers that
cite another report — a figure from the wrong report, given as if it were asked.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

_PLACE_END = "省市州盟县区旗镇乡"
# the place a unit's name opens with ("石川市白沙区交通局" → 白沙区, 白沙)
_LEADING_PLACE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,6}?(?:省|自治区))?(?:[\u4e00-\u9fff]{2,5}?(?:市|州|盟))?"
    r"([\u4e00-\u9fff]{2,4}?)(?:区|县|旗|市)"
)


def names_of(meta: Any) -> list[str]:
    """Every way the report's unit may be written in a question, longest first."""
    found: set[str] = set()
    for name in (meta.org, *meta.aliases, meta.district or "", meta.city or "", meta.province or ""):
        if not name or name.startswith("未知"):
            continue
        found.add(name)
        if len(name) > 2 and name[-1] in _PLACE_END:
            found.add(name[:-1])
        lead = _LEADING_PLACE.match(name)
        if lead:
            found.update((lead.group(0), lead.group(1)))
    return sorted((n for n in found if len(n) >= 2), key=lambda n: (-len(n), n))


def unnamed(question: str, meta: Any) -> str:
    for name in names_of(meta):
        question = question.replace(name, "")
    return question


def unnamed_rows(rows: Sequence[dict[str, Any]], metas: Sequence[Any]) -> list[dict[str, Any]]:
    """The questions (no follow-ups) that name their unit, with its names taken out."""
    by_doc = {m.doc: m for m in metas}
    out = []
    for row in rows:
        if row.get("history") or row["doc"] not in by_doc:
            continue
        asked = unnamed(row["question"], by_doc[row["doc"]])
        if asked != row["question"]:
            out.append(dict(row, question=asked, named=row["question"]))
    return out


def outcome(result: dict[str, Any]) -> str:
    if result.get("correct"):
        return "right"
    return "refused" if "refused" in (result.get("reasons") or []) else "wrong"


def summary(rows: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]]) -> str:
    """Right, refused and wrong by kind, and the wrong answers that cite another report than the gold one
    (answerable questions; a list of every unit's figure is not counted there)."""
    counts: Counter[tuple[str, str]] = Counter()
    other_report = 0
    for row, result in zip(rows, results, strict=True):
        what = outcome(result)
        counts[(row["kind"], what)] += 1
        cited = {c["doc"] for c in (result.get("answer") or {}).get("citations") or []}
        listed = "各单位情况" in (result.get("answer") or {}).get("answer", "")
        if what == "wrong" and row["kind"] != "unanswerable" and cited and row["doc"] not in cited:
            other_report += not listed
    kinds = sorted({k for k, _ in counts})
    lines = [
        f"unit names taken out: {len(rows)} questions",
        "| kind | n | right | refused | wrong |",
        "|---|---|---|---|---|",
    ]
    for kind in [*kinds, "all"]:
        got = {
            w: sum(v for (k, ww), v in counts.items() if ww == w and kind in (k, "all"))
            for w in ("right", "refused", "wrong")
        }
        lines.append(f"| {kind} | {sum(got.values())} | {got['right']} | {got['refused']} | {got['wrong']} |")
    lines.append(f"answerable questions answered from another report (not a list of units): {other_report}")
    return "\n".join(lines)
