"""LLM mode for drafts: a model rewrites each offline draft item's prose in formal 公文 Chinese, from that
item's own cited quotes only, and every rewrite is checked before it replaces the offline text.

One call per item. The prompt (`prompts/llm_draft.md`) carries the item's title and body and its cited
quotes, numbered and delimited as in answers (`llm.evidence`; report text is data, not instructions: a quote
that reads as an instruction to a model is withheld). The model returns one paragraph, which is kept only
when, with the rules of `assistant.llm_answer`:

- every number in it stands in the item's cited quotes (or is the year of a cited report), a percentage
  stands as a percentage and a number written in Chinese stands as written; every number the offline text
  states is still there (a figure is never lost);
- it carries no [n] marker beyond the item's quotes (markers are then removed: the draft cites per item);
- it shares enough of its character bigrams with the item's quotes and offline text;
- it names no other unit (a peer's measure is the unit's own in the draft; the peer is only cited).

Otherwise — or when the call fails — the item keeps its offline text and a note goes to `Draft.dropped`.
After a failed call no further calls are made: the rest stays offline with one note. The title, the
citations, the order and numbering of items and the references never change.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.draft import Draft, DraftItem, cn_number, split_title
from assistant.llm import LLM, LLMError, Message, OpenAICompatibleLLM
from assistant.llm_answer import (
    _CN_NUMBER,
    _DELIMITER,
    _ENUM,
    _PCT,
    MARKER,
    MIN_SUPPORT,
    _clean,
    is_instruction,
)
from assistant.passages import _grams
from assistant.prompts import Prompts
from assistant.verify import numbers_in

if TYPE_CHECKING:
    from assistant.engine import Engine

log = logging.getLogger(__name__)

TEMPLATES = (
    "llm.evidence",
    "llm.draft.system",
    "llm.draft.user",
    "llm.draft.label.problem",
    "llm.draft.label.measure",
    "llm.draft.note.kept",
    "llm.draft.note.error",
)
MAX_GROWTH = 3.0  # a rewrite longer than this many times the offline body (plus some slack) is rambling
MIN_SHRINK = 0.3  # a rewrite shorter than this share of the offline body has lost content
_MARKUP = re.compile(r"^\s*(?:#+|[-*>]|\*\*)\s*|\*\*")
_PHRASE = re.compile(r"[^，。；：、“”‘’（）()<>/\s①-⑩=\"{}]+")
_CLAUSE = re.compile(r"[^，。；！？,;]+")
MIN_PHRASE = 4  # a phrase of the prompt this long in a rewrite (and not in the item) is an echo
MIN_CLAUSE = 8  # a clause this long written twice is a model repeating itself
_PREFACE = re.compile(r"^(?:改写后(?:的)?(?:这一段话|段落|条目|内容)?|改写稿|条目原稿|答)[：:]\s*")


@dataclass
class Outcome:
    """What happened to one item: the text it ends with, and why the rewrite was refused (None: kept)."""

    label: str
    text: str
    refused: str | None


def polish_draft(
    draft: Draft, engine: Engine, llm: LLM | None = None, prompts: Prompts | None = None
) -> Draft:
    """The draft with each item's prose rewritten by the model where the rewrite passes the checks."""
    prompts = prompts or Prompts()
    prompts.require(TEMPLATES)  # a missing or broken template fails here, before any call
    if llm is None:
        settings = engine.settings
        llm = OpenAICompatibleLLM.from_settings(settings, max_tokens=settings.llm_max_tokens)
    years = dict(engine.years)
    scaffold = prompt_phrases(prompts)
    notes: list[str] = []
    failed: str | None = None

    def polish(item: DraftItem, label: str, section: str) -> DraftItem:
        nonlocal failed
        if failed is not None:
            return item
        try:
            outcome = _polish_item(item, label, section, draft, years, llm, prompts, scaffold)
        except LLMError as err:
            log.warning("润色草稿时模型调用失败，其余条目保留离线文字：%s", err)
            failed = str(err).rstrip("。")
            notes.append(prompts.render("llm.draft.note.error", reason=failed))
            return item
        if outcome.refused:
            notes.append(prompts.render("llm.draft.note.kept", label=label, reason=outcome.refused))
            return item
        return replace(item, text=outcome.text, citations=list(item.citations), answers=list(item.answers))

    problems = [
        polish(item, prompts.render("llm.draft.label.problem", n=cn_number(n)), "三、存在的主要问题")
        for n, item in enumerate(draft.problems, 1)
    ]
    measures = [
        polish(item, prompts.render("llm.draft.label.measure", n=cn_number(n)), "四、下一步改进措施")
        for n, item in enumerate(draft.measures, 1)
    ]
    changed = any(
        a.text != b.text
        for a, b in zip((*problems, *measures), (*draft.problems, *draft.measures), strict=True)
    )
    return replace(
        draft,
        problems=problems,
        measures=measures,
        dropped=[*draft.dropped, *notes],
        polished_by=(llm.model or "LLM") if changed else None,
    )


