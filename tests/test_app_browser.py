"""The app in a real browser: Playwright drives Debian's chromium against `python app.py` on a free loopback
port, over a copy of the session's real index. Screenshots go to tests/artifacts/ — look at them."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.integration]

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NANZHOU = "003_ceb9afcdf1314de4.txt"  # removed in the browser, then uploaded again under a Chinese name
FIRST_ANSWER_LIMIT = 1.0  # seconds from pressing send to the answer on screen


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def app_index(corpus_settings, tmp_path_factory) -> Path:
    """The app's own index: a copy of the session's, which the tests may change (uploads, removals)."""
    index = tmp_path_factory.mktemp("app") / "index"
    shutil.copytree(corpus_settings.index_dir, index)
    return index


@pytest.fixture(scope="module")
def app_url(app_index) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: `apt-get install -y chromium` (CI installs it in .ci/run)")
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIXIAO_", "OPENAI_"))}
    env |= {"GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port), "NO_PROXY": "127.0.0.1"}
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--index", str(app_index)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}; see {ARTIFACTS / 'app.log'}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.time() > deadline:
            proc.kill()
            raise RuntimeError("app.py did not start within 180 s")
        time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _context(browser, locale: str, width: int, height: int):
    context = browser.new_context(
        locale=locale, viewport={"width": width, "height": height}, accept_downloads=True
    )
    context.set_default_timeout(30_000)
    return context


@pytest.fixture(scope="module")
def browser_context(browser):
    context = _context(browser, "zh-CN", 1400, 1000)
    yield context
    context.close()


def _open(context, app_url: str):
    page = context.new_page()
    page.goto(app_url)
    page.wait_for_selector("#question-box textarea")
    return page


@pytest.fixture
def page(browser_context, app_url, request):
    page = _open(browser_context, app_url)
    yield page
    _shot(page, f"last_{request.node.name}")  # the screen as the test left it (on a failure too)
    page.close()


@pytest.fixture
def phone(browser, app_url, request):
    """A phone-sized page (390 × 844, touch)."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    context.set_default_timeout(30_000)
    page = _open(context, app_url)
    yield page
    _shot(page, f"last_{request.node.name}")
    context.close()


def _ask(page, question: str, expect: str) -> float:
    """Type a question, press send, wait until the answer holds `expect`; seconds from send to answer."""
    page.fill("#question-box textarea", question)
    count = page.locator("#chat-html .msg.bot").count()
    start = time.perf_counter()
    page.click("#send-btn")
    page.wait_for_function(
        """([n, text]) => {
            const bots = document.querySelectorAll('#chat-html .msg.bot .answer-text');
            return bots.length > n && bots[bots.length - 1].innerText.includes(text);
        }""",
        arg=[count, expect],
        polling="raf",
        timeout=20_000,
    )
    return time.perf_counter() - start


def _wait_text(page, selector: str, *texts: str, absent: tuple[str, ...] = (), timeout: int = 30_000) -> str:
    """Wait until the element's text holds every one of `texts` and none of `absent`; its text."""
    page.wait_for_function(
        """([sel, texts, absent]) => {
            const t = document.querySelector(sel)?.innerText ?? '';
            return texts.every((x) => t.includes(x)) && !absent.some((x) => t.includes(x));
        }""",
        arg=[selector, list(texts), list(absent)],
        timeout=timeout,
    )
    return page.locator(selector).inner_text()


def _pick(page, dropdown: str, option: str) -> None:
    page.click(f"{dropdown} input")
    page.locator("[role=option]", has_text=option).first.click()


