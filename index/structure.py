"""Section tree and report metadata, read from the text itself.

Canonical sections are recognised by their titles, not their numbers: reports skip numbers (二、存在的主要问题
followed by 四、下一步改进措施) and name sections in many ways.
"""

from __future__ import annotations

import re

from index.models import Block, RawDocument, Report, ReportMeta, Section
from index.normalize import CJK, normalize

# Order matters: the first pattern that matches a heading names its canonical section.
CANONICAL_SECTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "存在的主要问题",
        re.compile(r"存在的?(?:主要)?问题|主要问题|问题(?:及|和|与)(?:原因|不足|建议)|不足之处|存在不足"),
    ),
    (
        "下一步改进措施",
        re.compile(r"改进措施|改进(?:意见|建议|方向)|下一步|整改措施|工作(?:计划|打算)|意见建议|相关建议"),
    ),
    ("自评结论", re.compile(r"自评结论|综合评价|评价结论|自评(?:情况|综述)|总体评价|绩效自评情况|自评得分")),
    ("收支情况", re.compile(r"收支情况|收入支出|支出情况|预算执行情况|资金(?:使用|收支)情况|部门预算")),
    ("绩效管理情况", re.compile(r"绩效管理(?:情况|工作)|绩效管理$|管理效[能率]")),
    # (a transfer payment's self-evaluation: "绩效目标分解下达情况", then "绩效情况分析")
    (
        "工作任务完成情况",
        re.compile(
            r"工作任务|绩效目标完成|履职效能|重点任务|工作成效|目标完成情况|绩效(?:目标)?(?:实现)?情况分析"
        ),
    ),
    (
        "基本情况",
        re.compile(r"基本情况|部门概况|单位概况|部门职能|机构设置|部门(?:主要)?职责|绩效目标分解下达情况"),
    ),
)

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_ORG_SUFFIX = (
    "街道办事处|人民政府办公室|办事处|人民政府|办公室|委员会|联合会|局|中心|院|所|站|馆|队|委|会|厅|署|公司|学校|医院|"
    "街道|镇|乡|园|校|大学|中学|小学|政协|残联|妇联|团委|工会|科协|侨联|文联"
)
_PROVINCE = re.compile(rf"([{CJK}]{{2,7}}?(?:省|自治区))")
# 市, 区 and 县 inside common words (城市管理, 市场监管, 社区, 县域) end no place
_CITY_END = r"市(?![场政民级容]|管理|建设|规划|综合|监管)"
_COUNTY_END = r"(?:(?<![社小园景营片辖矿])区(?![域级])|县(?![域级])|旗)"
_HAS_PLACE = re.compile(rf"^[{CJK}]{{1,8}}?(?:省|自治区|{_CITY_END}|州|盟|{_COUNTY_END}|镇|乡)")
# (a prefecture is a 州 or 盟 too: "云岭州民政局" is the 民政局 of 云岭州)
_CITY = re.compile(rf"((?:(?![县区旗])[{CJK}]){{2,4}}?(?:{_CITY_END}|州(?![{CJK}]?级)|盟))")
_DISTRICT = re.compile(rf"^((?:(?![局委院厅])[{CJK}]){{1,5}}?{_COUNTY_END})")


def canonical_of(title: str) -> str | None:
    for name, pattern in CANONICAL_SECTIONS:
        if pattern.search(title):
            return name
    return None


def assign_sections(blocks: list[Block]) -> list[Section]:
    """Give every block its section path and canonical section; return the section list."""
    sections: list[Section] = []
    stack: list[tuple[int, str, str | None]] = []  # (level, title, canonical)
    for block in blocks:
        if block.kind == "heading":
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            own = canonical_of(block.text)
            inherited = next((c for _, _, c in reversed(stack) if c), None)
            # A top-level heading decides for itself; below it, the nearest canonical ancestor holds
            # unless the heading names a section of its own (基本情况 > （三）部门整体收支情况).
            canonical = own or (inherited if stack else None)
            stack.append((block.level, block.text, canonical))
            sections.append(
                Section(block.text, block.level, tuple(t for _, t, _ in stack), canonical, block.line_start)
            )
        block.section_path = tuple(t for _, t, _ in stack)
        block.canonical = next((c for _, _, c in reversed(stack) if c), None)
    return sections


def _fix_typos(org: str) -> str:
    # One corpus title reads 洛浦街道办处: a dropped 事 is a common typo in such titles.
    org = re.sub(r"街道办处$", "街道办事处", org)
    # "松溪区区民政局": a level written twice ("市市场监管局" is 市 + 市场, left alone)
    return re.sub(rf"(?<=[{CJK}]{{2}})([区县])\1(?=[{CJK}])", r"\1", org)


