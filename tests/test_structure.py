import re
from pathlib import Path

import pytest

from index.chunking import chunk_report
from index.loaders import load_document
from index.models import RawDocument, SourceLine
from index.normalize import match_key
from index.structure import aliases_for, canonical_of, parse_report, report_year

EXPECTED = {
    "000_dfbd2fd614bc8960.txt": ("广州市番禺区人民政府洛浦街道办事处", "番禺区", 2021, "洛浦街"),
    "001_f87c70ec8dc77d67.txt": ("广州市番禺区人民政府小谷围街道办事处", "番禺区", 2021, "小谷围街道"),
    "002_9970a3a3f795190b.txt": ("广州市白云区人民政府永平街道办事处", "白云区", 2021, "永平街"),
    "003_ceb9afcdf1314de4.txt": ("广州市海珠区人民政府南洲街道办事处", "海珠区", 2023, "南洲街"),
    "004_99d524f8eeb46081.txt": ("广州市番禺区人民政府办公室", "番禺区", 2021, "区府办"),
}
CANONICAL = {
    "基本情况",
    "收支情况",
    "绩效管理情况",
    "自评结论",
    "工作任务完成情况",
    "存在的主要问题",
    "下一步改进措施",
}


def test_canonical_sections_by_title_not_number():
    assert canonical_of("四、下一步改进措施") == "下一步改进措施"
    assert canonical_of("三、存在的问题及原因") == "存在的主要问题"
    assert canonical_of("（一）自评结论综述") == "自评结论"
    assert canonical_of("（三）部门整体收支情况") == "收支情况"
    assert canonical_of("五、附件") is None


def test_aliases_people_type():
    names = aliases_for("广州市白云区人民政府永平街道办事处", "白云区", "广州市", None)
    assert {"永平街道办事处", "永平街道", "永平街", "永平"} <= set(names)
    town = aliases_for("佛山市南海区狮山镇人民政府", "南海区", "佛山市", None)
    assert {"狮山镇", "狮山"} <= set(town)
    office = aliases_for("广州市番禺区人民政府办公室", "番禺区", "广州市", None)
    assert {"番禺区府办", "区府办", "区政府办公室"} <= set(office)
    assert "办公室" not in office


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_report_metadata_and_sections(corpus_dir: Path, name: str):
    report = parse_report(load_document(corpus_dir / name))
    org, district, year, alias = EXPECTED[name]
    assert report.meta.org == org
    assert report.meta.district == district
    assert report.meta.city == "广州市"
    assert report.meta.year == year
    assert report.meta.kind == "部门整体支出"
    assert alias in report.meta.aliases
    assert report.canonical_sections() == CANONICAL


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_chunks_map_back_to_their_source_lines(corpus_dir: Path, name: str):
    raw = load_document(corpus_dir / name)
    report = parse_report(raw)
    chunks = chunk_report(report)
    lines = raw.text.split("\n")
    assert chunks
    for chunk in chunks:
        assert report.meta.org in chunk.header
        assert len(chunk.text) <= 600 or "|" in chunk.text  # only an over-long table row may exceed the limit
        # every sentence of the chunk stands in the source between the lines the chunk says it spans
        source = match_key("".join(lines[chunk.line_start - 1 : chunk.line_end]))
        for para in chunk.text.split("\n"):
            assert match_key(para) in source, (chunk.id, para[:40])
    # no number is cut from its unit: every figure of the clean text stands whole in some chunk
    joined = "\n".join(c.text for c in chunks)
    for block in report.blocks:
        if block.kind == "paragraph":
            for m in re.finditer(r"\d[\d,.]*(?:万元|亿元|%|分)", block.text):
                assert m.group(0) in joined


@pytest.mark.integration
def test_problems_and_measures_sections_hold_their_items(corpus_dir: Path):
    report = parse_report(load_document(corpus_dir / "002_9970a3a3f795190b.txt"))
    problems = [b for b in report.blocks if b.canonical == "存在的主要问题" and b.kind == "paragraph"]
    measures = [b for b in report.blocks if b.canonical == "下一步改进措施" and b.kind == "paragraph"]
    assert [b.enum for b in problems] == ["（一）", "（二）"]
    assert len(measures) == 3 and measures[0].text.startswith("（一）明确责任主体")
    assert measures[0].line_start == 79