def _goto_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def test_chat_answer_with_citation_and_source(page):
    elapsed = _ask(page, "永平街的预算执行率是多少？", "94.96%")
    (ARTIFACTS / "send_to_answer_seconds.txt").write_text(f"{elapsed:.3f}\n")
    answer = page.locator("#chat-html .msg.bot").last
    chip = answer.locator(".cite-chip").first
    chip.wait_for()
    assert "永平街道" in chip.inner_text()
    _shot(page, "01_chat_answer")
    assert elapsed < FIRST_ANSWER_LIMIT, f"answer took {elapsed:.2f} s to appear"

    chip.click()
    source = page.locator("#chat-source")
    source.locator("mark").first.wait_for()
    text = source.inner_text()
    assert "002_9970a3a3f795190b.txt" in text and "第21行" in text
    assert "94.96%" in source.locator("mark").first.inner_text()
    _shot(page, "02_source_passage")

    # a follow-up resolves against the previous question, as in `chat`
    _ask(page, "那洛浦街呢？", "82.2%")
    page.locator("#chat-html .msg.bot").last.locator(".cite-chip").first.click()
    _wait_text(page, "#chat-source", "000_dfbd2fd614bc8960.txt")
    _shot(page, "03_follow_up")


def test_data_table_filter_chart_and_xlsx(page, tmp_path):
    from openpyxl import load_workbook

    _goto_tab(page, "数据")
    _wait_text(page, "#facts-table", "洛浦街道")
    _wait_text(page, "#chart-table", "99.56%")  # unfiltered: every unit has a bar
    _pick(page, "#f-units", "永平街道")
    _pick(page, "#f-units", "洛浦街道")
    page.keyboard.press("Escape")
    _pick(page, "#f-metrics", "预算执行率")
    page.keyboard.press("Escape")
    _wait_text(page, "body", "共 2 条数字")
    _wait_text(page, "#facts-table", "94.96%", "82.2%", absent=("南洲街道", "小谷围街道", "自评得分"))
    bars = _wait_text(page, "#chart-table", "94.96%", "82.2%", absent=("99.56%",))
    assert "002_9970a3a3f795190b.txt" in bars
    assert [(b["unit"], b["year"], b["shown"]) for b in _bars(page)] == [
        ("永平街道", "2021年", "94.96%"),
        ("洛浦街道", "2021年", "82.2%"),
    ]
    page.locator("#chart-table .body-cell", has_text="永平街道").first.click()
    page.locator("#data-source mark").first.wait_for()
    _shot(page, "04_data_filtered_chart")

    with page.expect_download() as download:
        page.click("#xlsx-download")
    path = tmp_path / "facts.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    rows = list(book["数字明细"].iter_rows(min_row=2, values_only=True))
    assert sorted((r[0], r[3], r[5]) for r in rows) == [
        ("永平街道", "预算执行率", 94.96),
        ("洛浦街道", "预算执行率", 82.2),
    ]
    sheet = book["图表数据"]
    header = [c.value for c in sheet[1]]
    bars = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert [(b["图中标签"], b["数值"]) for b in bars] == [
        ("永平街道 2021年", 94.96),
        ("洛浦街道 2021年", 82.2),
    ]


def test_draft_and_review_for_luopu_and_docx(page, tmp_path):
    from docx import Document

    _goto_tab(page, "起草与审核")
    page.wait_for_function("() => (document.querySelector('#draft-unit input')?.value ?? '') !== ''")
    _pick(page, "#draft-unit", "洛浦街道")
    page.click("#draft-run")
    problems = page.locator("#draft-problems textarea")
    page.wait_for_function(
        "() => document.querySelector('#draft-problems textarea').value.includes('预算执行率偏低')"
    )
    assert "82.2%" in problems.input_value()
    page.locator("#draft-refs .cite-chip").first.click()
    page.locator("#draft-source mark").first.wait_for()
    _shot(page, "05_draft")

    # the draft is editable, and the .docx follows the edit: a clean 公文 body, the sources as endnotes,
    # and a number no source holds is warned about in the file as on screen, with no claim that all stand
    edited = problems.input_value().replace("82.2%", "88.2%", 1)
    problems.fill(edited)
    problems.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\n（九）由用户补充的一条问题。")
    status = _wait_text(page, "body", "草稿已修改", "88.2 不在所引原文中", "是新增内容")
    with page.expect_download() as download:
        page.click("#docx-download")
    assert download.value.suggested_filename.endswith(".docx")
    path = tmp_path / "draft.docx"
    download.value.save_as(path)
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "洛浦街道" in text and "预算执行率偏低" in text and "由用户补充的一条问题" in text
    assert "88.2%" in text and "所列数字均出自所引原文" not in text
    assert "问题（一）中的数字 88.2 不在所引原文中" in text and "问题（三）是新增内容" in text
    assert not re.search(r"\[\d+\]", text) and "〔对应问题" not in text
    assert round(document.sections[0].top_margin.mm) == 37 and "<w:endnoteReference" in document.element.xml
    assert "Word 文件将附上以下提示" in status

    page.get_by_role("tab", name="审核：数字自查").click()
    review = page.locator("#review-html")
    assert "82.24%" in _wait_text(page, "#review-html", "预算执行率")
    review.locator(".cite-chip").first.click()
    page.locator("#draft-source mark").first.wait_for()
    _shot(page, "06_review")