_TITLE_CUT = re.compile(
    r"(?:19|20)\d{2}\s*年|年度|部门整体|整体支出|项目支出|部门支出|财政支出|专项资金|转移支付|绩效|自评|决算|预算|关于"
)
# "主管部门 | [155]青禾县民政局": a code before the name is no part of it
_FIELD_VALUE = rf"\s*[:：|]?\s*(?:\d+-|[\[【]\d+[\]】])?([{CJK}（）()]{{2,40}}(?:{_ORG_SUFFIX}))"
_FIELD = re.compile(
    r"(?:单位名称|部门名称|部门[（(]单位[）)]名称|评价部门名称|评价单位|实施单位|项目实施单位|项目单位|实施主体|项目承担单位|填报单位|"
    r"报送单位|资金使用单位|(?<![\u4e00-\u9fff])部门(?=\s*\|)|"
    r"预算单位|单位[（(]盖章[）)]|评价单位[（(]公章[）)]|(?<![\u4e00-\u9fff])单位(?=\s*[:：]))" + _FIELD_VALUE
)
# the department a project belongs to: the reporting unit only when no field names the unit itself
# (a 中央/省级/地方主管部门 of a transfer payment is the ministry or province above it, never the unit)
_SUPERVISOR = re.compile(r"(?<!中央)(?<!省级)(?<!地方)(?<!上级)主管部门" + _FIELD_VALUE)
# a development zone publishes its own reports ("信息来源: 石川经济技术开发区")
_ZONE = r"开发区|高新区|经开区|新区|试验区|示范区"
_PUBLISHER = re.compile(
    rf"(?:发布机构|来源|信息来源|发文机关)\s*[\]】]?\s*[:：|｜]?\s*([{CJK}]{{2,30}}(?:{_ORG_SUFFIX}|{_ZONE}))"
    rf"|欢迎(?:来到|访问)\s*([{CJK}]{{2,20}}(?:{_ORG_SUFFIX}))(?:网站|门户|官网|政务网)"
)
_NAMED_BEFORE_SHORT = re.compile(rf"([{CJK}]{{2,30}}(?:{_ORG_SUFFIX}))\s*[（(]以下简称")


def _org_of_title(title: str) -> str | None:
    """ "2021年度红枫区青石街道办事处整体支出绩效自评报告" → 红枫区青石街道办事处: the words before the first
    year or report word, once a leading year, 附件 or 关于 is taken off."""
    segments = re.split(r"[|:：•·]", title) if re.search(r"[|:：•·]", title[:-4]) else [title]
    # the segment that is the report's title ("…绩效自评报告"), before words around it (a 下达:… sentence)
    segments = sorted(segments[::-1], key=lambda t: not re.search(r"绩效|自评|报告|决算", t))
    for text in segments:
        text = re.sub(
            r"^(?:[\[【][^\]】]{0,8}[\]】]|[（(][一二三四五六七八九十\d][）)]|附件\s*\d*[:：]?|关于|"
            r"(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}|(?:19|20)\d{2}\s*年度?|名称|标题|题目|\s)+",
            "",
            text,
        )
        cut = _TITLE_CUT.search(text)
        text = text[: cut.start()] if cut else text
        text = _fix_typos(
            re.sub(
                r"[（(]?(?:本级|汇总|合并)[）)]?$|(?<=[府局委办院校园所站馆心])部门$|[\s（(度的]+$", "", text
            )
        )
        if re.search(rf"[^{CJK}（）()]", text):
            # a document site's page title ("…幼儿园_第1页…PAGE11青禾县第一幼儿园"): its last run of words,
            # if a place begins it (prose before a cut, "…、省人民政府", names no unit)
            text = (re.findall(rf"[{CJK}（）()]+", text) or [""])[-1]
            if not _HAS_PLACE.match(text):
                continue
        if re.search(rf"(?:{_ORG_SUFFIX})$", text) and len(text) >= 3:
            return text
    # "…2019年度部门整体支出绩效自评报告青禾县妇幼保健计划生育服务中心(盖章)": the unit signs after the title
    m = re.search(rf"(?:自评报告|评价报告|自评表)\s*([{CJK}]{{3,30}}?(?:{_ORG_SUFFIX}))\s*[（(]盖章", title)
    return m.group(1) if m and _HAS_PLACE.match(m.group(1)) else None


_PROJECT_NAME = re.compile(
    rf"(?:专项[（(]项目[）)]|专项资金|转移支付[（(]项目[）)]|专项|项目)名称\s*[:：|]?\s*([{CJK}A-Za-z0-9（）()“”\-]{{3,40}}?)\s*"
    rf"(?=[|\s]|主管部门|实施单位|项目实施|项目单位|项目负责人|负责人|项目类型|$)"
)


def project_of(blocks: list[Block]) -> str | None:
    """The project a 项目支出 report or 自评表 is about ("项目名称 乡村道路养护 主管部门 …"); None for a file of
    several projects' tables, which is about none of them alone."""
    names = []
    for at, block in enumerate(blocks):
        for m in _PROJECT_NAME.finditer(block.text):
            if not re.fullmatch(r"[|\s]*", m.group(1)) and not re.search(r"[数率]|万元|[（(]", m.group(1)):
                names.append((at, m.group(1).strip("“”")))
    if not names or names[0][0] >= 30 or len({name for _, name in names}) > 1:
        return None
    return names[0][1]


def publisher_of(lines: list[str]) -> str | None:
    """The portal's 发布机构 / 来源 line: who published the page (often the reporting unit itself)."""
    cleaned = [re.sub(r"^[•·\s]+", "", line).strip() for line in lines[:60]]
    for i, line in enumerate(cleaned):
        m = _PUBLISHER.search(line)
        if m:
            return m.group(1) or m.group(2)
        if re.fullmatch(r"(?:发布机构|来源|信息来源|发文机关)\s*[:：]?", line):
            following = next((x for x in cleaned[i + 1 : i + 3] if x), "")
            if re.fullmatch(rf"[{CJK}]{{2,30}}(?:{_ORG_SUFFIX}|办)", following):
                return following
        m = re.match(rf"(?:来源|发布机构)\s*[:：]\s*([{CJK}]{{2,12}}办)$", line)
        if m:
            return m.group(1)
        # "来源:青禾县教育和科技单位": a portal that writes 单位 for the unit's own suffix
        m = re.match(rf"(?:来源|发布机构)\s*[:：]\s*([{CJK}]{{4,30}}?)单位(?:\s|$)", line)
        if m and _HAS_PLACE.match(m.group(1)):
            return f"{m.group(1)}单位"
    return None


