"""Command line: `python -m assistant ingest|facts|ask|chat|run|list|remove|draft|review` (also installed as `jixiao`)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from index.settings import Settings  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterable

    from assistant.engine import Engine
    from assistant.models import Answer, ParsedQuestion
    from assistant.session import Responder

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SKIPPED_SHOWN = 10  # more files than this skipped as unchanged are said in one line
RESUME_HINT = "再次运行同一命令即可从中断处继续（已完成的文件直接跳过）。"


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if getattr(args, "index", None):
        settings = settings.model_copy(update={"index_dir": Path(args.index)})
    return settings


def _dump(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False))


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from index.batch_ingest import ingest_folder, plan
    from index.embedders import EmbedderUnavailable
    from index.pipeline import Indexer
    from index.repair import prepare_rebuild

    settings = _settings(args)
    paths = [Path(p) for p in args.paths]
    if args.rebuild:
        paths, said = prepare_rebuild(settings, paths)
        for line in said:
            print(line, file=sys.stderr)
    elif not paths:
        print("请给出要导入的报告文件或目录（或用 --rebuild 以当前向量模型重建索引）。", file=sys.stderr)
        return 2
    indexer = Indexer(settings)
    inner = tqdm(
        total=100,
        desc="",
        file=sys.stderr,
        disable=args.quiet,
        leave=False,
        bar_format="{desc} {bar} {percentage:3.0f}%",
    )

    def stage(name: str, fraction: float) -> None:  # within one file: 解析/切分/向量化/入库
        inner.set_description_str(name)
        inner.n = round(100 * fraction)
        inner.refresh()

    if args.rebuild:  # every report's vectors again, with the current model, from the chunks SQLite keeps
        chunks = indexer.rebuild(stage)
        reports = len(indexer.store.documents())
        if reports:
            print(f"已用向量模型 {indexer.embedder.name} 重建 {reports} 份报告的向量（{chunks} 段）。")
        if not paths:
            inner.close()
            return 0
    repair = indexer.prepare(stage)
    if repair.message() and not args.rebuild:  # after a rebuild every vector is new: said above
        tqdm.write(repair.message(), file=sys.stderr)
    folder = plan(indexer, paths)
    if folder.resume_message():
        tqdm.write(folder.resume_message(), file=sys.stderr)
    if folder.remaining:  # the model loaded before the bar starts, so that its ETA counts files only
        with contextlib.suppress(EmbedderUnavailable):  # said per file, with the fix
            indexer.embedder  # noqa: B018
    # the bar runs over the whole folder; its rate, and so its ETA, only over the files read in this run
    bar = tqdm(
        total=len(folder.files),
        initial=len(folder.done),
        unit="份",
        desc="导入",
        file=sys.stderr,
        disable=args.quiet,
    )

    def progress(done: int, total: int, name: str) -> None:
        bar.n = done
        bar.set_postfix_str(name[:30])
        bar.refresh()

    workers = getattr(args, "workers", None) or settings.ingest_workers
    on_conflict = "keep" if args.keep_both else "replace"
    run = ingest_folder(indexer, folder, on_conflict, workers, progress, stage)
    outcomes = run.outcomes
    inner.close()
    bar.close()
    labels = {"added": "已导入", "updated": "已更新", "unchanged": "未变化", "failed": "失败"}
    skipped = [o for o in outcomes if o.details.get("same_file")]
    if len(skipped) > SKIPPED_SHOWN:  # a resumed run over a big folder: one line, not hundreds
        print(f"[未变化] {len(skipped)} 份内容未变，跳过（已在索引中）")
    for o in outcomes:
        if len(skipped) > SKIPPED_SHOWN and o.details.get("same_file"):
            continue
        label = "已替换" if o.details.get("replaced") else labels[o.status]
        if o.details.get("verdict") == "unsure":
            label += "·待确认"
        detail = (
            f"{o.org or ''} {o.year or ''} 段落{o.chunks} 数字{o.facts} {o.message}".rstrip()
            if o.status in ("added", "updated")
            else o.message
        )
        if o.details.get("replaced"):
            detail += "如要两份都保留，请加 --keep-both 重新导入旧文件。"
        doc = str(o.details.get("doc") or Path(o.path).name)
        shown = doc if doc == Path(o.path).name else f"{Path(o.path).name} → {doc}"
        print(f"[{label}] {_safe(shown)}  {detail}")
    failed = sum(o.status == "failed" for o in outcomes)
    if run.interrupted:
        print(
            f"已中断：{len(folder.files)} 份中已完成 {run.indexed} 份。索引完好；{RESUME_HINT}",
            file=sys.stderr,
        )
        return 130
    if not outcomes and not args.rebuild:
        print("没有找到可导入的文件：支持 .txt .md .pdf .docx（隐藏文件不导入）。", file=sys.stderr)
    print(
        f"共 {len(outcomes)} 个文件：{len(outcomes) - failed} 个成功，{failed} 个失败。索引位置：{indexer.settings.index_dir}"
    )
    return 1 if failed or not (outcomes or args.rebuild) else 0


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"应为正整数（如 2），而不是 {text!r}")
    return int(text)


def _safe(name: str) -> str:
    """A file name holding a tab or a line break would break a line of output: those are shown escaped
    (\\t, \\n), the rest of the name as it is."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group(0))[1:-1], name)