INVENTED_REPORT = """青禾县农业农村局2023年度部门整体支出绩效自评报告
一、部门基本情况
青禾县农业农村局负责全县农业生产、农村建设和农民增收工作，内设机构六个。
二、部门整体收支情况
2023年度全年预算数1280.50万元，执行数1166.03万元，预算执行率为91.06%。
三、绩效自评情况
根据评价指标体系，本局2023年度部门整体支出绩效自评得分为90.5分。
四、存在的主要问题
部分项目资金拨付进度偏慢，绩效目标设置不够细化。
五、下一步改进措施
加快资金拨付进度，细化绩效目标，加强绩效运行监控。
"""


def _remove_with_confirmation(page, doc: str, who: str) -> str:
    """Choose `doc`, press 从报告库删除: nothing is removed until the question naming it is confirmed."""
    _pick(page, "#remove-doc", doc)
    page.click("#remove-btn")
    question = _wait_text(page, "#remove-question", "确定从报告库删除", who, doc)
    assert page.locator("#remove-confirm-btn").is_visible()
    page.click("#remove-confirm-btn")
    _wait_text(page, "#remove-status", f"已从报告库删除 {doc}")
    _wait_text(page, "#report-list", "洛浦街道", absent=(doc,))
    assert not page.locator("#remove-confirm-btn").is_visible()
    return question


