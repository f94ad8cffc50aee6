"""LLM mode: a model writes the prose, and every sentence it writes is checked before the user sees it.

The evidence pack is what the offline pipeline already found — the offline answer's citations (facts,
section items, passages), then the retrieved chunks — numbered [1]..[n], budgeted with tiktoken, wrapped
in delimiters the report text cannot forge, and with sentences that read as instructions to a model
removed (a report is data, not instructions). The model's reply is streamed sentence by sentence, and
each sentence is let through only when:

- it carries at least one [n] marker and every marker names an item of the pack;
- every number in it stands in the items it cites, in the computed values, or is the year of a cited
  report; a percentage must stand as a percentage; a figure stated for the asked metric must be one of
  the offline answer's figures (the headline comes from the facts, never from the model);
- it shares enough of its words with the items it cites.

What fails is removed, listed in `Answer.dropped` (its numbers masked) and the user is told. Markers are
renumbered to the citations actually used; a marker on a retrieved chunk becomes a citation of the chunk's
sentences that hold the claim. `value`/`unit`/`found` are always the offline answer's; when the model's text
does not state the headline figure, the offline headline line is appended. Nothing left, or a model that
cannot be reached: the offline answer, with a plain note. The result passes `Engine.check` like any answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from assistant.engine import Engine
from assistant.facts_view import metric_label
from assistant.llm import LLM, LLMError, Message, OpenAICompatibleLLM
from assistant.models import Answer, Citation, ParsedQuestion
from assistant.open_figures import expected_units
from assistant.passages import MAX_ITEM_CHARS, _grams
from assistant.prompts import Prompts
from assistant.session import OfflineResponder, Responder
from assistant.tokens import count_tokens
from assistant.verify import is_instruction, numbers_in
from index.figures import UNITS as FIGURE_UNITS
from index.normalize import match_key, split_sentences
from index.provenance import locate

log = logging.getLogger(__name__)

TEMPLATES = (
    "llm.system",
    "llm.user",
    "llm.evidence",
    "llm.computed",
    "llm.note.dropped",
    "llm.note.fallback",
    "llm.reason.unverified",
)
MIN_SUPPORT = 0.3  # share of a sentence's character bigrams that must stand in the items it cites
MIN_ITEM_TOKENS = 40  # a chunk cut shorter than this by the budget is left out instead
MAX_DROPPED = 10  # removed sentences listed to the user; more are summed up in one line

# [1] [1,2] [1][2] ［1］ 【1】 [证据1] [编号 1]
MARKER = re.compile(r"[\[［【]\s*(?:证据|编号)?\s*(\d{1,3}(?:\s*[,，、]\s*\d{1,3})*)\s*[\]］】]")
_ENUM = re.compile(r"^\s*(?:\d{1,2}[.、．](?!\d)|[（(]\d{1,2}[）)])\s*")
_PCT = re.compile(r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*[%％]")
_CN_NUMBER = re.compile(
    r"百分之[零〇一二两三四五六七八九十百千点]+|[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?(?:万元|亿元)"
)
_REFUSAL = re.compile(r"没有载明|未载明|没有提及|未提及|没有相关|未找到")
_WORDS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")

# A report sentence that talks to a model rather than about the unit's budget.
_DELIMITER = re.compile(r"</?\s*证据[^>]*>?")


def _clean(text: str) -> str:
    """Report text as it goes between the delimiters: no delimiter of ours can appear inside it."""
    return _DELIMITER.sub("", text)


@dataclass(eq=False)
class Item:
    """One numbered piece of evidence: verbatim segments (each a verifiable citation) of one report."""

    n: int
    doc: str
    org: str
    section: str
    year: int | None
    segments: list[Citation]

    @property
    def text(self) -> str:
        return join_quotes(self.segments)

    def numbers(self) -> set[float]:
        return numbers_in(self.text)


@dataclass
class Pack:
    items: list[Item]
    computed_lines: list[str]
    offline_index: dict[int, int]  # offline citation (1-based) → item number
    omitted: int = 0  # report sentences withheld as instructions

    def get(self, n: int) -> Item | None:
        return self.items[n - 1] if 1 <= n <= len(self.items) else None


def join_quotes(segments: list[Citation]) -> str:
    """Sentences of one paragraph run on; a segment without a full stop (a table row) ends its line."""
    out = ""
    for s in segments:
        if out and not out.endswith(("。", "；", "！", "？", ";", "!", "?")):
            out += "\n"
        out += s.quote
    return out


def _mask(text: str) -> str:
    return _DIGITS.sub("＊", MARKER.sub("", text)).strip()[:60]


class SentenceSplitter:
    """Cuts streamed text into sentences; a sentence keeps the [n] markers that follow its full stop."""

    _END = re.compile(r"[。！？!?；;]+[”’」』）)]*|\n|(?<=[^\d\s])\.(?=\s)")
    _TAIL = re.compile(r"(?:\s*" + MARKER.pattern + r")*")

    def __init__(self) -> None:
        self.buf = ""
        self.line_start = True

    def feed(self, text: str, final: bool = False) -> Iterator[tuple[str, bool, bool]]:
        """(sentence, starts a line, ends its line) for each complete sentence."""
        self.buf += text
        while True:
            m = self._END.search(self.buf)
            if not m:
                break
            end = m.end()
            newline = m.group(0) == "\n"
            if not newline:
                tail = self._TAIL.match(self.buf, end)
                end = tail.end() if tail else end
                rest = self.buf[end:]
                # markers may still be coming: wait for a character that cannot start one
                if not final and (not rest.strip() or re.fullmatch(r"\s*[\[［【][^\]］】]{0,12}", rest)):
                    break
                if rest.startswith("\n"):
                    end, newline = end + 1, True
            sentence, self.buf = self.buf[:end], self.buf[end:]
            yield sentence.rstrip("\n"), self.line_start, newline
            self.line_start = newline
        if final and self.buf.strip():
            yield self.buf, self.line_start, False
            self.buf = ""


@dataclass
class Verifier:
    """Checks the model's sentences against the pack; renumbers the markers of those that pass."""

    pack: Pack
    offline: Answer
    metric: str | None
    years: dict[str, int | None]
    citations: list[Citation] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    cited_sentences: int = 0
    stated: set[float] = field(default_factory=set)  # numbers in the sentences let through

    def __post_init__(self) -> None:
        plain = MARKER.sub("", self.offline.answer)
        self.computed = set(self.offline.computed)
        self.headline_numbers = numbers_in(_ENUM.sub("", plain)) | self.computed
        self.headline_pcts = {float(m.group(1).replace(",", "")) for m in _PCT.finditer(plain)}
        if self.offline.unit == "%":
            self.headline_pcts |= self.computed

    def accept(self, sentence: str, line_start: bool, trusted: bool = False) -> str | None:
        """The sentence as shown (markers renumbered), or None when it is dropped."""
        sentence = _DELIMITER.sub("", sentence)  # an echo of our evidence tags is not prose
        if line_start:
            sentence = sentence.lstrip()
        body = MARKER.sub("", sentence)
        if not _WORDS.search(body):
            return None  # only punctuation, markup or markers
        numbers_text = _ENUM.sub("", body) if line_start else body
        numbers = numbers_in(numbers_text)
        cited = [int(n) for m in MARKER.finditer(sentence) for n in re.split(r"\s*[,，、]\s*", m.group(1))]
        if not cited:
            if _REFUSAL.search(body) and self.cited_sentences and not (numbers - self._years_all()):
                return sentence
            return self._drop("没有标注证据编号", body)
        items = [self.pack.get(n) for n in cited]
        if any(i is None for i in items):
            bad = [n for n, i in zip(cited, items, strict=True) if i is None]
            return self._drop(f"引用了不存在的证据{bad}", body)
        chosen = list(dict.fromkeys(i for i in items if i is not None))
        allowed = set(self.computed)
        for item in chosen:
            allowed |= item.numbers()
            if self.years.get(item.doc):
                allowed.add(float(self.years[item.doc] or 0))
        missing = [n for n in numbers if not any(abs(n - a) < 1e-9 for a in allowed)]
        if missing:
            return self._drop("含所引证据中没有的数字", body)
        cited_text = "".join(i.text for i in chosen)
        for m in _PCT.finditer(numbers_text):
            pct = float(m.group(1).replace(",", ""))
            in_evidence = any(
                abs(pct - float(p.group(1).replace(",", ""))) < 1e-9 for p in _PCT.finditer(cited_text)
            )
            if not in_evidence and pct not in self.headline_pcts:
                return self._drop("百分比与所引证据不符", body)
        for m in _CN_NUMBER.finditer(body):
            if m.group(0) not in cited_text:
                return self._drop("含所引证据中没有的数字", body)
        if not trusted and self._conflicts(numbers_text):
            return self._drop("与报告中该指标的数字不一致", body)
        if not trusted and not self._supported(body, cited_text):
            return self._drop("与所引证据内容不符", body)
        out = MARKER.sub(lambda m: self._renumber(m, numbers), sentence)
        self.cited_sentences += 1
        self.stated |= numbers
        return out

    def _years_all(self) -> set[float]:
        return {float(y) for y in self.years.values() if y}

    def _conflicts(self, text: str) -> bool:
        """A figure given for the asked metric that is not one of the offline answer's figures."""
        if self.offline.value is None or not self.metric or self.offline.kind not in ("lookup", "compare"):
            return False
        label = metric_label(self.metric)
        names = {label, self.metric, label.split("（")[0]}
        if self.metric.endswith("率"):
            names.add(self.metric[-3:])  # 预算执行率 → 执行率: the shorter name says the same
        if not any(name and name in text for name in names):
            return False
        unit = self.offline.unit or ""
        if not unit:
            return False
        unit_pattern = "[%％]" if unit == "%" else re.escape(unit)
        for name in filter(None, names):
            # the figure the sentence gives the metric: right after its name ("预算执行率为100%")
            said = re.compile(
                re.escape(name) + r"[^。；，,、\d]{0,8}?(\d+(?:,\d{3})*(?:\.\d+)?)\s*" + unit_pattern
            )
            for m in said.finditer(text):
                figure = float(m.group(1).replace(",", ""))
                if not any(abs(figure - h) < 1e-9 for h in self.headline_numbers):
                    return True
        return False

    @staticmethod
    def _supported(body: str, cited_text: str) -> bool:
        grams = _grams(re.sub(r"\s+", "", body))
        if not grams:
            return True
        return len(grams & _grams(re.sub(r"\s+", "", cited_text))) / len(grams) >= MIN_SUPPORT

    def _renumber(self, m: re.Match[str], numbers: set[float]) -> str:
        out = []
        for raw in re.split(r"\s*[,，、]\s*", m.group(1)):
            item = self.pack.get(int(raw))
            assert item is not None
            for segment in self._segments_for(item, numbers, m.string):
                if segment not in self.citations:
                    self.citations.append(segment)
                out.append(f"[{self.citations.index(segment) + 1}]")
        return "".join(dict.fromkeys(out))

    @staticmethod
    def _segments_for(item: Item, numbers: set[float], sentence: str) -> list[Citation]:
        """The item's segments that hold the sentence's numbers; else the one closest in words."""
        if len(item.segments) == 1:
            return item.segments
        chosen: list[Citation] = []
        for n in sorted(numbers):
            seg = next(
                (s for s in item.segments if any(abs(n - x) < 1e-9 for x in numbers_in(s.quote))), None
            )
            if seg is not None and seg not in chosen:
                chosen.append(seg)
        if chosen:
            return chosen
        grams = _grams(MARKER.sub("", sentence))
        return [max(item.segments, key=lambda s: len(grams & _grams(s.quote)))]

    def _drop(self, reason: str, body: str) -> None:
        note = f"模型所写“{_mask(body)}”{reason}，已删除"
        if len(_WORDS.findall(body)) < 4 or note in self.dropped:
            return None  # a stray word or a repeated sentence is not worth a line
        if len(self.dropped) < MAX_DROPPED:
            self.dropped.append(note)
        elif len(self.dropped) == MAX_DROPPED:
            self.dropped.append("……另有更多未通过核对的句子，已一并删除")
        return None