def cmd_confirm(args: argparse.Namespace) -> int:
    from index.pipeline import Indexer

    indexer = Indexer(_settings(args))
    if not indexer.confirm(args.doc):
        print(f"索引中没有 {args.doc}（用 `python -m assistant list` 查看已索引的报告）", file=sys.stderr)
        return 1
    print(f"已确认 {args.doc} 是绩效自评报告：它将参与跨单位排名与比较。")
    return 0


def _open_engine(settings: Settings) -> Engine:
    from assistant.engine import Engine

    engine = Engine.open(settings)
    for note in engine.notes:
        print(f"提示：{note}", file=sys.stderr)
    return engine


def cmd_facts(args: argparse.Namespace) -> int:
    from index.store import ReportStore

    store = ReportStore(_settings(args).sqlite_path, create=False)
    facts = store.facts(args.org)
    if args.json:
        _dump(
            [
                {
                    "org": f.org,
                    "year": f.year,
                    "metric": f.metric,
                    "item": f.item,
                    "value": f.value,
                    "unit": f.unit,
                    "quote": f.quote,
                    "doc": f.doc,
                    "line": f.line,
                }
                for f in facts
            ]
        )
    else:
        for f in facts:
            item = f"[{f.item}]" if f.item else ""
            print(
                f"{f.org} {f.year} {f.metric}{item} = {f.text or f'{f.value:g} {f.unit}'}    {f.doc}:{f.line}"
                f"  「{f.quote[:50]}」"
            )
    return 0


def _print_answer(answer_dict: dict[str, object]) -> None:
    print(answer_dict["answer"])
    _print_citations(answer_dict)


def _print_citations(answer_dict: dict[str, object]) -> None:
    citations = answer_dict["citations"]
    assert isinstance(citations, list)
    for i, c in enumerate(citations, 1):
        print(f"  [{i}] {c['doc']} 第{c['line']}行 · {c['org']} · {c['section']}\n      「{c['quote']}」")


def _responder(engine: Engine) -> Responder | None:
    """LLM mode when OPENAI_BASE_URL (or JIXIAO_LLM_BASE_URL) is set; None means the offline engine."""
    if not engine.settings.llm_enabled:
        return None
    from assistant.llm_answer import LLMResponder

    return LLMResponder(engine)


