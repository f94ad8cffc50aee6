"""报告库: upload reports (PDF, DOCX, TXT, MD; size-limited), ingest them with a progress bar, say what
became of each file in plain words, list what is indexed, remove a report.

An uploaded file's name never chooses a path: the file is copied into <index_dir>/uploads/ under a name made
of the safe characters of its stem and a digest of its content."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from assistant.webapp.common import user_error
from assistant.webapp.render import esc
from assistant.webapp.state import AppState
from index.loaders import sha256_file
from index.models import IngestOutcome, IngestStage, IngestStep
from index.repair import StageFn
from index.store import IndexMissing

log = logging.getLogger(__name__)

ALLOWED = (".pdf", ".docx", ".txt", ".md")
FORMATS = "PDF、Word（.docx）、TXT、Markdown（.md）"
HINTS = {
    ".doc": "旧版 Word（.doc）请在 Word 或 WPS 中“另存为” .docx 后上传。",
    ".wps": "WPS 文档请“另存为” .docx 后上传。",
    ".xls": "表格文件不能作为报告导入。",
    ".xlsx": "表格文件不能作为报告导入。",
}
STEM_MAX = 40
LIST_COLUMNS = ["单位", "区", "年度", "类型", "格式", "文件"]
STATUS = {"added": "已导入", "updated": "已更新", "unchanged": "未变化", "failed": "未导入"}


def safe_stem(name: str) -> str:
    """The safe part of an uploaded file's name: letters (Chinese included), digits, '-', '_'; nothing that
    could climb out of a folder, hide a file or name a device."""
    stem = Path(unicodedata.normalize("NFKC", name).replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    stem = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", stem, flags=re.UNICODE).strip("._-")
    return stem[:STEM_MAX] or "report"


def upload_name(original: str, digest: str) -> str:
    return f"{safe_stem(original)}_{digest[:10]}{Path(original).suffix.lower()}"


def check_upload(original: str, size: int, max_mb: int) -> str | None:
    """Why a file may not be uploaded, in plain words; None when it may."""
    suffix = Path(original).suffix.lower()
    if suffix not in ALLOWED:
        shown = suffix or "无扩展名"
        return f"不支持的文件类型（{shown}）。只接受 {FORMATS}。" + HINTS.get(suffix, "")
    if size == 0:
        return "文件是空的。"
    if size > max_mb * 1024 * 1024:
        return f"文件太大（{size / 1024 / 1024:.1f} MB），单个文件不能超过 {max_mb} MB。"
    return None


@dataclass
class Stored:
    original: str
    path: Path | None  # where it was copied, None when refused
    error: str | None = None


def store_upload(src: Path, original: str, uploads: Path, max_mb: int) -> Stored:
    """Check an uploaded file and copy it into `uploads` under a generated name."""
    try:
        size = src.stat().st_size
    except OSError:
        return Stored(original, None, "上传的文件没有收到，请重新上传。")
    error = check_upload(original, size, max_mb)
    if error:
        return Stored(original, None, error)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    try:
        uploads.mkdir(parents=True, exist_ok=True)
        target = (uploads / upload_name(original, digest)).resolve()
        if target.parent != uploads.resolve():  # cannot happen with a generated name; refuse if it ever does
            return Stored(original, None, "文件名无效。")
        if not target.exists():
            shutil.copyfile(src, target)
    except OSError as exc:  # a read-only index folder, a full disk
        why = "磁盘空间不足" if exc.errno == 28 else "报告库所在的目录不可写（可能是只读的）"
        return Stored(
            original, None, f"无法保存上传的文件：{why}。请联系管理员检查索引目录 {uploads.parent}。"
        )
    return Stored(original, target)


def outcome_text(outcome: IngestOutcome, original: str, stored_name: str) -> str:
    """What became of a file, in plain Chinese; internal detail stays out of the sentence."""
    if outcome.status in ("added", "updated"):
        district = outcome.details.get("district") if outcome.details else None
        parts = [outcome.org or "", f"{outcome.year}年" if outcome.year else "", str(district or "")]
        who = "，".join(p for p in parts if p)
        verb = "已导入" if outcome.status == "added" else "已更新"
        said = f"{verb}：{who}。识别出段落 {outcome.chunks} 个、数字 {outcome.facts} 个，现在可以提问。"
        return f"{said}{outcome.message}" if outcome.message else said  # what was not found, if anything
    if outcome.status == "unchanged":
        return "报告库中已有这份文件，内容相同，未重复导入。"
    message = outcome.message.replace(stored_name, original)
    if "导入失败（索引未改动）" in message:
        return "导入失败，报告库未改动：文件可能已损坏，或内容无法识别。请用 Word/WPS 重新导出后再试。"
    return message


def outcomes_html(rows: list[tuple[str, str, str]]) -> str:
    if not rows:
        return ""
    body = "".join(
        f'<tr><td>{esc(name)}</td><td><span class="badge {"ok" if status in ("已导入", "已更新") else "warn" if status == "未变化" else "bad"}">'
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


def ingest_uploads(
    app: AppState, files: list[str] | None, progress: Any = None
) -> list[tuple[str, str, str]]:
    """Store, check and ingest uploaded files; (original name, status, plain message) for each."""
    rows: list[tuple[str, str, str]] = []
    stored: list[Stored] = []
    for f in files or []:
        src = Path(f)
        item = store_upload(src, src.name, app.uploads_dir, app.settings.upload_max_mb)
        if item.error:
            rows.append((item.original, STATUS["failed"], item.error))
        else:
            stored.append(item)
    if not stored:
        return rows
    with app.write_lock:
        try:
            indexer = app.indexer()
        except IndexMissing as exc:  # a read-only or damaged index: each file told why, in plain words
            for item in stored:
                assert item.path is not None
                item.path.unlink(missing_ok=True)
            return rows + [(item.original, STATUS["failed"], str(exc)) for item in stored]
        for i, item in enumerate(stored):
            assert item.path is not None
            outcome = indexer.ingest_file(
                item.path, stage=stage_reporter(progress, i, len(stored), item.original)
            )
            if outcome.status == "failed":
                log.warning("ingest of %s failed: %s", item.path.name, outcome.message)
            # a copy the index does not hold (refused, or a renamed copy of a report already indexed) is not kept
            if outcome.status == "failed" or indexer.store.document_sha(item.path.name) is None:
                item.path.unlink(missing_ok=True)
            for old in outcome.details.get("replaced") or []:  # a new version took its place: its copy goes
                (app.uploads_dir / str(old)).unlink(missing_ok=True)
            rows.append(
                (item.original, STATUS[outcome.status], outcome_text(outcome, item.original, item.path.name))
            )
        if progress is not None:
            progress(1.0, desc="正在更新问答索引…")
        indexer.store.close()
        app.reload()
    return rows


# The share of one file's ingest done when each step starts. Measured on the corpus with e5-torch: reading and
# parsing ~0.03 s, chunking and extracting ~0.03 s, embedding ~1.2 s for ~25 chunks, writing ~0.1 s.
STEP_START: dict[IngestStep, float] = {"解析": 0.0, "切分": 0.03, "向量化": 0.06, "入库": 0.94}
_STEP_END: dict[IngestStep, float] = {"解析": 0.03, "切分": 0.06, "向量化": 0.94, "入库": 1.0}


def file_stage(step: str, within: float) -> IngestStage:
    """The pipeline's (step, share of that step done) as the share of the whole file done."""
    name: IngestStep = step if step in STEP_START else "入库"  # type: ignore[assignment]
    start, end = STEP_START[name], _STEP_END[name]
    detail = f"{round(within * 100)}%" if name == "向量化" and within > 0 else ""
    return IngestStage(name, start + (end - start) * min(max(within, 0.0), 1.0), detail)