def test_library_remove_upload_and_answer(page, tmp_path, corpus_dir, app_index):
    _goto_tab(page, "报告库")
    _wait_text(page, "#report-list", "广州市海珠区人民政府南洲街道办事处")

    # one click removes nothing: it asks, and 取消 keeps the report
    _pick(page, "#remove-doc", NANZHOU)
    page.click("#remove-btn")
    _wait_text(page, "#remove-question", "确定从报告库删除", "南洲街道办事处", NANZHOU)
    _shot(page, "07a_library_remove_asks")
    page.click("#remove-cancel-btn")
    _wait_text(page, "#remove-status", "已取消，报告未删除")
    page.wait_for_timeout(500)
    assert "南洲街道办事处" in page.locator("#report-list").inner_text()
    question = _remove_with_confirmation(page, NANZHOU, "南洲街道办事处")
    assert "上传副本" not in question  # ingested from the corpus folder: the app holds no copy of it
    assert (corpus_dir / NANZHOU).exists()

    report = tmp_path / "南洲街道2023年绩效自评报告.txt"
    shutil.copyfile(corpus_dir / NANZHOU, report)
    invented = tmp_path / "青禾县农业农村局2023年自评.txt"
    invented.write_text(INVENTED_REPORT, "utf-8")
    notice = tmp_path / "会议通知.txt"
    notice.write_text(
        "关于召开年度工作会议的通知\n各科室：定于下周一上午九点召开工作会议，请准时参加。\n", "utf-8"
    )
    page.set_input_files("#upload-files input[type=file]", [str(report), str(invented), str(notice)])
    _wait_text(
        page, "#upload-files", "会议通知", "南洲街道2023年绩效自评报告"
    )  # name and extension render apart
    # every progress text shown while importing, as it changes
    page.evaluate(
        """() => {
            window.progressSeen = [];
            const note = () => {
                for (const el of document.querySelectorAll('.progress-text, .progress-level, .meta-text')) {
                    const t = el.innerText.trim();
                    if (t && window.progressSeen.at(-1) !== t) window.progressSeen.push(t);
                }
            };
            new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
        }"""
    )
    page.click("#ingest-btn")
    page.locator(".progress-level, .progress-text").first.wait_for(timeout=20_000)
    _shot(page, "07_library_ingesting")
    outcomes = page.locator("#ingest-outcomes")
    outcomes.locator("table").wait_for(timeout=240_000)
    text = outcomes.inner_text()
    assert "已导入" in text and "南洲街道" in text and "青禾县" in text
    assert "未导入" in text and "不是绩效自评报告" in text
    seen = page.evaluate("window.progressSeen")
    (ARTIFACTS / "ingest_progress_seen.txt").write_text("\n".join(seen) + "\n", "utf-8")
    assert not [t for t in seen if re.search(r"processing|queue", t)], seen  # gradio's status in Chinese
    for step in ("解析", "切分", "向量化", "入库"):
        assert any(f"南洲街道2023年绩效自评报告.txt：{step}" in t for t in seen), (step, seen)
    shares = [float(m) for t in seen for m in re.findall(r"(\d+(?:\.\d+)?)%", t)]
    assert any(0 < x < 100 for x in shares) and shares == sorted(shares), seen  # real, rising fractions
    listed = _wait_text(page, "#report-list", "广州市海珠区人民政府南洲街道办事处")
    assert "南洲街道2023年绩效自评报告_" in listed  # stored under a generated name
    _shot(page, "08_library_uploaded")

    _goto_tab(page, "问答")
    _ask(page, "南洲街道的预算执行率是多少？", "99.56%")
    chip = page.locator("#chat-html .msg.bot").last.locator(".cite-chip").first
    chip.click()
    _wait_text(page, "#chat-source", "南洲街道2023年绩效自评报告_")
    _shot(page, "09_uploaded_answerable")

    # removing an uploaded report removes the copy the app stored, and only that one
    _goto_tab(page, "报告库")
    uploads = app_index / "uploads"
    qinghe = next(p.name for p in uploads.iterdir() if p.name.startswith("青禾县"))
    question = _remove_with_confirmation(page, qinghe, "青禾县农业农村局")
    assert "上传副本也一并删除" in question
    _wait_text(page, "#remove-status", "并删除了上传副本")
    assert sorted(p.name.split("_")[0] for p in uploads.iterdir()) == ["南洲街道2023年绩效自评报告"]
    assert invented.exists()  # the user's own file is not the app's copy


# ---- the chart, the phone, the language ------------------------------------------------------------------
def _bars(page) -> list[dict]:
    """Every bar drawn: its unit, year and figure as shown, its value and the drawn length of its fill."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#metric-chart .bar-row')].map((b) => ({
            unit: b.querySelector('.bar-unit').innerText.trim(),
            year: b.querySelector('.bar-year').innerText.trim(),
            shown: b.querySelector('.bar-value').innerText.trim(),
            value: parseFloat(b.dataset.value),
            width: b.querySelector('.bar-fill').getBoundingClientRect().width,
        }))"""
    )


def _rows(page, selector: str) -> list[list[str]]:
    """The cells of a gradio Dataframe, row by row, as shown."""
    return page.evaluate(
        """(sel) => {
            const rows = {};
            for (const c of document.querySelectorAll(sel + ' .body-cell[data-row][data-col]')) {
                (rows[c.dataset.row] ??= [])[Number(c.dataset.col)] = c.innerText.trim();
            }
            return Object.keys(rows).sort((a, b) => a - b).map((k) => rows[k]);
        }""",
        selector,
    )


