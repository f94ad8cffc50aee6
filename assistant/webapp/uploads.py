"""What becomes of uploaded files: checked, stored, ingested with stage progress, said in plain words; a new
version of a report already in the library waits for the user's choice (替换旧版本 / 两份都保留 / 取消).

An uploaded file's name never chooses a path: the file is copied into <index_dir>/uploads/ under a name made
of the safe characters of its stem and a digest of its content. Which report a file is, is decided by
index/identity.py (`on_conflict="ask"` there); this module only asks and then passes the answer on."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant.webapp.render import esc
from assistant.webapp.state import AppState
from index.loaders import sha256_file
from index.models import IngestOutcome, IngestStage, IngestStep, ReportVersion, VersionConflict
from index.pipeline import Indexer
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
STATUS = {"added": "已导入", "updated": "已更新", "unchanged": "未变化", "failed": "未导入"}
WAITING = "待选择"  # a new version of a report in the library, until the user chooses
CANCELLED = "已取消"
Row = tuple[str, str, str]  # (the user's file name, status, what became of it in plain words)
Choice = Literal["replace", "keep", "cancel"]


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


# ---- new versions wait for the user's choice ---------------------------------------------------------------
@dataclass
class PendingVersion:
    """An uploaded file whose unit and year a report in the library already has; its stored copy stays in
    the uploads folder, unindexed, until the user chooses."""

    original: str  # the user's file name
    path: Path  # the app's stored copy
    conflict: VersionConflict


@dataclass
class UploadBatch:
    """One user's uploads: the files settled, and those waiting for a choice (asked one at a time, in order)."""

    rows: list[Row] = field(default_factory=list)
    pending: list[PendingVersion] = field(default_factory=list)

    def table(self) -> list[Row]:
        waiting = [
            (
                p.original,
                WAITING,
                f"报告库中已有{_who(p.conflict)}的报告 {p.conflict.old.doc}，请在下方选择。",
            )
            for p in self.pending
        ]
        return self.rows + waiting


def _who(conflict: VersionConflict) -> str:
    return f"{conflict.org}（{conflict.year}年）" if conflict.year else conflict.org


def _size(version: ReportVersion) -> str:
    if version.size is None:
        return "—"
    return (
        f"{version.size / 1024:.1f} KB" if version.size < 1024 * 1024 else f"{version.size / 1048576:.1f} MB"
    )


def version_question(app: AppState, batch: UploadBatch | None) -> str | None:
    """The question about the first file waiting, with both versions side by side; None when none waits."""
    if batch is None or not batch.pending:
        return None
    first = batch.pending[0]
    c = first.conflict
    old, new = c.old, c.new
    cells = [
        ("文件", esc(old.doc), esc(first.original)),
        ("大小", _size(old), _size(new)),
        ("字数", f"{old.chars:,}", f"{new.chars:,}"),
        ("段落 / 数字", f"{old.chunks} / {old.facts}", f"{new.chunks} / {new.facts}"),
        ("导入时间", esc(old.indexed_at or "不详"), "（本次上传）"),
    ]
    table = "".join(f"<tr><td>{a}</td><td>{b}</td><td>{n}</td></tr>" for a, b, n in cells)
    changes = (
        "主要数字的不同：" + "；".join(esc(x) for x in c.changes) + "。"
        if c.changes
        else "两份的主要数字（执行率、得分、预算数等）相同，差别在正文。"
    )
    copy = "，应用保存的旧上传副本一并删除" if uploaded_copy(app, old.doc) else ""
    more = len(batch.pending) - 1
    waiting = f"<p>另有 {more} 份文件等待选择，处理完这一份后依次询问。</p>" if more else ""
    return (
        f'<p class="confirm-text">报告库中已有 <b>{esc(_who(c))}</b> 的报告 <code>{esc(old.doc)}</code>，'
        f"新上传的 <code>{esc(first.original)}</code> 内容不同，是同单位同年度的另一个版本。"
        "要替换旧版本，还是两份都保留？</p>"
        f'<table class="outcome-table version-table"><tr><th></th><th>报告库中的旧版本</th><th>新上传</th></tr>'
        f"{table}</table><p>{changes}</p>"
        f"<p>替换旧版本：旧版本从报告库移除{copy}，问答、数据和起草改用新版本。"
        "两份都保留：两份都能检索，数据表和图表中这个单位这一年会出现两次。取消：不导入新文件，报告库不变。</p>"
        f"{waiting}"
    )


