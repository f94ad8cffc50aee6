"""起草与审核: pick a unit; its drafted 三、存在的主要问题 and 四、下一步改进措施 (editable, every item cited), the
review of its figures against each other, the source of any citation, and the (edited) draft as .docx."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import replace
from typing import Any

import gradio as gr

from assistant.docx_export import docx_bytes
from assistant.draft import Draft, DraftItem, UnitNotFound, answers_note, build_draft, cn_number
from assistant.facts_view import short_name
from assistant.models import Citation
from assistant.review import VERDICT_LABEL, Finding, review
from assistant.verify import numbers_in
from assistant.webapp.common import (
    Download,
    clickable_html,
    event_data,
    reveal,
    source_panel,
    to_int,
    user_error,
    with_back,
)
from assistant.webapp.render import esc, line_span, placeholder, source_html
from assistant.webapp.state import AppState
from index.models import ReportMeta

log = logging.getLogger(__name__)

SOURCE_HINT = "点击引文编号或审核结果中的引文，这里显示报告原文。"
WORD_NOTE = "公文格式，正文不带引文编号，出处列为尾注"
_NUMBERED = re.compile(r"^[ \t]*（([一二三四五六七八九十]{1,3})）", re.M)
_TAIL = re.compile(r"(?:\s*(?:\[\d+\])+|\s*〔对应问题[^〕]*〕)+\s*$")
_CN = {cn_number(i): i for i in range(1, 100)}
BADGE = {"consistent": "ok", "rounding": "warn", "inconsistent": "bad"}


def unit_choices(metas: list[ReportMeta]) -> list[tuple[str, str]]:
    def label(m: ReportMeta) -> str:
        extra = "，".join(x for x in (f"{m.year}年" if m.year else "", m.district or "") if x)
        return f"{short_name(m)}（{extra}）" if extra else short_name(m)

    return [(label(m), m.doc) for m in sorted(metas, key=lambda m: (short_name(m), -(m.year or 0)))]


def items_text(draft: Draft, items: list[DraftItem]) -> str:
    """Items as editable text: （一）text[1][2]〔对应问题（一）〕, a blank line between items."""
    return "\n\n".join(
        f"（{cn_number(n)}）{item.text}"
        + "".join(f"[{i}]" for i in draft.ref_numbers(item))
        + answers_note(item)
        for n, item in enumerate(items, 1)
    )


def parse_items(text: str) -> list[tuple[int | None, str]]:
    """(original number or None, text) for each paragraph of an edited section, marks and notes removed."""
    out: list[tuple[int | None, str]] = []
    marks = list(_NUMBERED.finditer(text))
    pieces: list[tuple[int | None, str]] = []
    head = text[: marks[0].start()] if marks else text
    pieces += [(None, p) for p in re.split(r"\n\s*\n", head)]
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        pieces.append((_CN.get(m.group(1)), text[m.end() : end]))
    for number, body in pieces:
        body = _TAIL.sub("", re.sub(r"\s*\n\s*", "", body.strip()))
        if body:
            out.append((number, body))
    return out


def apply_edits(draft: Draft, problems_text: str, measures_text: str) -> tuple[Draft, list[str]]:
    """The draft as edited: items kept, changed, reordered or added; warnings for numbers no quote holds.
    The edited draft carries the warnings, so the Word file says what the screen says."""
    warnings: list[str] = []
    allowed_year = {float(draft.meta.year)} if draft.meta.year else set()

    def edited(kind: str, items: list[DraftItem], text: str) -> tuple[list[DraftItem], dict[int, int]]:
        out: list[DraftItem] = []
        renumber: dict[int, int] = {}
        for number, body in parse_items(text):
            original = items[number - 1] if number and 1 <= number <= len(items) else None
            if original is not None and number not in renumber:
                renumber[number] = len(out) + 1
                title = original.title if body.startswith(original.title) else ""
                item = replace(original, text=body, title=title, answers=list(original.answers))
            else:
                item = DraftItem(kind, "", body, "", ["user"], [])  # type: ignore[arg-type]
            out.append(item)
            where = f"{'问题' if kind == 'problem' else '措施'}（{cn_number(len(out))}）"
            if not item.citations:
                warnings.append(f"{where}是新增内容，没有引文。")
                continue
            allowed = set(allowed_year).union(*(numbers_in(c.quote) for c in item.citations))
            stray = [n for n in numbers_in(body) if not any(abs(n - a) < 1e-9 for a in allowed)]
            if stray:
                shown = "、".join(f"{n:g}" for n in stray)
                warnings.append(f"{where}中的数字 {shown} 不在所引原文中，请核对。")
        return out, renumber

    problems, renumber = edited("problem", draft.problems, problems_text)
    measures, _ = edited("measure", draft.measures, measures_text)
    for item in measures:
        item.answers = [renumber[n] for n in item.answers if n in renumber]
    before = [(i.text, i.citations) for i in (*draft.problems, *draft.measures)]
    edited = before != [(i.text, i.citations) for i in (*problems, *measures)]
    out = replace(
        draft, problems=problems, measures=measures, edited=draft.edited or edited, warnings=warnings
    )
    return out, warnings


def citation_dict(c: Citation, names: dict[str, str]) -> dict[str, object]:
    return c.to_dict() | {"line_end": c.line_end, "unit": names.get(c.doc, c.org)}


def references_html(refs: list[dict[str, object]]) -> str:
    if not refs:
        return ""
    rows = []
    for n, c in enumerate(refs, 1):
        where = f"{c['unit']} · {c['doc']} {line_span(int(c['line']), c.get('line_end'))}"  # type: ignore[call-overload, arg-type]
        rows.append(
            f'<li><button type="button" class="cite-chip" data-kind="ref" data-cite="{n}">[{n}] '
            f'{esc(where)}</button> <span class="q">「{esc(c["quote"])}」</span></li>'
        )
    return f'<div class="refs"><b>引文</b>（点击查看原文）<ol style="list-style:none;padding-left:0">{"".join(rows)}</ol></div>'


def review_html(meta: ReportMeta, findings: list[Finding], checks: list[list[dict[str, object]]]) -> str:
    counts = {v: sum(f.verdict == v for f in findings) for v in VERDICT_LABEL}
    head = (
        f"<p><b>审核：{esc(short_name(meta))}{meta.year or ''}年报告数字自查</b>　共{len(findings)}项核对："
        f"{counts['consistent']}项一致，{counts['rounding']}项存在尾差，{counts['inconsistent']}项不一致。</p>"
    )
    if not findings:
        return head + "<p>报告中没有可相互核对的数字（如执行数与预算数、分项与合计）。</p>"
    rows = []
    for i, (finding, cites) in enumerate(zip(findings, checks, strict=True)):
        chips = "".join(
            f'<button type="button" class="cite-chip" data-kind="check" data-check="{i}" data-cite="{n}" '
            f'title="{esc(c["quote"])}">{esc(line_span(int(c["line"]), c.get("line_end")))}</button> '  # type: ignore[call-overload, arg-type]
            for n, c in enumerate(cites, 1)
        )
        rows.append(
            f"<tr><td>{i + 1}</td><td>{esc(finding.check)}</td><td>{esc(finding.formula)}</td>"
            f'<td><span class="badge {BADGE[finding.verdict]}">{VERDICT_LABEL[finding.verdict]}</span> '
            f"{esc(finding.message)}</td><td>{chips}</td></tr>"
        )
    return (
        head + '<table class="review-table"><colgroup><col style="width:4%"><col style="width:15%">'
        '<col style="width:35%"><col style="width:26%"><col style="width:20%"></colgroup>'
        "<tr><th>#</th><th>核对项</th><th>计算</th><th>结论</th>"
        f"<th>引文</th></tr>{''.join(rows)}</table>"
    )


def docx_name(draft: Draft) -> str:
    year = f"{draft.meta.year}年" if draft.meta.year else ""
    return re.sub(r"[^\w\u4e00-\u9fff-]", "", f"{draft.unit}{year}问题与措施草稿") + ".docx"


class DraftTab:
    def __init__(self, app: AppState) -> None:
        self.app = app
        self.state = gr.State(None)
        with gr.Row(equal_height=False):
            self.unit = gr.Dropdown(label="单位", choices=[], scale=3, elem_id="draft-unit")
            self.run = gr.Button(
                "生成草稿并审核",
                variant="primary",
                scale=1,
                elem_id="draft-run",
                elem_classes=["align-bottom"],
            )
            self.download = Download(
                "下载 Word（.docx）",
                "docx-download",
                scale=1,
                interactive=False,
                elem_classes=["align-bottom"],
            )
        self.status = gr.Markdown(
            "选择单位后点击“生成草稿并审核”。草稿可直接修改，下载的 Word 文件按修改后的内容生成"
            f"（{WORD_NOTE}）。"
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3), gr.Tabs():
                with gr.Tab("草稿（可编辑）", id="draft-text"):
                    self.problems = gr.Textbox(
                        label="三、存在的主要问题", lines=10, max_lines=24, elem_id="draft-problems"
                    )
                    self.measures = gr.Textbox(
                        label="四、下一步改进措施", lines=10, max_lines=24, elem_id="draft-measures"
                    )
                    self.refs = clickable_html("", elem_id="draft-refs")
                with gr.Tab("审核：数字自查", id="draft-review"):
                    self.review = clickable_html(
                        '<p class="muted">生成后在此显示审核结果。</p>', elem_id="review-html"
                    )
            with gr.Column(scale=2, elem_classes=["sticky-col"]):
                gr.Markdown("#### 原文出处")
                self.source = source_panel(placeholder(SOURCE_HINT), "draft-source")

        outputs = [
            self.state,
            self.problems,
            self.measures,
            self.refs,
            self.review,
            self.download.button,
            self.status,
            self.source,
        ]
        self.run.click(self.generate, self.unit, outputs)
        for box in (self.problems, self.measures):
            box.input(
                self.check_edits,
                [self.state, self.problems, self.measures],
                self.status,
                trigger_mode="always_last",
                show_progress="hidden",
            )
        self.download.wire(self.export, [self.state, self.problems, self.measures])

        def on_click(s: dict[str, Any] | None, evt: gr.EventData) -> str:
            data = event_data(evt)
            html = self.source_for(
                s, data.get("kind", ""), to_int(data.get("check")), to_int(data.get("cite"))
            )
            return with_back(html, "draft-refs", "返回草稿")

        for cites in (self.refs, self.review):
            cites.click(on_click, self.state, self.source, show_progress="hidden").then(
                None, None, None, js=reveal("draft-source")
            )

    def refresh_outputs(self) -> list[gr.components.Component]:
        return [self.unit]

    def refresh(self) -> Any:
        choices = unit_choices(self.app.metas())
        return gr.update(choices=choices, value=choices[0][1] if choices else None)

    def generate(self, doc: str | None) -> tuple[Any, ...]:
        engine = self.app.engine()
        meta = next((m for m in (engine.metas if engine else []) if m.doc == doc), None)
        if engine is None or meta is None:
            raise user_error("请先选择一个单位（报告库为空时请先上传报告）。")
        try:
            draft = build_draft(engine, meta.org, meta.year)
            findings = review(engine, meta)
        except UnitNotFound as exc:
            raise user_error(str(exc)) from exc
        names = {m.doc: short_name(m) for m in engine.metas} | draft.names
        refs = [citation_dict(c, names) for c in draft.references()]
        checks = [[citation_dict(c, names) for c in f.citations] for f in findings]
        state = {"draft": draft, "refs": refs, "checks": checks}
        problems, measures = items_text(draft, draft.problems), items_text(draft, draft.measures)
        status = (
            f"已生成 **{draft.unit}{draft.meta.year or ''}年** 的草稿：问题 {len(draft.problems)} 条、"
            f"措施 {len(draft.measures)} 条，引文 {len(refs)} 处；审核 {len(findings)} 项。"
        )
        if draft.dropped:
            status += f" 另有 {len(draft.dropped)} 条未通过核验，已删除。"
        return (
            state,
            problems,
            measures,
            references_html(refs),
            review_html(meta, findings, checks),
            gr.update(interactive=True),
            status,
            placeholder(SOURCE_HINT),
        )

    def check_edits(self, state: dict[str, Any] | None, problems: str, measures: str) -> Any:
        """While the draft is edited: what the Word file will hold, and numbers no cited quote holds."""
        if not state:
            return gr.update()
        _, warnings = apply_edits(state["draft"], problems or "", measures or "")
        status = f"草稿已修改，下载的 Word 文件按修改后的内容生成（{WORD_NOTE}）。"
        if warnings:
            status += "Word 文件将附上以下提示，不再注明“所列数字均出自所引原文”。"
            status += "\n\n" + "\n".join(f"- ⚠ {w}" for w in warnings)
        return status

    def export(self, state: dict[str, Any] | None, problems: str, measures: str) -> str:
        """The .docx of the draft as it stands on screen now, edits included."""
        if not state:
            raise user_error("请先生成草稿。")
        draft, _ = apply_edits(state["draft"], problems or "", measures or "")
        return self._write(draft)

    def _write(self, draft: Draft) -> str:
        path = self.app.export_dir / uuid.uuid4().hex / docx_name(draft)
        path.parent.mkdir(parents=True)
        path.write_bytes(docx_bytes(draft))
        return str(path)

    def source_for(self, state: dict[str, Any] | None, kind: str, check: int, number: int) -> str:
        if not state:
            return placeholder(SOURCE_HINT)
        cites = (
            state["refs"]
            if kind == "ref"
            else (state["checks"][check] if 0 <= check < len(state["checks"]) else [])
        )
        if not 1 <= number <= len(cites):
            return placeholder(SOURCE_HINT)
        c = cites[number - 1]
        doc = str(c["doc"])
        return source_html(
            self.app.source(doc), c, str(c.get("unit") or ""), number if kind == "ref" else None
        )