def kept_offline(offline: Draft, polished: Draft) -> list[str]:
    """Labels of the items whose text the polishing left as it was (问题（二）, 措施（一）…)."""
    out = []
    for kind, before, after in (
        ("问题", offline.problems, polished.problems),
        ("措施", offline.measures, polished.measures),
    ):
        out += [
            f"{kind}（{cn_number(n)}）"
            for n, (b, a) in enumerate(zip(before, after, strict=True), 1)
            if b.text == a.text
        ]
    return out


def messages(
    item: DraftItem, section: str, draft: Draft, years: dict[str, int | None], prompts: Prompts
) -> tuple[list[Message], int]:
    """The prompt for one item, and how many numbered quotes it shows (instruction-like ones withheld)."""
    lead, body = split_title(item)
    shown = 0
    lines = []
    for c in item.citations:
        if is_instruction(c.quote):
            continue
        shown += 1
        lines.append(
            prompts.render(
                "llm.evidence",
                n=shown,
                org=_clean(draft.name_of(c)),
                year=years.get(c.doc) or "",
                section=_clean(c.section)[:60],
                text=_clean(c.quote),
            )
        )
    user = prompts.render(
        "llm.draft.user",
        section=section.split("、", 1)[-1],
        title=_clean(lead.rstrip("。；：，")) or "（无）",
        body=_clean(body),
        evidence="\n".join(lines),
        br="\n",
    )
    system = prompts.render("llm.draft.system")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}], shown


def _polish_item(
    item: DraftItem,
    label: str,
    section: str,
    draft: Draft,
    years: dict[str, int | None],
    llm: LLM,
    prompts: Prompts,
    scaffold: set[str],
) -> Outcome:
    lead, body = split_title(item)
    if not body.strip():
        # the item is one sentence of the unit's own report, already its title: nothing to rewrite
        return Outcome(label, item.text, None)
    msgs, shown = messages(item, section, draft, years, prompts)
    if not shown:
        return Outcome(label, item.text, "没有可供核对的引文")
    complete = getattr(llm, "complete", None)
    reply = complete(msgs) if callable(complete) else "".join(llm.stream_chat(msgs))
    paragraph = tidy(reply, lead)
    refused = check(paragraph, item, body, shown, draft, years, scaffold)
    if refused:
        log.info("%s 的改写未通过核对（%s）：%s", label, refused, paragraph[:80])
        return Outcome(label, item.text, refused)
    return Outcome(label, lead + MARKER.sub("", paragraph), None)


def prompt_phrases(prompts: Prompts) -> set[str]:
    """The fixed wording of the prompt (labels, rules), phrase by phrase: a rewrite that contains one the item
    does not is echoing its instructions, not writing the item."""
    texts = [prompts.templates[name].body for name in ("llm.draft.system", "llm.draft.user")]
    texts.append(prompts.templates["llm.evidence"].body)
    literal = re.sub(r"\{[A-Za-z_]+\}", "/", "".join(texts))
    return {p for p in _PHRASE.findall(literal) if len(p) >= MIN_PHRASE} | {"条目原文", "条目原稿", "改写稿"}