class LLMResponder:
    """The Responder of LLM mode. The model writes the prose of an answer the offline pipeline has evidence
    for; where the offline engine states nothing for a named report, it may read the passages (a figure it
    gives counts only when a cited item states it). Questions about reports the index lacks never reach it."""

    def __init__(
        self,
        engine: Engine,
        llm: LLM | None = None,
        prompts: Prompts | None = None,
        context_tokens: int | None = None,
        chunks: int | None = None,
    ) -> None:
        self.engine = engine
        settings = engine.settings
        self.llm = llm or OpenAICompatibleLLM.from_settings(settings, max_tokens=settings.llm_max_tokens)
        self.prompts = prompts or Prompts()
        self.prompts.require(TEMPLATES)  # a missing or broken template fails here, not mid-answer
        self.context_tokens = context_tokens or settings.llm_context_tokens
        self.chunks = chunks or settings.top_k
        self.offline = OfflineResponder(engine)

    # ---- the evidence pack ------------------------------------------------------------------------
    def build_pack(self, parsed: ParsedQuestion, offline: Answer) -> Pack:
        engine = self.engine
        items: list[Item] = []
        offline_index: dict[int, int] = {}
        omitted = 0
        budget = self.context_tokens
        years = engine.years

        def add(segments: list[Citation], doc: str, org: str, section: str) -> int | None:
            nonlocal budget
            text = join_quotes(segments)
            cost = count_tokens(text) + 30  # the delimiter line
            if cost > budget:
                return None
            budget -= cost
            items.append(Item(len(items) + 1, doc, org, section, years.get(doc), segments))
            return len(items)

        for i, citation in enumerate(offline.citations, 1):
            if is_instruction(citation.quote):
                omitted += 1
                continue
            quote = _clean(citation.quote)
            if quote != citation.quote:
                continue  # a quote that had to be altered could no longer be verified as cited
            n = add([citation], citation.doc, citation.org, citation.section)
            if n is None:
                break
            offline_index[i] = n

        docs = [u.doc for u in parsed.units] or None
        seen = {(c.doc, c.quote) for c in offline.citations}
        for evidence in engine.retriever.retrieve(parsed.text, docs, self.chunks):
            chunk = evidence.chunk
            section = " > ".join(chunk.section_path)
            source = engine.source(chunk.doc)
            if source is None:
                continue
            segments: list[Citation] = []
            offset = 0
            for para in chunk.text.split("\n"):
                start, offset = offset, offset + len(para) + 1
                for s, e in split_sentences(para):
                    quote = para[s:e].strip()
                    if len(quote) < 4 or (chunk.doc, quote) in seen:
                        continue
                    if is_instruction(quote):
                        omitted += 1
                        continue
                    if _clean(quote) != quote or len(quote) > MAX_ITEM_CHARS:
                        continue
                    lead = len(para[s:e]) - len(para[s:e].lstrip())
                    line = chunk.line_at(start + s + lead)
                    where = locate(source, quote, line)
                    if where is None:
                        continue
                    seen.add((chunk.doc, quote))
                    segments.append(Citation(chunk.doc, chunk.org, section, quote, where[0]))
            while segments and count_tokens(join_quotes(segments)) + 30 > budget:
                segments.pop()  # cut at a sentence: the budget never splits a verifiable quote
            if segments and count_tokens(join_quotes(segments)) >= MIN_ITEM_TOKENS:
                add(segments, chunk.doc, chunk.org, section)
        if omitted:
            log.warning("证据中有 %d 句像是写给模型的指令，已作为数据略去", omitted)

        computed_lines = [
            MARKER.sub("", line).strip()
            for line in offline.answer.split("\n")
            if "=" in line and offline.computed
        ]
        return Pack(items, computed_lines, offline_index, omitted)

    def messages(self, parsed: ParsedQuestion, pack: Pack) -> list[Message]:
        evidence = "\n".join(
            self.prompts.render(
                "llm.evidence",
                n=item.n,
                org=_clean(item.org),
                year=item.year or "",
                section=_clean(item.section)[:60],
                text=item.text,
            )
            for item in pack.items
        )
        computed = (
            self.prompts.render("llm.computed", lines="\n" + "\n".join(pack.computed_lines))
            if pack.computed_lines
            else ""
        )
        user = self.prompts.render(
            "llm.user", question=_clean(parsed.text), evidence=f"\n{evidence}\n", computed=computed + "\n"
        )
        system = self.prompts.render("llm.system", marker="[1]")
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

    # ---- the Responder protocol -------------------------------------------------------------------
    def stream(self, parsed: ParsedQuestion) -> Iterator[str | Answer]:
        offline = self.engine.verified(parsed)
        states_no_figure = not offline.found or (offline.value is None and parsed.asks_figure)
        if states_no_figure and self._may_read(parsed, offline):
            yield from self._read_passages(parsed, offline)
            return
        if not offline.found or not offline.citations:
            yield from self.offline_stream(offline)
            return
        pack = self.build_pack(parsed, offline)
        if not pack.items:
            yield from self.offline_stream(offline)
            return
        verifier = Verifier(pack, offline, parsed.metric, self.engine.years)
        shown: list[str] = []
        pending_newline = False

        def emit(text: str | None, newline: bool) -> Iterator[str]:
            nonlocal pending_newline
            if text is not None:
                piece = ("\n" if pending_newline and shown else "") + text
                pending_newline = False
                shown.append(piece)
                yield piece
            if newline and shown:
                pending_newline = True

        splitter = SentenceSplitter()
        try:
            for delta in self.llm.stream_chat(self.messages(parsed, pack)):
                for sentence, line_start, newline in splitter.feed(delta):
                    yield from emit(verifier.accept(sentence, line_start), newline)
            for sentence, line_start, newline in splitter.feed("", final=True):
                yield from emit(verifier.accept(sentence, line_start), newline)
        except LLMError as err:
            log.warning("LLM 模式失败，改用离线答案：%s", err)
            yield from self.fallback(offline, str(err), verifier.dropped, separate=bool(shown))
            return

        if not verifier.cited_sentences:
            reason = self.prompts.render("llm.reason.unverified")
            yield from self.fallback(offline, reason, verifier.dropped, separate=bool(shown))
            return
        headline = self._headline(offline, pack, verifier)
        if headline:
            pending_newline = True
            yield from emit(headline, False)
        if verifier.dropped:
            pending_newline = True
            yield from emit(self.prompts.render("llm.note.dropped"), False)

        answer = Answer(
            offline.question,
            "".join(shown).strip(),
            offline.found,
            offline.value,
            offline.unit,
            list(verifier.citations),
            offline.kind,
            list(offline.computed),
            [*offline.dropped, *verifier.dropped],
        )
        checked = self.engine.check(answer)
        if checked.value != offline.value or checked.answer != answer.answer or not checked.citations:
            # cannot happen when the checks above hold; if it does, the offline answer is the safe one
            log.error("LLM 答案未通过最终核对，改用离线答案")
            yield from self.fallback(
                offline, self.prompts.render("llm.reason.unverified"), checked.dropped, True
            )
            return
        yield checked

    # ---- reading passages the offline engine found no figure in ----------------------------------------
    @staticmethod
    def _may_read(parsed: ParsedQuestion, offline: Answer) -> bool:
        """A question about named reports the offline engine could not answer (not one naming a unit or a
        year the index lacks): the model may read the passages for it."""
        return (
            bool(parsed.units)
            and not parsed.unknown_unit
            and parsed.kind in ("lookup", "text", "derived")
            and not any(u.year != parsed.year for u in parsed.units if parsed.year is not None)
        )

    def _read_passages(self, parsed: ParsedQuestion, offline: Answer) -> Iterator[str | Answer]:
        """The model answers from the retrieved passages. Every sentence is checked as usual; a figure it
        states becomes the answer's `value` only when a cited item states that very number with that unit
        (and the unit is of the kind asked). Nothing kept → the offline refusal, unchanged."""
        pack = self.build_pack(parsed, offline)
        if not pack.items:
            yield from self.offline_stream(offline)
            return
        verifier = Verifier(pack, offline, parsed.metric, self.engine.years)
        shown: list[str] = []
        try:
            splitter = SentenceSplitter()
            for delta in self.llm.stream_chat(self.messages(parsed, pack)):
                for sentence, line_start, _ in splitter.feed(delta):
                    kept = verifier.accept(sentence, line_start)
                    if kept is not None:
                        shown.append(kept)
                        yield kept
            for sentence, line_start, _ in splitter.feed("", final=True):
                kept = verifier.accept(sentence, line_start)
                if kept is not None:
                    shown.append(kept)
                    yield kept
        except LLMError as err:
            log.warning("LLM 模式失败，改用离线答案：%s", err)
            yield from self.fallback(offline, str(err), verifier.dropped, separate=bool(shown))
            return
        if not verifier.cited_sentences or _REFUSAL.search("".join(shown)) and not verifier.stated:
            yield from self.offline_stream(replace(offline, dropped=[*offline.dropped, *verifier.dropped]))
            return
        text = "".join(shown).strip()
        value, unit = _stated_figure(parsed.text, text, verifier.citations)
        answer = Answer(
            offline.question,
            text,
            True,
            value,
            unit,
            list(verifier.citations),
            "lookup" if value is not None else "text",
            [],
            [*verifier.dropped],
        )
        checked = self.engine.check(answer)
        if checked.answer != answer.answer or checked.value != value:
            yield from self.offline_stream(offline)
            return
        if verifier.dropped:
            note = self.prompts.render("llm.note.dropped")
            checked = replace(checked, answer=f"{checked.answer}\n{note}")
            yield f"\n{note}"
        yield checked

    def _headline(self, offline: Answer, pack: Pack, verifier: Verifier) -> str | None:
        """The offline line stating the headline figure, when the model's text does not state it."""
        value = offline.value
        if value is None or any(abs(value - n) < 1e-9 for n in verifier.stated):
            return None
        for line in offline.answer.split("\n"):
            if not any(abs(value - n) < 1e-9 for n in numbers_in(_ENUM.sub("", MARKER.sub("", line)))):
                continue
            mapped = MARKER.sub(
                lambda m: "".join(
                    f"[{pack.offline_index[int(n)]}]"
                    for n in re.split(r"\s*[,，、]\s*", m.group(1))
                    if int(n) in pack.offline_index
                ),
                line,
            )
            return verifier.accept(mapped, True, trusted=True)
        return None

    def fallback(
        self, offline: Answer, reason: str, dropped: list[str], separate: bool
    ) -> Iterator[str | Answer]:
        note = self.prompts.render("llm.note.fallback", reason=reason)
        text = f"{note}\n{offline.answer}"
        yield ("\n\n" if separate else "") + text
        yield replace(offline, answer=text, dropped=[*offline.dropped, *dropped])

    @staticmethod
    def offline_stream(offline: Answer) -> Iterator[str | Answer]:
        yield offline.answer
        yield offline

    def answer(self, parsed: ParsedQuestion) -> Answer:
        final: Answer | None = None
        for piece in self.stream(parsed):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None
        return final


_STATED = re.compile(rf"(?<![\d.])(?<!\d,)(\d+(?:,\d{{3}})*(?:\.\d+)?)\s*({FIGURE_UNITS})")


def _stated_figure(question: str, text: str, citations: list[Citation]) -> tuple[float | None, str | None]:
    """The first figure of the model's text whose unit is of the kind asked and which a cited quote states
    with that very unit ("53750人次" in the quote, not merely 53750 somewhere)."""
    wanted = expected_units(question)
    quotes = [match_key(c.quote) for c in citations]
    for m in _STATED.finditer(MARKER.sub("", text)):
        number, unit = m.group(1), m.group(2)
        if wanted is not None and unit not in wanted:
            continue
        said = match_key(f"{number}{unit}")
        if any(said in q for q in quotes):
            return float(number.replace(",", "")), unit
    return None, None


def make_responder(engine: Engine) -> Responder:
    """LLMResponder when the settings name an endpoint (OPENAI_BASE_URL), else the offline one."""
    if engine.settings.llm_enabled:
        return LLMResponder(engine)
    return OfflineResponder(engine)
