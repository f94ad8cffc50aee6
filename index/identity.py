"""Which indexed report a file is: a report is its content (SHA-256) and its unit + year; the path it was
read from is provenance, and its file name only what citations show.

- the same content under any name or path → the report already indexed (never twice);
- the same unit + year (a 部门整体支出 report; for a project report also the same titled project) → the
  same report in another version: replaced by default, said plainly, or kept beside it when asked; with
  on_conflict="ask" nothing is decided (the app asks its user, then ingests again with the answer);
- the same path with another unit + year → another report: both kept (a file edited into another
  year's report is not taken for the old one);
- anything else → a report of its own, under its file name, or `folder/name` when another report has
  that name (`2021/报告.txt` and `2023/报告.txt` are two reports).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from index.models import Fact, ReportMeta
from index.normalize import CJK, TITLE_WORDS

OnConflict = Literal["replace", "keep", "ask"]
WHOLE = "部门整体支出"


@dataclass(frozen=True)
class Placement:
    doc: str  # the name it is indexed under
    replaces: tuple[str, ...]  # indexed reports whose place it takes
    status: Literal["added", "updated", "conflict"]  # "conflict": `replaces` is what it would replace
    note: str = ""  # what was decided, in plain words, when there is something to say


def identity_key(org: str, year: int | None, kind: str, title: str) -> tuple[object, ...] | None:
    """Unit + year (+ the project, for a project report); None when the report does not say enough."""
    if org == "未知单位" or year is None:
        return None
    if kind == WHOLE:  # one per unit and year by nature
        return (org, year, kind)
    # a unit writes many project reports a year: the same one only under the same report title
    if len(title) <= 80 and TITLE_WORDS.search(title):
        return (org, year, kind, re.sub(rf"[^{CJK}A-Za-z0-9]", "", title))
    return None


def _key(row: sqlite3.Row) -> tuple[object, ...] | None:
    return identity_key(row["org"], row["year"], row["kind"], row["title"] or "")


def _who(row: sqlite3.Row) -> str:
    return f"{row['org']} {row['year'] or '年度不详'}年"


def place(
    rows: list[sqlite3.Row], path: Path, source: str, meta: ReportMeta, on_conflict: OnConflict = "replace"
) -> Placement:
    """Where a file with new content goes, given the indexed reports' rows (documents())."""
    same_path = [r for r in rows if r["source_path"] == source] or [
        r
        for r in rows
        if not r["source_path"] and r["doc"] == path.name  # an index from before provenance
    ]
    key = identity_key(meta.org, meta.year, meta.kind, meta.title)
    same_unit = [r for r in rows if key is not None and _key(r) == key]
    in_unit = {r["doc"] for r in same_unit}
    taken = {r["doc"] for r in rows}

    edited = [r for r in same_path if r["doc"] in in_unit or key is None or _key(r) is None]
    if edited:  # the same file, edited (or one that does not say its unit and year)
        return Placement(edited[0]["doc"], tuple(r["doc"] for r in edited[1:]), "updated")
    if same_unit and on_conflict == "ask" and len(same_unit) == 1:
        old = same_unit[0]
        note = f"报告库中已有同单位同年度的 {old['doc']}（{_who(old)}）。"
        return Placement(_free_name(path, taken), (old["doc"],), "conflict", note)
    if same_unit and on_conflict in ("replace", "ask") and len(same_unit) == 1:
        old = same_unit[0]
        doc = _free_name(path, taken - {old["doc"]})
        note = f"已替换同单位同年度的 {old['doc']}（{_who(old)}），旧版本已从索引中移除。"
        return Placement(doc, (old["doc"],), "updated", note)
    doc = _free_name(path, taken)
    if same_unit:
        names = "、".join(r["doc"] for r in same_unit)
        note = (
            f"索引中已有同单位同年度的报告：{names}，按要求两份都保留。"
            if on_conflict == "keep"
            else f"索引中已有 {len(same_unit)} 份同单位同年度的报告（{names}），新文件另行保留；"
            + ("如要替换，请先删除旧的。" if on_conflict == "ask" else "如要替换，请先用 remove 删除旧的。")
        )
        return Placement(doc, (), "added", note)
    if same_path and same_path[0]["source_path"]:
        old = same_path[0]
        note = (
            f"此路径先前导入的是 {old['doc']}（{_who(old)}），现在是另一份报告：两份都保留；"
            f"如不再需要旧的，请用 remove {old['doc']} 删除。"
        )
        return Placement(doc, (), "added", note)
    if doc != path.name:
        note = f"已有另一份报告名为 {path.name}，这一份以 {doc} 为名（两份都保留）。"
        return Placement(doc, (), "added", note)
    return Placement(doc, (), "added")


def figure_changes(old: list[Fact], new: list[Fact], limit: int = 4) -> tuple[str, ...]:
    """The unit-level figures two versions of a report state differently ("预算执行率：94.96% → 95.12%"),
    in the order the new version states them: what tells a corrected version from the one indexed."""

    def headline(facts: list[Fact]) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in facts:
            if f.item is None:
                out.setdefault(f.metric, f.text or f"{f.value:g}{f.unit}")  # first statement of each metric
        return out

    before, after = headline(old), headline(new)
    changed = [f"{m}：{before[m]} → {v}" for m, v in after.items() if m in before and before[m] != v]
    changed += [f"{m}：{before[m]} → 未找到" for m in before if m not in after]
    changed += [f"{m}：未找到 → {v}" for m, v in after.items() if m not in before]
    return tuple(changed[:limit])


def _free_name(path: Path, taken: set[str]) -> str:
    """The file name, else folder/name, else the name with the content digest: never another report's."""
    candidates = [path.name]
    if path.parent.name:
        candidates.append(f"{path.parent.name}/{path.name}")
    for name in candidates:
        if name not in taken:
            return name
    stem, suffix = path.stem, path.suffix
    number = 2
    while f"{stem} ({number}){suffix}" in taken:
        number += 1
    return f"{stem} ({number}){suffix}"
