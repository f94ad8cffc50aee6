"""绩效自评报告助手 — the app. `python app.py [--index DIR] [--corpus DIR]` (what `make run` starts).

Builds the index from the corpus first when there is none (with a progress bar on the console), then serves
the Gradio app on the host and port from settings (127.0.0.1:7860 unless GRADIO_SERVER_NAME /
GRADIO_SERVER_PORT or JIXIAO_APP_HOST / JIXIAO_APP_PORT say otherwise), with a login when JIXIAO_APP_AUTH
is "user:password"."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

for _name, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("ANONYMIZED_TELEMETRY", "False"),
    ("GRADIO_ANALYTICS_ENABLED", "False"),
):
    os.environ.setdefault(_name, _value)

from index.settings import Settings  # noqa: E402

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "shared" / "corpus"


def ingest_corpus(settings: Settings, corpus: Path) -> bool:
    """Index the corpus with a console progress bar; False when nothing could be indexed."""
    from tqdm import tqdm

    from index.pipeline import Indexer

    print(f"还没有索引，先导入 {corpus} …", file=sys.stderr)
    bar = tqdm(total=0, unit="份", desc="导入", file=sys.stderr)

    def progress(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_postfix_str(name[:30])
        bar.refresh()

    outcomes = Indexer(settings).ingest([corpus], progress)
    bar.close()
    for o in outcomes:
        if o.status == "failed":
            print(f"[未导入] {Path(o.path).name}：{o.message}", file=sys.stderr)
    ok = sum(o.status != "failed" for o in outcomes)
    print(f"导入完成：{ok}/{len(outcomes)} 份。索引位置：{settings.index_dir}", file=sys.stderr)
    return ok > 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="绩效自评报告助手（网页版）")
    parser.add_argument("--index", help="索引目录（默认为用户数据目录，或环境变量 JIXIAO_INDEX_DIR）")
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="没有索引时先导入的报告目录")
    args = parser.parse_args(argv)

    settings = Settings()
    if args.index:
        settings = settings.model_copy(update={"index_dir": Path(args.index).resolve()})
    corpus = Path(args.corpus)
    if not settings.sqlite_path.exists():
        if not corpus.is_dir():
            print(f"没有索引，也找不到报告目录 {corpus}；启动后可在“报告库”页上传报告。", file=sys.stderr)
        elif not ingest_corpus(settings, corpus):
            print("语料中没有可导入的报告；启动后可在“报告库”页上传报告。", file=sys.stderr)

    from assistant.webapp import AppState, build_app, launch_options

    # With an OpenAI-compatible endpoint configured (OPENAI_BASE_URL), the model writes the chat's prose;
    # every sentence is still checked against the evidence, and the offline answer stands in when it fails.
    responder_factory = None
    if settings.llm_enabled:
        from assistant.llm_answer import make_responder

        responder_factory = make_responder
        print(f"LLM 模式：{settings.llm_model}（数字与引文逐句核对）", file=sys.stderr)
    app = AppState(settings, responder_factory)
    print("正在加载模型…", file=sys.stderr)
    app.warm_up()
    if app.missing:  # no index yet, or a damaged one: what to do, in plain words
        print(f"提示：{app.missing}", file=sys.stderr)
    demo = build_app(settings, responder_factory, app=app)
    options = launch_options(settings)
    print(f"绩效自评报告助手：http://{settings.app_host}:{settings.app_port}", file=sys.stderr)
    demo.queue().launch(**options)
    return 0


if __name__ == "__main__":
    sys.exit(main())
