"""Look and shared pieces of the app: theme (system fonts only: nothing is fetched from the internet), CSS,
and an HTML block whose citation chips report clicks back to Python."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gradio as gr

# A click on anything carrying data-cite inside the block is sent to Python with all its data-* values.
CLICK_JS = """
element.addEventListener('click', (event) => {
  const el = event.target.closest('[data-cite]');
  if (!el || !element.contains(el)) return;
  element.querySelectorAll('.active').forEach((x) => x.classList.remove('active'));
  el.classList.add('active');
  window.jixiaoLastCite = el;  // where a phone's "back" link returns to
  trigger('click', Object.assign({}, el.dataset));
});
watch('value', () => {
  const log = element.querySelector('.chat-log');
  if (log) log.scrollTop = log.scrollHeight;
});
"""

FONTS = [
    "PingFang SC",
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "system-ui",
    "sans-serif",
]


def theme() -> gr.themes.Base:
    return gr.themes.Default(
        primary_hue="red",
        secondary_hue="slate",
        neutral_hue="slate",
        font=FONTS,
        font_mono=["Noto Sans Mono CJK SC", "Consolas", "monospace"],
    )


def clickable_html(value: str = "", **kwargs: Any) -> gr.HTML:
    return gr.HTML(value, js_on_load=CLICK_JS, **kwargs)


# A source panel's "back" link (shown on narrow screens only) returns to what was tapped.
BACK_JS = """
element.addEventListener('click', (event) => {
  const link = event.target.closest('.back-link');
  if (!link) return;
  const box = document.getElementById(link.dataset.back);
  const last = window.jixiaoLastCite;
  const target = box && last && box.contains(last) ? last : box;
  if (target) target.scrollIntoView({ behavior: 'smooth', block: 'center' });
});
"""


def source_panel(value: str, elem_id: str) -> gr.HTML:
    return gr.HTML(value, elem_id=elem_id, js_on_load=BACK_JS)


def with_back(html: str, target: str, label: str) -> str:
    """A source passage with a link back to `target` (an elem_id), for a phone where the passage is far below."""
    return f'{html}<button type="button" class="back-link" data-back="{target}">↑ {label}</button>'


def reveal(elem_id: str) -> str:
    """JS run once a source panel is filled. On a phone the panel sits under everything else, far below what
    was tapped: bring it into view. Side by side on a wide screen it is already in view, and nothing moves."""
    return (
        f"() => {{ const el = document.getElementById('{elem_id}'); if (!el) return;"
        " const top = el.getBoundingClientRect().top;"
        " if (top < 0 || top > window.innerHeight * 0.6) el.scrollIntoView({ behavior: 'smooth', block: 'start' }); }"
    )


class Download:
    """A button that makes its file from what is on screen at the moment it is pressed, then downloads it.

    (A DownloadButton downloads the file it already holds; one refreshed after every keystroke or filter
    change can lag behind the screen. So the visible button builds the file, hands it to a hidden
    DownloadButton and clicks that.)"""

    def __init__(self, label: str, elem_id: str, **kwargs: Any) -> None:
        self.button = gr.Button(label, elem_id=elem_id, **kwargs)
        self.hidden_id = f"{elem_id}-file"
        self.file = gr.DownloadButton(label, visible="hidden", elem_id=self.hidden_id)

    def wire(self, fn: Any, inputs: list[Any]) -> None:
        js = (
            f"() => {{ const el = document.getElementById('{self.hidden_id}');"
            " const b = el && (el.tagName === 'BUTTON' ? el : el.querySelector('button, a'));"
            " if (b) b.click(); }"
        )
        self.button.click(fn, inputs, self.file, show_progress="hidden").success(None, None, None, js=js)


def event_data(evt: gr.EventData) -> Mapping[str, str]:
    data = getattr(evt, "_data", None)
    return data if isinstance(data, Mapping) else {}


def to_int(value: object, default: int = -1) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return default


CSS = """
.gradio-container { max-width: 1400px !important; }
#app-title h1 { font-size: 1.6rem; margin: 0.2rem 0; }
#app-title p { color: var(--body-text-color-subdued); margin: 0; }

/* the conversation */
.chat-log { height: 520px; overflow-y: auto; padding: 12px; border: 1px solid var(--border-color-primary);
  border-radius: 8px; background: var(--background-fill-secondary); }
