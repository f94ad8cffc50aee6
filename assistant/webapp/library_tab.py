"""报告库: upload reports (PDF, DOCX, TXT, MD; size-limited) with a progress bar, say what became of each
file in plain words, ask before a new version of a report in the library replaces it (替换旧版本 / 两份都保留
/ 取消), list what is indexed, remove a report after confirming. What happens to the files: uploads.py."""

from __future__ import annotations

import logging
from typing import Any

import gradio as gr
import pandas as pd

from assistant.webapp.common import user_error
from assistant.webapp.render import esc
from assistant.webapp.state import AppState
from assistant.webapp.uploads import (
    ALLOWED,
    CANCELLED,
    FORMATS,
    WAITING,
    Choice,
    UploadBatch,
    drop_pending,
    ingest_uploads,
    resolve_versions,
    uploaded_copy,
    version_question,
)
from index.store import IndexMissing

log = logging.getLogger(__name__)

LIST_COLUMNS = ["单位", "区", "年度", "类型", "格式", "文件"]


def _badge(status: str) -> str:
    if status in ("已导入", "已更新"):
        return "ok"
    return "warn" if status in ("未变化", WAITING, CANCELLED) else "bad"


def outcomes_html(rows: list[tuple[str, str, str]]) -> str:
    if not rows:
        return ""
    body = "".join(
        f'<tr><td>{esc(name)}</td><td><span class="badge {_badge(status)}">'
        f"{esc(status)}</span></td><td>{esc(text)}</td></tr>"
        for name, status, text in rows
    )
    return f'<table class="outcome-table"><tr><th>文件</th><th>结果</th><th>说明</th></tr>{body}</table>'


def documents_frame(docs: list[dict[str, object]]) -> pd.DataFrame:
    rows = [
        {
            "文件": d["doc"],
            "单位": d["org"],
            "区": d.get("district") or "",
            "年度": str(d.get("year") or ""),
            "类型": d.get("kind") or "",
            "格式": str(d.get("fmt") or "").upper(),
        }
        for d in docs
    ]
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def remove_choices(docs: list[dict[str, object]]) -> list[tuple[str, str]]:
    return [(f"{d['org']}（{d.get('year') or '年份不详'}）— {d['doc']}", str(d["doc"])) for d in docs]


def removal_question(app: AppState, doc: str | None) -> str | None:
    """What the user is asked before a report is removed; None when there is nothing to remove."""
    found = next((d for d in app.documents() if d["doc"] == doc), None) if doc else None
    if found is None:
        return None
    who = f"{found['org']}（{found.get('year') or '年份不详'}）"
    copy = "，应用保存的上传副本也一并删除" if uploaded_copy(app, str(doc)) else ""
    return (
        f'<p class="confirm-text">确定从报告库删除 <b>{esc(who)}</b> 的报告 <code>{esc(doc)}</code> 吗？'
        f"删除后问答、数据和起草都不再使用它{copy}。此操作不能撤销。</p>"
    )


def remove_report(app: AppState, doc: str | None) -> str:
    if not doc:
        return "请先选择要删除的报告。"
    org = next((str(d["org"]) for d in app.documents() if d["doc"] == doc), "")
    with app.write_lock:
        copy = uploaded_copy(app, doc)
        try:
            indexer = app.indexer()
        except IndexMissing as exc:
            return str(exc)
        ok = indexer.remove(doc)
        indexer.store.close()
        app.reload()
        if ok and copy is not None:
            try:
                copy.unlink()
            except OSError:  # the index no longer holds it; a leftover file is only disk space
                log.warning("could not delete the uploaded copy %s", copy, exc_info=True)
                return f"已从报告库删除 {doc}（{org}），但上传副本未能删除：{copy}。"
    if not ok:
        return f"报告库中没有 {doc}。"
    return f"已从报告库删除 {doc}（{org}）" + ("，并删除了上传副本。" if copy is not None else "。")


