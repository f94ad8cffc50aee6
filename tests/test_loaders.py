from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fixtures_build import (
    DOCX_AFTER_TABLE,
    DOCX_HEADING,
    DOCX_PARA,
    DOCX_SOFT,
    DOCX_SUBHEADING,
    DOCX_TABBED,
    PDF_AFTER_TABLE,
    PDF_PAGE2,
    PDF_PARA,
    PDF_TABLE,
    PDF_TITLE,
    build_encrypted_pdf,
    build_framed_pdf,
    build_merged_table_pdf,
    build_report_docx,
    build_report_pdf,
    build_scanned_pdf,
)

from index.loaders import SUPPORTED_SUFFIXES, LoadError, _fix_compat_cjk, load_document, sha256_file

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"

SAMPLE_LINES = [
    "# 2021年度部门整体支出绩效自评报告",
    "",
    "一、基本情况",
    "全年预算数 16898.11 万元，执行率为 94.96%。",
    "（一）存在的主要问题：绩效目标不够细化。",
]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- text files


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("gbk", b""), ("utf-16", b"")],
)
def test_encodings_give_the_same_lines(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = _write(tmp_path, "r.txt", prefix + "\n".join(SAMPLE_LINES).encode(encoding))
    doc = load_document(path)
    assert [line.text for line in doc.lines] == SAMPLE_LINES
    assert [line.number for line in doc.lines] == [1, 2, 3, 4, 5]
    assert all(line.page is None for line in doc.lines)
    assert doc.name == "r.txt" and doc.fmt == "txt"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == sha256_file(path)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_line_endings_and_trailing_newline(tmp_path: Path, newline: str) -> None:
    path = _write(tmp_path, "r.md", (newline.join(SAMPLE_LINES) + newline).encode("utf-8"))
    doc = load_document(path)
    assert doc.fmt == "md"
    assert [line.text for line in doc.lines] == SAMPLE_LINES  # no phantom empty line at the end
    assert doc.text == "\n".join(SAMPLE_LINES)


def test_line_numbers_are_file_line_numbers(tmp_path: Path) -> None:
    # Blank runs, trailing spaces and separators that str.splitlines() would split on stay as in the file.
    raw = "标题\r\n\r\n\r\n  缩进行  \r\n含\x0b垂直制表符\r\n末行"
    doc = load_document(_write(tmp_path, "r.txt", raw.encode("gb18030")))
    assert [(line.number, line.text) for line in doc.lines] == [
        (1, "标题"),
        (2, ""),
        (3, ""),
        (4, "  缩进行  "),
        (5, "含\x0b垂直制表符"),
        (6, "末行"),
    ]


def test_real_corpus_file() -> None:
    path = CORPUS / "002_9970a3a3f795190b.txt"
    if not path.exists():
        pytest.skip(f"corpus not present at {CORPUS}")
    doc = load_document(path)
    file_lines = path.read_text(encoding="utf-8").split("\n")
    # The file has 82 newlines and no final one: 83 lines, the first two blank (`grep -n` agrees).
    assert len(doc.lines) == len(file_lines) == 83
    assert doc.lines[20].number == 21 and "94.96%" in doc.lines[20].text
    assert [line.text for line in doc.lines] == file_lines
    assert doc.name == path.name and doc.sha256 == sha256_file(path)


def test_page_markers_as_headers(tmp_path: Path) -> None:
    raw = "\n— 1 —\n\n附件 2\n报告标题\n- 2 -\n第二页正文\n第 3 页\n第三页正文\n"
    doc = load_document(_write(tmp_path, "r.txt", raw.encode("utf-8")))
    assert [line.page for line in doc.lines] == [1, 1, 1, 1, 1, 2, 2, 3, 3]


def test_page_markers_as_footers(tmp_path: Path) -> None:
    body = "这是第一页的正文内容，足够长，说明页码是印在页脚而不是页眉上的。" * 2
    raw = f"{body}\n— 1 —\n第二页正文\n— 2 —\n第三页正文\n"
    doc = load_document(_write(tmp_path, "r.txt", raw.encode("utf-8")))
    assert [line.page for line in doc.lines] == [1, 1, 2, 2, 3]


def test_form_feeds_give_pages(tmp_path: Path) -> None:
    raw = "第一页\n正文\n\f第二页\n\f第三页\n"
    doc = load_document(_write(tmp_path, "r.txt", raw.encode("utf-8")))
    assert [line.page for line in doc.lines] == [1, 1, 2, 3]


# ---------------------------------------------------------------- PDF


def test_pdf_text_table_rows_and_pages(tmp_path: Path) -> None:
    doc = load_document(build_report_pdf(tmp_path / "报告.pdf"))
    assert doc.fmt == "pdf" and doc.name == "报告.pdf"
    assert [line.number for line in doc.lines] == list(range(1, len(doc.lines) + 1))
    nonblank = [(line.text, line.page) for line in doc.lines if line.text]
    rows = ["\t".join(row) for row in PDF_TABLE]  # the wrapped long cell is re-joined without a space
    assert nonblank == [
        (PDF_TITLE, 1),
        (PDF_PARA, 1),
        (rows[0], 1),
        (rows[1], 1),
        (rows[2], 1),
        (PDF_AFTER_TABLE, 1),
        (PDF_PAGE2, 2),
    ]
    # Table rows are consecutive lines, set off from the text around them by blank lines.
    texts = [line.text for line in doc.lines]
    start = texts.index(rows[0])
    assert texts[start : start + 3] == rows
    assert texts[start - 1] == "" and texts[start + 3] == ""


def test_pdf_merged_cells(tmp_path: Path) -> None:
    doc = load_document(build_merged_table_pdf(tmp_path / "m.pdf"))
    assert [line.text for line in doc.lines] == [
        "一级指标\t二级指标",  # horizontal span: once
        "产出指标\t数量\t100%",
        "产出指标\t质量\t95%",  # vertical span: repeated so the row keeps its category
    ]


def test_pdf_page_frame_is_not_a_table(tmp_path: Path) -> None:
    lines = ["一、基本情况", "全年预算数16898.11万元，执行率为94.96%。", "二、存在问题：指标不够细化。"]
    doc = load_document(build_framed_pdf(tmp_path / "f.pdf", lines))
    assert [line.text for line in doc.lines] == lines


def test_kangxi_radicals_become_ordinary_hanzi() -> None:
    # WPS-made PDFs often carry ⼀ (U+2F00) for 一 and ⾏ (U+2F8F) for 行; fullwidth punctuation stays.
    assert _fix_compat_cjk("\u2f00、执\u2f8f率（%）") == "一、执行率（%）"


def test_scanned_pdf_needs_ocr(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="OCR") as info:
        load_document(build_scanned_pdf(tmp_path / "扫描件.pdf"))
    assert "扫描件.pdf" in str(info.value)


def test_scanned_pdf_with_page_numbers_still_needs_ocr(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="OCR"):
        load_document(build_scanned_pdf(tmp_path / "s.pdf", page_numbers=True, pages=6))


def test_encrypted_pdf(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="密码"):
        load_document(build_encrypted_pdf(tmp_path / "e.pdf"))


@pytest.mark.parametrize("keep", [0.3, 0.9])
def test_truncated_pdf(tmp_path: Path, keep: float) -> None:
    data = build_report_pdf(tmp_path / "full.pdf").read_bytes()
    path = _write(tmp_path, "cut.pdf", data[: int(len(data) * keep)])
    with pytest.raises(LoadError, match="损坏或不完整") as info:
        load_document(path)
    assert "cut.pdf" in str(info.value)


def test_not_a_pdf(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="不是有效的 PDF"):
        load_document(_write(tmp_path, "x.pdf", "其实是文本".encode()))


# ---------------------------------------------------------------- DOCX


def test_docx_body_order_headings_and_rows(tmp_path: Path) -> None:
    doc = load_document(build_report_docx(tmp_path / "报告.docx"))
    assert doc.fmt == "docx"
    assert all(line.page is None for line in doc.lines)
    assert [line.text for line in doc.lines] == [
        f"# {DOCX_HEADING}",
        "",
        DOCX_PARA,
        "",
        f"## {DOCX_SUBHEADING}",
        "",
        DOCX_SOFT[0],
        DOCX_SOFT[1],
        "",
        "项目\t执行率",  # merged header cell appears once
        "保洁\t经费\t98.5%",
        "社区\t服务中心\t100%",  # two paragraphs in one cell re-joined
        "",
        DOCX_AFTER_TABLE,
        "",
        DOCX_TABBED.replace("\t", " "),  # only table rows carry tabs
    ]
    # The table of contents (content control and "toc 1" entries) is left out.
    assert not any(
        line.text.endswith(("\t1", "\t3", " 1", " 3")) or line.text == "目录" for line in doc.lines
    )


def test_truncated_docx(tmp_path: Path) -> None:
    data = build_report_docx(tmp_path / "full.docx").read_bytes()
    path = _write(tmp_path, "cut.docx", data[: len(data) // 2])
    with pytest.raises(LoadError, match="损坏或不完整") as info:
        load_document(path)
    assert "cut.docx" in str(info.value)


def test_legacy_doc_saved_as_docx(tmp_path: Path) -> None:
    path = _write(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(LoadError, match="另存为"):
        load_document(path)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("data", [b"", b"  \r\n\t\n ", "\u3000\n".encode()])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(LoadError, match="空|没有可读") as info:
        load_document(_write(tmp_path, "empty.txt", data))
    assert "empty.txt" in str(info.value)


def test_empty_pdf_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="空"):
        load_document(_write(tmp_path, "empty.pdf", b""))


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,  # NUL bytes
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\x01\x02\x03\x04\x05\x81\x30" * 50,  # neither UTF-8 nor GB18030
        b"\x01\x02\x03abc\x04\x05\x06" * 50,  # decodes, but is mostly control characters
    ],
)
def test_binary_as_txt(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(LoadError, match="文本") as info:
        load_document(_write(tmp_path, "bin.txt", data))
    assert "bin.txt" in str(info.value)


@pytest.mark.parametrize(
    ("name", "hint"), [("a.doc", "docx"), ("a.xlsx", "docx"), ("a.rar", "支持的格式"), ("noext", "无扩展名")]
)
def test_unsupported_suffix(tmp_path: Path, name: str, hint: str) -> None:
    with pytest.raises(LoadError, match="不支持") as info:
        load_document(_write(tmp_path, name, b"data"))
    message = str(info.value)
    assert hint in message and name in message
    assert all(suffix in message for suffix in SUPPORTED_SUFFIXES)


def test_uppercase_suffix_is_supported(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "R.TXT", "正文".encode()))
    assert doc.fmt == "txt" and doc.lines[0].text == "正文"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="找不到文件"):
        load_document(tmp_path / "nope.pdf")
    with pytest.raises(LoadError, match="不是一个文件"):
        load_document(tmp_path)