_ORG_AT = re.compile(rf"(?:^|[\s，,。；;：:（(“、])([{CJK}]{{2,30}}?(?:{_ORG_SUFFIX}))(?<!乡(?=村))")
_NOT_IN_NAME = re.compile(
    r"[的是了对于为和与及用把将在由按据经着负担有]|名称|项目|目标|内设|^[我本该此其]|各级|^全[省市县区镇乡]|区县|县区|市县"
    r"|完成|落实|推进|开展|加强|贯彻|配合|协助|围绕|紧扣|认真|全面|积极|圆满"  # a verb's phrase ("完成区委…部署")
)


# "石川省财政厅以《关于下达…的通知》": the body that issues a document or allots the funds, not the reporter
_ISSUES = re.compile(r"\s*(?:以|联合|会同)?\s*(?:《|(?:关于)?(?:提前)?下达|印发|转发|拨付|分配)")


# a letter's salutation ("石川市财政局、石川市农业农村局:"): those the report is sent to, not its writer
_ADDRESSEE = re.compile(rf"[{CJK}、，,（）()]{{3,80}}[:：]")
# "现将青禾县白沙镇2021年度“三公”经费决算情况公布如下", "现将石川市2023年度…自评情况报告如下": the writer
_HEREBY = re.compile(rf"现将([{CJK}]{{2,30}}?)(?:(?:19|20)\d{{2}}\s*年|[“\"]|本级|部门|单位)")


def _addressed(text: str) -> bool:
    """A letter's salutation on its own — not a title run into it ("青禾县财政局…抽查情况报告县领导小组:")."""
    return bool(_ADDRESSEE.fullmatch(text.strip())) and not re.search(r"报告|自评|绩效", text)


# a unit named by its level alone, as its own report calls it ("区妇联行政编制…", "省文旅厅本级")
_LEVEL_NAMED = re.compile(
    rf"(?:^|(?<![{CJK}])|(?<=[为由是据]))([省市县区](?:(?![省市县区的是在为和与及])[{CJK}]){{0,6}}?"
    rf"(?:厅|局|委员会|委|办公室|中心|工商联|残联|妇联|科协|总工会|站|所|馆|院))"
    rf"(?=本级|机关|行政编制|事业编制|主要职责|[的是为在,，。、;；:：\s])"
)


def _level_named(blocks: list[Block]) -> str | None:
    counts: dict[str, int] = {}
    for block in blocks[:60]:
        for m in _LEVEL_NAMED.finditer(block.text):
            if len(m.group(1)) >= 3 and not _NOT_IN_NAME.search(m.group(1)[1:]):
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return min(counts, key=lambda n: (-counts[n], n)) if counts else None


def _hereby_named(blocks: list[Block]) -> str | None:
    for block in blocks[:40]:
        m = _HEREBY.search(block.text)
        if m and _HAS_PLACE.match(m.group(1)) and not re.search(r"^(?:我|本)|[的了]", m.group(1)):
            return m.group(1)
    return None


def _named_organisation(blocks: list[Block]) -> str | None:
    """The organisation a report names with its place and keeps naming ("青禾县龙山镇石门中学是…"), never a
    phrase that merely ends in a suffix word ("用于建设长安学校", "担负着石川镇…"). A name is taken whole: a
    place's body after the place ("龙山镇" + "石门中学"). Of several, the one repeated most, then the first."""
    text = "".join(b.text for b in blocks[:80])
    found: list[str] = []
    for block in blocks[:60]:
        if block.kind == "heading" or _addressed(block.text):
            continue
        project_row = "|资金|经费" if block.kind == "table_row" else ""  # a table's rows list projects
        # the name a paragraph opens with ("青禾县第四幼儿园归…"), not one cited in passing after it
        for m in filter(None, [_ORG_AT.search(block.text)]):
            name = m.group(1)
            rest = block.text[m.end(1) :]
            while (
                (more := re.match(rf"[{CJK}]{{2,12}}?(?:{_ORG_SUFFIX})", rest))
                and not _NOT_IN_NAME.search(more.group(0))
                and not _COMMON_WORD.fullmatch(more.group(0))
            ):
                name += more.group(0)  # "青禾县龙山镇" then "石门中学": one name
                rest = rest[more.end() :]
            if (
                _HAS_PLACE.match(name)
                and not _NOT_IN_NAME.search(name)
                and not _COMMON_WORD.fullmatch(name)
                and not _AREA_WORD_END.search(name)  # "青禾区城乡义务教育": a place and 城乡, no unit
                and not _ISSUES.match(rest)
                # "重庆市石门中学校改扩建资金项目": a unit in a project's name is not the reporter
                and not re.match(
                    rf"[^|，,。；;：:]{{0,20}}?(?:项目|工程{project_row})(?:[\s|，,。”）)]|$)", rest
                )
            ):
                found.append(_fix_typos(name))
    if not found:
        return None
    return max(found, key=lambda n: (text.count(n), -found.index(n)))


