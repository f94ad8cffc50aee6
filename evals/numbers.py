"""Reading numbers the way a report (or an answer) writes them, and comparing them at the stated precision.

`parse_number` finds every quantity in a text: Arabic numbers with thousands separators, full-width digits
and spaces before the unit ("0.64 万 元"), Chinese numerals when a unit follows them (三十五万元, 九十一点三分,
两个亿, 五个事业单位) and 百分之X. `compare` scores a value and its scale separately: 6136.36万元 and
61,363,600元 are the same value at the wrong scale.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

# --- units ------------------------------------------------------------------------------------------------

# unit -> (family, factor to the family's base unit). Money is compared in 万元.
_SCALED: dict[str, tuple[str, float]] = {
    "元": ("money", 1e-4),
    "千元": ("money", 0.1),
    "万元": ("money", 1.0),
    "亿元": ("money", 1e4),
    "%": ("percent", 1.0),
    "个百分点": ("percent", 1.0),
    "百分点": ("percent", 1.0),
    "‰": ("percent", 0.1),
    "分": ("score", 1.0),
    # one measure written as a word or as its symbol ("1200㎡" is 1200平方米)
    "平方米": ("area", 1.0),
    "㎡": ("area", 1.0),
    "m²": ("area", 1.0),
    "万平方米": ("area", 1e4),
    "平方公里": ("area", 1e6),
    "km²": ("area", 1e6),
    "米": ("length", 1.0),
    "m": ("length", 1.0),
    "公里": ("length", 1e3),
    "千米": ("length", 1e3),
    "km": ("length", 1e3),
    "立方米": ("volume", 1.0),
    "m³": ("volume", 1.0),
    "吨": ("weight", 1.0),
    "t": ("weight", 1.0),
    "万吨": ("weight", 1e4),
    "万t": ("weight", 1e4),
}
COUNT_UNITS = (
    "人次",
    "个",
    "人",
    "项",
    "次",
    "家",
    "件",
    "户",
    "名",
    "台",
    "辆",
    "所",
    "座",
    "条",
    "场",
    "篇",
    "批",
    "套",
    "宗",
    "处",
    "份",
    "期",
)


def unit_family(unit: str | None) -> tuple[str, float]:
    """(family, factor to the family's base unit); '' for no unit, the unit itself for unknown units."""
    unit = (unit or "").strip().replace("％", "%")
    if not unit:
        return "", 1.0
    if unit == "万":
        unit = "万元"
    elif unit == "亿":
        unit = "亿元"
    if unit in _SCALED:
        return _SCALED[unit]
    if unit in COUNT_UNITS:
        return "count", 1.0
    return unit, 1.0


# --- parsing ----------------------------------------------------------------------------------------------

_WIDE = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "％": "%", "．": ".", "，": "，", "\u3000": " "}
)
_ARABIC = r"(?:(?<![\d.])[-−])?(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\d)"
_CN_DIGITS = "零〇一二两三四五六七八九"
_CN_RUN = rf"[{_CN_DIGITS}十][{_CN_DIGITS}十百千万亿]*(?:点[{_CN_DIGITS}]+)?"
_COUNT = "|".join(COUNT_UNITS)
# multiplier (万/亿/千, "个亿" as in 两个亿) then the unit proper
_UNIT = rf"(?P<mult>个?亿|万|千)?\s*(?P<unit>元|个百分点|百分点|%|‰|分|{_COUNT})?"
_QUANTITY = re.compile(rf"(?P<pct>百分之)?(?:(?P<num>{_ARABIC})|(?P<cn>{_CN_RUN}))(?:\s*{_UNIT})?")
_CN_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}


def _cn_integer(text: str) -> float | None:
    """一百零五 → 105, 三亿五千万 → 350000000, 二〇二一 → 2021; None when it is no number."""
    if not text:
        return None
    if all(c in _CN_VALUE for c in text):  # digit by digit: 二〇二一
        return float("".join(str(_CN_VALUE[c]) for c in text))
    total, section, digit = 0.0, 0.0, None
    for c in text:
        if c in _CN_VALUE:
            digit = _CN_VALUE[c]
        elif c in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[c]
            digit = None
        elif c in "万亿":
            section += digit or 0
            factor = 1e4 if c == "万" else 1e8
            if c == "亿":
                total = (total + section) * factor
            else:
                total += section * factor
            section, digit = 0.0, None
        else:
            return None
    return total + section + (digit or 0)


def _cn_number(text: str) -> float | None:
    whole, _, frac = text.partition("点")
    value = _cn_integer(whole) if whole else 0.0
    if value is None:
        return None
    if frac:
        if not all(c in _CN_VALUE for c in frac):
            return None
        value += float("0." + "".join(str(_CN_VALUE[c]) for c in frac))
    return value