def test_org_from_a_form_line_when_the_title_names_none():
    from index.models import RawDocument, SourceLine

    text = "2022年度部门整体支出绩效自评报告\n\n单位名称（盖章）：湖南省长沙市岳麓区教育局\n\n一、基本情况\n\n本部门绩效管理工作。"
    raw = RawDocument("x.txt", "txt", [SourceLine(i + 1, t) for i, t in enumerate(text.split("\n"))], "sha")
    meta = parse_report(raw).meta
    assert meta.org == "湖南省长沙市岳麓区教育局"
    assert (meta.province, meta.city, meta.district, meta.year) == ("湖南省", "长沙市", "岳麓区", 2022)
    assert {"岳麓区教育局", "教育局"} <= set(meta.aliases)


def _meta_of(text: str, name: str = "x.txt"):
    from index.models import RawDocument, SourceLine

    lines = [SourceLine(i + 1, t) for i, t in enumerate(text.split("\n"))]
    return parse_report(RawDocument(name, "txt", lines, "sha")).meta


@pytest.mark.parametrize(
    ("title", "org"),
    [
        # 市 and 区 inside 城市管理, 市场监管 end no place; a parent body before a branch stays
        ("青禾市城市管理监督指挥中心2019年度部门整体支出绩效自评报告", "青禾市城市管理监督指挥中心"),
        ("石川市松溪区城市管理局2020年度部门整体支出绩效评价报告", "石川市松溪区城市管理局"),
        ("云岭县市场监督管理局2019年度部门整体支出绩效自评报告", "云岭县市场监督管理局"),
        ("白鹭市公安局青石区分局2019年部门整体支出绩效自评报告", "白鹭市公安局青石区分局"),
    ],
)
def test_place_words_inside_a_units_name_are_kept(title: str, org: str):
    meta = _meta_of(f"{title}\n\n一、基本情况\n\n本单位主要职能是依法履职。")
    assert meta.org == org
    assert not any(a.startswith(("场", "市管理", "安局")) for a in meta.aliases)


def test_a_portal_menu_word_is_no_title():
    text = "• 公开目录\n• 自评报告\n• 发布日期\n青禾市图书馆2022年度项目支出绩效自评报告\n一、自评结论\n自评得分100分。"
    meta = _meta_of(text)
    assert meta.org == "青禾市图书馆"
    assert meta.title.startswith("青禾市图书馆")


def test_a_report_naming_no_unit_is_placed_by_the_place_it_repeats():
    text = (
        "建设项目绩效自评报告\n一、项目概况\n我局承担云岭县2021年度道路建设项目实施任务，"
        "下达云岭县资金1288.6万元，涉及2021年石桥镇等6个乡镇。"
    )
    meta = _meta_of(text)
    assert meta.org == "未知单位"
    assert meta.district == "云岭县"


def test_a_unit_named_without_its_place_is_known_with_the_place_its_report_repeats():
    text = (
        "2019年度青禾县高中助学金项目绩效评价指标表\n实施单位:教育局\n"
        "青禾县高中助学金发放到位，青禾县共资助学生1850人。"
    )
    meta = _meta_of(text)
    assert meta.org == "教育局" and "青禾县教育局" in meta.aliases


def test_a_menu_line_above_the_title_and_our_county_are_no_part_of_the_name():
    meta = _meta_of(
        "中国政府网/省委/市委/市人大\n石川市统计局部门整体支出绩效自评报告\n一、基本情况\n本局编制33人。"
    )
    assert meta.org == "石川市统计局"
    assert not _meta_of("项目实施绩效自评报告\n为建设我县文化馆分馆，根据文件要求。").org.startswith("建设")


