"""Is this file a performance self-evaluation report? Decided from evidence — a title that names one,
the sections such reports have, budget and indicator vocabulary, a score, the unit speaking of itself —
weighed against the marks of a news article (a reporter, a quoted official, a paper's byline).

Three outcomes: a report; unsure (indexed with a warning, and kept out of cross-unit rankings until
someone confirms it, so that a news article's "预算执行率88.6%" never ranks beside the units' own
figures); not a report (refused: nothing of such a report in it, or hardly any text). A readable excerpt
of a real report is never refused for missing headings: its vocabulary is evidence enough to keep it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.loaders import LoadError
from index.models import Report
from index.normalize import CJK
from index.structure import CANONICAL_SECTIONS

Verdict = Literal["report", "unsure"]
MIN_TEXT_CHARS = 50
CONFIDENT = 4  # evidence points a report needs, news marks deducted

# the report naming itself, in its title or its first lines (a portal's page title, a download box)
_NAMES_ITSELF = re.compile(
    r"自评(?:价)?(?:情况)?报告|评[价估](?:情况)?报告|绩效报告|(?:自评|评价|绩效目标)表|绩效(?:自评|评价)?(?:结果)?公开"
    # (a unit's own accounts, published: "部门决算", "“三公”经费决算情况", "决算说明")
    r"|部门决算|单位决算|决算(?:情况)?说明|决算情况|决算公开"
)
HEAD_CHARS = 600
# the fields heading a 自评表 or a project report's cover
_FORM_FIELDS = re.compile(
    r"项目名称|项目单位|主管部门|评价方式|评价类型|报告日期|单位名称|填报单位|填报日期|实施单位"
)
_BUDGET = re.compile(
    r"预算数|执行数|执行率|预算执行|预算|财政拨款|决算|资金到位|到位率|资金|基本支出|项目支出|实际支出|支出|经费|"
    r"结转结余|三公经费|万元"
)
_INDICATOR = re.compile(
    r"绩效目标|绩效指标|产出指标|效益指标|效果指标|满意度|指标值|目标值|完成值|实际完成|一级指标|二级指标|三级指标|"
    r"数量指标|质量指标|时效指标|成本指标|分值|权重|偏差原因"
)
_SCORE = re.compile(
    r"自评得分|总得分|得分[为是:：]?\s*\d|\d+(?:\.\d+)?\s*分[，。,；;）)]|自评(?:等级|结果|结论)|评价等级|等级为“?[优良中]"
)
_SELF = re.compile(r"我(?:单位|部门|局|委|办|街|镇|乡|院|校|中心|所|站|馆|队|处|会|司|厅)|本(?:单位|部门)")
_SELF_EVAL = re.compile(r"自评|自我评价|绩效评价|绩效管理")
# marks of other writings about performance management (each counts once): a news article, a paper, a
# government's budget report to its congress
_NEWS = (
    re.compile(
        r"记者|通讯员|本报讯|本报[^。]{0,4}电"
    ),  # not 责任编辑 and the like: a portal's page has them too
    re.compile(r"获悉|据[^，。]{1,12}(?:消息|介绍|了解|透露|通报)|了解到"),
    re.compile(r"(?:负责人|局长|主任|书记|处长|科长|厅长|市长|县长)(?:说|表示|介绍|指出|透露)"),
    re.compile(r"”[^“]{0,12}(?:说|表示)[。，]"),
    re.compile(r"(?<!我)[局厅委办府](?:表示|称|透露|指出)[，：:]"),
    re.compile(r"摘\s*要[】\]:：]|关键词[】\]:：]|中图分类号|文献标识码|参考文献"),
    re.compile(r"各位代表|请予审议|向大会报告"),
)


class NotAReport(LoadError):
    """The file loaded but is not a performance self-evaluation report."""


@dataclass(frozen=True)
class Assessment:
    verdict: Verdict
    points: int  # evidence for, news marks deducted
    found: tuple[str, ...]  # the evidence, in plain words
    news: tuple[str, ...]  # the news marks found
    missing: tuple[str, ...]  # what a full report has and this one does not

    def warning(self) -> str:
        """What the user is told on import ('' for a plain report)."""
        parts = []
        if self.verdict == "unsure":
            why = f"像新闻报道或其他文章（{'、'.join(self.news)}）" if self.news else "证据不足"
            has = f"找到：{'、'.join(self.found)}" if self.found else "几乎没有报告的特征"
            parts.append(
                f"不能确定这是一份绩效自评报告（{why}；{has}），已导入但暂不参与跨单位排名与比较；"
                "确认是报告后请运行 `python -m assistant confirm <文件名>`。"
            )
        if self.missing:
            parts.append(f"已导入，但未找到：{'、'.join(self.missing)}。")
        return "".join(parts)


def _distinct(pattern: re.Pattern[str], text: str) -> int:
    return len(set(pattern.findall(text)))


def assess(report: Report) -> Assessment:
    """Weigh the evidence; raises NotAReport for a file with nothing of such a report in it."""
    text = report.raw.text
    name = report.raw.name
    meta = report.meta
    found: list[str] = []
    points = 0
    if _NAMES_ITSELF.search(meta.title[:80]) or _NAMES_ITSELF.search(text[:HEAD_CHARS]):
        points += 3
        found.append("报告名称")
    headings = report.canonical_sections()
    if headings:
        points += min(len(headings), 3)
        found.append(f"{len(headings)}个报告章节")
    # an excerpt flattened to one paragraph keeps no headings, but still names its sections
    named = {section for section, pattern in CANONICAL_SECTIONS if pattern.search(text)} - headings
    if len(named) >= 2:
        points += 1
        found.append("报告章节用语")
    if _distinct(_FORM_FIELDS, text) >= 2:
        points += 1
        found.append("自评表栏目")
    # one indicator word is a sign (效益指标); one budget word is not (资金, 支出 are everywhere)
    for label, pattern, least in (("预算执行用语", _BUDGET, 2), ("绩效指标用语", _INDICATOR, 1)):
        n = _distinct(pattern, text)
        if n >= least:
            points += 1 + (n >= 4) + (n >= 8)
            found.append(label)
    for label, pattern in (("评分", _SCORE), ("单位自述", _SELF), ("自评/绩效评价字样", _SELF_EVAL)):
        if pattern.search(text):
            points += 1
            found.append(label)
    if not points and "绩效" not in text:
        raise NotAReport(
            f"{name} 看起来不是绩效自评报告（没有找到绩效、预算执行、评价指标或评分方面的内容），未导入。"
        )
    if len(re.findall(rf"[{CJK}]", text)) < MIN_TEXT_CHARS:
        raise NotAReport(f"{name} 几乎没有可读的中文正文，未导入。")
    news = tuple(m.group(0) for m in (p.search(text) for p in _NEWS) if m)
    points -= 2 * len(news)
    missing = []
    if meta.org == "未知单位":
        missing.append("单位名称")
    if meta.year is None:
        missing.append("年度")
    if "绩效" not in text:
        missing.append("“绩效”字样")
    if not headings:
        missing.append("报告章节")
    verdict: Verdict = "report" if points >= CONFIDENT else "unsure"
    return Assessment(verdict, points, tuple(found), news, tuple(missing))