# a form's field name glued before the name it labels ("主管部门市财政局")
_FIELD_WORDS = re.compile(
    rf"^(?:主管部门|实施单位|项目单位|预算单位|单位名称|部门名称|填报单位)[:：]?(?=[{CJK}]{{2}})"
)
# words that end in an organisation suffix yet name none
_COMMON_WORD = re.compile(
    r"(?:城乡|城镇|乡镇|村镇|集镇|县乡|市县|县区|省市|城区|社区|园区|校园|家园|公园|学校|医院)"
)


_PLACE_CHAIN = re.compile(rf"(?:[{CJK}]{{1,6}}?(?:省|自治区|市|州|盟|县|区|旗))+")
_AREA_WORD_END = re.compile(r"(?:城乡|城镇|乡镇|村镇|县乡|市县|县区|省市)$")


# a form's fields run together ("项目单位青禾县文化局主管部门青禾县人民政府"): the next field's name ends a value
_NEXT_FIELD = re.compile(
    r"主管部门|项目名称|评价方式|评价类型|评价机构|联系电话|项目负责人|报告日期|填报日期|项目地址"
)


def _before_next_field(value: str) -> str:
    cut = _NEXT_FIELD.search(value)
    head = value[: cut.start()] if cut else value
    m = re.fullmatch(rf"([{CJK}（）()]{{2,40}}(?:{_ORG_SUFFIX}))", head) if cut else None
    return m.group(1) if m else value


def read_org(title: str, blocks: list[Block], publisher: str | None = None, file_name: str = "") -> str:
    """The reporting organisation: the title, a labelled field (单位名称：…), "X（以下简称…）", the first
    organisation named, the page's publisher, the file name — in that order."""
    org = _org_of_title(title)
    if org and (at := title.find(org)) >= 0 and _ISSUES.match(title[at + len(org) :]):
        org = None  # an excerpt opening "石川省财政厅《关于提前下达…》": the issuer, not the reporter
    for pattern in (_FIELD, _NAMED_BEFORE_SHORT, _SUPERVISOR):
        if org is not None:
            break
        for block in blocks[:40]:
            m = pattern.search(block.text)
            if m:
                org = _fix_typos(_before_next_field(m.group(1)))
                break
    if org is None:
        org = _hereby_named(blocks)
    named = _named_organisation(blocks)
    if (
        org is not None
        and named
        and len(org) - len(named) >= 2
        and org.endswith(named)
        and _HAS_PLACE.match(named)
        and not re.search(r"(?:中共|政协|共青团)$", org[: -len(named)])
        and not _PLACE_CHAIN.fullmatch(org[: -len(named)])  # "德阳市" before "旌阳区…局" is its city
    ):
        org = named  # "下载文档石川市青禾县…卫生院" in a site's title, the unit's full name in the text
    if (
        org is not None
        and named
        and not _HAS_PLACE.match(org)
        and (
            m := re.fullmatch(
                rf"((?:[{CJK}]{{1,6}}?(?:省|自治区|市|州|盟|县|区|旗))+){re.escape(org)}(?:办事处|人民政府)?",
                named,
            )
        )
    ):
        org = named  # "松溪街道" in the title, "石川市青禾区松溪街道办事处" in the text: the name with its place
    if org is None:
        # "云岭省2022年度中央…资金绩效自评报告", "石川盟城乡居民养老保险补助资金2022年度绩效自评报告": a report a
        # place gives of its funds is the place's, unless the text or the page names a body of that place
        place = _place_of_funds(title)
        if named and publisher and publisher.startswith(named) and _HAS_PLACE.search(publisher):
            named = publisher  # "中共石川市委" in the text, "中共石川市委党校" as the page's publisher: the whole name
        bodies = [n for n in (named, publisher) if n and (place is None or n.startswith(place))]
        org = bodies[0] if bodies else place
    if org is None:
        # "《青禾县民政局2020年部门整体支出绩效评价报告》见附件": the report's own title, cited in its text
        cited = re.search(
            rf"《([{CJK}]{{2,30}}?(?:{_ORG_SUFFIX}))(?:部门|单位)?(?:19|20)\d{{2}}年[^》]{{0,30}}(?:报告|自评表)》",
            "".join(b.text for b in blocks[:80]),
        )
        org = cited.group(1) if cited and _HAS_PLACE.match(cited.group(1)) else None
    if org is None:
        org = _level_named(blocks)  # "区妇联行政编制5人", "为省文旅厅本级的经常性项目"
    if org is None:
        stem = re.sub(r"\.[A-Za-z0-9]+$", "", file_name)
        m = re.search(rf"[{CJK}]{{2,30}}(?:{_ORG_SUFFIX})", stem)
        org = m.group(0) if m else "未知单位"
    # "根据《青禾市人民政府…", "中国政府网/省委/市委/市人大石川市统计局", "标题青禾自治州…": words of the
    # sentence, the menu or the field the name was read from are not the name
    org = re.sub(r"^.*(?:[《“\"「/>|]|现将)", "", org)
    org = re.sub(
        r"^.*?(?:我|本)(?:县|市|区|镇|乡|局|校|院|单位|部门)", "", org
    )  # "建设我县图书馆": 我县 is no name
    org = re.sub(rf"^.*(?:下达|拨付|划入|划拨|报送|上报|印发|转发)(?=[{CJK}]{{2}})", "", org)
    org = (
        re.sub(r"^(?:[\d\-./年月日\s]+|根据|按照|依据|经|由|对|向|到|在|给|从|将|把|标题|题目|名称)", "", org)
        or "未知单位"
    )
    org = _FIELD_WORDS.sub("", org)
    if _COMMON_WORD.fullmatch(org):
        org = "未知单位"  # "城乡义务教育…": 城乡 ends in 乡 but names no township
    # "白沙镇" where the text says "青禾县白沙镇人民政府": a township is known with its county too
    township = re.fullmatch(rf"[{CJK}]{{1,6}}(?:镇|乡|街道)(?:办事处|人民政府)?", org)
    if org != "未知单位" and (not _HAS_PLACE.match(org) or township):
        org = _with_place(org, blocks) or org
    org = _FIELD_WORDS.sub("", _without_junk(org, "".join(b.text for b in blocks[:60])))
    # "林业局(本级)" in a title, "松原区林业局" as the publisher: the publisher's name says where
    if publisher and not _HAS_PLACE.match(org) and publisher.endswith(org) and publisher != org:
        org = publisher
    return org


