"""Scoring: one answer against its question row, retrieval ranks against the gold quote, extracted facts
against the hand-made ground truth. Pure functions over plain dicts (an answer is `Answer.to_dict()`), so
they are tested without an index.
"""

from __future__ import annotations

import functools
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from evals.numbers import compare, parse_number
from index.normalize import match_key

NUMERIC_KINDS = ("lookup", "derived", "compare", "multi")
KINDS = (*NUMERIC_KINDS, "text", "unanswerable")
CITATION_LINE_TOLERANCE = 2  # a quote may start a line or two from the line its citation names
SHORT_QUOTE = 8  # match-key length under which a quote must also sit on the gold line ("5 0")
MOST_OF_QUOTE = 0.5  # share of a quote a chunk must hold when the quote runs over a chunk boundary

_MARKERS = re.compile(r"\[\d+\]")
_LIST_MARKERS = re.compile(r"^\s*\d{1,2}[.、．](?!\d)\s*", re.M)
_YEARS = re.compile(r"(?:19|20)\d{2}\s*年度?")
_ITEM_NOISE = re.compile(r"[()（）\[\]【】《》<>〈〉“”\"'‘’「」『』:：、，,。.·•\-—–/]")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON: {exc}") from exc
    return rows


def _key(text: str | None) -> str:
    return match_key(text or "")


@functools.cache
def _converter() -> Any:
    from opencc import OpenCC

    return OpenCC("t2s")


def _simplified(text: str) -> str:
    return str(_converter().convert(text))


def _key_nocomma(text: str | None) -> str:
    return _key(text).replace(",", "").replace("，", "")


# --- source texts -----------------------------------------------------------------------------------------


class Sources:
    """The source text of each document, keyed line by line, to find where a quote stands."""

    def __init__(self, text_of: Callable[[str], str | None]) -> None:
        self._text_of = text_of
        self._cache: dict[str, tuple[str, list[int]] | None] = {}

    def _keyed(self, doc: str) -> tuple[str, list[int]] | None:
        if doc not in self._cache:
            text = self._text_of(doc)
            if text is None:
                self._cache[doc] = None
            else:
                keys = [match_key(line) for line in text.split("\n")]
                starts, pos = [], 0
                for k in keys:
                    starts.append(pos)
                    pos += len(k)
                self._cache[doc] = ("".join(keys), starts)
        return self._cache[doc]

    def has(self, doc: str) -> bool:
        return self._keyed(doc) is not None

    def occurrences(self, doc: str, quote: str) -> list[tuple[int, int]]:
        """(first line, last line), 1-based, of every place `quote` stands in `doc` (whitespace aside)."""
        keyed, key = self._keyed(doc), _key(quote)
        if keyed is None or not key:
            return []
        joined, starts = keyed
        out, pos = [], joined.find(key)
        while pos != -1:
            first = bisect_right(starts, pos)
            last = bisect_right(starts, pos + len(key) - 1)
            out.append((first, last))
            pos = joined.find(key, pos + 1)
        return out

    def citation_status(self, doc: str, quote: str, line: int | None) -> str:
        """ok | far (in the document, not near its line) | missing (not in the document) | no_source."""
        if self._keyed(doc) is None:
            return "no_source"
        spans = self.occurrences(doc, quote)
        if not spans:
            return "missing"
        if line is None:
            return "far"
        tol = CITATION_LINE_TOLERANCE
        return "ok" if any(s - tol <= line <= e + tol for s, e in spans) else "far"


# --- one answer -------------------------------------------------------------------------------------------


def gold_docs(row: dict[str, Any]) -> list[str] | None:
    """The documents a right answer cites; None when any will do ("*")."""
    if row.get("kind") == "compare" and row.get("docs"):
        return list(row["docs"])
    doc = row.get("doc")
    return None if not doc or doc == "*" else [doc]


def expected_text(row: dict[str, Any]) -> str:
    kind = row.get("kind")
    if kind in NUMERIC_KINDS:
        out = f"{row.get('answer_value')}{row.get('answer_unit') or ''}"
        return out + (f"（{row['answer_text']}）" if row.get("answer_text") else "")
    if kind == "text":
        return f"phrase “{row.get('answer_text')}”"
    return "refusal (not in the reports)"