.chat-log.empty { display: flex; align-items: center; justify-content: center; }
.chat-log .hint { color: var(--body-text-color-subdued); max-width: 32em; line-height: 1.8; text-align: center; }
.msg { display: flex; margin: 10px 0; }
.msg.user { justify-content: flex-end; }
.msg .bubble { max-width: 88%; padding: 10px 14px; border-radius: 10px; line-height: 1.75; font-size: 15px; }
.msg.user .bubble { background: #b91c1c; color: #fff; }
.msg.bot .bubble { background: var(--background-fill-primary); border: 1px solid var(--border-color-primary); }
.msg.bot .bubble.not-found { border-left: 4px solid #d97706; }
.msg.bot .bubble.pending .answer-text::after { content: " ▍"; color: #b91c1c; }
.cite-ref { color: #b91c1c; cursor: pointer; text-decoration: none; font-weight: 600; }
.chips { margin-top: 8px; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.chips-label { font-size: 12px; color: var(--body-text-color-subdued); margin-right: 2px; }
button.cite-chip { font-size: 12.5px !important; padding: 2px 10px !important; border-radius: 999px !important;
  cursor: pointer; border: 1px solid #fca5a5 !important; background: #fef2f2 !important; color: #991b1b !important;
  line-height: 1.6 !important; opacity: 1 !important; }
button.cite-chip:hover, button.cite-chip.active { background: #b91c1c !important; color: #fff !important;
  border-color: #b91c1c !important; }
.cite-ref.active { background: #b91c1c; color: #fff; border-radius: 3px; }
#examples-row { flex-wrap: wrap; gap: 6px; }
#examples-row button { flex: 0 0 auto !important; min-width: 0 !important; width: auto !important;
  white-space: nowrap; }
.dropped { margin-top: 6px; font-size: 12.5px; color: #92400e; }
.muted { color: var(--body-text-color-subdued); }

/* the source passage */
.source-view { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 12px 14px;
  background: var(--background-fill-primary); min-height: 120px; }
.source-view.empty { display: flex; align-items: center; }
.src-title { font-weight: 700; font-size: 15px; margin-bottom: 4px; }
.src-meta { font-size: 13px; color: var(--body-text-color-subdued); margin-bottom: 8px; line-height: 1.7; }
.src-meta code { font-size: 12.5px; }
.src-body { font-size: 14px; line-height: 1.8; max-height: 460px; overflow-y: auto; }
.src-line { display: flex; gap: 10px; padding: 1px 4px; }
.src-line.blank { min-height: 0.6em; }
.src-line.cited { background: #fff7ed; border-left: 3px solid #f59e0b; }
.src-line .ln { flex: 0 0 3.2em; text-align: right; color: #94a3b8; font-variant-numeric: tabular-nums;
  user-select: none; }
.src-line .tx { flex: 1; white-space: pre-wrap; word-break: break-all; }
.src-line mark { background: #fde047; color: #111; padding: 0 1px; border-radius: 2px; }
.src-quote { border-left: 3px solid #cbd5e1; padding-left: 10px; color: #475569; }
.warn { color: #b45309; font-size: 13px; }
.sticky-col { position: sticky; top: 8px; align-self: flex-start; }
.back-link { display: none; }
@media (max-width: 700px) {
  .back-link { display: inline-block; margin-top: 8px; padding: 4px 12px; border-radius: 999px; font-size: 13px;
    border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary); cursor: pointer; }
  .sticky-col { position: static; }
}

/* draft, review, library */
.refs ol { padding-left: 1.6em; margin: 4px 0; }
.refs li { margin: 4px 0; line-height: 1.7; font-size: 14px; }
.refs .q { color: #334155; }
.review-table, .outcome-table { width: 100%; border-collapse: collapse; font-size: 14px; }
.review-table th, .review-table td, .outcome-table th, .outcome-table td {
  border-bottom: 1px solid var(--border-color-primary); padding: 6px 8px; text-align: left; vertical-align: top; }
.review-table th, .outcome-table th { background: var(--background-fill-secondary); font-weight: 600; }
.review-table td, .review-table th, .outcome-table td, .outcome-table th { border-left: none !important;
  border-right: none !important; border-top: none !important; border-color: var(--border-color-primary) !important; }
.review-table, .outcome-table { border: none !important; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12.5px; white-space: nowrap; }
.badge.ok { background: #dcfce7; color: #166534; }
.badge.warn { background: #fef9c3; color: #854d0e; }
.badge.bad { background: #fee2e2; color: #991b1b; }
.align-bottom { align-self: flex-end !important; }
.section-note { font-size: 13px; color: var(--body-text-color-subdued); }
"""


def user_error(message: str) -> gr.Error:
    """An error toast in the UI's language (gradio titles it "Error" unless told otherwise)."""
    return gr.Error(message, title="提示", print_exception=False)