# provinces and regions as written without 省/自治区 ("宁夏农村饮水安全补助资金…绩效自评报告")
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|"
    "贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆"
)
_FUNDS_TITLE = re.compile(
    rf"^\s*(?:\d{{1,2}}[、.．]\s*)?(?:(?:标题|题目|名称)\s*[:：]\s*)?((?:{_PROVINCES})(?![{CJK}]{{0,4}}?(?:省|市))|[{CJK}]{{2,6}}?(?:省|自治区|市|州|盟|县|区|旗))"
    rf"(?:(?:19|20)\d{{2}}年|[{CJK}（）()]{{2,30}}?(?:资金|补助|补贴|转移支付|专项|债券)[{CJK}（）()]{{0,8}}?(?:19|20)\d{{2}}年度?绩效)"
)


def _repeated_region(blocks: list[Block]) -> str | None:
    """The one province or region a report's opening names at least twice, as written without 省/自治区."""
    said = "".join(b.text for b in blocks[:60])
    counts: dict[str, int] = {}
    for m in re.finditer(_PROVINCES, said):
        counts[m.group(0)] = counts.get(m.group(0), 0) + 1
    named = [r for r, n in counts.items() if n >= 2]
    return named[0] if len(named) == 1 else None


def _place_of_funds(title: str) -> str | None:
    m = _FUNDS_TITLE.match(title)
    return m.group(1) if m else None


_PLACE_END = "省市县区州盟旗"


def _place_at(org: str, end: int, text: str) -> int:
    """Where the place ending at `end` begins ("帮助换肤石川市": 石川市): of the spans of 2 to 4 characters
    before the suffix, the one the report repeats most (ties: the longer, "青禾岭市" over "禾岭市")."""
    # a place's name neither begins with a suffix nor holds one ("市石川" is no name; 州 is, in 青州)
    spans = [
        end - k
        for k in (2, 3, 4)
        if end - k >= 0
        and org[end - k] not in _PLACE_END
        and not re.search(r"[省市县区盟旗]", org[end - k : end])
    ]
    if not spans:
        return end
    # a span right after a place or a body's name ("…公安局|松溪区分局") over one that cuts into a word
    boundary = rf"(?:[{_PLACE_END}]|局|委|厅|办)$"
    return max(
        spans,
        key=lambda start: (bool(re.search(boundary, org[:start])), text.count(org[start:end]), end - start),
    )


def _without_junk(org: str, text: str) -> str:
    """Menu or toolbar words glued before a unit's name ("市人大石川市统计局") are dropped; a chain of
    places ("广州市白云区…") is kept whole."""
    # (the 区 of a zone, "石川经济技术开发区", ends no county)
    masked = re.sub(_ZONE, lambda m: "〇" * len(m.group(0)), org)
    ends = [m.start() for m in re.finditer(rf"[省州盟]|{_CITY_END}|{_COUNTY_END}", masked)]
    if not ends or ends[-1] < 3 or org[: ends[-1]].endswith("自治"):
        return org
    start = _place_at(org, ends[-1], text)
    prefix = org[:start]
    # a place before it, a body the unit belongs to (公安局…分局) or a party/body name that is part of the
    # unit's own (政协青禾市委员会) stays
    if (
        prefix
        and start < ends[-1]
        and not re.search(rf"(?:[{_PLACE_END}]|自治区|政协|中共|共青团|局|委|厅|办)$", prefix)
    ):
        return org[start:]
    return org


def _with_place(org: str, blocks: list[Block]) -> str | None:
    """ "县司法局" in a title, "云岭县司法局" in the text: the name with its place, where the report says it."""
    bare = re.sub(r"^[省市县区州]", "", org)
    if len(bare) < 2:
        return None
    pattern = re.compile(rf"([{CJK}]{{2,6}}?(?:省|自治区|市|州|盟|县|区|旗))(?:{re.escape(bare)})")
    text = "".join(b.text for b in blocks[:60])
    for m in pattern.finditer(text):
        place = _without_junk(m.group(1) + bare, text)[: -len(bare)]
        # a place the report names more than once ("职能划入区林业局" names none)
        if len(place) >= 2 and text.count(place) >= 2 and not re.search(r"[的是了和与在对为年度]", place):
            return place + bare
    return None


