"""What is not a question about the reports: thanks, greetings, the weather. A short plain reply and no
citations — never the previous answer again, never the nearest passages of some report."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.models import Answer, ParsedQuestion

_THANKS = re.compile(
    r"^(?:谢谢|多谢|感谢|辛苦了|好的|好|明白了|知道了|收到|ok|OK|thanks?|thx)[，,。!！~～\s了啦您你]*$"
)
_GREETING = re.compile(r"^(?:你好|您好|hi|hello|嗨|在吗|在不在)[，,。!！?？~～\s啊呀]*$", re.I)
# words that make it a question about reports even with no unit or metric named
_ABOUT_REPORTS = re.compile(
    r"预算|资金|经费|支出|收入|绩效|自评|得分|指标|项目|报告|单位|问题|措施|执行|编制|人员|部门|街道|"
    r"[率额]|目标|完成|投资|工程|补助|补贴|人次|下达|安排|拨付|决算|治理|建设|服务"
)
_FIGURE_ASKED = re.compile(
    r"多少|几[个项次人天年名家户所条台辆]?|\d+(?:\.\d+)?\s*(?:万元|亿元|元|%|人|个|项)"
)
HELP = "可以问报告中的数字（如“永平街的预算执行率是多少？”）、存在的问题和改进措施。"


def reply_to(parsed: ParsedQuestion, spoken: Callable[[str], bool] = lambda text: False) -> Answer | None:
    """The reply to small talk, or None when the text is a question for the reports. `spoken`: whether the
    reports use the question's words (a question in words no list here holds is still about them)."""
    text = parsed.text.strip()
    if _THANKS.match(text):
        return Answer(parsed.text, "不客气。" + HELP, False, kind="unanswerable")
    if _GREETING.match(text):
        return Answer(parsed.text, "您好！" + HELP, False, kind="unanswerable")
    off_topic = not (
        parsed.units
        or parsed.metric
        or parsed.section
        or parsed.item
        or parsed.unknown_unit
        or parsed.operation
        or _ABOUT_REPORTS.search(text)
        # a figure asked or named in words no list here holds ("危改实际超任务多少", "那1000万元…"), of things
        # the reports speak of
        or (bool(_FIGURE_ASKED.search(text)) and spoken(text))
    )
    if off_topic:
        return Answer(parsed.text, "这个问题与已索引的绩效自评报告无关。" + HELP, False, kind="unanswerable")
    return None