def _chart_against_table(page, metric: str) -> tuple[list[dict], list[list[str]]]:
    """The bars and the table under the chart once both show `metric` and agree (or, after 15 s, as they are)."""
    page.wait_for_function(
        "(m) => document.querySelector('#metric-chart .bar-chart')?.dataset.metric === m", arg=metric
    )
    deadline = time.time() + 15
    while True:
        bars, rows = _bars(page), _rows(page, "#chart-table")
        if [(b["unit"], b["year"], b["shown"]) for b in bars] == [(r[0], f"{r[1]}年", r[2]) for r in rows]:
            return bars, rows
        if time.time() > deadline:
            return bars, rows
        page.wait_for_timeout(100)


def test_the_chart_draws_each_chosen_metric_bar_for_bar_as_the_table_under_it(page):
    _goto_tab(page, "数据")
    _wait_text(page, "#chart-table", "99.56%")
    for metric in ("自评得分", "全年预算数", "预算执行率"):  # three changes of metric
        _pick(page, "#chart-metric", metric)
        bars, rows = _chart_against_table(page, metric)
        assert rows, metric
        # every bar is its table row: unit, year, figure; one bar per row, in the table's order
        assert [(b["unit"], b["year"], b["shown"]) for b in bars] == [(r[0], f"{r[1]}年", r[2]) for r in rows]
        # and it is drawn to scale: lengths in the ratio of the values
        for bar in bars[1:]:
            expected = bars[0]["width"] * bar["value"] / bars[0]["value"]
            assert abs(bar["width"] - expected) <= 1 + 0.01 * expected, (metric, bar, bars[0])
        chart = page.locator("#metric-chart").inner_text()
        assert metric in chart and "2021、2023" in chart  # the years compared are said
        note = page.locator("#chart-note").inner_text()
        assert "换算" not in note  # the figures compared as written (all in one unit here)
        _shot(page, f"10_chart_{metric}")
    # a unit whose report states no self-evaluation score gets no bar, and the note says so
    _pick(page, "#chart-metric", "自评得分")
    bars, _ = _chart_against_table(page, "自评得分")
    assert "小谷围街道" not in {b["unit"] for b in bars} and len(bars) == 4
    _wait_text(page, "body", "报告中未载明自评得分的单位：小谷围街道 2021年")


def _in_view(page, selector: str) -> None:
    page.wait_for_function(
        """(sel) => {
            const el = document.querySelector(sel);
            if (!el) return false;
            const r = el.getBoundingClientRect();
            return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
        }""",
        arg=selector,
        timeout=10_000,
    )


def test_on_a_phone_a_tapped_citation_shows_its_source_and_chart_labels_do_not_overlap(phone):
    assert "右侧" not in phone.locator("body").inner_text()
    _ask(phone, "永平街的预算执行率是多少？", "94.96%")
    phone.locator("#chat-html .msg.bot").last.locator(".cite-chip").first.tap()
    phone.locator("#chat-source mark").first.wait_for()
    _in_view(phone, "#chat-source mark")  # brought into view, not 1,000 px below
    _shot(phone, "11_phone_source")
    back = phone.locator("#chat-source .back-link")
    assert back.is_visible() and "返回对话" in back.inner_text()
    back.tap()
    _in_view(phone, "#chat-html .cite-chip.active")

    _goto_tab(phone, "数据")
    _wait_text(phone, "#chart-table", "99.56%")
    for metric in ("全年预算数", "预算执行率"):
        _pick(phone, "#chart-metric", metric)
        bars, _ = _chart_against_table(phone, metric)
        boxes = phone.evaluate(
            """() => {
                const chart = document.querySelector('#metric-chart .bar-chart').getBoundingClientRect();
                const out = [];
                for (const bar of document.querySelectorAll('#metric-chart .bar-row')) {
                    for (const part of bar.querySelectorAll('.bar-unit, .bar-year, .bar-value, .bar-fill')) {
                        const r = part.getBoundingClientRect();
                        out.push({name: bar.dataset.label + ' ' + part.className, left: r.left, right: r.right,
                                  top: r.top, bottom: r.bottom, inside: r.left >= chart.left - 0.5
                                  && r.right <= chart.right + 0.5});
                    }
                }
                return out;
            }"""
        )
        assert len(boxes) == 4 * len(bars) and all(b["inside"] for b in boxes), boxes
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = (
                    min(a["right"], b["right"]) - max(a["left"], b["left"]),
                    min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]),
                )
                assert min(overlap) <= 0.5, (a, b)
        _shot(phone, f"12_phone_chart_{metric}")
    phone.locator("#metric-chart .bar-row").first.tap()
    phone.locator("#data-source mark").first.wait_for()
    _in_view(phone, "#data-source mark")