def got_text(answer: dict[str, Any], width: int = 110) -> str:
    body = " / ".join(s.strip() for s in str(answer.get("answer") or "").split("\n") if s.strip())
    body = body if len(body) <= width else body[: width - 1] + "…"
    value = answer.get("value")
    head = f"found={answer.get('found')}"
    if value is not None:
        head += f" value={value}{answer.get('unit') or ''}"
    return f"{head}: {body}"


def _numbers_of_answer(text: str, chinese: bool = True) -> list[tuple[float, str]]:
    return parse_number(_MARKERS.sub("", text or ""), chinese=chinese)


def check_numeric(row: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    gold, unit = row.get("answer_value"), row.get("answer_unit")
    out: dict[str, Any] = {"refusal": not answer.get("found"), "value_ok": False, "scale_ok": False}
    reasons: list[str] = []
    if not answer.get("found"):
        out.update(correct=False, reasons=["refused"])
        return out
    if gold is None:
        out.update(correct=None, reasons=["question has no answer_value"])
        return out
    if answer.get("value") is not None:
        result = compare(gold, unit, answer["value"], answer.get("unit"))
    else:
        result = {"value_ok": False, "scale_ok": False}
        for number in _numbers_of_answer(str(answer.get("answer") or "")):
            r = compare(gold, unit, *number)
            if r["value_ok"]:
                result = r
                break
    out.update(result)
    if not result["value_ok"]:
        reasons.append("wrong value")
    elif not result["scale_ok"]:
        reasons.append("unit/scale differs")
    winner_ok = None
    if row.get("kind") == "compare" and row.get("answer_text"):
        orgs = [c.get("org") or "" for c in answer.get("citations") or []]
        winner_ok = names_winner(str(answer.get("answer") or ""), row["answer_text"], dict.fromkeys(orgs))
        if not winner_ok:
            reasons.append("winner not named first")
    out["winner_ok"] = winner_ok
    out["correct"] = bool(result["value_ok"]) and winner_ok is not False
    out["reasons"] = reasons
    return out


def check_multi(row: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """A question asking several figures: right only when every part's figure is given (in `parts`, or
    stated in the answer's text) — one part answered is not the answer."""
    out: dict[str, Any] = {"refusal": not answer.get("found"), "value_ok": False, "scale_ok": False}
    if not answer.get("found"):
        out.update(correct=False, reasons=["refused"])
        return out
    given = [(p.get("value"), p.get("unit")) for p in answer.get("parts") or [] if p.get("value") is not None]
    given += [(answer.get("value"), answer.get("unit"))] if answer.get("value") is not None else []
    text_numbers = _numbers_of_answer(str(answer.get("answer") or ""))
    missing = []
    for part in row.get("parts") or []:
        ok = any(compare(part["value"], part.get("unit"), v, u)["value_ok"] for v, u in given) or any(
            compare(part["value"], part.get("unit"), *n)["value_ok"] for n in text_numbers
        )
        if not ok:
            missing.append(f"{part['value']}{part.get('unit') or ''}")
    out.update(value_ok=not missing, scale_ok=not missing, correct=not missing)
    out["reasons"] = [f"part missing or wrong: {', '.join(missing)}"] if missing else []
    return out


def _name_keys(name: str) -> set[str]:
    """A unit's full name and its “X街道” core (广州市番禺区人民政府洛浦街道办事处 → 洛浦街道)."""
    keys = {_key(name)}
    core = re.search(r"人民政府(.+?街道)办事处$", name)
    if core:
        keys.add(_key(core.group(1)))
    return {k for k in keys if k}


def _first_pos(text_key: str, names: set[str]) -> int | None:
    found = [text_key.find(n) for n in names if n in text_key]
    return min(found) if found else None


def _is_project_like(name: str) -> bool:
    """A project or indicator, not a reporting unit: units end in 街道/办事处/局/办公室 and the like."""
    return not re.search(r"(街道|办事处|镇|乡|局|办公室|委员会|政府|区府办|中心)$", name)


def names_winner(answer_text: str, winner: str, others: Iterable[str] = ()) -> bool:
    """The answer names the winner before any other candidate unit (`others`: the other units it cites).
    A winner that is no cited unit (a project) must stand in the answer's first line."""
    winner_keys = _name_keys(winner)
    other_keys = [_name_keys(o) for o in others if _key(o) != _key(winner)]
    text_key = _key(answer_text)
    winner_is_unit = any(_key(winner) == _key(o) or _key(winner) in _key(o) for o in others)
    if winner_is_unit or (other_keys and not _is_project_like(winner)):
        at = _first_pos(text_key, winner_keys)
        if at is None:
            return False
        before = [p for keys in other_keys if (p := _first_pos(text_key, keys)) is not None]
        return all(at < p for p in before)
    first = _key(next((s for s in answer_text.split("\n") if s.strip()), ""))
    return any(n in first for n in winner_keys)


def check_text(row: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    if not answer.get("found"):
        return {"refusal": True, "correct": False, "phrase_ok": False, "reasons": ["refused"]}
    phrase = _key(row.get("answer_text"))
    texts = [str(answer.get("answer") or "")] + [c.get("quote") or "" for c in answer.get("citations") or []]
    # a phrase copied from a report in traditional characters is said in simplified ones, as the library reads
    # it ("竣工驗收合格" is "竣工验收合格")
    phrases = {phrase, _key(_simplified(row.get("answer_text") or ""))} if phrase else set()
    phrase_ok = any(p in _key(t) for p in phrases for t in texts)
    docs = gold_docs(row)
    doc_ok = docs is None or any(c.get("doc") in docs for c in answer.get("citations") or [])
    reasons = [] if phrase_ok else ["key phrase missing"]
    if not doc_ok:
        reasons.append("gold quote's report not cited")
    return {"refusal": False, "correct": phrase_ok and doc_ok, "phrase_ok": phrase_ok, "reasons": reasons}


def check_unanswerable(row: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    reasons = []
    if answer.get("found"):
        reasons.append("answered a question the reports do not answer")
    if answer.get("value") is not None:
        reasons.append(f"presented a number as the answer ({answer['value']})")
    return {"refusal": not answer.get("found"), "correct": not reasons, "reasons": reasons}


def _input_cited(inp: dict[str, Any], citations: Sequence[dict[str, Any]]) -> bool:
    key = _key_nocomma(inp.get("quote"))
    for c in citations:
        if inp.get("doc") and c.get("doc") != inp["doc"]:
            continue
        if key and key in _key_nocomma(c.get("quote")):
            return True
        if inp.get("value") is not None and any(
            compare(inp["value"], None, v, None)["value_ok"] for v, _ in parse_number(c.get("quote") or "")
        ):
            return True
    return False


def _cell_numbers(citation: dict[str, Any]) -> list[float]:
    """A row read from run-together digits ("2456.182456.18…") names its cells; they count as quoted only
    when, joined back, they stand in the quote."""
    cells = [str(c) for c in citation.get("cells") or []]
    quote = re.sub(r"\s+", "", str(citation.get("quote") or ""))
    quote = re.sub(r"(?<=\d)万元(?=\d)", "", quote)  # (a cell may keep its unit: "60万元57.2295.00%")
    if not cells or "".join(cells) not in quote:
        return []
    return [float(c.rstrip("%")) for c in cells]


def _value_in_quotes(value: float, unit: str | None, citations: Sequence[dict[str, Any]]) -> bool:
    for c in citations:
        for number in parse_number(c.get("quote") or ""):
            if compare(value, unit, *number)["value_ok"]:
                return True
        if any(abs(value - v) <= 1e-6 * max(1.0, abs(v)) for v in _cell_numbers(c)):
            return True
    return False


def uncited_numbers(answer: dict[str, Any], question: str = "") -> list[float]:
    """Numbers the answer text shows that no cited quote states (years, list and citation markers aside;
    a derived answer may show its computed result and the constant 100)."""
    text = _LIST_MARKERS.sub("", _MARKERS.sub("", str(answer.get("answer") or "")))
    text = _YEARS.sub("", text)
    allowed = [100.0] + [v for v, _ in parse_number(question, chinese=False)]
    for c in answer.get("citations") or []:
        allowed += [v for v, _ in parse_number(c.get("quote") or "", chinese=False)] + _cell_numbers(c)
    if answer.get("kind") == "derived" and answer.get("value") is not None:
        allowed.append(float(answer["value"]))
        allowed.append(float(len(answer.get("citations") or [])))  # an average divides by its cited inputs
    out = []
    for v, _ in parse_number(text, chinese=False):
        if v not in out and not any(abs(abs(v) - abs(a)) <= 1e-6 * max(1.0, abs(a)) for a in allowed):
            out.append(v)
    return out


def check_citations(row: dict[str, Any], answer: dict[str, Any], sources: Sources) -> dict[str, Any]:
    citations = list(answer.get("citations") or [])
    bad = []
    for c in citations:
        status = sources.citation_status(c.get("doc") or "", c.get("quote") or "", c.get("line"))
        if status != "ok":
            bad.append(
                {"doc": c.get("doc"), "line": c.get("line"), "quote": c.get("quote"), "status": status}
            )
    out: dict[str, Any] = {
        "n_citations": len(citations),
        "n_verifiable": len(citations) - len(bad),
        "unverifiable": bad,
        "right_doc": None,
        "grounded": None,
        "uncited": [],
    }
    reasons = [f"unverifiable citation ({b['status']}): {b['doc']}:{b['line']}" for b in bad]
    found = bool(answer.get("found"))
    kind = row.get("kind")
    if found and kind != "unanswerable":
        docs = gold_docs(row)
        cited = {c.get("doc") for c in citations}
        out["right_doc"] = bool(citations) and (docs is None or bool(cited.intersection(docs)))
        if not out["right_doc"]:
            reasons.append("right report not cited")
    if (
        found
        and kind in NUMERIC_KINDS
        and (answer.get("value") is not None or answer.get("kind") == "derived")
    ):
        if answer.get("kind") == "derived":
            inputs = row.get("inputs") or []
            missing = [i for i in inputs if not _input_cited(i, citations)]
            out["grounded"] = bool(citations) and not missing
            if missing:
                reasons.append("input not cited: " + "; ".join(str(i.get("quote")) for i in missing))
        else:
            out["grounded"] = _value_in_quotes(float(answer["value"]), answer.get("unit"), citations)
            if not out["grounded"]:
                reasons.append("headline number not in any cited quote")
    if found:
        out["uncited"] = uncited_numbers(answer, row.get("question") or "")
        if out["uncited"]:
            reasons.append("uncited numbers: " + ", ".join(f"{v:g}" for v in out["uncited"]))
    out["reasons"] = reasons
    return out


def check_answer(row: dict[str, Any], answer: dict[str, Any], sources: Sources) -> dict[str, Any]:
    """Every check that applies to this question's kind; `failed` when any of them fails."""
    kind = row.get("kind")
    result: dict[str, Any] = {
        "id": row.get("id"),
        "kind": kind,
        "question": row.get("question"),
        "expected": expected_text(row),
        "got": got_text(answer),
        "found": bool(answer.get("found")),
    }
    if kind == "multi":
        verdict = check_multi(row, answer)
    elif kind in NUMERIC_KINDS:
        verdict = check_numeric(row, answer)
    elif kind == "text":
        verdict = check_text(row, answer)
    elif kind == "unanswerable":
        verdict = check_unanswerable(row, answer)
    else:
        verdict = {"refusal": not answer.get("found"), "correct": None, "reasons": [f"unknown kind {kind!r}"]}
    cites = check_citations(row, answer, sources)
    reasons = list(verdict.pop("reasons")) + list(cites.pop("reasons"))
    result.update(verdict)
    result.update(cites)
    result["reasons"] = reasons
    result["failed"] = bool(reasons)
    return result


def error_result(row: dict[str, Any], exc: BaseException) -> dict[str, Any]:
    """The engine raised: the question fails (it is not a refusal)."""
    return {
        "id": row.get("id"),
        "kind": row.get("kind"),
        "question": row.get("question"),
        "expected": expected_text(row),
        "got": f"error: {type(exc).__name__}: {exc}",
        "found": False,
        "refusal": False,
        "correct": False,
        "n_citations": 0,
        "n_verifiable": 0,
        "unverifiable": [],
        "right_doc": None,
        "grounded": None,
        "uncited": [],
        "reasons": [f"engine error: {type(exc).__name__}: {exc}"],
        "failed": True,
    }


# --- retrieval --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a question's gold quote stands: a document, the quote's match key and its line spans."""

    doc: str
    key: str
    spans: tuple[tuple[int, int], ...]


def gold_lines_index(
    ground_truth: Iterable[dict[str, Any]],
) -> dict[tuple[str, str], list[tuple[float, int]]]:
    out: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for g in ground_truth:
        out.setdefault((g["doc"], _key(g["quote"])), []).append((float(g["value"]), int(g["line"])))
    return out


def retrieval_targets(
    row: dict[str, Any],
    sources: Sources,
    all_docs: Sequence[str],
    gold_lines: dict[tuple[str, str], list[tuple[float, int]]] | None = None,
) -> list[Target]:
    """The places a retriever should find for this question; [] when the quote stands nowhere."""
    quote = row.get("quote")
    if not quote:
        return []
    named = [row["doc"]] if row.get("doc") and row["doc"] != "*" else []
    named += list(row.get("docs") or []) + [i["doc"] for i in row.get("inputs") or [] if i.get("doc")]
    candidates = list(dict.fromkeys(named)) or list(all_docs)
    key = _key(quote)
    values = {float(row["answer_value"])} if row.get("answer_value") is not None else set()
    values |= {float(i["value"]) for i in row.get("inputs") or [] if _key(i.get("quote")) == key}
    targets = []
    for doc in candidates:
        spans = sources.occurrences(doc, quote)
        if not spans:
            continue
        lines = [ln for v, ln in (gold_lines or {}).get((doc, key), []) if v in values]
        narrowed = [s for s in spans if any(s[0] <= ln <= s[1] for ln in lines)]
        targets.append(Target(doc, key, tuple(narrowed or spans)))
    return targets


def holds(target: Target, doc: str, text: str, lines: tuple[int, int] | None) -> bool:
    """A chunk holds the gold quote: its text contains the quote (short quotes must also sit on one of the
    gold lines), or it covers a gold line and holds most of the quote (a quote cut by a chunk boundary)."""
    if doc != target.doc:
        return False
    chunk_key = _key(text)
    on_line = lines is not None and any(s <= lines[1] and lines[0] <= e for s, e in target.spans)
    if target.key in chunk_key:
        return len(target.key) >= SHORT_QUOTE or lines is None or on_line
    if not on_line:
        return False
    match = SequenceMatcher(None, target.key, chunk_key, autojunk=False).find_longest_match(
        0, len(target.key), 0, len(chunk_key)
    )
    return match.size >= MOST_OF_QUOTE * len(target.key) and match.size >= SHORT_QUOTE // 2


def first_rank(
    targets: Sequence[Target], retrieved: Sequence[tuple[str, str, tuple[int, int] | None]]
) -> int | None:
    """1-based rank of the first retrieved (doc, text, lines) that holds a target; None if none does."""
    for rank, (doc, text, lines) in enumerate(retrieved, 1):
        if any(holds(t, doc, text, lines) for t in targets):
            return rank
    return None


def rank_metrics(ranks: Sequence[int | None]) -> dict[str, float | int]:
    n = len(ranks)
    if not n:
        return {"n": 0, "hit@1": 0.0, "hit@5": 0.0, "mrr": 0.0}
    return {
        "n": n,
        "hit@1": sum(1 for r in ranks if r == 1) / n,
        "hit@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr": sum(1.0 / r for r in ranks if r) / n,
    }


# --- extraction -------------------------------------------------------------------------------------------


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def item_key(item: str | None) -> str:
    """An item name without spaces, brackets, quotes and markup: 业务工作经费（城管科） → 业务工作经费城管科."""
    return _ITEM_NOISE.sub("", _key(item)) if item else ""


def items_match(gold: str | None, got: str | None) -> bool:
    a, b = item_key(gold), item_key(got)
    if not a or not b:
        return a == b
    return a in b or b in a


def fact_matches(gold: Any, fact: Any) -> bool:
    """Same doc, metric and item, and the same value (±0.005, or equal at the stated precision)."""
    if _field(gold, "doc") != _field(fact, "doc") or _field(gold, "metric") != _field(fact, "metric"):
        return False
    if not items_match(_field(gold, "item"), _field(fact, "item")):
        return False
    g, f = float(_field(gold, "value")), float(_field(fact, "value"))
    return abs(g - f) <= 0.005 + 1e-9 or compare(g, _field(gold, "unit"), f, _field(fact, "unit"))["value_ok"]


def _fact_brief(f: Any) -> dict[str, Any]:
    return {
        k: _field(f, k)
        for k in ("doc", "metric", "item", "value", "unit", "line", "quote")
        if _field(f, k) != ""
    }


def evaluate_extraction(
    facts: Sequence[Any], ground_truth: Sequence[dict[str, Any]], docs_indexed: Iterable[str] | None = None
) -> dict[str, Any]:
    """Recall over the gold facts of the indexed documents; precision over the extracted facts of the
    documents and metrics the ground truth covers (other metrics are not judged)."""
    indexed = set(docs_indexed) if docs_indexed is not None else None
    gold = [g for g in ground_truth if indexed is None or g["doc"] in indexed]
    scope_docs = {g["doc"] for g in gold}
    scope_metrics = {g["metric"] for g in gold}
    by_doc_metric: dict[tuple[str, str], list[Any]] = {}
    for f in facts:
        by_doc_metric.setdefault((_field(f, "doc"), _field(f, "metric")), []).append(f)
    scoped = [f for f in facts if _field(f, "doc") in scope_docs and _field(f, "metric") in scope_metrics]
    missed = []
    for g in gold:
        if not any(fact_matches(g, f) for f in by_doc_metric.get((g["doc"], g["metric"]), [])):
            missed.append({**_fact_brief(g), "near": _near_misses(g, facts)})
    false_pos = [
        _fact_brief(f)
        for f in scoped
        if not any(fact_matches(g, f) for g in gold if g["doc"] == _field(f, "doc"))
    ]
    n_gold, n_scoped = len(gold), len(scoped)
    return {
        "n_gold": n_gold,
        "n_found": n_gold - len(missed),
        "recall": (n_gold - len(missed)) / n_gold if n_gold else None,
        "n_extracted": len(facts),
        "n_scoped": n_scoped,
        "n_scoped_matched": n_scoped - len(false_pos),
        "precision": (n_scoped - len(false_pos)) / n_scoped if n_scoped else None,
        "scope": {"docs": sorted(scope_docs), "metrics": sorted(scope_metrics)},
        "missed": missed,
        "false_positives": false_pos,
    }


def _near_misses(gold: dict[str, Any], facts: Sequence[Any]) -> list[str]:
    """What the extractor did with a gold fact it missed: wrong value, wrong item, or another metric."""
    out = []
    for f in facts:
        if _field(f, "doc") != gold["doc"]:
            continue
        same_metric = _field(f, "metric") == gold["metric"]
        same_item = items_match(gold.get("item"), _field(f, "item"))
        same_value = abs(float(_field(f, "value")) - float(gold["value"])) <= 0.005
        where = f"{_field(f, 'metric')}/{_field(f, 'item')}={_field(f, 'value')}@{_field(f, 'line')}"
        if same_metric and same_item:
            out.append(f"value differs: {where}")
        elif same_metric and same_value:
            out.append(f"item differs: {where}")
        elif same_value and abs(int(_field(f, "line") or 0) - int(gold["line"])) <= 3:
            out.append(f"other metric: {where}")
    return out[:3]