@pytest.mark.parametrize(
    ("text", "org"),
    [
        # a document site's page title: page counters, sizes and "下载文档" glued around the unit's name
        (
            "石川市青禾区第二幼儿园_第1页石川市青禾区第二幼儿园_第2页已阅读2页PAGE11石川市青禾区第二幼儿园\n"
            "石川市青禾区第二幼儿园2022年度部门决算说明\n石川市青禾区第二幼儿园是全额拨款事业单位。",
            "石川市青禾区第二幼儿园",
        ),
        (
            "文库-精品文档,下载即用。云岭市松溪县白石镇中心卫生院2021年部门决算公开表\n"
            "Doc12页40.2 KB下载文档云岭市松溪县白石镇中心卫生院\n云岭市松溪县白石镇中心卫生院负责辖区基本医疗。",
            "云岭市松溪县白石镇中心卫生院",
        ),
        # the title runs into the next sentence, which names the bodies that sent the funds
        (
            "青禾县民政局转移支付2023年度绩效\n自评报告\n一、绩效目标分解下达情况\n2023年下达:\n"
            "云岭省财政厅 云岭省民政厅关于下达资金的通知下达养老服务5.7万元。",
            "青禾县民政局",
        ),
        # "我县财政局" is named in passing; the page's 信息来源 is the unit ("现将我局…")
        (
            "2022年中央补助资金绩效自评报告\n发布时间:2023-04-25 信息来源:青禾县文化和旅游局\n"
            "根据我县财政局通知要求,现将我局2022年度补助资金绩效自评情况汇报如下:",
            "青禾县文化和旅游局",
        ),
        ("项目名称 | 养老补贴 | 实施单位 | 松溪区区民政局 |\n松溪区区民政局按时拨付补贴。", "松溪区民政局"),
        ("目录\n青禾县西街小学内设机构有办公室、教务处。\n青禾县西街小学2022年决算。", "青禾县西街小学"),
        # the unit signs after the title ("…自评报告青禾县妇幼保健服务中心(盖章)"), site furniture before it
        (
            "文档简介PAGE10PAGE2019年度部门整体支出绩效自评报告青禾县妇幼保健服务中心(盖章)为进一步规范财政资金管理,"
            "强化部门绩效意识,现将自评情况报告如下。",
            "青禾县妇幼保健服务中心",
        ),
        # a city before the unit's name in the title, the text naming it without: the city stays
        (
            "石川市青禾区市场监督管理局\n2022年度部门整体支出绩效自评报告\n第一部分 部门概况\n"
            "青禾区市场监督管理局内设科室15个。青禾区市场监督管理局下设市场监管所12个。",
            "石川市青禾区市场监督管理局",
        ),
        # the report of a place's funds, with no department named
        ("云岭省2022年度中央自然灾害资金绩效自评报告\n一、基本情况\n下达资金500万元。", "云岭省"),
    ],
)
def test_unit_names_read_from_damaged_titles_and_passing_mentions(text: str, org: str):
    assert _meta_of(f"SOURCE: https://example.org/1.html\n{text}").org == org


def test_a_place_followed_by_an_area_word_is_no_unit():
    meta = _meta_of(
        "SOURCE: https://example.org/1.html\n根据要求,对2023年城乡义务教育补助经费项目开展了自评。\n"
        "根据自治区、石川市、青禾区城乡义务教育补助经费标准,下达经费600万元。"
    )
    assert "城乡" not in meta.org


def test_a_short_title_name_takes_the_place_the_text_names_it_with():
    meta = _meta_of(
        "SOURCE: https://example.org/1.html\n2022年度松溪街道办事处部门决算日期:2023-09-15来源:松溪街道"
        "2022年度松溪街道办事处部门决算目录\n"
        "一、部门职责\n石川市青禾区松溪街道办事处是区政府的派出机关。"
    )
    assert meta.org == "石川市青禾区松溪街道办事处"


def test_a_township_is_known_with_the_county_its_report_names_it_with():
    meta = _meta_of(
        "SOURCE: https://example.org/1.html\n2021年,云岭县白沙镇人民政府采购支出总额52.30万元。\n"
        "白沙镇共有车辆1辆。白沙镇完成云岭县下达的年度工作任务。"
    )
    assert meta.org == "云岭县白沙镇"
    assert "白沙镇" in meta.aliases


