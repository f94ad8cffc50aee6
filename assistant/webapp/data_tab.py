"""数据: the figures read from the reports as a table (filter by unit, year, metric), a bar chart comparing
units on one metric whose every bar shows its file, line and quote, and both as an .xlsx workbook."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from io import BytesIO
from typing import Any

import gradio as gr
import pandas as pd

from assistant.facts_view import FactIndex, short_name, stated
from assistant.webapp.common import Download
from assistant.webapp.render import placeholder, source_html
from assistant.webapp.state import AppState
from index.models import Fact, ReportMeta

TABLE_COLUMNS = [
    "单位",
    "区",
    "年度",
    "指标",
    "项目或指标名称",
    "数值",
    "计量单位",
    "原文数字",
    "章节",
    "文件",
    "行",
    "引文",
]
VIEW_COLUMNS = ["单位", "年度", "指标", "项目或指标名称", "原文数字", "引文", "文件", "行"]
CHART_VIEW = ["单位", "原文数字", "引文", "文件", "行", "年度"]
CHART_COLUMNS = ["单位", "数值", "计量单位", "原文数字", "年度", "文件", "行", "引文"]
# Metrics offered for the chart first, in this order; any other unit-level metric follows.
CHART_FIRST = ("预算执行率", "自评得分", "全年预算数", "执行数", "结转结余率", "预算调整率", "三公经费")
MONEY = {"元": 0.0001, "万元": 1.0, "亿元": 10000.0}
TIP_QUOTE = 90  # characters of the quote in a bar's tooltip (the table below the chart has all of it)
SOURCE_HINT = "点击表格中的任意一行，这里显示该数字的报告原文。"


def unit_label(meta: ReportMeta | None, org: str) -> str:
    return short_name(meta) if meta else org


def fact_rows(facts: Sequence[Fact], metas: Sequence[ReportMeta]) -> pd.DataFrame:
    by_doc = {m.doc: m for m in metas}
    rows = []
    for f in facts:
        meta = by_doc.get(f.doc)
        rows.append(
            {
                "单位": unit_label(meta, f.org),
                "区": (meta.district if meta else None) or "",
                "年度": str(f.year or ""),
                "指标": f.metric,
                "项目或指标名称": f.item or "",
                "数值": f.value,
                "计量单位": f.unit,
                "原文数字": stated(f),
                "章节": f.section,
                "文件": f.doc,
                "行": f.line,
                "引文": f.quote,
            }
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def filter_rows(
    table: pd.DataFrame,
    units: Sequence[str] | None,
    years: Sequence[str] | None,
    metrics: Sequence[str] | None,
) -> pd.DataFrame:
    """Rows whose unit, year and metric are among those chosen; an empty choice means all."""
    mask = pd.Series(True, index=table.index)
    if units:
        mask &= table["单位"].isin(list(units))
    if years:
        mask &= table["年度"].isin([str(y) for y in years])
    if metrics:
        mask &= table["指标"].isin(list(metrics))
    return table[mask].reset_index(drop=True)


def chart_metrics(facts: Sequence[Fact]) -> list[str]:
    present = {f.metric for f in facts if f.item is None}
    return [m for m in CHART_FIRST if m in present] + sorted(present.difference(CHART_FIRST))


def chart_rows(
    facts: Sequence[Fact],
    metas: Sequence[ReportMeta],
    metric: str | None,
    units: Sequence[str] | None = None,
    years: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, str]:
    """One bar per report: the unit's own figure for the metric, the same fact a chat answer would cite.
    Money in mixed units is shown in 万元; the note says so and the table keeps the figure as written."""
    index = FactIndex(list(facts))
    rows = []
    for meta in metas:
        if units and short_name(meta) not in units:
            continue
        if not meta.confirmed and not units:  # a file unsure to be a report ranks only when picked
            continue
        if years and str(meta.year or "") not in [str(y) for y in years]:
            continue
        fact = index.best(meta.doc, metric) if metric else None
        if fact is None:
            continue
        rows.append((meta, fact))
    note = ""
    if len({f.unit for _, f in rows}) > 1 and all(f.unit in MONEY for _, f in rows):
        note = "各报告的金额单位不同，图中统一换算为万元（元 ÷ 10000，亿元 × 10000）；“原文数字”为报告原文。"
    repeated = {short_name(m) for m, _ in rows if sum(short_name(o) == short_name(m) for o, _ in rows) > 1}
    out = []
    for meta, fact in rows:
        value, unit = fact.value, fact.unit
        if note:
            value, unit = round(fact.value * MONEY[fact.unit], 6), "万元"
        name = short_name(meta)
        out.append(
            {
                "单位": f"{name} {meta.year}年" if name in repeated and meta.year else name,
                "数值": value,
                "计量单位": unit,
                "原文数字": stated(fact),
                "年度": str(meta.year or ""),
                "文件": fact.doc,
                "行": fact.line,
                "引文": fact.quote,
            }
        )
    frame = pd.DataFrame(out, columns=CHART_COLUMNS)
    return frame.sort_values("数值", ascending=False, kind="stable").reset_index(drop=True), note


def axis_top(values: list[float], unit: str) -> float:
    """A round top for the value axis, from 0: 100 for rates up to 100%, else the next round number."""
    top = max([v for v in values if v == v] or [0.0])
    if unit == "%" and top <= 100:
        return 100.0
    if top <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(top))
    for nice in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if nice * step >= top * 1.05:
            return nice * step
    return 10 * step


def tooltip_frame(chart: pd.DataFrame) -> pd.DataFrame:
    tips = chart.copy()
    tips["引文"] = [q if len(q) <= TIP_QUOTE else q[:TIP_QUOTE] + "…" for q in tips["引文"]]
    return tips


def xlsx_bytes(table: pd.DataFrame, chart: pd.DataFrame, metric: str | None) -> bytes:
    """The filtered table and the chart's data (with an Excel bar chart) as an .xlsx workbook."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    widths = {
        "单位": 16,
        "指标": 16,
        "项目或指标名称": 24,
        "原文数字": 16,
        "章节": 24,
        "文件": 28,
        "引文": 80,
    }

    def fill(sheet: Any, frame: pd.DataFrame) -> None:
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append([v.item() if hasattr(v, "item") else v for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="F1F5F9")
        for i, name in enumerate(frame.columns, 1):
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = widths.get(str(name), 10)
            if name == "引文":
                for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A2"

    first = book.active
    first.title = "数字明细"
    fill(first, table)
    second = book.create_sheet("图表数据")
    fill(second, chart)
    if len(chart):
        bars = BarChart()
        unit = chart["计量单位"].iloc[0]
        bars.title = f"{metric or ''}（{unit}）"
        bars.y_axis.title = str(unit)
        bars.add_data(Reference(second, min_col=2, min_row=1, max_row=len(chart) + 1), titles_from_data=True)
        bars.set_categories(Reference(second, min_col=1, min_row=2, max_row=len(chart) + 1))
        bars.legend = None
        second.add_chart(bars, "J2")
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row_source(app: AppState, frame: pd.DataFrame | None, row: int) -> str:
    if frame is None or not 0 <= row < len(frame):
        return placeholder(SOURCE_HINT)
    record = frame.iloc[row]
    citation = {
        "doc": record["文件"],
        "quote": record["引文"],
        "line": int(record["行"]),
        "org": record["单位"],
    }
    if "章节" in frame.columns:
        citation["section"] = record["章节"]
    return source_html(app.source(str(record["文件"])), citation, str(record["单位"]))


class DataTab:
    def __init__(self, app: AppState) -> None:
        self.app = app
        with gr.Row():
            self.units = gr.Dropdown(
                label="单位（不选即全部）", multiselect=True, choices=[], scale=3, elem_id="f-units"
            )
            self.years = gr.Dropdown(
                label="年度（不选即全部）", multiselect=True, choices=[], scale=2, elem_id="f-years"
            )
            self.metrics = gr.Dropdown(
                label="指标（不选即全部）", multiselect=True, choices=[], scale=3, elem_id="f-metrics"
            )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                self.summary = gr.Markdown("")
                self.table = gr.Dataframe(
                    headers=VIEW_COLUMNS,
                    interactive=False,
                    max_height=360,
                    column_widths=["90px", "56px", "130px", "120px", "110px", "420px", "190px", "56px"],
                    elem_id="facts-table",
                )
                with gr.Row():
                    self.chart_metric = gr.Dropdown(
                        label="图表比较的指标", choices=[], scale=2, elem_id="chart-metric"
                    )
                    self.download = Download(
                        "下载 Excel（.xlsx）",
                        "xlsx-download",
                        scale=1,
                        variant="primary",
                        elem_classes=["align-bottom"],
                    )
                self.chart = gr.BarPlot(
                    x="单位",
                    y="数值",
                    tooltip=["单位", "原文数字", "文件", "行", "引文"],
                    sort="-y",
                    y_lim=[0, None],
                    height=320,
                    show_label=False,
                    elem_id="metric-chart",
                )
                self.chart_note = gr.Markdown("", elem_classes=["section-note"])
                self.chart_table = gr.Dataframe(
                    headers=CHART_VIEW,
                    interactive=False,
                    max_height=260,
                    label="图中各柱的出处（点击一行查看原文）",
                    column_widths=["100px", "100px", "420px", "190px", "56px", "60px"],
                    elem_id="chart-table",
                )
            with gr.Column(scale=2, elem_classes=["sticky-col"]):
                gr.Markdown("#### 原文出处")
                self.source = gr.HTML(placeholder(SOURCE_HINT), elem_id="data-source")

        filters = [self.units, self.years, self.metrics, self.chart_metric]
        for control in filters:
            control.change(
                self.update, filters, self.outputs(), show_progress="hidden", trigger_mode="always_last"
            )
        self.download.wire(self.export, filters)

        def pick(frame: pd.DataFrame, evt: gr.SelectData) -> str:
            index = evt.index if isinstance(evt.index, (list, tuple)) else [evt.index]
            return row_source(app, frame, int(index[0]))

        self.table.select(pick, self.table, self.source, show_progress="hidden")
        self.chart_table.select(pick, self.chart_table, self.source, show_progress="hidden")

    def filters(self) -> list[gr.components.Component]:
        return [self.units, self.years, self.metrics, self.chart_metric]

    def outputs(self) -> list[gr.components.Component]:
        return [self.summary, self.table, self.chart, self.chart_note, self.chart_table]

    # the filters' choices follow the index (after an upload or a removal)
    def refresh_outputs(self) -> list[gr.components.Component]:
        return [self.units, self.years, self.metrics, self.chart_metric]

    def refresh(self) -> tuple[Any, ...]:
        engine = self.app.engine()
        facts = engine.facts if engine else []
        metas = engine.metas if engine else []
        units = sorted({short_name(m) for m in metas})
        years = sorted({str(m.year) for m in metas if m.year})
        metrics = sorted({f.metric for f in facts})
        charted = chart_metrics(facts)
        return (
            gr.update(choices=units, value=[]),
            gr.update(choices=years, value=[]),
            gr.update(choices=metrics, value=[]),
            gr.update(choices=charted, value=charted[0] if charted else None),
        )

    def update(
        self, units: list[str] | None, years: list[str] | None, metrics: list[str] | None, metric: str | None
    ) -> tuple[Any, ...]:
        engine = self.app.engine()
        facts = engine.facts if engine else []
        metas = engine.metas if engine else []
        table = filter_rows(fact_rows(facts, metas), units, years, metrics)
        chart, note = chart_rows(facts, metas, metric, units, years)
        unit = chart["计量单位"].iloc[0] if len(chart) else ""
        summary = f"共 **{len(table)}** 条数字（全部 {len(facts)} 条）。点击任意一行可查看原文。"
        if not metas:
            summary = "报告库中还没有报告。请先到“报告库”页上传报告。"
        title = f"各单位{metric or ''}比较（{unit}）" if len(chart) else "没有可比较的数字"
        missing = [
            short_name(m)
            for m in metas
            if (not units or short_name(m) in units)
            and (not years or str(m.year or "") in years)
            and not any(chart["文件"] == m.doc)
        ]
        if missing and metric:
            note = (note + " " if note else "") + f"报告中未载明{metric}的单位：{'、'.join(missing)}。"
        return (
            summary,
            table[VIEW_COLUMNS],
            gr.update(
                value=tooltip_frame(chart),
                title=title,
                y_title=f"{metric or ''}（{unit}）",
                y_lim=[0, axis_top(chart["数值"].tolist(), unit)],
            ),
            note,
            chart[CHART_VIEW],
        )

    def export(
        self, units: list[str] | None, years: list[str] | None, metrics: list[str] | None, metric: str | None
    ) -> str:
        """The .xlsx of what the filters show now: the table (all columns) and the chart's data."""
        engine = self.app.engine()
        facts = engine.facts if engine else []
        metas = engine.metas if engine else []
        table = filter_rows(fact_rows(facts, metas), units, years, metrics)
        chart, _ = chart_rows(facts, metas, metric, units, years)
        path = self.app.export_dir / uuid.uuid4().hex / "绩效数字明细.xlsx"
        path.parent.mkdir(parents=True)
        path.write_bytes(xlsx_bytes(table, chart, metric))
        return str(path)
