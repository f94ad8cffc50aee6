"""Gradio's own words (the upload box's “拖放文件到此处 / 点击上传”, 加载中, 错误 …) in Chinese in every browser.

Gradio 6 picks the language of its built-in texts from the browser (`navigator.language`) and has no setting
to fix it: `gr.I18n` only adds keys, and for a locale gradio ships it loads its own dictionary after them, so
an en-US browser showed “Drop File Here - or - Click to Upload”. This ASGI middleware adds one script to the
app's HTML page, ahead of gradio's module script, that makes the page's `navigator.language` zh-CN; it also
marks the page `lang="zh-CN"`. Nothing else is changed, and no other response is touched."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]

LOCALE = "zh-CN"
# Run before gradio's scripts: the page's language is zh-CN; and what gradio's browser code writes in English
# whatever the language (its error toasts' title, the too-large-file message, the tooltips and screen-reader
# labels of its tables and upload box) is put in Chinese as it appears.
WORDS = {
    "Copy table data": "复制表格数据",
    "Copied": "已复制",
    "Fullscreen": "全屏",
    "Exit fullscreen": "退出全屏",
    "Exit fullscreen mode": "退出全屏",
    "Table actions": "表格操作",
    "Open cell menu": "单元格菜单",
    "Dataframe": "表格",
    "File upload": "上传文件",
    "Click to upload or drop files": "点击上传或拖入文件",
    "More tabs": "更多标签页",
    "Close": "关闭",
    "Clear": "清除",
    "Download": "下载",
}
SCRIPT_JS = (
    r"""(() => {
  const pin = (k, v) => Object.defineProperty(Navigator.prototype, k, { get: () => v, configurable: true });
  pin('language', 'zh-CN');
  pin('languages', ['zh-CN', 'zh']);
  const words = WORDS;
  const titles = { Error: '提示', Warning: '注意', Info: '提示', Success: '完成' };
  // the status line of a running event ("queue: 1/2 | 0.3s", "processing | 0.5s") is a text node gradio rewrites
  const status = [[/^processing \|/, '处理中 |'], [/^queue: (\d+)\/(\d*) \|/, '排队 $1/$2 |'],
    [/^from cache$/, '来自缓存'], [/^used cache$/, '使用缓存']];
  const say = (t) => {
    let v = t.nodeValue || '';
    for (const [re, s] of status) v = v.replace(re, s);
    if (v !== t.nodeValue) t.nodeValue = v;
  };
  const tooBig = /^File\(s\) exceed the maximum allowed size of (.+?): (.+)$/;
  const fix = (el) => {
    for (const name of ['title', 'aria-label']) {
      const said = words[el.getAttribute(name)];
      if (said) el.setAttribute(name, said);
    }
    if (el.classList.contains('toast-title') && titles[el.textContent.trim()]) {
      el.textContent = titles[el.textContent.trim()];
    }
    const m = el.classList.contains('toast-message-text') && el.textContent.trim().match(tooBig);
    if (m) el.textContent = `文件太大：${m[2]} 超过了单个文件 ${m[1].replace(/mb$/i, 'MB')} 的上限，未上传。`;
  };
  const scan = (node) => {
    if (node.nodeType === 3) say(node);
    const el = node.nodeType === 1 ? node : node.parentElement;
    if (!el) return;
    fix(el);
    if (node.nodeType !== 1) return;
    el.querySelectorAll('[title], [aria-label], .toast-title, .toast-message-text').forEach(fix);
    const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) say(texts.currentNode);
  };
  new MutationObserver((records) => {
    for (const r of records) r.type === 'childList' ? r.addedNodes.forEach(scan) : scan(r.target);
  }).observe(document.documentElement, {
    childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['title', 'aria-label'],
  });
})();"""
).replace("WORDS", json.dumps(WORDS, ensure_ascii=False))
SCRIPT = f"<script>{SCRIPT_JS}</script>".encode()
# gradio's screen-reader announcement when an event ends has no Chinese (nor English) text of its own
TRANSLATIONS = {LOCALE: {"common.complete": "完成"}}


def localize(page: bytes) -> bytes:
    """The page with the locale script first in <head> and lang="zh-CN"; a page without <head> unchanged."""
    head = page.find(b"<head>")
    if head == -1:
        return page
    page = page[: head + 6] + SCRIPT + page[head + 6 :]
    return page.replace(b'<html\n\tlang="en"', f'<html\n\tlang="{LOCALE}"'.encode(), 1).replace(
        b'<html lang="en"', f'<html lang="{LOCALE}"'.encode(), 1
    )


class ChineseLocale:
    """Rewrites the HTML pages the app serves (the page at / and its sub-pages), nothing else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Any) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or scope.get("method") != "GET" or "gradio_api" in path or "file=" in path:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if not headers.get(b"content-type", b"").startswith(b"text/html"):
                    await send(message)  # not a page: passed through as it comes
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = localize(b"".join(body))
            headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(page)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, capture)