def tidy(reply: str, lead: str) -> str:
    """The model's reply as one paragraph: no markup, no preface, no repeated title, one line."""
    text = _DELIMITER.sub("", reply or "")
    lines = [_MARKUP.sub("", line).strip() for line in text.strip().splitlines()]
    text = "".join(line for line in lines if line)
    text = _PREFACE.sub("", text).strip().strip("“”\"'")
    title = lead.rstrip("。；：，")
    if title and text.startswith(title):
        text = text[len(title) :].lstrip("。；：，,:; ")
    if text and not text.endswith(("。", "！", "？")) and not MARKER.search(text[-6:]):
        text += "。"
    return text


def check(
    paragraph: str,
    item: DraftItem,
    body: str,
    shown: int,
    draft: Draft,
    years: dict[str, int | None],
    scaffold: set[str] = frozenset(),  # type: ignore[assignment]
) -> str | None:
    """Why the rewrite cannot replace the offline body (None: it can). The reasons are shown to the user
    and hold no digits."""
    if not re.search(r"[\u4e00-\u9fff]", paragraph):
        return "为空或不是中文"
    cited = [int(n) for m in MARKER.finditer(paragraph) for n in re.split(r"\s*[,，、]\s*", m.group(1))]
    if any(not 1 <= n <= shown for n in cited):
        return "引用了该条之外的证据编号"
    plain = _ENUM.sub("", MARKER.sub("", paragraph)).strip()
    if is_instruction(plain):
        return "像是写给模型的指令"
    if len(plain) > MAX_GROWTH * len(body) + 60:
        return "篇幅过长"
    if len(plain) < MIN_SHRINK * len(body):
        return "篇幅过短，可能遗漏内容"
    quotes = "".join(c.quote for c in item.citations)
    source = quotes + body
    if any(p in plain and p not in source for p in scaffold):
        return "照抄了提示词"
    clauses = [c.strip() for c in _CLAUSE.findall(plain) if len(c.strip()) >= MIN_CLAUSE]
    if len(clauses) != len(set(clauses)):
        return "内容重复"
    allowed = numbers_in(quotes)
    allowed |= {float(y) for y in (years.get(c.doc) for c in item.citations) if y}
    if draft.meta.year:
        allowed.add(float(draft.meta.year))
    numbers = numbers_in(plain)
    if any(not any(abs(n - a) < 1e-9 for a in allowed) for n in numbers):
        return "含所引原文中没有的数字"
    kept = numbers_in(body) - {float(draft.meta.year or 0)}  # the report's year may become 本年度
    if any(not any(abs(n - x) < 1e-9 for x in numbers) for n in kept):
        return "遗漏了原稿中的数字"
    quote_pcts = {float(p.group(1).replace(",", "")) for p in _PCT.finditer(quotes)}
    if any(float(m.group(1).replace(",", "")) not in quote_pcts for m in _PCT.finditer(plain)):
        return "百分比与所引原文不符"
    if any(m.group(0) not in source for m in _CN_NUMBER.finditer(plain)):
        return "含所引原文中没有的数字"
    if any(name in plain for name in _peer_names(item, draft)):  # peers go to the references only
        return "写出了其他单位的名称"
    grams = _grams(re.sub(r"\s+", "", plain))
    support = _grams(re.sub(r"\s+", "", source))
    if grams and len(grams & support) / len(grams) < MIN_SUPPORT:
        return "与所引原文内容不符"
    return None


def _peer_names(item: DraftItem, draft: Draft) -> set[str]:
    """How the draft names the other indexed units (南洲街道, 南洲街) and the units the item cites."""
    own = draft.names.get(draft.meta.doc, draft.unit)
    names = {name for doc, name in draft.names.items() if doc != draft.meta.doc and name != own}
    names |= {c.org for c in item.citations if c.org != draft.meta.org}
    names |= {n.removesuffix("道") for n in names if n.endswith("街道")}
    return {n for n in names if len(n) >= 3 and n not in draft.meta.org}
