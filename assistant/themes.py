"""The theme map the team maintains: each theme of 存在的主要问题 / 下一步改进措施 with the words that mark it.

A sentence (a stated problem, a measure, an indicator's name) is classified by the words it contains: each
word found adds its length to the theme's score, so long, specific words outweigh short ones. Problems and
measures are worded differently (“执行率不高” vs “督促资金使用进度”), so each theme has a list for each.
The titles and offline measures that go with a theme are prose and live in `prompts/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["problem", "measure"]
FALLBACK = "综合管理"  # what nothing in the map matches; it has a title and a measure in prompts/ too


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    problem_words: tuple[str, ...]
    measure_words: tuple[str, ...]

    def words(self, kind: Kind) -> tuple[str, ...]:
        return self.problem_words if kind == "problem" else self.measure_words


def _theme(name: str, problem_words: str, measure_words: str) -> Theme:
    return Theme(name, tuple(problem_words.split()), tuple(measure_words.split()))


THEMES: tuple[Theme, ...] = (
    _theme(
        "预算编制",
        "预算编制 编制预算 预算申报 申报编制 预算制定 编制依据 测算依据 资金测算 与实际业务量 考虑实际"
        " 前瞻性 预见性 追加 调整预算 预算调整 调整率 预算精细化 与预算编制存在偏差 预测性",
        "预算编制 编制预算 预算制定 制定预算 细化测算 测算 预见性 实事求是 结合实际 资金额度 优化支出结构"
        " 预算管理科学化 科学性 严谨性",
    ),
    _theme(
        "预算执行",
        "预算执行 执行率 支出率 支出进度 使用进度 执行进度 支付执行 支付进度 资金支付 资金支出 结转 结余 使用效益"
        " 紧迫感 滞后",
        "预算执行 执行率 使用进度 支出进度 支付进度 资金支付 资金使用 财务预警 资金审批 把控进度 支付效率 执行较慢"
        " 跟踪 督促 进度",
    ),
    _theme(
        "绩效目标与指标",
        "绩效目标 绩效指标 指标设置 考核体系 指标体系 考核内容 目标设置 量化 履职效能 产出 效益指标",
        "绩效目标 绩效指标 指标体系 三级指标 评价指标 考核体系 目标值 可量化 设定项目绩效指标 预算指标",
    ),
    _theme(
        "绩效管理制度",
        "绩效管理制度 管理制度 制度建设 制度执行 绩效管理 管理效能 重视不够 认识和重视 主体责任 责任意识"
        " 全过程管理",
        "绩效管理制度 管理制度 制度建设 责任主体 第一责任人 主体责任 绩效管理理念 绩效管理意识 全过程"
        " 谁支出、谁负责 职责分工 花钱必问效",
    ),
    _theme("资产管理", "资产 盘点 账实 固定资产", "资产 盘点 清查 账实相符 固定资产"),
    _theme("采购管理", "采购 合同 招标 招投标", "采购 合同 招标 招投标 内控"),
    _theme(
        "人员培训",
        "培训 业务素质 业务水平 专业能力 人员变动 可借鉴经验",
        "培训 学习 业务知识 专业技术能力 人力保障 职业道德 统一认识",
    ),
    _theme(
        "项目前期论证",
        "前期 论证 调研 规划深度 事前绩效评估 整体把控 可行性",
        "前期 论证 调研 事前绩效评估 可行性 项目库 入库",
    ),
    _theme(
        "结果应用",
        "结果应用 评价结果 问责 整改 反馈应用",
        "结果应用 评价结果 自评结果 问责 整改 反馈 挂钩",
    ),
)
BY_NAME: dict[str, Theme] = {t.name: t for t in THEMES}
NAMES: tuple[str, ...] = (*(t.name for t in THEMES), FALLBACK)


def score(text: str, theme: str, kind: Kind) -> int:
    found = BY_NAME.get(theme)
    if found is None:
        return 0
    return sum(len(word) for word in found.words(kind) if word in text)


def classify(text: str, kind: Kind) -> list[tuple[str, int]]:
    """Themes the text speaks of, best first (ties keep the map's order); empty when none."""
    scored = [(t.name, score(text, t.name, kind)) for t in THEMES]
    return sorted((pair for pair in scored if pair[1] > 0), key=lambda p: -p[1])


def theme_of(text: str, kind: Kind) -> str:
    ranked = classify(text, kind)
    return ranked[0][0] if ranked else FALLBACK