def _ingest_one(
    app: AppState,
    indexer: Indexer,
    original: str,
    path: Path,
    on_conflict: Literal["replace", "keep", "ask"],
    stage: StageFn | None,
) -> Row | PendingVersion:
    """Ingest one stored upload: its row, or the question it waits for. The stored copy is kept only if
    the index holds it; a replaced report's copy goes, as the remove flow does (only the app's own copy
    holding that very content)."""
    shas = {r["doc"]: r["sha256"] for r in indexer.store.documents()}  # before a replacement forgets them
    outcome = indexer.ingest_file(path, on_conflict, stage=stage)
    if outcome.status == "conflict":
        conflict = outcome.details["conflict"]
        assert isinstance(conflict, VersionConflict)
        return PendingVersion(original, path, conflict)
    if outcome.status == "failed":
        log.warning("ingest of %s failed: %s", path.name, outcome.message)
    # a copy the index does not hold (refused, or a renamed copy of a report already indexed) is not kept
    if outcome.status == "failed" or indexer.store.document_sha(path.name) is None:
        path.unlink(missing_ok=True)
    for old in outcome.details.get("replaced") or []:  # type: ignore[attr-defined]
        copy = held_copy(app.uploads_dir, str(old), shas.get(str(old)))
        if copy is not None:
            copy.unlink(missing_ok=True)
    return (original, STATUS[outcome.status], outcome_text(outcome, original, path.name))


def ingest_uploads(
    app: AppState, files: list[str] | None, progress: Any = None, batch: UploadBatch | None = None
) -> UploadBatch:
    """Store, check and ingest uploaded files: each settled at once, except a new version of a report the
    library holds, which waits for the user's choice (kept after those still waiting from `batch`)."""
    out = UploadBatch([], list(batch.pending) if batch else [])
    stored: list[Stored] = []
    for f in files or []:
        src = Path(f)
        item = store_upload(src, src.name, app.uploads_dir, app.settings.upload_max_mb)
        if item.error:
            out.rows.append((item.original, STATUS["failed"], item.error))
        else:
            stored.append(item)
    if not stored:
        return out
    with app.write_lock:
        try:
            indexer = app.indexer()
        except IndexMissing as exc:  # a read-only or damaged index: each file told why, in plain words
            for item in stored:
                assert item.path is not None
                item.path.unlink(missing_ok=True)
            out.rows += [(item.original, STATUS["failed"], str(exc)) for item in stored]
            return out
        for i, item in enumerate(stored):
            assert item.path is not None
            stage = stage_reporter(progress, i, len(stored), item.original)
            done = _ingest_one(app, indexer, item.original, item.path, "ask", stage)
            if isinstance(done, PendingVersion):
                out.pending.append(done)
            else:
                out.rows.append(done)
        if progress is not None:
            progress(1.0, desc="正在更新问答索引…")
        indexer.store.close()
        app.reload()
    return out


def resolve_versions(
    app: AppState, batch: UploadBatch, choice: Choice, all_waiting: bool = False, progress: Any = None
) -> UploadBatch:
    """Do what the user chose for the first file waiting (or for every one, `all_waiting`): replace the old
    version, keep both, or import nothing (the stored copy is removed)."""
    chosen = batch.pending if all_waiting else batch.pending[:1]
    out = UploadBatch(list(batch.rows), batch.pending[len(chosen) :])
    if not chosen:
        return out
    with app.write_lock:
        if choice == "cancel":
            for p in chosen:
                _drop_copy(app, p.path)
                said = f"已取消，未导入；报告库中的 {p.conflict.old.doc} 保持不变。"
                out.rows.append((p.original, CANCELLED, said))
            return out
        try:
            indexer = app.indexer()
        except IndexMissing as exc:
            for p in chosen:
                p.path.unlink(missing_ok=True)
                out.rows.append((p.original, STATUS["failed"], str(exc)))
            return out
        for i, p in enumerate(chosen):
            stage = stage_reporter(progress, i, len(chosen), p.original)
            row = _ingest_one(app, indexer, p.original, p.path, choice, stage)
            assert not isinstance(row, PendingVersion)  # "replace" and "keep" always decide
            out.rows.append(row)
        if progress is not None:
            progress(1.0, desc="正在更新问答索引…")
        indexer.store.close()
        app.reload()
    return out


def _drop_copy(app: AppState, path: Path) -> None:
    """Remove a stored upload the index does not hold (another upload of the same content may since have
    been indexed under that name: then it stays)."""
    if not any(d["doc"] == path.name for d in app.documents()):
        path.unlink(missing_ok=True)


def drop_pending(app: AppState, batch: UploadBatch | None) -> None:
    """A session closed with questions unanswered: their stored copies go (gradio's State delete_callback)."""
    if batch is None:
        return
    with app.write_lock:
        for p in batch.pending:
            _drop_copy(app, p.path)


# ---- progress ----------------------------------------------------------------------------------------------
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


# ---- the app's own copies ------------------------------------------------------------------------------
def held_copy(uploads: Path, doc: str, sha: str | None) -> Path | None:
    """The app's stored copy of report `doc`: a file of that name in the uploads folder holding the very
    content indexed (`sha`). A report ingested from anywhere else has none, and nothing outside is touched."""
    uploads = uploads.resolve()
    path = (uploads / Path(doc).name).resolve()
    if not sha or path.parent != uploads or not path.is_file() or path.is_symlink():
        return None
    return path if sha256_file(path) == sha else None


def uploaded_copy(app: AppState, doc: str) -> Path | None:
    """The app's own stored copy of an indexed report (see held_copy)."""
    sha = next((d.get("sha256") for d in app.documents() if d["doc"] == doc), None)
    return held_copy(app.uploads_dir, doc, str(sha) if sha else None)