def test_a_verbs_phrase_ending_in_a_body_is_no_unit_name():
    meta = _meta_of(
        "SOURCE: https://example.org/1.html\n一、基本情况\n"
        "完成区委交办事项12件。\n完成区委部署的各项任务。\n青禾县松溪街道负责辖区社会管理。"
    )
    assert "完成" not in meta.org + "".join(meta.aliases)


@pytest.mark.parametrize(
    ("text", "org"),
    [
        (
            "政府信息公开\n食品监管补助资金区域绩效目标自评表\n来源:青禾区市场监管局 发布时间:2023-05-10\n"
            "专项名称\n\n食品监管补助资金\n\n中央主管部门\n\n市场监管总局\n\n省级主管部门\n\n云岭省市场监管局\n\n100",
            "青禾区市场监管局",
        ),
        (
            "动物防疫项目绩效目标自评表(2024年度)\n中央主管部门 农业农村部 地方主管部门 云岭省农业农村厅 "
            "资金使用单位 石川市农业农村局 资金投入情况(万元)",
            "石川市农业农村局",
        ),
    ],
)
def test_the_ministry_or_province_above_a_transfer_payment_is_not_the_unit(text: str, org: str):
    assert _meta_of(f"SOURCE: https://example.org/1.html\n{text}").org == org


def test_the_short_form_of_an_agricultural_extension_centre():
    assert "青禾县农技推广中心" in aliases_for("青禾县农业技术推广中心", "青禾县", None, None)


def _meta(text: str):
    from index.models import RawDocument, SourceLine

    lines = [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)]
    return parse_report(RawDocument("r.txt", "txt", lines, "0" * 64)).meta


def test_a_place_s_funds_report_is_the_place_s_unless_a_body_of_that_place_is_named():
    # a 盟 and a province written without 省, their funds' reports behind a portal's field names and bar
    assert _meta(
        "标题:石川盟农村公路养护补助资金2022年度绩效自评报告 | | |\n一、基本情况\n资金2860万元。"
    ).org == ("石川盟")
    bar = "适老化专区 无障碍浏览 注册 登录 更换背景\n\n宁夏农村饮水安全补助资金转移支付2021年度绩效自评报告\n"
    meta = _meta(bar + "全区各级人力资源社会保障部门按时发放。")
    assert meta.org == "宁夏" and "适老化" not in meta.title
    # the body the text names, of that place, stays the unit
    assert (
        _meta("青禾县农村公路养护资金2021年度绩效自评报告\n青禾县交通运输局负责实施。").org
        == "青禾县交通运输局"
    )


def test_a_portal_s_font_size_switch_is_no_part_of_the_unit_s_name():
    meta = _meta("大\n中\n小\n石川市青禾县白沙小学\n2022年度部门决算情况说明\n一、基本情况")
    assert meta.org == "石川市青禾县白沙小学"


def test_a_party_school_is_known_without_中共_and_by_its_place():
    names = aliases_for("中共石川市委党校", None, None, None)
    assert {"石川市委党校", "石川党校"} <= set(names)
    assert not any(n.startswith("委") for n in names)


def test_a_bureau_s_branch_is_known_by_its_own_place_and_the_bureau_s_trade():
    names = set(aliases_for("石川市公安局青禾区分局", "青禾区", "石川市", None))
    assert {"青禾区分局", "青禾公安分局", "青禾区公安分局"} <= names and "分局" not in names
    port = set(aliases_for("石川市自然资源局白沙口岸分局", None, "石川市", None))
    assert {"白沙口岸分局", "白沙分局"} <= port


def test_a_body_under_a_bureau_is_known_with_its_place_but_not_its_bureau():
    names = set(aliases_for("石川市林业局林业技术推广站", None, "石川市", None))
    assert {"石川市林业技术推广站", "林业技术推广站"} <= names


def test_a_report_that_cites_its_own_title_is_its_unit_s():
    meta = _meta(
        "| 产出指标 | 数量指标 | 救助人次 |\n按要求开展自评,《青禾县民政局2022年部门整体支出绩效评价报告》附后。"
    )
    assert meta.org == "青禾县民政局"