_ABBREVIATIONS = (
    ("卫生健康", "卫健"),
    ("发展和改革", "发改"),
    ("人力资源和社会保障", "人社"),
    ("住房和城乡建设", "住建"),
    ("市场监督管理", "市场监管"),
    ("自然资源和规划", "自然资源"),
    ("文化广电旅游体育", "文广旅体"),
    ("文化广电旅游", "文广旅"),
    ("工业和信息化", "工信"),
    ("科学技术", "科技"),
    ("退役军人事务", "退役军人"),
    ("城市管理和综合执法", "城管执法"),
    ("城市管理", "城管"),
    ("机关事务管理", "机关事务"),
    ("残疾人联合会", "残联"),
    ("经济技术开发区", "经开区"),
    ("经济开发区", "经开区"),
    ("高新技术产业开发区", "高新区"),
    ("管理委员会", "管委会"),
    ("疾病预防控制中心", "疾控中心"),
    ("妇幼保健计划生育服务中心", "妇幼保健院"),
    ("林业和草原", "林草"),
    ("文化和旅游", "文旅"),
    ("教育和体育", "教体"),
    ("教育和科技", "教科"),
    ("教育科技", "教科"),
    ("民族宗教事务", "民宗"),
    ("农业农村", "农业"),
    ("农业技术推广", "农技推广"),
    ("医疗保障", "医保"),
    ("应急管理", "应急"),
    ("交通运输", "交通"),
    ("政务服务和数据管理", "政数"),
    ("行政审批服务", "行政审批"),
    ("生态环境", "环保"),
    ("皮肤病防治", "皮防"),
    ("第一幼儿园", "一幼"),
    ("第二幼儿园", "二幼"),
    ("第一中学", "一中"),
    ("第二中学", "二中"),
    ("第一人民医院", "一院"),
    ("第二人民医院", "二院"),
    ("中医医院", "中医院"),
    ("妇女联合会", "妇联"),
    ("科学技术协会", "科协"),
)
_SHORT_FORM = re.compile(rf"(?:以下|下文)简称[“\"「『]?([{CJK}]{{2,12}})[”\"」』]?")


_NATIONALITIES = (
    "土家|回|彝|苗|壮|藏|蒙古|满|侗|瑶|白|哈尼|傣|黎|傈僳|佤|畲|拉祜|水|东乡|纳西|景颇|柯尔克孜|达斡尔|仫佬|羌|"
    "布依|朝鲜|锡伯|撒拉|毛南|仡佬|布朗|鄂温克|怒|京|基诺|德昂|保安|裕固|塔吉克|普米|阿昌|独龙|鄂伦春|赫哲|哈萨克|"
    "维吾尔|各"
)
_ETHNIC = re.compile(rf"(?:(?:{_NATIONALITIES})族)+(?:自治)?(?=[县乡镇旗州])")
_INSTITUTION = "中学|小学|学校|幼儿园|医院|卫生院|中心|馆|站|所"
_NUMBERED = re.compile(r"第([一二三四五六七八九十]{1,2})(幼儿园|中学|小学)")


_SHORT_UNIT_END = "局委厅办院站所校馆队联协团"