class LibraryTab:
    def __init__(self, app: AppState) -> None:
        self.app = app
        max_mb = app.settings.upload_max_mb
        gr.Markdown(
            f"上传 {FORMATS} 格式的绩效自评报告，单个文件不超过 {max_mb} MB。导入后即可在“问答”“数据”“起草与审核”中使用。"
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=2):
                self.files = gr.File(
                    label="选择或拖入报告文件（可多选）",
                    file_count="multiple",
                    file_types=list(ALLOWED),
                    type="filepath",
                    elem_id="upload-files",
                )
                self.ingest = gr.Button("导入报告库", variant="primary", elem_id="ingest-btn")
            with gr.Column(scale=3):
                gr.Markdown("选择文件后点击“导入报告库”，下面显示导入进度和每个文件的结果。")
                self.outcomes = gr.HTML("", elem_id="ingest-outcomes", min_height=140)
                # a new version of a report in the library waits here for the user's choice, one file at a time;
                # copies left unanswered when the session ends are removed
                self.batch = gr.State(None, delete_callback=lambda batch: drop_pending(app, batch))
                with gr.Column(visible=False, elem_id="version-confirm") as self.version_box:
                    self.version_text = gr.HTML("", elem_id="version-question")
                    self.version_all = gr.Checkbox(
                        False, label="其余等待选择的文件也这样处理", visible=False, elem_id="version-all"
                    )
                    with gr.Row():
                        self.version_replace = gr.Button(
                            "替换旧版本", variant="primary", elem_id="version-replace-btn"
                        )
                        self.version_keep = gr.Button(
                            "两份都保留", variant="secondary", elem_id="version-keep-btn"
                        )
                        self.version_cancel = gr.Button(
                            "取消", variant="secondary", elem_id="version-cancel-btn"
                        )
        gr.Markdown("#### 已导入的报告")
        self.listing = gr.Dataframe(
            headers=LIST_COLUMNS, interactive=False, max_height=320, elem_id="report-list"
        )
        with gr.Row(equal_height=False):
            self.to_remove = gr.Dropdown(
                label="删除报告（选择后点“从报告库删除”）", choices=[], scale=4, elem_id="remove-doc"
            )
            self.remove = gr.Button(
                "从报告库删除", variant="stop", scale=1, elem_id="remove-btn", elem_classes=["align-bottom"]
            )
        # removal asks first; the question names the report, and only that report is removed on 确认删除
        self.pending = gr.State(None)
        with gr.Column(visible=False, elem_id="remove-confirm") as self.confirm_box:
            self.question = gr.HTML("", elem_id="remove-question")
            with gr.Row():
                self.confirm = gr.Button("确认删除", variant="stop", elem_id="remove-confirm-btn")
                self.cancel = gr.Button("取消", variant="secondary", elem_id="remove-cancel-btn")
        self.remove_status = gr.Markdown("", elem_id="remove-status")

    def wire(self, after: list[tuple[Any, list[Any], list[Any]]]) -> None:
        """Connect the buttons; `after` are (function, inputs, outputs) to run once the index has changed."""

        def show(batch: UploadBatch) -> tuple[Any, ...]:
            """The outcome table, the batch, and the question about the next file waiting (if any)."""
            question = version_question(self.app, batch)
            more = len(batch.pending) > 1
            return (
                outcomes_html(batch.table()),
                batch if batch.pending else None,
                question or "",
                gr.update(visible=question is not None),
                gr.update(
                    visible=more,
                    value=False,
                    label=f"其余 {len(batch.pending) - 1} 份等待选择的文件也这样处理",
                ),
            )

        def do_ingest(
            files: list[str] | None, batch: UploadBatch | None, progress: gr.Progress = gr.Progress()
        ) -> tuple[Any, ...]:
            if not files:
                raise user_error("请先选择要上传的报告文件。")
            return (*show(ingest_uploads(self.app, files, progress, batch)), None, "", *self.refresh())

        def choose(choice: Choice) -> Any:
            def do(
                batch: UploadBatch | None, all_waiting: bool, progress: gr.Progress = gr.Progress()
            ) -> tuple[Any, ...]:
                if batch is None or not batch.pending:  # answered already (a second click)
                    return (
                        gr.skip(),
                        None,
                        "",
                        gr.update(visible=False),
                        gr.update(visible=False),
                        *self.refresh(),
                    )
                done = resolve_versions(self.app, batch, choice, all_waiting, progress)
                return (*show(done), *self.refresh())

            return do

        def ask_remove(doc: str | None) -> tuple[Any, ...]:
            question = removal_question(self.app, doc)
            if question is None:
                return None, "", gr.update(visible=False), "请先选择要删除的报告。"
            return doc, question, gr.update(visible=True), ""

        def do_remove(doc: str | None) -> tuple[Any, ...]:
            return (remove_report(self.app, doc), None, gr.update(visible=False), *self.refresh())

        def cancel() -> tuple[Any, ...]:
            return None, gr.update(visible=False), "已取消，报告未删除。"

        self.remove.click(
            ask_remove,
            self.to_remove,
            [self.pending, self.question, self.confirm_box, self.remove_status],
            show_progress="hidden",
        )
        self.cancel.click(cancel, None, [self.pending, self.confirm_box, self.remove_status], queue=False)
        # another choice needs its own confirmation
        self.to_remove.change(
            lambda: (None, gr.update(visible=False)), None, [self.pending, self.confirm_box], queue=False
        )

        asked = [self.outcomes, self.batch, self.version_text, self.version_box, self.version_all]
        ingest_event = self.ingest.click(
            do_ingest,
            [self.files, self.batch],
            [*asked, self.files, self.remove_status, self.listing, self.to_remove],
            concurrency_limit=1,
            show_progress_on=self.outcomes,
        )
        version_events = [
            button.click(
                choose(choice),
                [self.batch, self.version_all],
                [*asked, self.listing, self.to_remove],
                concurrency_limit=1,
                show_progress_on=self.outcomes,
            )
            for button, choice in (
                (self.version_replace, "replace"),
                (self.version_keep, "keep"),
                (self.version_cancel, "cancel"),
            )
        ]
        remove_event = self.confirm.click(
            do_remove,
            self.pending,
            [self.remove_status, self.pending, self.confirm_box, self.listing, self.to_remove],
            concurrency_limit=1,
            show_progress_on=self.remove_status,
        )
        for event in (ingest_event, remove_event, *version_events):
            for fn, inputs, outputs in after:
                event = event.then(fn, inputs, outputs, show_progress="hidden")

    def refresh_outputs(self) -> list[Any]:
        return [self.listing, self.to_remove]

    def refresh(self) -> tuple[Any, ...]:
        docs = self.app.documents()
        return documents_frame(docs), gr.update(choices=remove_choices(docs), value=None)