def _answer(
    engine: Engine, responder: Responder | None, question: str, previous: ParsedQuestion | None = None
) -> tuple[Answer, ParsedQuestion]:
    from assistant.engine import cap_question
    from assistant.multipart import ask_parts

    if responder is None:
        return engine.ask(question, previous)

    def complete(parsed: ParsedQuestion) -> Answer:
        return [p for p in responder.stream(parsed) if not isinstance(p, str)][-1]

    question, _ = cap_question(question)
    several = ask_parts(question, previous, engine.parser.parse, complete)
    if several is not None:  # each part answered by the model's responder, `parts` in the JSON
        return several
    parsed = engine.parser.parse(question, previous)
    return complete(parsed), parsed


def _print_streamed(pieces: Iterable[str | Answer], llm: bool) -> Answer:
    """Text to the terminal as it is written (in LLM mode: sentence by sentence, each verified), then the
    citations and, in LLM mode, what verification removed."""
    shown: list[str] = []
    final: Answer | None = None
    for piece in pieces:
        if isinstance(piece, str):
            shown.append(piece)
            print(piece, end="", flush=True)
        else:
            final = piece
    print()
    assert final is not None, "a responder must end with an Answer"
    if "".join(shown).strip() != final.answer.strip():
        print(f"核对后的答案：\n{final.answer}")
    _print_citations(final.to_dict())
    if llm and final.dropped:
        print("未通过引文核对、已删除的内容：")
        for line in final.dropped:
            print(f"  - {line}")
    return final


