"""The Gradio app: 问答, 数据, 起草与审核, 报告库. `build_app(settings)` makes the Blocks; `launch_options`
gives what `launch()` needs (host, port, login, upload limit, theme, CSS) from the same settings."""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry, no version check

from typing import Any  # noqa: E402

import gradio as gr  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402

from assistant.webapp import chat_tab  # noqa: E402
from assistant.webapp.chart import CHART_CSS  # noqa: E402
from assistant.webapp.common import CSS, theme  # noqa: E402
from assistant.webapp.data_tab import DataTab  # noqa: E402
from assistant.webapp.draft_tab import DraftTab  # noqa: E402
from assistant.webapp.library_tab import LibraryTab  # noqa: E402
from assistant.webapp.locale import TRANSLATIONS, ChineseLocale  # noqa: E402
from assistant.webapp.state import AppState, ResponderFactory  # noqa: E402
from index.settings import Settings  # noqa: E402

TITLE = "绩效自评报告助手"

__all__ = ["AppState", "build_app", "launch_options", "TITLE"]


def build_app(
    settings: Settings,
    responder_factory: ResponderFactory | None = None,
    app: AppState | None = None,
) -> gr.Blocks:
    app = app or AppState(settings, responder_factory)
    with gr.Blocks(title=TITLE, analytics_enabled=False, delete_cache=(3600, 86400)) as demo:
        mode = "LLM 模式" if settings.llm_enabled and responder_factory else "离线模式，不调用大模型"
        gr.Markdown(
            f"# {TITLE}\n部门整体支出绩效自评报告的问答、数据、起草与审核。每个数字都注明出处（{mode}）。",
            elem_id="app-title",
        )
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                chat_tab.build(app)
            with gr.Tab("数据", id="data"):
                data = DataTab(app)
            with gr.Tab("起草与审核", id="draft"):
                draft = DraftTab(app)
            with gr.Tab("报告库", id="library"):
                library = LibraryTab(app)

        after = [
            (data.refresh, [], data.refresh_outputs()),
            (data.update, data.filters(), data.outputs()),
            (draft.refresh, [], draft.refresh_outputs()),
        ]
        library.wire(after)
        load = demo.load(library.refresh, None, library.refresh_outputs(), show_progress="hidden")
        for fn, inputs, outputs in after:
            load = load.then(fn, inputs, outputs, show_progress="hidden")
    demo.app_state = app  # type: ignore[attr-defined]
    return demo


def launch_options(settings: Settings) -> dict[str, Any]:
    auth = None
    if settings.app_auth is not None:
        user, _, password = settings.app_auth.get_secret_value().partition(":")
        auth = (user, password)
    return {
        "server_name": settings.app_host,
        "server_port": settings.app_port,
        "auth": auth,
        "auth_message": f"{TITLE}：请输入用户名和密码。" if auth else None,
        "max_file_size": f"{settings.upload_max_mb}mb",
        "blocked_paths": [str(settings.index_dir.resolve())],  # the index and the uploads are never served
        "footer_links": [],
        "run_history": False,
        "enable_monitoring": False,
        "mcp_server": False,
        "ssr_mode": False,
        "show_error": False,
        "theme": theme(),
        "css": CSS + CHART_CSS,
        # gradio's built-in words follow the browser's language: pinned to Chinese (see locale.py)
        "app_kwargs": {"middleware": [Middleware(ChineseLocale)]},
        "i18n": gr.I18n(**TRANSLATIONS),
    }