def stage_reporter(progress: Any, i: int, total: int, name: str) -> StageFn | None:
    """The pipeline's steps for file i of total, as gradio progress: the whole upload's share done, and in
    words which file and which step (解析/切分/向量化/入库), with the share of the embedding done so far."""
    if progress is None:
        return None

    def report(step: str, within: float) -> None:
        stage = file_stage(step, within)
        detail = f"（{stage.detail}）" if stage.detail else ""
        progress((i + stage.done) / total, desc=f"第 {i + 1}/{total} 份 {name}：{stage.step}{detail}")

    return report


def uploaded_copy(app: AppState, doc: str) -> Path | None:
    """The app's own stored copy of an indexed report: a file of that name in the uploads folder holding the
    very content indexed. A report ingested from anywhere else has none, and nothing outside is touched."""
    sha = next((d.get("sha256") for d in app.documents() if d["doc"] == doc), None)
    uploads = app.uploads_dir.resolve()
    path = (uploads / Path(doc).name).resolve()
    if not sha or path.parent != uploads or not path.is_file() or path.is_symlink():
        return None
    return path if sha256_file(path) == sha else None


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

        def do_ingest(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
            if not files:
                raise user_error("请先选择要上传的报告文件。")
            rows = ingest_uploads(self.app, files, progress)
            return (outcomes_html(rows), None, "", *self.refresh())

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

        ingest_event = self.ingest.click(
            do_ingest,
            self.files,
            [self.outcomes, self.files, self.remove_status, self.listing, self.to_remove],
            concurrency_limit=1,
            show_progress_on=self.outcomes,
        )
        remove_event = self.confirm.click(
            do_remove,
            self.pending,
            [self.remove_status, self.pending, self.confirm_box, self.listing, self.to_remove],
            concurrency_limit=1,
            show_progress_on=self.remove_status,
        )
        for event in (ingest_event, remove_event):
            for fn, inputs, outputs in after:
                event = event.then(fn, inputs, outputs, show_progress="hidden")

    def refresh_outputs(self) -> list[Any]:
        return [self.listing, self.to_remove]

    def refresh(self) -> tuple[Any, ...]:
        docs = self.app.documents()
        return documents_frame(docs), gr.update(choices=remove_choices(docs), value=None)