ALLOWED_LATIN = {"PDF", "TXT", "Word", "Markdown", "docx", "xlsx", "Excel", "txt", "md", "pdf", "MB"}


def test_an_en_us_browser_sees_every_word_in_chinese(browser, app_url, tmp_path):
    context = _context(browser, "en-US", 1400, 1000)
    page = _open(context, app_url)
    try:
        assert page.evaluate("navigator.language") == "zh-CN"
        for tab in ("问答", "数据", "起草与审核", "报告库"):
            _goto_tab(page, tab)
            page.wait_for_timeout(500)
            text = re.sub(r"[\w.-]+\.(?:txt|md|pdf|docx|xlsx)\b", "", page.locator("body").inner_text())
            english = set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED_LATIN
            assert not english, (tab, english)
            labels = page.evaluate(
                "() => [...document.querySelectorAll('[title], [aria-label], [placeholder]')].flatMap("
                "(e) => ['title', 'aria-label', 'placeholder'].map((a) => e.getAttribute(a) || ''))"
            )
            english = {v for v in labels if re.fullmatch(r"[\x00-\x7f]*[A-Za-z]{3,}[\x00-\x7f]*", v)}
            assert not english, (tab, english)
        upload = page.locator("#upload-files").inner_text()
        assert "Drop" not in upload and "Upload" not in upload and re.search(r"[\u4e00-\u9fff]", upload)
        # gradio refuses a file over the limit in the browser, in English unless told otherwise
        big = tmp_path / "太大的报告.txt"
        with big.open("wb") as f:
            f.truncate(51 * 1024 * 1024)
        page.set_input_files("#upload-files input[type=file]", [str(big)])
        toast = page.locator("[data-testid=toast-body]").first
        toast.wait_for()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=toast-body]')?.innerText.includes('文件太大')"
        )
        said = toast.inner_text()
        assert "太大的报告.txt" in said and "50.0 MB" in said and not re.search(r"Error|exceed", said), said
        _shot(page, "13_en_us_library")
    finally:
        context.close()


# ---- a new version of a report in the library --------------------------------------------------------------
def _shichuan(folder: Path, name: str, rate: str, note: str = "") -> Path:
    """An invented unit's report with its 执行率 stated as `rate`: each rate is another version of it."""
    path = folder / name
    text = INVENTED_REPORT.replace("青禾县农业农村局", "石川市文化广电旅游局").replace("91.06%", rate)
    path.write_text(text + note, "utf-8")
    return path


def _stored(path: Path) -> str:
    """The name the app stores (and indexes) an upload under."""
    import hashlib

    from assistant.webapp.uploads import upload_name

    return upload_name(path.name, hashlib.sha256(path.read_bytes()).hexdigest())


def _import(page, *files: Path) -> None:
    page.set_input_files("#upload-files input[type=file]", [str(f) for f in files])
    _wait_text(page, "#upload-files", *(f.stem for f in files))
    page.click("#ingest-btn")