def test_two_levels_of_place_side_by_side_name_no_unit():
    # "兄弟区县党委" (the party committees of sister districts and counties) is a phrase of the body; the
    # unit is the one a paragraph opens with
    text = (
        "第一部分部门概况\n一、部门职责\n1.负责兄弟区县考察团来访的接待;兄弟区县党委、政府领导来访的接待。\n"
        "二、机构设置\n青禾县接待服务中心,为县政府直属事业单位,由县政府办公室管理。\n"
    )
    lines = [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)]
    meta = parse_report(RawDocument("r.txt", "txt", lines, "0" * 64)).meta
    assert meta.org == "青禾县接待服务中心"


def test_a_publisher_in_a_portals_pipe_table_names_the_unit():
    text = (
        "索引号 | 1134-2025-00006 | 组配分类 | 部门项目 |\n"
        "发布机构 | 石川市农业农村局 | 发文日期 | 2025-04-15 |\n"
        "动物防疫项目绩效目标自评表 | |||\n"
        "资金使用单位 | 市农业农村局 | |\n"
    )
    lines = [SourceLine(i, t) for i, t in enumerate(text.split("\n"), 1)]
    meta = parse_report(RawDocument("r.txt", "txt", lines, "0" * 64)).meta
    assert meta.org == "石川市农业农村局"


def test_a_prefecture_named_州_is_the_units_place():
    meta = _meta_of("云岭州民政局2020年项目支出绩效评价报告\n一、基本情况\n资金120万元。")
    assert meta.org == "云岭州民政局" and meta.city == "云岭州"
    assert "民政局" in meta.aliases


def test_a_transfer_payments_template_headings_are_report_sections():
    assert canonical_of("一、绩效目标分解下达情况") == "基本情况"
    assert canonical_of("二、绩效情况分析") == "工作任务完成情况"


def test_a_body_that_issues_or_allots_is_not_the_reporting_unit():
    text = (
        "一、绩效目标分解下达情况\n2022年12月23日,石川省财政厅以《关于提前下达2023年中央土壤污染防治资金预算的通知》"
        "下达我市资金8000万元。\n青禾市土壤污染防治资金分配到松溪县2000万元、白沙县1500万元。"
        "青禾市下达松溪县详细调查资金,松溪县完成调查。"
    )
    meta = _meta_of(text)
    assert "财政厅" not in meta.org
    # a city's report ("下达我市…") names the counties the funds went to: they are not where it is from
    assert meta.city == "青禾市" and meta.district is None


def test_以上城市_names_no_city():
    text = "一、基本情况\n地级以上城市空气质量优良率93.5%,以上城市黑臭水体消除比例88%。"
    assert _meta_of(text).city is None


def test_a_form_field_run_into_the_next_ends_at_its_name():
    text = (
        "财政支出项目绩效评价自评报告评价类型:项目完成结果评价项目名称公共文化服务经费项目单位青禾市文化旅游广电局"
        "主管部门青禾市人民政府评价方式:部门(单位)绩效自评\n一、项目基本概况\n全年安排资金30万元。"
    )
    assert _meta_of(text).org == "青禾市文化旅游广电局"


def test_a_letters_salutation_is_not_its_writer():
    text = (
        "石川市财政局、石川市农业农村局:\n为加强补助资金绩效管理,按照要求,松溪市认真开展自评工作。"
        "现将松溪市2023年度衔接资金绩效自评情况报告如下:\n一、绩效考评工作开展情况\n我市召开专题会议。"
    )
    assert _meta_of(text).org == "松溪市"


def test_the_writer_named_in_现将_is_the_unit():
    text = "按照要求,现将云岭区白沙镇2021年度“三公”经费决算情况公布如下:\n经汇总,全镇“三公”经费支出合计20.5万元。"
    meta = _meta_of(text)
    assert meta.org == "云岭区白沙镇" and meta.year == 2021