def aliases_for(org: str, district: str | None, city: str | None, province: str | None) -> tuple[str, ...]:
    """Short names people type for an organisation, longest first."""
    names: set[str] = {org}
    core = org
    for prefix in (province, city, district):
        if prefix and core.startswith(prefix):
            core = core[len(prefix) :]
            # a two-character rest is a name people type only as a unit's short name ("残联", "政协"); a
            # name cut short ("…市经济") leaves a common word that stands in any question
            if len(core) >= 3 or core[-1:] in _SHORT_UNIT_END:
                names.add(core)
    gov_unit = re.sub(r"^人民政府", "", core)
    if len(gov_unit) >= 3 or gov_unit[-1:] in _SHORT_UNIT_END or gov_unit == org:
        names.add(gov_unit)
    m = re.match(rf"^([{CJK}]{{1,8}}?)(街道办事处|街道办处|街道|镇人民政府|镇|乡人民政府|乡)$", gov_unit)
    if m:
        place, kind = m.groups()
        if kind.startswith("街道"):
            names.update({f"{place}街道办事处", f"{place}街道办", f"{place}街道", f"{place}街", place})
        else:
            names.update({f"{place}{kind[0]}", f"{place}{kind[0]}人民政府", f"{place}{kind[0]}政府", place})
    if gov_unit == "办公室" and district:
        short = district[:-1] if len(district) > 2 else district
        names.update(
            {
                f"{district}人民政府办公室",
                f"{district}政府办公室",
                f"{district}政府办",
                f"{short}区府办" if district.endswith("区") else f"{short}县府办",
                "区府办" if district.endswith("区") else "县府办",
                "区政府办公室" if district.endswith("区") else "县政府办公室",
                "区政府办" if district.endswith("区") else "县政府办",
            }
        )
    # "政协青禾市委员会(办公室)" is called 青禾市政协, 青禾政协
    zx = re.match(rf"^(?:中国人民政治协商会议|政协)([{CJK}]{{2,8}}?)(省|市|县|区|州)?委员会", org)
    if zx:
        place, level = zx.group(1), zx.group(2) or ""
        names.update({f"{place}{level}政协", f"{place}政协"})
    # "石川市自然资源局白沙口岸分局" is called by its branch: 白沙口岸分局, 白沙分局
    branch = re.search(rf"(?:^([{CJK}]{{2,8}})局|院|中心)([{CJK}]{{2,10}}?)(分局|分院|分中心)$", core)
    if branch and not re.fullmatch(r"[市县区]", branch.group(2)):
        parent, own, kind = branch.groups()
        bare = re.sub(r"(?:口岸|开发区|经开区|新区|园区)$", "", own)
        names.update({own + kind, bare + kind})
        if parent and kind == "分局":  # "…公安局青禾区分局" is called 青禾公安分局, 青禾区公安分局
            place = re.sub(r"[区县市旗]$", "", bare)
            names.add(f"{own}{parent}分局")
            if len(place) >= 2:
                names.add(f"{place}{parent}分局")
    # "石川市林业局林业技术推广站": a body under a bureau is called with its place but not its bureau
    under = re.match(
        rf"^((?:[{CJK}]{{1,6}}?(?:省|自治区|市|州|盟|县|区|旗))+)[{CJK}]{{2,8}}?局([{CJK}]{{2,12}}(?:站|所|中心|队|馆|场))$",
        org,
    )
    if under:
        names.update({under.group(1) + under.group(2), under.group(2)})
    # "中共石川市委党校" is called 石川市委党校, 石川党校
    party = re.match(rf"^中共([{CJK}]{{2,8}}?)(省|市|县|区|州)委([{CJK}]{{2,8}})$", org)
    if party:
        place, level, body = party.groups()
        names.update({f"{place}{level}委{body}", f"{place}{body}", f"{place}{level}{body}"})
    # "石川回族自治县…", "火塘土家族乡": people drop the nationality ("石川县…", "火塘乡")
    names.update(_ETHNIC.sub("", n) for n in list(names))
    # a school or hospital under a chain of places is called by its own name ("龙山镇石门中学", "石门中学")
    for name in list(names):
        if tail := re.match(rf"^(?:[{CJK}]{{2,6}}?(?:省|自治区|市|州|盟|县|区|旗))+", name):
            own = name[tail.end() :]
            town = re.match(rf"^[{CJK}]{{2,4}}?[镇乡](?=[{CJK}]{{2,}}(?:{_INSTITUTION})$)", own)
            for part in (own, own[town.end() :] if town else ""):
                if re.search(rf"(?:{_INSTITUTION})$", part) and len(part) >= 4:
                    names.add(part)
    # 第四幼儿园 → 四幼, 第一中学 → 一中 (with the place before it too)
    names.update(
        _NUMBERED.sub(lambda m: m.group(1) + m.group(2)[0], n) for n in list(names) if _NUMBERED.search(n)
    )
    if org.endswith("单位"):  # "教育和科技单位" on a portal is the 教育和科技局 people name
        names.update(n[:-2] + "局" for n in list(names) if n.endswith("单位"))
    # Departments are called by their standard abbreviations: 卫生健康委员会 → 卫健委, 发展和改革局 → 发改局.
    for name in list(names):
        short = name
        for long, abbr in _ABBREVIATIONS:
            short = short.replace(long, abbr)
        short = re.sub(r"委员会$", "委", short)
        if short != name:
            names.add(short)
            if district and short.startswith(district):
                names.add(district[-1] + short[len(district) :])  # 鼓楼区卫健委 → 区卫健委
    # "云岭石川经济开发区管理委员会" is called 石川经开区管委会 and 石川经开区 (a province written without 省 left off)
    for name in list(names):
        bare = re.sub(rf"^(?:{_PROVINCES})(?=[{CJK}]{{2}})", "", name)
        zone = re.sub(r"(?:管理委员会|管委会)$", "", bare)
        if re.search(rf"(?:{_ZONE})$", zone) and len(zone) > 3:
            names.update({bare, zone})
    # Generic leftovers ("人民政府…", a bare 办公室) would match every report of their kind.
    names = {
        n
        for n in names
        if len(n) >= 2
        and not n.startswith(("人民政府", "委"))
        and n not in {"办公室", "办事处", "分局", "分院"}
    }
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


_NOT_IN_PLACE = (
    "治省市县区州盟旗局委府的是了在对为和与及等中央国家年度月日于向由至达将把从全本各该我批点试以其他每"
)


def _repeated_place(blocks: list[Block]) -> tuple[str | None, str | None]:
    """(city, county) a report names at least twice in its opening ("云岭县2021年…", "下达青禾县…")."""
    counts: dict[str, int] = {}
    for block in blocks[:60]:
        text = re.sub(r"以[上下内外]", "〇〇", block.text)  # "以上城市" names no city
        for m in re.finditer(rf"{_CITY_END}|{_COUNTY_END}", text):
            for k in (1, 2, 3, 4):
                name = text[max(0, m.start() - k) : m.end()]
                # a one-character county ("沛县", "萧县") only where a word cannot run into it: at a line's
                # start or after a number or a mark ("2019沛县…", "。萧县…")
                before = text[m.start() - 2] if m.start() >= 2 else ""
                if k == 1 and (
                    not re.fullmatch(r"[\d\s，,。；;：:、（()）]?", before)
                    or text[m.start() - 1] in "城都山地"
                ):
                    continue
                # a name neither begins with a function word or a date nor holds a suffix or a verb
                if (
                    len(name) == k + 1
                    and re.fullmatch(
                        rf"(?:(?![{_NOT_IN_PLACE}])[{CJK}]){{{k}}}.",
                        name,
                    )
                    and not re.search(r"部门|单位|主管|实施|机关", name)
                ):
                    counts[name] = counts.get(name, 0) + 1
    places = sorted((n for n, c in counts.items() if c >= 2), key=lambda n: (-counts[n], -len(n), n))
    city = next((p for p in places if p.endswith("市")), None)
    county = next((p for p in places if not p.endswith("市")), None)
    return city, county


