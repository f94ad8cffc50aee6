"""The 数据 tab's bar chart: one bar per report for one metric, drawn as HTML by the server.

Why not gr.BarPlot: in gradio 6.31 its Vega view is rebuilt asynchronously whenever the title, axis title or
axis range change, from a spec made before the new rows arrive, so after a change of metric it kept drawing
the previous metric's bars under the new title. Here each bar is a plain element built from the very rows of
the table under the chart, so the two cannot disagree. The bars are horizontal, each labelled with its unit
and its report's year on a line of its own: long unit names wrap instead of overlapping at phone width, and
reports of different years are never compared without saying so."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from assistant.facts_view import FactIndex, fmt_number, short_name, stated
from assistant.webapp.render import esc
from index.models import Fact, ReportMeta

CHART_COLUMNS = ["单位", "年度", "数值", "计量单位", "原文数字", "图中数值", "文件", "行", "引文"]
# Metrics offered for the chart first, in this order; any other unit-level metric follows.
CHART_FIRST = ("预算执行率", "自评得分", "全年预算数", "执行数", "结转结余率", "预算调整率", "三公经费")
MONEY = {"元": 0.0001, "万元": 1.0, "亿元": 10000.0}
TIP_QUOTE = 90  # characters of the quote in a bar's tooltip (the table below the chart has all of it)


def chart_metrics(facts: Sequence[Fact]) -> list[str]:
    present = {f.metric for f in facts if f.item is None}
    return [m for m in CHART_FIRST if m in present] + sorted(present.difference(CHART_FIRST))


def year_label(year: object) -> str:
    return f"{year}年" if year else "年度不详"


def bar_label(unit: str, year: object) -> str:
    return f"{unit} {year_label(year)}"


def chart_rows(
    facts: Sequence[Fact],
    metas: Sequence[ReportMeta],
    metric: str | None,
    units: Sequence[str] | None = None,
    years: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, str]:
    """One bar per report: the unit's own figure for the metric, the same fact a chat answer would cite.
    A report without that figure gets no bar (never another metric's). Money in mixed units is shown in
    万元; the note says so and 原文数字 keeps the figure as written."""
    index = FactIndex(list(facts))
    wanted_years = [str(y) for y in years or []]
    rows = []
    for meta in metas:
        if units and short_name(meta) not in units:
            continue
        if not meta.confirmed and not units:  # a file unsure to be a report ranks only when picked
            continue
        if wanted_years and str(meta.year or "") not in wanted_years:
            continue
        fact = index.best(meta.doc, metric) if metric else None
        if fact is None or fact.metric != metric:
            continue
        rows.append((meta, fact))
    note = ""
    if len({f.unit for _, f in rows}) > 1 and all(f.unit in MONEY for _, f in rows):
        note = "各报告的金额单位不同，图中统一换算为万元（元 ÷ 10000，亿元 × 10000）；“原文数字”为报告原文。"
    out = []
    for meta, fact in rows:
        value, unit, shown = fact.value, fact.unit, stated(fact)
        if note:
            value, unit = round(fact.value * MONEY[fact.unit], 6), "万元"
            shown = f"{fmt_number(value)}万元"
        out.append(
            {
                "单位": short_name(meta),
                "年度": str(meta.year or ""),
                "数值": value,
                "计量单位": unit,
                "原文数字": stated(fact),
                "图中数值": shown,
                "文件": fact.doc,
                "行": fact.line,
                "引文": fact.quote,
            }
        )
    frame = pd.DataFrame(out, columns=CHART_COLUMNS)
    return frame.sort_values("数值", ascending=False, kind="stable").reset_index(drop=True), note


def axis_top(values: list[float], unit: str) -> float:
    """A round top for the value scale, from 0: 100 for rates up to 100%, else the next round number."""
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


def chart_title(metric: str | None, chart: pd.DataFrame) -> str:
    if not len(chart):
        return "没有可比较的数字"
    return f"各单位{metric or ''}比较（{chart['计量单位'].iloc[0]}）"


def chart_html(chart: pd.DataFrame, metric: str | None) -> str:
    """The bars, highest first; each one a button whose data-row is its row in the table under the chart."""
    title = chart_title(metric, chart)
    if not len(chart):
        return f'<div class="bar-chart empty"><div class="bar-title">{esc(title)}</div></div>'
    unit = str(chart["计量单位"].iloc[0])
    top = axis_top([float(v) for v in chart["数值"]], unit)
    years = sorted({y for y in chart["年度"] if y})
    count = "两三四五六七八九"[len(years) - 2] if 2 <= len(years) <= 9 else str(len(years))
    sub = (
        f"含 {'、'.join(years)} {count}个年度的报告，每根柱标明年度；只比较一年请在上方“年度”中选择。"
        if len(years) > 1
        else f"均为{year_label(years[0] if years else '')}的报告。"
    )
    bars = []
    for i, row in enumerate(chart.itertuples(index=False)):
        value = float(row.数值)
        share = min(max(value / top, 0.0), 1.0) if top else 0.0
        label = bar_label(row.单位, row.年度)
        quote = row.引文 if len(row.引文) <= TIP_QUOTE else row.引文[:TIP_QUOTE] + "…"
        tip = f"{label}：{row.原文数字}\n{row.文件} 第{row.行}行\n{quote}"
        bars.append(
            f'<button type="button" class="bar-row" data-cite="bar" data-row="{i}" '
            f'data-label="{esc(label)}" data-value="{value!r}" title="{esc(tip)}">'
            f'<span class="bar-label"><span class="bar-unit">{esc(row.单位)}</span>'
            f'<span class="bar-year">{esc(year_label(row.年度))}</span></span>'
            f'<span class="bar-value">{esc(row.图中数值)}</span>'
            f'<span class="bar-track"><span class="bar-fill" style="--share:{share:.4f}"></span></span></button>'
        )
    return (
        f'<div class="bar-chart" data-metric="{esc(metric or "")}" data-unit="{esc(unit)}">'
        f'<div class="bar-title">{esc(title)}</div><div class="bar-sub">{esc(sub)}'
        f"柱长从 0 起算，满格为 {esc(fmt_number(top))}{esc(unit)}。点击柱子查看原文。</div>"
        f'<div class="bars">{"".join(bars)}</div></div>'
    )


CHART_CSS = """
/* the bar chart (assistant/webapp/chart.py) */
.bar-chart { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  background: var(--background-fill-primary); }
.bar-title { font-weight: 700; font-size: 15px; text-align: center; }
.bar-sub { font-size: 12.5px; color: var(--body-text-color-subdued); text-align: center; margin: 2px 0 8px;
  line-height: 1.6; }
.bars { display: flex; flex-direction: column; gap: 6px; }
button.bar-row { display: flex; align-items: center; gap: 8px; width: 100%; padding: 3px 4px; margin: 0;
  border: none; border-radius: 6px; background: transparent; cursor: pointer; text-align: left;
  font: inherit; color: inherit; }
button.bar-row:hover, button.bar-row.active { background: var(--background-fill-secondary); }
.bar-label { order: 1; flex: 0 0 7.5em; display: flex; flex-direction: column; line-height: 1.3; min-width: 0;
  overflow-wrap: anywhere; }
.bar-unit { font-size: 14px; }
.bar-year { font-size: 12px; color: var(--body-text-color-subdued); }
.bar-track { order: 2; flex: 1 1 auto; min-width: 0; }
.bar-fill { display: block; height: 18px; border-radius: 3px; background: #dc2626;
  width: calc(var(--share) * 100%); min-width: 1px; }
button.bar-row.active .bar-fill { background: #991b1b; }
.bar-value { order: 3; flex: 0 0 8em; font-size: 13px; font-variant-numeric: tabular-nums; white-space: nowrap; }
/* a phone: the label and the figure on one line, the bar under them across the whole width */
@media (max-width: 600px) {
  button.bar-row { flex-wrap: wrap; row-gap: 2px; }
  .bar-label { flex: 1 1 auto; flex-direction: row; align-items: baseline; gap: 0.5em; }
  .bar-value { order: 2; flex: 0 0 auto; }
  .bar-track { order: 3; flex: 1 1 100%; }
}
"""