def cmd_ask(args: argparse.Namespace) -> int:
    engine = _open_engine(_settings(args))
    responder = _responder(engine)
    if args.questions:
        with open(args.questions, encoding="utf-8") as fh:
            for number, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    row = json.loads(raw)
                    if not isinstance(row, dict) or not isinstance(row.get("question"), str):
                        raise ValueError("缺少 question 字段")
                except ValueError as exc:
                    print(
                        f"{args.questions} 第{number}行不是合法的问题：{exc}。每行应是一个 JSON 对象，"
                        '如 {"id": "q1", "question": "永平街的预算执行率是多少？"}。',
                        file=sys.stderr,
                    )
                    return 2
                previous = None
                for earlier in row.get("history") or []:
                    previous = engine.parser.parse(earlier, previous)
                answer, _ = _answer(engine, responder, row["question"], previous)
                _dump({"id": row.get("id"), **answer.to_dict()})
        return 0
    if not args.question:
        print('请给出问题，例如：python -m assistant ask "永平街的预算执行率是多少？"', file=sys.stderr)
        return 2
    if args.json:
        answer, _ = _answer(engine, responder, args.question)
        _dump(answer.to_dict())
    elif responder is not None:
        _print_streamed(responder.stream(engine.parser.parse(args.question)), llm=True)
    else:
        answer, _ = engine.ask(args.question)
        _print_answer(answer.to_dict())
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from assistant.session import ChatSession

    engine = _open_engine(_settings(args))
    responder = _responder(engine)
    session = ChatSession(engine, responder)
    mode = (
        f"LLM 模式：模型 {engine.settings.llm_model}，每句均经引文核对"
        if responder is not None
        else "离线模式"
    )
    print(f"绩效自评报告助手（{mode}）。输入问题，空行或 Ctrl-D 退出。")
    while True:
        try:
            question = input("问> ").strip()
        except EOFError:
            break
        if not question:
            break
        _print_streamed(session.stream(question), llm=responder is not None)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The main job on the embedded default: build the index from the corpus if there is none, then answer."""
    settings = _settings(args)
    if not settings.sqlite_path.exists():
        print(f"没有索引，先导入 {args.corpus} …", file=sys.stderr)
        ingest_args = argparse.Namespace(
            paths=[args.corpus], index=args.index, quiet=False, rebuild=False, keep_both=False
        )
        if cmd_ingest(ingest_args):
            return 1
    if args.question or not sys.stdin.isatty():
        questions = args.question or [
            "永平街的预算执行率是多少？",
            "洛浦街还有多少预算没花出去？",
            "2021年番禺几个街道谁的执行率最高？",
        ]
        engine = _open_engine(settings)
        responder = _responder(engine)
        for q in questions:
            print(f"问：{q}")
            if responder is not None:
                _print_streamed(responder.stream(engine.parser.parse(q)), llm=True)
            else:
                answer, _ = engine.ask(q)
                _print_answer(answer.to_dict())
            print()
        return 0
    return cmd_chat(args)


def cmd_list(args: argparse.Namespace) -> int:
    from index.store import ReportStore

    store = ReportStore(_settings(args).sqlite_path, create=False)
    for r in store.documents():
        unsure = "\t待确认" if r["verdict"] == "unsure" else ""
        print(
            f"{_safe(r['doc'])}\t{_safe(r['org'])}\t{r['district'] or ''}\t{r['year'] or ''}\t{r['kind']}{unsure}"
        )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from index.pipeline import Indexer

    indexer = Indexer(_settings(args))
    ok = indexer.remove(args.doc)
    print(
        f"已删除 {args.doc}"
        if ok
        else f"索引中没有 {args.doc}（用 `python -m assistant list` 查看已索引的报告）"
    )
    return 0 if ok else 1


def cmd_draft(args: argparse.Namespace) -> int:
    """Draft 三、存在的主要问题 and 四、下一步改进措施 for a unit, every item cited."""
    from assistant.draft import UnitNotFound, build_draft, render_markdown, to_json

    engine = _open_engine(_settings(args))
    try:
        draft = build_draft(engine, args.unit, args.year)
    except UnitNotFound as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if engine.settings.llm_enabled:
        from assistant.llm_draft import kept_offline, polish_draft

        offline = draft
        draft = polish_draft(offline, engine)
        kept = kept_offline(offline, draft)
        total = len(draft.problems) + len(draft.measures)
        print(
            f"LLM 模式：模型 {engine.settings.llm_model} 润色了 {total - len(kept)}/{total} 条，"
            "每条的数字与引文均经核对。",
            file=sys.stderr,
        )
        if kept:
            print(f"以下条目保留离线文字：{'、'.join(kept)}", file=sys.stderr)
    if args.format == "docx":
        from assistant.docx_export import docx_bytes, write_docx

        if args.out:
            write_docx(draft, args.out)
            print(f"已写入 {args.out}", file=sys.stderr)
        elif sys.stdout.isatty():
            print("错误：docx 是二进制文件，请用 --out 指定文件名（或重定向到文件）。", file=sys.stderr)
            return 2
        else:
            sys.stdout.buffer.write(docx_bytes(draft))
        return 0
    text = (
        json.dumps(to_json(draft), ensure_ascii=False, indent=2)
        if args.format == "json"
        else render_markdown(draft)
    )
    if args.out:
        Path(args.out).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        print(f"已写入 {args.out}", file=sys.stderr)
    else:
        print(text, end="" if text.endswith("\n") else "\n")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Check a report's figures against each other: rates, score parts, income and expenditure parts."""
    from assistant.draft import UnitNotFound, resolve_unit
    from assistant.review import findings_json, render_review, review

    engine = _open_engine(_settings(args))
    try:
        meta = resolve_unit(engine, args.unit, args.year)
    except UnitNotFound as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    findings = review(engine, meta)
    if args.json:
        _dump(findings_json(meta, findings))
    else:
        print(render_review(meta, findings))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jixiao", description="绩效自评报告助手")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_index(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--index", help="索引目录（默认为用户数据目录，或环境变量 JIXIAO_INDEX_DIR）")
        return p

    p = with_index(sub.add_parser("ingest", help="导入报告（文件或目录）"))
    p.add_argument("paths", nargs="*")
    p.add_argument("--quiet", action="store_true")
    p.add_argument(
        "--keep-both",
        action="store_true",
        help="新文件与已索引报告是同一单位同一年度时两份都保留（默认：替换旧的，并说明替换了哪一份）",
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="重建索引：报告数据库完好时用当前向量模型按库中段落重建全部向量（换了向量模型或维度、向量索引损坏之后；"
        "不需要原文件）；数据库损坏时把它移到一旁，从给出的文件（及 uploads/）重新导入",
    )
    p.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="用 N 个进程解析、切分文件（向量化与写入仍在主进程；默认 1，或环境变量 JIXIAO_INGEST_WORKERS）",
    )
    p.set_defaults(func=cmd_ingest)

    p = with_index(sub.add_parser("confirm", help="确认一份“待确认”的文件是绩效自评报告（纳入跨单位比较）"))
    p.add_argument("doc", help="文件名（见 list）")
    p.set_defaults(func=cmd_confirm)

    p = with_index(sub.add_parser("facts", help="列出抽取的数字"))
    p.add_argument("--org")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_facts)

    p = with_index(sub.add_parser("ask", help="提问"))
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true")
    p.add_argument("--questions", help="JSONL 文件，每行含 id 与 question")
    p.set_defaults(func=cmd_ask)

    p = with_index(sub.add_parser("chat", help="多轮对话"))
    p.set_defaults(func=cmd_chat)

    p = with_index(sub.add_parser("run", help="没有索引时先导入语料，然后回答问题"))
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    p.add_argument("question", nargs="*")
    p.set_defaults(func=cmd_run)

    p = with_index(sub.add_parser("list", help="列出已索引的报告"))
    p.set_defaults(func=cmd_list)

    p = with_index(sub.add_parser("remove", help="从索引中删除一份报告"))
    p.add_argument("doc", help="文件名，如 002_xxx.txt")
    p.set_defaults(func=cmd_remove)

    p = with_index(sub.add_parser("draft", help="起草“存在的主要问题”与“下一步改进措施”（逐条附引文）"))
    p.add_argument("unit", help="单位名称或简称，如 洛浦街、南洲、区府办")
    p.add_argument("--year", type=int, help="报告年度（默认取该单位最新一年）")
    p.add_argument("--format", choices=("md", "docx", "json"), default="md")
    p.add_argument("--out", help="输出文件（缺省时写到标准输出）")
    p.set_defaults(func=cmd_draft)

    p = with_index(sub.add_parser("review", help="核对报告自身数字是否相互吻合（执行率、分项与合计）"))
    p.add_argument("unit", help="单位名称或简称")
    p.add_argument("--year", type=int, help="报告年度（默认取该单位最新一年）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review)
    return parser


def main(argv: list[str] | None = None) -> int:
    from index.loaders import LoadError
    from index.repair import disk_full_message, problem_of
    from index.store import IndexMissing, damaged_message, read_only_message

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:  # Ctrl-C outside a folder run's files (checking the index, loading the model)
        print(f"已中断。{RESUME_HINT if args.command == 'ingest' else ''}", file=sys.stderr)
        return 130
    except (IndexMissing, LoadError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as exc:
        settings = _settings(args)
        if problem_of(exc) == "full":
            print(f"错误：{disk_full_message(settings)}", file=sys.stderr)
        else:
            print(f"错误：{damaged_message(settings.index_dir, '报告数据库', str(exc))}", file=sys.stderr)
        return 2
    except (NotADirectoryError, FileExistsError) as exc:
        print(
            f"错误：索引位置 {_settings(args).index_dir} 不是目录（{exc}）。请用 --index 指定一个目录。",
            file=sys.stderr,
        )
        return 2
    except OSError as exc:
        if problem_of(exc) != "full":
            raise
        print(f"错误：{disk_full_message(_settings(args))}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        if type(exc).__name__ == "EmbedderUnavailable":
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        raise
    except Exception as exc:  # Chroma's own error types: a damaged, read-only or full vector store
        problem = problem_of(exc)
        settings = _settings(args)
        if problem == "full":
            print(f"错误：{disk_full_message(settings)}", file=sys.stderr)
        elif problem == "readonly":
            print(f"错误：{read_only_message(settings.index_dir)}", file=sys.stderr)
        elif problem == "damaged" or type(exc).__module__.startswith("chromadb"):
            print(
                f"错误：{damaged_message(settings.index_dir, '向量索引（chroma/）', str(exc)[:100])}",
                file=sys.stderr,
            )
        else:
            raise
        return 2