def _scale(value: float, mult: str | None, unit: str | None) -> tuple[float, str]:
    """Apply a multiplier word: 3.5亿 → (3.5, 亿元); 1.2万人 → (12000, 人); 3982.33万 → (3982.33, 万元)."""
    mult = (mult or "").lstrip("个")
    unit = unit or ""
    if not mult:
        return value, unit
    if unit in ("", "元"):
        if mult == "千" and not unit:
            return value * 1e3, ""
        return value, mult + "元"
    factor = {"万": 1e4, "亿": 1e8, "千": 1e3}[mult]
    return value * factor, unit


def parse_number(text: str, chinese: bool = True) -> list[tuple[float, str]]:
    """Every quantity in `text` as (value, unit), in order. Units: 万元/元/亿元/千元, %, 个百分点, 分, 个/人/项/….

    A Chinese numeral counts only with a unit after it (or 百分之 before it): 一是, 一般 and 十分重视 are words.
    """
    if not text:
        return []
    text = text.translate(_WIDE)
    out: list[tuple[float, str]] = []
    for m in _QUANTITY.finditer(text):
        mult, unit, pct = m.group("mult"), m.group("unit"), m.group("pct")
        if m.group("num") is not None:
            raw = m.group("num").replace(",", "").replace("−", "-")
            value = float(raw)
            if mult == "千" and unit is None:  # "千" alone after a number is rarely a multiplier
                mult = None
        else:
            if not chinese:
                continue
            run = m.group("cn")
            # a trailing 万/亿 right before a unit is the unit's multiplier: 三十五万元 = 35 万元
            bigger = "万亿" if run[-1] == "万" else "亿"
            if not mult and run[-1] in "万亿" and len(run) > 1 and not any(c in bigger for c in run[:-1]):
                mult, run = run[-1], run[:-1]
            value_or_none = _cn_number(run)
            if value_or_none is None:
                continue
            value = value_or_none
            has_unit = bool(mult or unit or pct)
            if not has_unit:
                continue
            nxt = text[m.end() : m.end() + 1]
            if unit == "分" and not mult and re.match(r"[\u4e00-\u9fff]", nxt):
                continue  # 十分重视, 万分之一
            if run in ("一", "两") and unit == "个" and not mult:
                continue  # 一个核心, 两个重点: words, not figures
        if pct:
            out.append((value, "%"))
            continue
        out.append(_scale(value, mult, unit))
    return out


# --- comparing --------------------------------------------------------------------------------------------


def decimals(x: float | int | str) -> int:
    """Decimal places as written: 82.2 → 1, 94.96 → 2, 100 → 0, "82.20" → 2."""
    if isinstance(x, str):
        x = x.strip().replace(",", "")
        return len(x.partition(".")[2]) if "." in x else 0
    if isinstance(x, int) or float(x).is_integer():
        return 0
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -int(exponent)) if isinstance(exponent, int) else 0


def _shift(factor: float) -> int:
    """Extra decimal places a value gains when converted by `factor` (元 → 万元: 4)."""
    return max(0, -round(math.log10(factor))) if factor > 0 else 0


def compare(
    gold_value: float | str,
    gold_unit: str | None,
    got_value: float | str | None,
    got_unit: str | None,
    got_decimals_cap: int = 2,
) -> dict[str, bool]:
    """{"value_ok", "scale_ok"}.

    value_ok: the values agree once converted to one unit, at the finer of the two stated precisions
    (the answer's own precision counted up to `got_decimals_cap` places, so a computed 86.896 matches a
    stated 86.9 while 95 never matches 94.96 and 82.20 matches 82.2).
    scale_ok: same unit family and scale (万元 vs 元 is a scale error; a missing unit is one too).
    """
    if got_value is None:
        return {"value_ok": False, "scale_ok": False}
    gold_f, got_f = float(str(gold_value).replace(",", "")), float(str(got_value).replace(",", ""))
    gold_fam, gold_fac = unit_family(gold_unit)
    got_fam, got_fac = unit_family(got_unit)
    if not got_fam:  # bare number: read it in the gold unit, but its scale is unstated
        got_fam, got_fac = gold_fam, gold_fac
        scale_ok = not gold_fam
    elif not gold_fam:
        gold_fam, gold_fac = got_fam, got_fac
        scale_ok = True
    else:
        scale_ok = gold_fam == got_fam and math.isclose(gold_fac, got_fac)
    if gold_fam != got_fam:
        return {"value_ok": False, "scale_ok": False}
    g, h = gold_f * gold_fac, got_f * got_fac
    places = max(
        decimals(gold_value) + _shift(gold_fac),
        min(decimals(got_value), got_decimals_cap) + _shift(got_fac),
    )
    tolerance = 0.5 * 10.0**-places + 1e-9 * max(1.0, abs(g))
    return {"value_ok": abs(g - h) <= tolerance, "scale_ok": scale_ok}


def same_value(gold_value: float, gold_unit: str | None, got: tuple[float, str]) -> bool:
    """A parsed (value, unit) states the gold value (scale may differ)."""
    return compare(gold_value, gold_unit, got[0], got[1])["value_ok"]
