"""The canonical metric vocabulary shared by the extractor, the question parser and the evals.

Each metric has a canonical Chinese name and the words reports and users use for it. Per-item metrics
(projects, indicators) carry the item's name in `Fact.item`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Metric:
    name: str
    synonyms: tuple[str, ...]
    units: tuple[str, ...]  # units of measure it is stated in
    per_item: bool = False


METRICS: tuple[Metric, ...] = (
    Metric(
        "全年预算数",
        ("全年预算数", "全年预算", "调整后预算", "预算总额", "总预算", "预算数", "预算收入指标"),
        ("万元", "元", "亿元"),
    ),
    Metric("年初预算数", ("年初预算数", "年初预算"), ("万元", "元", "亿元")),
    Metric(
        "执行数",
        (
            "执行数",
            "支出数",
            "实际支出",
            "全年支出",
            "本年支出",
            "共支出",
            "决算数",
            "支出总额",
            "总支出",
            "花了",
        ),
        ("万元", "元", "亿元"),
    ),
    Metric("预算执行率", ("预算执行率", "执行率", "完成率", "完成预算", "支出率", "预算完成率"), ("%",)),
    Metric(
        "自评得分",
        ("自评得分", "自评总分", "自评分数", "综合得分", "总得分", "自评分", "得分", "评分"),
        ("分",),
    ),
    Metric("自评总分值", ("总分值", "满分"), ("分",)),
    Metric("指标分值", ("分值", "权重", "满分"), ("分",), per_item=True),
    Metric("指标得分", ("得分",), ("分",), per_item=True),
    Metric("财政拨款收入", ("财政拨款收入", "财政拨款收入合计", "收入合计"), ("万元", "元", "亿元")),
    Metric(
        "一般公共预算财政拨款收入", ("一般公共预算财政拨款收入", "一般公共预算收入"), ("万元", "元", "亿元")
    ),
    Metric(
        "政府性基金预算财政拨款收入", ("政府性基金预算财政拨款收入", "政府性基金收入"), ("万元", "元", "亿元")
    ),
    Metric("财政拨款支出", ("财政拨款支出", "财政拨款支出合计"), ("万元", "元", "亿元")),
    Metric(
        "一般公共预算财政拨款支出", ("一般公共预算财政拨款支出", "一般公共预算支出"), ("万元", "元", "亿元")
    ),
    Metric(
        "政府性基金预算财政拨款支出", ("政府性基金预算财政拨款支出", "政府性基金支出"), ("万元", "元", "亿元")
    ),
    Metric("基本支出", ("基本支出",), ("万元", "元", "亿元")),
    Metric("项目支出", ("项目支出",), ("万元", "元", "亿元")),
    Metric("三公经费", ("三公经费", "“三公”经费", "三公"), ("万元", "元", "亿元")),
    Metric("三公经费预算数", ("三公经费预算", "三公经费年初预算"), ("万元", "元", "亿元")),
    Metric("结转结余率", ("结转结余率", "结余率"), ("%",)),
    Metric("结转结余", ("结转结余", "结余资金", "结转资金"), ("万元", "元", "亿元")),
    Metric("预算调整率", ("预算调整率", "调整率"), ("%",)),
    Metric(
        "项目预算数", ("项目预算", "预算金额", "年初预算数", "预算数"), ("万元", "元", "亿元"), per_item=True
    ),
    Metric("项目支出数", ("支出数", "实际支出数", "实际支出", "支出"), ("万元", "元", "亿元"), per_item=True),
    Metric("项目执行率", ("执行率",), ("%",), per_item=True),
    Metric("项目评价得分", ("评价得分", "得分"), ("分",), per_item=True),
)

BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