def test_a_new_version_of_a_report_asks_to_replace_or_keep_both(page, tmp_path, app_index):
    """Issue 11: an upload whose unit and year the library holds is asked about (替换旧版本 / 两份都保留 /
    取消) with both files named; a file without a conflict in the same upload is imported without waiting."""
    _goto_tab(page, "报告库")
    uploads = app_index / "uploads"
    ours = lambda: sorted(p.name for p in uploads.iterdir() if p.name.startswith("石川市"))  # noqa: E731
    v1 = _shichuan(tmp_path, "石川市文旅局2023年自评报告.txt", "91.06%")
    _import(page, v1)
    _wait_text(page, "#ingest-outcomes", v1.name, "已导入")
    _wait_text(page, "#report-list", _stored(v1))
    assert not page.locator("#version-confirm").is_visible()

    v2 = _shichuan(tmp_path, "石川市文旅局2023年自评报告（修订）.txt", "93.20%")
    yunling = tmp_path / "云岭县水务局2023年自评.txt"
    yunling.write_text(INVENTED_REPORT.replace("青禾县农业农村局", "云岭县水务局"), "utf-8")
    _import(page, v2, yunling)
    question = _wait_text(page, "#version-question", "石川市文化广电旅游局", _stored(v1), v2.name)
    assert "91.06% → 93.20%" in question and "旧上传副本一并删除" in question
    for button in ("替换旧版本", "两份都保留", "取消"):
        assert page.get_by_role("button", name=button, exact=True).is_visible()
    outcomes = _wait_text(page, "#ingest-outcomes", "待选择", yunling.name)
    assert "已导入" in outcomes  # 云岭县 did not wait for the answer
    _wait_text(page, "#report-list", _stored(yunling), _stored(v1), absent=(_stored(v2),))
    _shot(page, "14_library_new_version_asks")

    page.click("#version-cancel-btn")  # 取消: nothing imported, the stored copy gone
    _wait_text(page, "#ingest-outcomes", "已取消", absent=("待选择",))
    assert not page.locator("#version-confirm").is_visible()
    assert ours() == [_stored(v1)]

    _import(page, v2)  # 替换旧版本: the new one in, the old one and its copy out
    _wait_text(page, "#version-question", _stored(v1), v2.name)
    page.click("#version-replace-btn")
    _wait_text(page, "#ingest-outcomes", "已更新", "已替换同单位同年度的", absent=("待选择",))
    _wait_text(page, "#report-list", _stored(v2), absent=(_stored(v1),))
    assert not page.locator("#version-confirm").is_visible()
    assert ours() == [_stored(v2)]

    v3 = _shichuan(tmp_path, "石川市文旅局2023年自评报告（第三版）.txt", "95.00%")
    _import(page, v3)  # 两份都保留
    _wait_text(page, "#version-question", _stored(v2), v3.name, "93.20% → 95.00%")
    page.click("#version-keep-btn")
    _wait_text(page, "#ingest-outcomes", "两份都保留", absent=("待选择",))
    _wait_text(page, "#report-list", _stored(v2), _stored(v3))
    assert ours() == sorted([_stored(v2), _stored(v3)])
    _shot(page, "15_library_kept_both")


def test_gradios_english_status_text_is_said_in_chinese(browser, app_url):
    """Gradio writes "queue: 1/2 |" then "processing |" in a text node of its status line while an event runs (a
    slow tab shows it for seconds): the page says it in Chinese, as gradio writes it and as it rewrites it."""
    context = _context(browser, "en-US", 1400, 1000)
    page = _open(context, app_url)
    try:
        shown = page.evaluate(
            """async () => {
                const tick = () => new Promise((r) => setTimeout(r, 0));
                const line = document.createElement('div');
                line.className = 'progress-text meta-text';
                const words = document.createTextNode('queue: 1/2 |');
                line.append(words, document.createTextNode(' 0.5s'));
                document.querySelector('.gradio-container').appendChild(line);
                await tick();
                const queued = line.innerText;
                words.nodeValue = 'processing |';
                await tick();
                const running = line.innerText;
                line.remove();
                return [queued, running];
            }"""
        )
        assert shown == ["排队 1/2 | 0.5s", "处理中 | 0.5s"], shown
    finally:
        context.close()