def test_units_in_a_table_of_projects_are_not_the_reporter():
    text = (
        "今年我局委托第三方机构对11个项目实施了重点绩效评价。\n"
        "项目名称 | 主管部门 | 评分\n石川市松溪中学校改扩建资金项目 | 区教委 | 85\n"
        "石川区招商投资促进局2020年度招商引资考察 资金 | 区商务委 | 80"
    )
    assert _meta_of(text).org not in ("石川市松溪中学", "石川区招商投资促进局")


def test_the_reports_year_is_not_its_publication_day_nor_a_base():
    assert _meta_of("目录公开时间:2025年9月2日\n2024年度收、支总计均为152.3万元。").year == 2024
    text = "2.会议费支出3.6万元,支出决算比2021年减少1.2万元。\n2022年政府性基金预算财政拨款支出0万元。"
    assert _meta_of(text).year == 2022


def test_a_unit_named_without_its_place_is_known_with_the_region_its_report_repeats():
    text = (
        "2023年体彩中心绩效项目支出自评表\n项目名称:青海体彩APP升级\n主管部门:青海省体育局\n"
        "资金使用单位:体彩中心\n青海体彩APP升级全年执行47.5万元。"
    )
    meta = _meta_of(text)
    assert meta.org == "体彩中心" and "青海体彩中心" in meta.aliases


def test_a_one_character_county_heading_a_title_run_into_its_salutation_is_the_writer():
    text = (
        "2019沛县扶贫项目绩效自评抽查报告\n沛县财政局扶贫项目绩效目标自评\n抽查情况报告\n县扶贫开发工作领导小组:\n"
        "根据有关文件要求,县财政局会同县扶贫局对行业部门绩效进行抽查,现将抽查结果报告如下:\n一、基本情况\n"
        "2019年沛县共有扶贫项目111个。"
    )
    meta = _meta_of(text)
    assert meta.org == "沛县财政局" and meta.year == 2019


def test_a_numbered_title_of_a_places_funds_names_the_place():
    text = "1、云岭县2017年度财政专项资金扶贫项目支出绩效评价报告项目摘要一、项目概况:2017年度我县投入扶贫资金845万元。"
    assert _meta_of(text).org == "云岭县"


def test_a_unit_its_report_names_by_level_alone_is_the_writer():
    text = (
        "2023年度部门决算\n目 录\n第二部分 2023年度部门决算说明\n一、部门基本情况\n(二)人员构成情况\n"
        "区工商联行政编制5人,实际6人;事业编制5人,实际5人。\n二、收入支出决算总体情况说明\n"
        "2023年度收、支总计420.50万元。"
    )
    assert _meta_of(text).org == "区工商联"
    project = "标题:\n一、项目概括\n外贸促进服务项目为省文旅厅本级的经常性项目,项目资金用途为保障我厅各处室正常运转。"
    assert _meta_of(project).org == "省文旅厅"


def test_a_name_cut_short_leaves_no_common_word_as_an_alias():
    from index.structure import aliases_for

    assert "社会" not in aliases_for("云岭省社会", None, None, "云岭省")
    assert "残联" in aliases_for("青禾县残联", "青禾县", None, None)
    assert "财政局" in aliases_for("青禾县财政局", "青禾县", None, None)


def test_a_report_dated_the_next_year_is_of_the_whole_year_it_says_it_covers():
    head = "来源:县林业局 2024-07-14 09:53 报告日期: 2024 年 7 月 8 日"
    body = "项目起止时间 2023年 1 月起至 2023 年 12 月止 计划安排资金(万元)55"
    assert report_year("石川县财政支出项目绩效评价自评报告", head, body) == 2023
    assert report_year("石川县2022年度项目支出绩效自评报告", head, body) == 2022  # the title's own year first
    assert report_year("自评报告", "报告日期: 2024 年 7 月 8 日", "") == 2024  # only a day: its year


def test_a_year_in_the_body_dates_a_table_whose_opening_names_none():
    assert (
        report_year("读者活动知晓率 | 100 | %", "指标值 | 5", "部门预算项目支出绩效自评表(2022年度)") == 2022
    )
