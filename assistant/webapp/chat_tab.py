"""问答: a conversation with follow-ups (through ChatSession, so an LLM responder streams the same way), each
answer's citations as numbered chips, and the source passage of the chip clicked."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import gradio as gr

from assistant.models import Answer, Citation
from assistant.webapp.common import clickable_html, event_data, reveal, source_panel, to_int, with_back
from assistant.webapp.render import conversation_html, placeholder, source_html
from assistant.webapp.state import AppState
from index.embedders import EmbedderUnavailable
from index.store import IndexMissing

log = logging.getLogger(__name__)

EXAMPLES = (
    "永平街的预算执行率是多少？",
    "那洛浦街呢？",
    "洛浦街还有多少预算没花出去？",
    "2021年番禺几个街道谁的执行率最高？",
    "南洲街道存在什么问题？",
)
SOURCE_HINT = "点击回答下方的引文编号，这里显示报告原文：所引的句子以黄色标出，并注明文件和行号。"


def new_state() -> dict[str, Any]:
    return {"turns": [], "previous": None}


def citation_dict(c: Citation) -> dict[str, object]:
    return c.to_dict() | {"line_end": c.line_end}


def turn_from(question: str, answer: Answer) -> dict[str, object]:
    return {
        "q": question,
        "text": answer.answer,
        "found": answer.found,
        "citations": [citation_dict(c) for c in answer.citations],
        "dropped": list(answer.dropped),
    }


def respond(app: AppState, question: str, state: dict[str, Any] | None) -> Iterator[tuple[str, dict, str]]:
    """Yields (conversation HTML, state, question box): the question at once, the answer as it comes."""
    question = (question or "").strip()
    state = dict(state or new_state())
    turns = list(state.get("turns") or [])
    names = app.names()
    if not question:
        yield conversation_html(turns, names), state, ""
        return
    turn: dict[str, object] = {"q": question, "text": "", "citations": [], "found": True, "dropped": []}
    turns.append(turn)
    state["turns"] = turns
    yield conversation_html(turns, names, pending=True), state, ""

    session = app.session(state.get("previous"))
    if session is None:
        empty = "报告库中还没有报告。请先到“报告库”页上传报告，导入完成后再提问。"
        turn.update(text=app.refused or empty, found=False)
        yield conversation_html(turns, names), state, ""
        return
    final: Answer | None = None
    try:
        for piece in session.stream(question):
            if isinstance(piece, Answer):
                final = piece
            else:
                turn["text"] = str(turn["text"]) + piece
                yield conversation_html(turns, names, pending=True), state, ""
    except Exception as exc:  # the user sees a plain sentence; the details go to the log
        log.exception("answering %r failed", question)
        # an LLM, an embedding service or the index's model: messages written for the user, saying the fix
        plain = type(exc).__name__ == "LLMError" or isinstance(exc, EmbedderUnavailable | IndexMissing)
        message = str(exc) if plain else "回答时出现内部错误，请换个问法再试。"
        turn.update(text=message, found=False, citations=[])
        yield conversation_html(turns, names), state, ""
        return
    if final is not None:
        turn.update(turn_from(question, final))
        state["previous"] = session.previous
    yield conversation_html(turns, names), state, ""


def source_for(app: AppState, state: dict[str, Any] | None, turn: int, number: int) -> str:
    turns = (state or {}).get("turns") or []
    if not 0 <= turn < len(turns):
        return placeholder(SOURCE_HINT)
    citations = turns[turn].get("citations") or []
    if not 1 <= number <= len(citations):
        return placeholder(SOURCE_HINT)
    citation = citations[number - 1]
    doc = str(citation["doc"])
    return source_html(app.source(doc), citation, app.names().get(doc, ""), number)


def build(app: AppState) -> None:
    state = gr.State(new_state())
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = clickable_html(conversation_html([], {}), elem_id="chat-html")
            with gr.Row():
                question = gr.Textbox(
                    placeholder="输入问题，按回车或点“发送”，例如：永平街的预算执行率是多少？",
                    label="问题",
                    show_label=False,
                    lines=1,
                    max_lines=4,
                    scale=5,
                    elem_id="question-box",
                )
                send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="send-btn")
            with gr.Row(elem_id="examples-row"):
                examples = [
                    gr.Button(q, size="sm", variant="secondary", min_width=60, elem_classes=["example-q"])
                    for q in EXAMPLES
                ]
                clear = gr.Button("清空对话", size="sm", variant="stop", min_width=60)
        with gr.Column(scale=2, elem_classes=["sticky-col"]):
            gr.Markdown("#### 原文出处")
            source = source_panel(placeholder(SOURCE_HINT), "chat-source")

    def on_send(q: str, s: dict[str, Any]) -> Iterator[tuple[str, dict, str]]:
        yield from respond(app, q, s)

    def on_click(s: dict[str, Any], evt: gr.EventData) -> str:
        data = event_data(evt)
        html = source_for(app, s, to_int(data.get("turn")), to_int(data.get("cite")))
        return with_back(html, "chat-html", "返回对话")

    def on_clear() -> tuple[str, dict, str]:
        return conversation_html([], {}), new_state(), placeholder(SOURCE_HINT)

    io = {"inputs": [question, state], "outputs": [chat, state, question], "show_progress": "hidden"}
    send.click(on_send, **io)
    question.submit(on_send, **io)
    for button in examples:
        button.click(lambda q: q, button, question, queue=False).then(on_send, **io)
    chat.click(on_click, state, source, show_progress="hidden").then(
        None, None, None, js=reveal("chat-source")
    )
    clear.click(on_clear, None, [chat, state, source], queue=False)