# A year that is not the one reported on: a day ("公开时间:2025年9月2日": reports come out the year after),
# a base compared against ("比2021年减少"), a span's end ("截至2024年"), a document number ("〔2023〕").
_NOT_THE_YEAR_BEFORE = re.compile(r"(?:比|较|与|同|截至|截止|至|到|自|从|[〔\[【])\s*$")
_NOT_THE_YEAR_AFTER = re.compile(r"\s*\d{1,2}\s*月")


def report_year(title: str, head_text: str, body: str = "") -> int | None:
    """The year a report is about: the title's, else a whole year it says it covers ("2021年1月起至2021年12月
    止"), else the first year of its opening that is none of the above, else of its body; a report naming no
    other year keeps the first one it names (a day's)."""

    def first_plain(text: str) -> int | None:
        for m in _YEAR.finditer(text):
            if _NOT_THE_YEAR_BEFORE.search(text[max(0, m.start() - 4) : m.start()]):
                continue
            if _NOT_THE_YEAR_AFTER.match(text, m.end()):
                continue
            return int(m.group(1))
        return None

    if (year := first_plain(title)) is not None:
        return year
    if span := _WHOLE_YEAR.search(head_text + body):
        return int(span.group(1))
    for text in (head_text, body):
        if (year := first_plain(text)) is not None:
            return year
    first = _YEAR.search(title) or _YEAR.search(head_text)
    return int(first.group(1)) if first else None


# "2021年1月起至2021年12月止", "2021年1月1日—2021年12月31日": the period a report covers, in so many words
_WHOLE_YEAR = re.compile(
    r"((?:19|20)\d{2})\s*年\s*0?1\s*月\s*(?:0?1\s*日)?\s*(?:起)?\s*(?:至|到|—|－|-|~|～)\s*\1\s*年\s*12\s*月"
)


def read_meta(raw: RawDocument, blocks: list[Block]) -> ReportMeta:
    title_block = next((b for b in blocks[:6] if b.kind == "title"), None)
    # with no report title, the first line stands for it (a 自评表's heading, an excerpt's first sentence)
    lead = "".join(b.text for b in blocks[:8] if b.kind != "heading" and not _addressed(b.text))
    title = title_block.text if title_block else lead[:160]
    head_text = title + "".join(b.text for b in blocks[:12])
    publisher = publisher_of([line.text for line in raw.lines])
    org = read_org(title, blocks, publisher, raw.name)
    year = report_year(title, head_text, "".join(b.text for b in blocks[12:200]))
    rest = org
    province_m = _PROVINCE.match(rest)
    rest = rest[province_m.end() :] if province_m else rest
    city_m = _CITY.match(rest)
    rest = rest[city_m.end() :] if city_m else rest
    district_m = _DISTRICT.match(rest)
    kind = (
        "项目支出" if "项目支出" in title else ("部门整体支出" if ("整体" in title or not title) else "其他")
    )
    province = province_m.group(1) if province_m else None
    city = city_m.group(1) if city_m else None
    district = district_m.group(1) if district_m else None
    if org == "未知单位":  # a report whose unit is not named is still placed by the place it keeps naming
        city, district = _repeated_place(blocks)
        said = "".join(b.text for b in blocks[:60])
        if city and "我市" in said and not re.search(r"我(?:县|区|旗)", said):
            district = None  # a city's report ("下达我市…") names its counties as where the funds went
    aliases = aliases_for(org, district, city, province)
    if org != "未知单位" and not (province or city or district) and not _HAS_PLACE.match(org):
        # "教育局" in a report that keeps naming 青禾县: known as 青禾县教育局 too
        city, district = _repeated_place(blocks)
        place = district or city
        if place:
            extra = aliases_for(place + re.sub(r"^[省市县区]", "", org), district, city, None)
            aliases = tuple(sorted({*aliases, *extra}, key=lambda n: (-len(n), n)))
        elif region := _repeated_region(blocks):
            # "福彩中心" in a report that keeps naming 宁夏: known as 宁夏福彩中心 too
            aliases = tuple(sorted({*aliases, region + org}, key=lambda n: (-len(n), n)))
    project = project_of(blocks)
    if project and len(project) >= 4:
        aliases = tuple(sorted({*aliases, project}, key=lambda n: (-len(n), n)))
    aliases = tuple(a for a in aliases if a != "未知单位")
    # "（以下简称“区卫健委”）": the report's own short form, where it defines one for itself
    for block in blocks[:30]:
        for m in _SHORT_FORM.finditer(block.text):
            if org in block.text[: m.start()] or any(a in block.text[: m.start()] for a in aliases[:3]):
                short = m.group(1)
                aliases = tuple(sorted({*aliases, short, short.lstrip("区市县")}, key=lambda n: (-len(n), n)))
    return ReportMeta(
        doc=raw.name,
        org=org,
        aliases=aliases,
        district=district,
        city=city,
        province=province,
        year=year,
        kind=kind,
        title=title,
    )


def parse_report(raw: RawDocument) -> Report:
    blocks = normalize(raw)
    sections = assign_sections(blocks)
    meta = read_meta(raw, blocks)
    return Report(meta=meta, raw=raw, blocks=blocks, sections=sections)
