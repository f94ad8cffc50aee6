"""Question understanding on hand-made metadata: no index, no models."""

import pytest

from assistant.understand import QuestionParser
from index.models import ReportMeta
from index.structure import aliases_for


def _meta(doc: str, org: str, district: str, year: int) -> ReportMeta:
    return ReportMeta(
        doc,
        org,
        aliases_for(org, district, "广州市", None),
        district,
        "广州市",
        None,
        year,
        "部门整体支出",
        "",
    )


YP = _meta("yp.txt", "广州市白云区人民政府永平街道办事处", "白云区", 2021)
LP = _meta("lp.txt", "广州市番禺区人民政府洛浦街道办事处", "番禺区", 2021)
XGW = _meta("xgw.txt", "广州市番禺区人民政府小谷围街道办事处", "番禺区", 2021)
OFFICE = _meta("fo.txt", "广州市番禺区人民政府办公室", "番禺区", 2021)
NZ = _meta("nz.txt", "广州市海珠区人民政府南洲街道办事处", "海珠区", 2023)
ITEMS = {
    "nz.txt": {
        "绩效管理",
        "绩效管理制度建设",
        "绩效管理制度执行",
        "资产管理",
        "资产管理合规性",
        "预算执行",
        "部门预算资金支出率",
    },
    "xgw.txt": {
        "业务工作经费（城管科）",
        "业务工作经费（武装）",
        "新型冠状病毒肺炎疫情防控专项经费",
        "河涌整治工程项目",
    },
    "yp.txt": {"出租屋管理专项", "环卫保洁专项", "管理效能", "履职效能"},
}


@pytest.fixture
def parser() -> QuestionParser:
    return QuestionParser([YP, LP, XGW, OFFICE, NZ], ITEMS)


@pytest.mark.parametrize(
    ("question", "docs", "metric", "kind"),
    [
        ("永平街的预算执行率是多少？", ["yp.txt"], "预算执行率", "lookup"),
        ("区府办项目支出多少", ["fo.txt"], "项目支出", "lookup"),
        ("南洲街三公经费支出多少", ["nz.txt"], "三公经费", "lookup"),
        ("洛浦2021年政府性基金预算财政拨款支出多少", ["lp.txt"], "政府性基金预算财政拨款支出", "lookup"),
        ("永平街部门整体支出自评满分是多少分？", ["yp.txt"], "自评总分值", "lookup"),
        ("2021年番禺几个街道谁的执行率最高？", ["lp.txt", "xgw.txt"], "预算执行率", "compare"),
        ("南洲街存在什么问题？", ["nz.txt"], None, "text"),
        ("南洲街道预算管理方面有啥不足", ["nz.txt"], "全年预算数", "text"),
    ],
)
def test_units_metric_and_kind(parser, question, docs, metric, kind):
    parsed = parser.parse(question)
    assert [u.doc for u in parsed.units] == docs
    assert parsed.metric == metric
    assert parsed.kind == kind


def test_metric_words_are_not_read_as_item_names(parser):
    parsed = parser.parse("南洲的预算执行率多少")
    assert parsed.item is None and parsed.metric == "预算执行率"
    indicator = parser.parse("南洲部门预算资金支出率这个指标得分多少")
    assert indicator.item == "部门预算资金支出率" and indicator.metric == "得分"


def test_items_match_on_words_not_order(parser):
    assert parser.parse("小谷围城管科业务工作经费支出了多少").item == "业务工作经费（城管科）"
    assert parser.parse("小谷围新冠疫情防控专项经费花了多少钱？").item == "新型冠状病毒肺炎疫情防控专项经费"
    exact = parser.parse("南洲绩效管理制度建设得分多少？")
    assert exact.item == "绩效管理制度建设" and not exact.ambiguous_items


def test_near_equal_items_are_asked_back_not_guessed(parser):
    parsed = parser.parse("小谷围业务工作经费支出多少")
    assert parsed.item is None and len(parsed.ambiguous_items) >= 2


def test_an_item_of_another_report_is_missing_here(parser):
    parsed = parser.parse("洛浦街管理效能得分多少")
    assert parsed.item is None and parsed.item_missing == "管理效能"


def test_a_score_of_an_unknown_indicator_is_not_the_total(parser):
    parsed = parser.parse("永平街预算编制得了几分")
    assert parsed.item_missing == "预算编制"
    assert parser.parse("永平街部门整体支出绩效自评的得分是多少呀").item_missing is None


@pytest.mark.parametrize(
    ("question", "operation"),
    [
        ("洛浦街还有多少预算没花出去？", "remaining"),
        ("区府办预算和实际支出差了多少？", "remaining"),
        ("区府办基本支出占全年支出的比例是多少？", "share"),
        ("南洲绩效管理扣了几分？", "lost_points"),
        ("小谷围四个重点项目预算加起来多少？", "sum"),
        ("洛浦三个重点项目评价平均得分多少？", "average"),
        ("南洲的执行率比永平街高几个百分点？", "difference"),
    ],
)
def test_derived_operations(parser, question, operation):
    parsed = parser.parse(question)
    assert parsed.operation == operation and parsed.kind == "derived"


def test_share_terms_and_counts(parser):
    share = parser.parse("洛浦政府性基金收入占财政拨款收入的比重？")
    assert (share.metric, share.base_metric) == ("政府性基金预算财政拨款收入", "财政拨款收入")
    total = parser.parse("小谷围四个重点项目预算加起来多少？")
    assert (total.count, total.scope, total.metric) == (4, "重点", "项目预算数")


def test_difference_keeps_the_order_the_question_names_units(parser):
    parsed = parser.parse("南洲的执行率比永平街高几个百分点？")
    assert [u.doc for u in parsed.units] == ["nz.txt", "yp.txt"]


def test_follow_up_and_year_and_unknown_place(parser):
    first = parser.parse("永平街的预算执行率是多少？")
    follow = parser.parse("那洛浦街呢？", first)
    assert [u.doc for u in follow.units] == ["lp.txt"] and follow.metric == "预算执行率"
    assert parser.parse("永平街2019年的执行率是多少").kind == "unanswerable"
    unknown = parser.parse("沙湾街道2021年执行率多少？")
    assert unknown.kind == "unanswerable" and unknown.unknown_unit == "沙湾街道"


def test_explain_questions_want_text(parser):
    parsed = parser.parse("南洲资产管理合规性为啥只得了0.5分")
    assert parsed.kind == "text" and parsed.explain and parsed.item == "资产管理合规性"


@pytest.mark.parametrize(
    ("question", "subject", "period", "asks_figure"),
    [
        ("永平街的公务接待费是多少？", "公务接待费", None, True),
        ("2021年永平街道年末实有人数多少？", "年末实有人数", None, True),
        ("洛浦街第三季度支出进度是多少", "第三季度支出进度", "第三季度", True),
        ("南洲街道上半年执行率", "上半年执行率", "上半年", True),  # a rate is a figure
        ("南洲街道的部门整体绩效目标是啥", "部门整体绩效目标", None, False),
    ],
)
def test_subject_and_period(parser, question, subject, period, asks_figure):
    parsed = parser.parse(question)
    assert (parsed.subject, parsed.period, parsed.asks_figure) == (subject, period, asks_figure)


def test_spending_progress_is_a_rate_not_the_spending(parser):
    assert parser.parse("洛浦街支出进度是多少").metric == "预算执行率"


@pytest.mark.parametrize(
    ("question", "years", "operation"),
    [
        ("永平街预算执行率比上年提高了多少？", (), "yoy"),
        ("永平街自评得分同比变化", (), "yoy"),
        ("永平街2022年执行率比2021年高几个百分点", (2022, 2021), "yoy"),
        ("永平街2021年和2022年的执行率分别是多少", (2021, 2022), None),
        ("南洲比永平高多少", (), "difference"),
    ],
)
def test_year_on_year_and_years_named(parser, question, years, operation):
    parsed = parser.parse(question)
    assert (parsed.years, parsed.operation) == (years, operation)


def test_a_question_for_two_years_keeps_both_reports():
    yp22 = _meta("yp22.txt", "广州市白云区人民政府永平街道办事处", "白云区", 2022)
    parsed = QuestionParser([YP, yp22, LP], ITEMS).parse("永平街2021年和2022年的执行率分别是多少")
    assert [u.doc for u in parsed.units] == ["yp.txt", "yp22.txt"] and parsed.kind == "lookup"
    yoy = QuestionParser([YP, yp22, LP], ITEMS).parse("永平街执行率比上年提高了多少")
    assert yoy.kind == "derived" and {u.doc for u in yoy.units} == {"yp.txt", "yp22.txt"}


@pytest.mark.parametrize(
    ("question", "docs", "kind"),
    [
        ("哪个街道三公经费最多？", ["yp.txt", "lp.txt", "xgw.txt", "nz.txt"], "compare"),  # not a place
        ("执行率低于90%的单位有哪些", [], "compare"),
        ("所有单位全年预算数加起来多少？", [], "derived"),
    ],
)
def test_questions_over_every_unit(parser, question, docs, kind):
    parsed = parser.parse(question)
    assert [u.doc for u in parsed.units] == docs and parsed.kind == kind and parsed.unknown_unit is None


def test_sums_and_averages_over_units_keep_the_metric(parser):
    total = parser.parse("所有单位执行数加起来多少")
    assert (total.operation, total.across, total.metric) == ("sum", True, "执行数")
    average = parser.parse("几个单位的平均预算执行率是多少")
    assert (average.operation, average.across, average.metric) == ("average", True, "预算执行率")
    projects = parser.parse("小谷围四个重点项目预算加起来多少？")
    assert projects.across is False and projects.metric == "项目预算数"


@pytest.mark.parametrize(
    ("question", "metrics"),
    [
        ("永平街预算执行率和自评得分分别是多少", ("预算执行率", "自评得分")),
        ("永平街全年预算数和执行数", ("全年预算数", "执行数")),
        ("南洲街三公经费支出和执行率", ("三公经费", "预算执行率")),  # 支出 belongs to 三公经费
        ("永平街的预算执行率是多少？", ()),
    ],
)
def test_several_metrics_at_once(parser, question, metrics):
    assert parser.parse(question).metrics == metrics


@pytest.mark.parametrize(
    ("question", "threshold"),
    [
        ("永平街执行率有没有达到90%？", (">=", 90.0, "%", "有没有达到90%")),
        ("南洲街道预算执行率是否超过95%", (">", 95.0, "%", "是否超过95%")),
        ("执行率低于90%的单位有哪些", ("<", 90.0, "%", "低于90%")),
        ("自评得分90分以上的单位", (">=", 90.0, "分", "90分以上")),
        ("永平街的预算执行率是多少？", None),
    ],
)
def test_thresholds(parser, question, threshold):
    assert parser.parse(question).threshold == threshold


def test_one_units_reports_on_two_projects_the_named_project_decides():
    """Two project reports of one town for one year: the question naming one project is about that one."""
    from dataclasses import replace as _replace

    roads = _replace(
        _meta("roads.txt", "青禾县石桥镇人民政府", "青禾县", 2022), aliases=("石桥镇", "村道养护项目")
    )
    water = _replace(
        _meta("water.txt", "青禾县石桥镇人民政府", "青禾县", 2022), aliases=("石桥镇", "饮水维修项目")
    )
    parser = QuestionParser([roads, water], {})
    assert [u.doc for u in parser.parse("石桥镇村道养护项目年初预算多少").units] == ["roads.txt"]
    assert {u.doc for u in parser.parse("石桥镇预算执行率多少").units} == {"roads.txt", "water.txt"}


def test_two_units_named_by_the_name_they_share_are_asked_about():
    """ "司法局" of two counties: which one is for the asker to say; "青川司法局" says it."""
    from dataclasses import replace as _replace

    a = _replace(_meta("a.txt", "青川县司法局", "青川县", 2021), aliases=("青川县司法局", "司法局"))
    b = _replace(_meta("b.txt", "大英县司法局", "大英县", 2023), aliases=("大英县司法局", "司法局"))
    parser = QuestionParser([a, b], {})
    both = parser.parse("司法局的预算执行率是多少")
    assert both.ambiguous_units == ("大英县司法局", "青川县司法局")
    one = parser.parse("青川司法局的预算执行率是多少")
    assert [u.doc for u in one.units] == ["a.txt"] and not one.ambiguous_units
    assert not parser.parse("青川县司法局和大英县司法局哪个执行率高").ambiguous_units


def test_a_question_naming_no_unit_finds_the_one_report_that_talks_about_it():
    """ "青禾站房扩规模…": no unit named, but only one report's text talks about 青禾站房."""
    a = _meta("a.txt", "青禾市交通运输局", "", 2021)
    b = _meta("b.txt", "青禾市卫生健康委员会", "", 2021)
    c = _meta("c.txt", "石川县司法局", "石川县", 2021)
    texts = {
        "a.txt": "青禾站房原批复3000平方米，站房规模扩至9000平方米，松溪区承担48万元。",
        "b.txt": "卫生应急演练经费项目，参训医务人员90人，资金执行率100%。",
        "c.txt": "法律援助经费指标金额80万元，实际拨付76万元。",
    }
    parser = QuestionParser([a, b, c], {}, lambda doc: texts.get(doc, ""))
    assert [u.doc for u in parser.parse("青禾站房扩规模这块松溪区要承担多少").units] == ["a.txt"]
    # words every report could hold, or a unit the chosen report never names, find none
    assert parser.parse("这个项目预算执行了多少").units == ()
    assert parser.parse("天河区财政局站房扩规模承担多少").units == ()


def test_a_two_digit_year_is_the_year(parser):
    """ "23年" as staff write it is 2023; "运行10年" is no year."""
    assert parser.parse("永平街23年预算执行率是多少").year == 2023
    assert parser.parse("永平街的设备运行10年了吗").year is None


def test_a_units_reports_of_several_years_latest_first():
    from dataclasses import replace as _replace

    old = _replace(YP, doc="yp2020.txt", year=2020)
    new = _replace(YP, doc="yp2022.txt", year=2022)
    parser = QuestionParser([old, YP, new, LP], ITEMS)
    assert [u.doc for u in parser.parse("永平街的预算执行率是多少").units] == [
        "yp2022.txt",
        "yp.txt",
        "yp2020.txt",
    ]
    assert [u.doc for u in parser.parse("洛浦街和永平街执行率比较").units][0] == "lp.txt"


def test_an_average_in_a_names_own_words_is_no_average_asked(parser):
    assert parser.parse("永平街受助人数(按月平均)是多少").operation != "average"
    assert parser.parse("永平街和洛浦街的执行率平均是多少").operation == "average"


def test_an_indicator_asked_for_is_named_without_the_askers_fillers(parser):
    assert parser.parse("永平街档案归档合格率这项指标得了几分").item_missing == "档案归档合格率"
    assert parser.parse("永平街校舍维修项目里学生满意度这项得了几分").item_missing == "学生满意度"


def test_the_units_place_is_no_missing_item():
    """ "石川妇幼健康工程自评得了多少分" of a report placed only by its city: 石川 says where, not which indicator."""
    from dataclasses import replace as _replace

    report = _replace(
        _meta("fy.txt", "未知单位", "", 2021),
        district=None,
        city="石川市",
        aliases=(),
        title="2021年妇幼健康工程绩效自评报告",
    )
    parsed = QuestionParser([report], {}).parse("石川妇幼健康工程2021年自评得了多少分")
    assert parsed.item_missing != "石川"


def test_a_place_written_before_a_unit_that_names_itself_by_level_is_no_part_of_what_is_asked():
    bare = ReportMeta(
        "cz.txt",
        "市财政局",
        aliases_for("市财政局", None, None, None),
        None,
        None,
        None,
        2022,
        "项目支出",
        "",
    )
    parsed = QuestionParser([bare], {}).parse("云岭市财政局政务服务项目总分得了几分")
    assert [u.doc for u in parsed.units] == ["cz.txt"]
    assert "云岭" not in (parsed.asked or "") and "云岭" not in parsed.subject


def test_an_item_of_another_report_sharing_a_long_phrase_is_not_said_to_be_missing():
    a = ReportMeta("a.txt", "石川市", ("石川市",), None, "石川市", None, 2023, "项目支出", "")
    b = ReportMeta(
        "b.txt", "青禾县文化和旅游局", ("青禾县文化和旅游局",), "青禾县", None, None, 2023, "项目支出", ""
    )
    items = {"b.txt": {"云岭省财政厅下达中央支持地方公共文化服务体系建设补助资金"}}
    parsed = QuestionParser([a, b], items).parse("石川市公共文化服务体系建设专项资金省级一共下达多少")
    assert [u.doc for u in parsed.units] == ["a.txt"]
    assert parsed.item_missing is None


def test_a_county_inside_another_places_name_is_not_that_county():
    nan = ReportMeta(
        "nx.txt",
        "禾县财政局",
        aliases_for("禾县财政局", "禾县", None, None),
        "禾县",
        None,
        None,
        2020,
        "",
        "",
    )
    parser = QuestionParser([nan, YP], {})  # (with one unit indexed, a question naming none is about it)
    assert parser.parse("青禾县地灾隐患威胁多少人").units == ()
    assert [u.doc for u in parser.parse("禾县财政局2020年预算执行率").units] == ["nx.txt"]
    assert [u.doc for u in parser.parse("请问禾县财政局的自评得分").units] == ["nx.txt"]


def _printed_under_seeds(code: str, seeds: tuple[str, ...]) -> set[str]:
    """What `code` prints, run in a fresh interpreter under each PYTHONHASHSEED (each seeds str hashes anew)."""
    import os
    import subprocess
    import sys

    outputs = set()
    for seed in seeds:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
        )
        assert done.returncode == 0, done.stderr[-1000:]
        outputs.add(done.stdout)
    return outputs


def test_which_district_a_question_names_does_not_depend_on_the_hash_seed():
    """Two places of one length in one question: the set they were gathered in must not decide (each
    process seeds str hashes anew)."""
    code = (
        "from assistant.understand import QuestionParser\n"
        "from index.models import ReportMeta\n"
        "from index.structure import aliases_for\n"
        "metas = [ReportMeta(f'{d}.txt', f'{d}{o}', aliases_for(f'{d}{o}', d, None, None), d, None, None, 2023,"
        " '', '') for d in ('白沙县', '青禾县', '松溪县', '云岭县', '石川县', '红枫县') for o in ('财政局', '教育局')]\n"
        "print([u.doc for u in QuestionParser(metas, {}).parse('青禾白沙红枫云岭经开区河道保洁花了多少').units])\n"
    )
    outputs = _printed_under_seeds(code, ("0", "1", "2", "3"))
    assert len(outputs) == 1, outputs


def test_a_question_about_年_城乡_names_no_township_and_no_place():
    from assistant.units import org_mentions, places_of

    assert org_mentions("石川盟2022年城乡低保资金预算数是多少") == []
    assert places_of("2022年城乡低保") == set()


def test_the_place_before_a_unit_s_name_is_no_part_of_what_is_asked():
    meta = ReportMeta("a.txt", "白沙卫生院", ("白沙卫生院",), None, None, None, 2021, "部门整体支出", "")
    parsed = QuestionParser([meta], {}).parse("青禾县白沙卫生院2021年全年预算数是多少万元？")
    assert [u.doc for u in parsed.units] == ["a.txt"] and "青禾县" not in parsed.asked


def test_a_bare_去年_says_when_and_compares_nothing(parser):
    assert parser.parse("永平街去年发了多少册宣传资料").operation != "yoy"
    assert parser.parse("永平街执行率比去年提高了多少").operation == "yoy"


def _unit(doc: str, org: str, district: str | None, title: str = "") -> ReportMeta:
    return ReportMeta(
        doc, org, aliases_for(org, district, None, None), district, None, None, 2023, "其他", title
    )


def test_words_before_a_shared_kind_name_that_no_report_holds_name_another_unit():
    # "农业农村局" is two counties' short name; "七星农场" before it is neither of them: the report that
    # talks about 七星农场 is meant, found by its words
    a = _unit("a.txt", "青禾县农业农村局", "青禾县")
    b = _unit("b.txt", "云岭县农业农村局", "云岭县")
    c = _unit("c.txt", "未知单位", None, "农机购置补贴支出绩效自评报告")
    texts = {"a.txt": "青禾县农业农村局 高标准农田", "b.txt": "云岭县农业农村局 种业振兴", "c.txt": ""}
    texts["c.txt"] = "农机购置补贴支出绩效自评报告 七星农场农业农村局下达农机补贴资金 七星农场农机手"
    parser = QuestionParser([a, b, c], {}, texts.get)
    parsed = parser.parse("七星农场农业农村局下达的农机补贴资金是多少")
    assert [u.doc for u in parsed.units] == ["c.txt"]
    # a place before the name is judged as places are; a filler before it names nothing
    assert [u.doc for u in parser.parse("青禾县农业农村局下达了多少资金").units] == ["a.txt"]
    assert {u.doc for u in parser.parse("我们农业农村局下达了多少资金").units} == {"a.txt", "b.txt"}


def test_a_name_with_a_function_character_in_it_is_matched_by_its_words():
    # 和 is a name's character in 松和岭卫生院: "松和岭卫生院" must not be read as "松 营卫生院"
    songhe = _unit("s.txt", "石川市松和岭中心卫生院", None)
    other = _unit("o.txt", "石川市白沙镇中心卫生院", None)
    parsed = QuestionParser([songhe, other], {}).parse("松和岭卫生院卫生技术人员有多少")
    assert [u.doc for u in parsed.units] == ["s.txt"]


def test_a_report_placed_elsewhere_is_no_rival_when_a_question_is_matched_by_content():
    # both reports talk about 危房改造; only one of them can be 青禾区's (the other is a town of 云岭县)
    town = _unit("t.txt", "云岭县白沙镇", "云岭县")
    unnamed = _unit("u.txt", "未知单位", None)
    texts = {
        "t.txt": "白沙镇 农村危房改造竣工验收后 下达农村危房改造补助资金 危房改造户",
        "u.txt": "农村危房改造竣工验收后 下达农村危房改造补助资金 根据青禾区农村危房改造管理办法",
    }
    question = "青禾区农村危房改造竣工验收后一共下达了多少补助资金"
    parsed = QuestionParser([town, unnamed], {}, texts.get).parse(question)
    assert [u.doc for u in parsed.units] == ["u.txt"]


def test_a_later_part_still_asks_of_the_unit_the_index_lacks():
    parser = QuestionParser([YP, NZ], {})
    first = parser.parse("白沙镇2021年全年预算数多少？")
    assert not first.units and first.unknown_unit
    later = parser.parse("全年执行数多少？", first, carry=True)
    assert not later.units and later.unknown_unit == first.unknown_unit and later.kind == "unanswerable"


def test_a_rate_named_in_asking_why_is_explained_not_asked_as_a_figure():
    parsed = QuestionParser([YP], {}).parse("永平街道合格率为啥没完成？")
    assert parsed.explain and not parsed.asks_figure
    assert QuestionParser([YP], {}).parse("永平街道合格率是多少？").asks_figure


def test_a_fund_another_report_is_known_by_is_what_is_asked_of_the_unit_named():
    # 文化惠民资金 is the project of 青禾县人社局's report; asked of 石川市人社局 it is that unit's fund
    qinghe = ReportMeta(
        "a.txt",
        "青禾县人社局",
        (*aliases_for("青禾县人社局", "青禾县", None, None), "文化惠民资金"),
        "青禾县",
        None,
        None,
        2022,
        "项目支出",
        "",
    )
    shichuan = _unit("b.txt", "石川市人社局", None)
    parser = QuestionParser([qinghe, shichuan], {})
    parsed = parser.parse("石川市人社局文化惠民资金全年执行了多少")
    assert [u.doc for u in parsed.units] == ["b.txt"]
    assert "文化惠民资金" in parsed.asked
    # named by the fund alone, the report known by it is meant
    assert [u.doc for u in parser.parse("文化惠民资金全年执行了多少").units] == ["a.txt"]


def test_a_document_number_or_a_year_compared_against_is_not_the_year_asked():
    parser = QuestionParser([YP, _meta("yp22.txt", "广州市白云区人民政府永平街道办事处", "白云区", 2022)], {})
    assert parser.parse("永平街道的职能配置是白办通〔2019〕几号文？").year is None
    assert parser.parse("永平街道收支总计比2021年增长了百分之几？").year is None
    # two years asked are still both asked
    assert parser.parse("永平街道2022年比2021年执行率增长了多少？").years == (2022, 2021)


def test_keyword_scores_are_the_same_float_whatever_the_hash_seed():
    """A BM25 score summed over the query's terms in set order differs in its last bits from seed to seed, and
    two passages tied in score then swap places: the terms are summed in the query's own order."""
    code = (
        "from index.sparse import BM25, tokenize\n"
        "from assistant.retrieve import PostedBM25\n"
        "docs = [tokenize(t) for t in ('青禾县白沙乡全年预算执行率为96.5%，资金到位及时。', "
        "'白沙乡项目资金执行情况良好，预算执行率较上年提高。', '资金管理制度健全，支出合规。')]\n"
        "q = tokenize('白沙乡预算执行率和资金到位情况')\n"
        "print([repr(s) for _, s in BM25(docs).scores(q)], [repr(s) for _, s in PostedBM25(docs).scores(q)])\n"
    )
    outputs = _printed_under_seeds(code, ("0", "1", "2", "3", "4", "5"))
    assert len(outputs) == 1, outputs


# a library of a dozen more units, for words to be rare or common in
_OTHER_UNITS = [
    _unit(f"x{i}.txt", f"{place}县{kind}", f"{place}县")
    for i, (place, kind) in enumerate(
        (place, kind)
        for place in ("白沙", "云岭", "石川", "松原", "青禾", "龙山")
        for kind in ("民政局", "财政局")
    )
]


def _in_library(texts: dict[str, str], *units: ReportMeta) -> QuestionParser:
    """A parser over `units` (their texts given) among the dozen others."""
    return QuestionParser([*units, *_OTHER_UNITS], {}, lambda doc: texts.get(doc, ""))


def test_a_day_in_the_question_is_no_report_year():
    # reports are written the year after: "截至2023年3月15日" dates a figure of the 2022 report
    parser = QuestionParser([_meta("yp22.txt", "广州市白云区人民政府永平街道办事处", "白云区", 2022)], {})
    parsed = parser.parse("永平街道截至2023年3月15日资金到位率多少？")
    assert parsed.year is None and [u.doc for u in parsed.units] == ["yp22.txt"]
    assert parser.parse("永平街道2023年资金到位率多少？").year == 2023


def test_a_report_known_by_its_place_outranks_one_whose_title_shares_common_words():
    # the unit of neither report is named; the question opens with a place only one of them is in
    placed = ReportMeta("p.txt", "未知单位", (), "松溪区", None, None, 2022, "其他", "雨污管网工程(一期)")
    other = _unit("o.txt", "未知单位", None, "城区雨污管网改造工程项目支出绩效评价报告")
    parsed = QuestionParser([placed, other, *_OTHER_UNITS], {}).parse(
        "松溪雨污管网一期的专项债还有多少没拨付？"
    )
    assert [u.doc for u in parsed.units] == ["p.txt"]


def test_a_report_that_alone_speaks_of_what_is_asked_beats_a_title_sharing_common_words():
    # "设施…维护" is in another report's title; only one report talks of 河道沿线 at all
    titled = _unit("t.txt", "青禾经济开发区", None, "校园安全专项整治项目绩效自评报告")
    table = _unit("r.txt", "未知单位", None, "")
    texts = {
        "t.txt": "校园安全专项整治 排查学校 42所",
        "r.txt": "河道沿线隐患排查 | 河道沿线安全隐患排查成本预算 | 6 | 万元 | 河道沿线环境整治亮化率",
    }
    library = [titled, table, *_OTHER_UNITS]
    parsed = QuestionParser(library, {}, lambda doc: texts.get(doc, "")).parse(
        "河道沿线整治项目安全隐患排查成本预算多少?"
    )
    assert [u.doc for u in parsed.units] == ["r.txt"]


def test_a_one_character_county_is_read_whole_not_with_the_word_before_it():
    # "…费用占石县就业中心": 用占 is no place, 石县 is
    unit = _unit("s.txt", "石县就业服务中心", "石县")
    parsed = QuestionParser([unit], {}).parse("稽查费用占石县就业中心项目支出的比例是多少?")
    assert [u.doc for u in parsed.units] == ["s.txt"]


def test_of_one_units_reports_of_two_years_the_one_that_speaks_of_what_is_asked():
    older = _meta("o.txt", "广州市白云区人民政府永平街道办事处", "白云区", 2021)
    newer = _meta("n.txt", "广州市白云区人民政府永平街道办事处", "白云区", 2022)
    texts = {"o.txt": "永平街道 环卫保洁经费 出租屋管理", "n.txt": "永平街道 技能培训补贴12万元 职业技能培训"}
    parser = QuestionParser([older, newer], {}, texts.get)
    assert [u.doc for u in parser.parse("永平街道技能培训补贴是多少").units] == ["n.txt"]
    # words both reports hold tell neither apart: the latest first, as before
    assert [u.doc for u in parser.parse("永平街道预算执行率是多少").units] == ["n.txt", "o.txt"]


def test_a_report_with_no_title_is_shown_by_its_file_name_not_its_first_sentence():
    from assistant.facts_view import short_name

    lead = ReportMeta(
        "x09_石川危改.txt", "未知单位", (), None, None, None, 2023, "其他", "2023年共下达补助资金318.4万元"
    )
    assert short_name(lead) == "文件“x_石川危改”"  # (no digits: every number shown must be cited)
    titled = ReportMeta("x.txt", "未知单位", (), None, None, None, 2023, "其他", "危房改造资金绩效自评报告")
    assert short_name(titled) == "《危房改造资金绩效自评报告》"


def test_a_place_fits_the_report_that_speaks_of_what_is_asked_not_another_of_that_place():
    # two reports of 石川: the question's other words (农机报废更新资金) are only in the second one's text
    pension = ReportMeta(
        "p.txt", "石川省人社厅", ("石川省人社厅", "石川"), None, None, "石川省", 2022, "其他", ""
    )
    water = _unit("w.txt", "未知单位", None, "")
    texts = {
        "p.txt": "石川省人社厅 城乡居民基本养老保险 转移支付资金 参保人数",
        "w.txt": "石川财政厅收到农机报废更新资金预算通知 农机报废更新补贴 报废拖拉机台数",
    }
    parser = _in_library(texts, pension, water)
    parsed = parser.parse("中央给石川下达的农机报废更新资金一共多少?")
    assert [u.doc for u in parsed.units] == ["w.txt"]
    assert [u.doc for u in parser.parse("石川养老保险参保人数多少?").units] == ["p.txt"]


def test_a_city_typed_without_its_suffix_finds_the_report_placed_there():
    # "松溪厕改": 松溪 is the city of the report (published by a town of it), not a word of its name
    town = ReportMeta(
        "t.txt", "松溪市白石镇", ("白石镇", "白石镇政府"), None, "松溪市", None, 2022, "其他", ""
    )
    parsed = QuestionParser([town, *_OTHER_UNITS], {}).parse("松溪厕改实际完成了多少户?")
    assert [u.doc for u in parsed.units] == ["t.txt"]


def test_units_sharing_a_short_name_are_told_apart_by_what_only_one_speaks_of():
    a = _unit("a.txt", "白沙县残联", "白沙县")
    b = _unit("b.txt", "云岭县残联", "云岭县")
    texts = {
        "a.txt": "白沙县残联 孤独症儿童康复训练18人 康复项目执行率",
        "b.txt": "云岭县残联 残疾人就业培训 助残日活动",
    }
    parser = _in_library(texts, a, b)
    assert [u.doc for u in parser.parse("残联孤独症儿童康复训练实际训练了多少人?").units] == ["a.txt"]
    # words both speak of tell neither: which one is for the asker to say
    assert parser.parse("残联的预算执行率是多少?").ambiguous_units


def test_a_unit_named_in_full_keeps_its_report_when_nothing_rare_is_asked():
    # "石县政协…收入": the other words are everywhere; a report that merely mentions 石县 is not meant
    zx = ReportMeta("z.txt", "石县政协", ("石县政协",), "石县", None, None, 2021, "部门整体支出", "")
    other = _unit("o.txt", "石川县公务服务中心", "石川县")
    texts = {
        "z.txt": "石县政协 本年收入 支出",
        "o.txt": "石川县公务服务中心 收入 石县 学习考察 收入 支出 收入",
    }
    parser = _in_library(texts, zx, other)
    assert [u.doc for u in parser.parse("石县政协2021年收入是多少?").units] == ["z.txt"]


def test_one_township_named_with_and_without_its_county_is_one_unit():
    """ "云岭县白沙土家族乡人民政府" (2024) and "白沙土家族乡人民政府" (2022): one township's two reports, not
    two units to ask about; a question naming no year is answered from the latest first. "交通运输局" and
    "青禾县交通运输局" may be two: still asked about."""
    from dataclasses import replace as _replace

    from assistant.understand import one_unit

    new = _replace(
        _meta("new.txt", "云岭县白沙土家族乡人民政府", "云岭县", 2024),
        aliases=("云岭县白沙土家族乡人民政府", "白沙土家族乡", "白沙乡"),
    )
    old = _replace(
        _meta("old.txt", "白沙土家族乡人民政府", "", 2022), aliases=("白沙土家族乡人民政府", "白沙乡")
    )
    parsed = QuestionParser([old, new], {}).parse("白沙乡年末实有多少人?")
    assert not parsed.ambiguous_units and [u.doc for u in parsed.units][:1] == ["new.txt"]
    assert one_unit([old, new])
    bare = _replace(_meta("t1.txt", "交通运输局", "", 2023), aliases=("交通运输局",))
    placed = _replace(
        _meta("t2.txt", "青禾县交通运输局", "青禾县", 2023), aliases=("青禾县交通运输局", "交通运输局")
    )
    assert not one_unit([bare, placed])


def test_another_reports_two_character_indicator_is_no_item_asked_of_this_one():
    from dataclasses import replace as _replace

    a = _replace(_meta("a.txt", "青禾县财政局", "青禾县", 2021), aliases=("青禾县财政局", "财政局"))
    b = _replace(_meta("b.txt", "云岭县卫生院", "云岭县", 2022), aliases=("云岭县卫生院", "卫生院"))
    parser = QuestionParser([a, b], {"b.txt": {"投入", "资金使用合规性"}})
    # "投入" as a verb, not the other report's 投入 indicator said to be absent here
    assert parser.parse("青禾县财政局2021年投入扶贫资金一共多少").item_missing is None
    assert parser.parse("青禾县财政局资金使用合规性得了几分").item_missing == "资金使用合规性"


def test_two_years_reports_on_one_subject_the_year_asked_says_which():
    from assistant.units import ContentUnits

    a = _meta("a.txt", "云岭省应急管理厅", "云岭省", 2021)
    b = _meta("b.txt", "云岭省应急管理厅", "云岭省", 2022)
    c = _meta("c.txt", "石川市图书馆", "石川市", 2022)
    text = {
        "a.txt": "2021年林区巡护租车经费下达5000万元,执行率92%。",
        "b.txt": "2022年林区巡护租车经费下达6000万元,执行率95%。",
        "c.txt": "图书馆免费开放,全年接待读者12万人次。",
    }
    content = ContentUnits([a, b, c], text.__getitem__)
    assert content.find("林区巡护租车经费执行率多少") == ()  # two reports speak of it alike
    assert [m.doc for m in content.find("2021年林区巡护租车经费执行率多少")] == ["a.txt"]


def test_a_report_alone_speaking_of_a_rare_word_asked_is_found_when_it_leads_every_other_by_far():
    from assistant.units import ContentUnits

    metas = [_meta(f"{k}.txt", f"石川市第{k}中学", "石川区", 2022) for k in "abcdefgh"]
    text = {m.doc: "开展宣传活动,全年组织培训。" for m in metas}
    text["a.txt"] = "松鹤,开展宣传活动,全年组织培训12次。"
    content = ContentUnits(metas, text.__getitem__)
    # one word only that report holds (松鹤), and the report far ahead of every other: it is meant
    assert [m.doc for m in content.find("松鹤宣传几次")] == ["a.txt"]
    # the same word among many every report holds: not far enough ahead to say
    assert content.find("松鹤开展宣传活动全年组织培训几次") == ()
    # rare words of the question in two reports ("村民小组" in both, "松鹤山" in one): a lead of a quarter
    # over the next is enough
    common = "开展宣传活动,组织培训安全检查,落实消防演练,整改隐患问题。"
    text = {m.doc: common for m in metas}
    text |= {"a.txt": "松鹤山村民小组," + common, "b.txt": "白沙村民小组," + common}
    content = ContentUnits(metas, text.__getitem__)
    asked = "松鹤山村民小组开展宣传活动组织培训安全检查落实消防演练整改隐患问题几次"
    assert [m.doc for m in content.find(asked)] == ["a.txt"]


def test_a_question_asking_which_unit_is_never_given_one_found_by_its_words():
    metas = [_meta(f"{k}.txt", f"石川市第{k}中学", "石川区", 2022) for k in "abcdefgh"]
    text = {m.doc: "开展宣传活动,全年组织培训。" for m in metas}
    text["a.txt"] = "松鹤,开展宣传活动,全年组织培训12次。"
    parser = QuestionParser(metas, {}, text.__getitem__)
    assert [u.doc for u in parser.parse("松鹤宣传几次").units] == ["a.txt"]
    assert len(parser.parse("哪个单位松鹤宣传次数最多").units) != 1


def test_units_sharing_a_name_and_speaking_alike_the_one_whose_report_is_about_what_is_asked():
    from dataclasses import replace as _replace

    from assistant.units import ContentUnits

    a = _replace(
        _meta("a.txt", "云岭县残联", "云岭县", 2022), title="云岭县残联2022年度无障碍改造项目支出绩效自评报告"
    )
    b = _replace(
        _meta("b.txt", "石川区残联", "石川区", 2022), title="石川区残联2022年度部门整体支出绩效自评报告"
    )
    c = _replace(
        _meta("c.txt", "松溪县残联", "松溪县", 2022), title="松溪县残联2022年度部门整体支出绩效自评报告"
    )
    text = {m.doc: "开展无障碍改造服务,发放辅助器具。" for m in (a, b, c)}
    content = ContentUnits([a, b, c], text.__getitem__)
    assert [m.doc for m in content.narrow("改造的钱还剩多少", (a, b, c), across_units=True)] == ["a.txt"]
    # what no title is about leaves them all
    assert len(content.narrow("器具的钱还剩多少", (a, b, c), across_units=True)) == 3


def test_a_later_part_naming_a_body_beside_the_first_never_jumps_to_another_place():
    from dataclasses import replace as _replace

    forestry = _replace(_meta("f.txt", "石川区林业局", "石川区", 2020), city="松溪市")
    jobs = _replace(_meta("j.txt", "云岭县就业服务中心", "云岭县", 2020), city="白沙市")
    parser = QuestionParser([forestry, jobs], {})
    first = parser.parse("石川区种苗站多少在职人员")
    assert [u.doc for u in first.units] == ["f.txt"]
    later = parser.parse("区林业服务中心多少在职人员", first, carry=True)
    assert [u.doc for u in later.units] == ["f.txt"]


def test_asking_when_or_what_kind_asks_words_whatever_figure_the_subject_names():
    parser = QuestionParser([_meta("a.txt", "石川区财政局", "石川区", 2021)], {})
    assert not parser.parse("石川区财政局这笔省拨经费是什么时候到账的").asks_figure
    assert not parser.parse("石川区财政局这几个专项债属于什么性质的债券").asks_figure
    assert parser.parse("石川区财政局这笔省拨经费").asks_figure  # (a subject that is a figure, asked bare)
    assert parser.parse("石川区财政局有几个专项债项目").asks_figure


def test_asking_whether_there_is_any_asks_the_reports_words():
    parser = QuestionParser([_meta("a.txt", "石川区白沙街道", "石川区", 2022)], {})
    whether = parser.parse("石川区白沙街道有没有国有资本经营预算收支")
    assert whether.kind == "text" and whether.metric is None
    assert parser.parse("石川区白沙街道有没有下属二级预算单位").kind == "text"
    assert parser.parse("石川区白沙街道2022年部门整体支出评价报告放在哪").kind == "text"
    assert parser.parse("石川区白沙街道全年预算数是多少").kind == "lookup"


def test_how_often_asks_words_and_a_pointing_word_names_nothing():
    parser = QuestionParser([_meta("a.txt", "石川区白沙街道", "石川区", 2022)], {})
    assert not parser.parse("石川区白沙街道的租金补贴多久给农户发一次").asks_figure  # 每月, 按季度
    assert parser.parse("石川区白沙街道的道路改造工程工期多久").asks_figure
    assert "那块" not in parser.parse("石川区白沙街道学前教育那块一共多少钱").asked


def test_a_unit_named_loosely_is_the_one_of_its_place_that_speaks_of_what_is_asked():
    from dataclasses import replace as _replace

    from index.structure import aliases_for

    a = _replace(
        _meta("a.txt", "青禾县文化广电旅游局", "青禾县", 2022),
        aliases=aliases_for("青禾县文化广电旅游局", "青禾县", None, None),
    )
    b = _replace(
        _meta("b.txt", "青禾县文化广播电视和旅游局", "青禾县", 2021),
        aliases=aliases_for("青禾县文化广播电视和旅游局", "青禾县", None, None),
    )
    c = _replace(_meta("c.txt", "石川市图书馆", "石川市", 2022), aliases=("石川市图书馆", "图书馆"))
    text = {
        "a.txt": "2022年青禾县文化广电旅游局公务接待费5.2万元。",
        "b.txt": "青禾县文化广播电视和旅游局执勤装备采购项目计划使用财政资金3.2万元,配发执勤装备8套。",
        "c.txt": "图书馆免费开放,全年接待读者12万人次。",
    }
    parser = QuestionParser([a, b, c], {}, text.__getitem__)
    assert [u.doc for u in parser.parse("青禾县文旅局执勤装备项目计划用多少财政资金").units] == ["b.txt"]


def test_a_unit_the_report_names_nearly_is_found_by_what_its_report_says():
    from assistant.units import ContentUnits

    unnamed = _meta("u.txt", "未知单位", None, 2023)
    other = _meta("o.txt", "未知单位", None, 2023)
    lib = _meta("c.txt", "石川市图书馆", "石川市", 2022)
    text = {
        "u.txt": "审计局依法履行审计监督职责,组织实施青禾区审计工作发展规划。审计发现问题金额812万元,提交审计报告37份。",
        "o.txt": "松溪县统计局开展统计执法检查,查出统计违法案件3件,提出整改建议12条。",
        "c.txt": "图书馆免费开放,全年接待读者12万人次。",
    }
    content = ContentUnits([unnamed, other, lib], text.__getitem__)
    # "青禾区审计局" is not written out, but every pair of its characters but one is
    assert [m.doc for m in content.find("青禾区审计局审计发现问题金额多少,提交审计报告几份")] == ["u.txt"]
    # a unit the report does not speak of is never found by the question's other words
    assert content.find("云岭县审计局审计发现问题金额多少,提交审计报告几份") == ()
    # nor with its level left out: three of the four pairs of "青禾审计局" are there, of "云岭审计局" two
    assert [m.doc for m in content.find("青禾审计局审计发现问题金额多少")] == ["u.txt"]
    assert content.find("云岭审计局审计发现问题金额多少") == ()


def test_a_report_found_by_what_it_says_is_not_placed_elsewhere_when_it_names_the_place_asked():
    town = _unit("t.txt", "云岭县文化馆", "云岭县")
    city = _unit("c.txt", "未知单位", None)
    texts = {
        "t.txt": "云岭县文化馆免费开放,举办展览12场。",
        "c.txt": "2021年下达我市白沙县文化馆花灯戏保护补助40万元,项目资金使用251730元,资金使用率62.93%。",
    }
    parser = QuestionParser([town, city], {}, texts.get)
    assert [u.doc for u in parser.parse("白沙县文化馆花灯戏保护补助还剩多少钱没用").units] == ["c.txt"]


def test_levels_and_markets_are_no_places():
    from assistant.units import strip_places

    assert strip_places("衔接资金里中央和省级加起来多少") == "衔接资金里中央和省级加起来多少"
    assert strip_places("农贸市场创建了几家") == "农贸市场创建了几家"
    assert strip_places("青禾县财政局编制多少").strip() == "财政局编制多少"


def test_a_unit_named_by_its_full_name_is_meant_whatever_another_report_says():
    from dataclasses import replace as _replace

    union = _replace(_meta("u.txt", "石川区总工会", "石川区", 2024), aliases=("石川区总工会", "总工会"))
    school = _replace(
        _meta("s.txt", "石川区白沙镇初级中学", "石川区", 2023),
        aliases=("石川区白沙镇初级中学", "白沙镇初级中学"),
    )
    text = {
        "u.txt": "石川区总工会2024年度决算公开说明,本年收入合计320万元。",
        "s.txt": "石川区白沙镇初级中学收支减少的主要原因是学生人数下降,公用经费相应减少。",
    }
    parser = QuestionParser([union, school], {}, text.__getitem__)
    assert [u.doc for u in parser.parse("石川区总工会收支减少主要是因为啥").units] == ["u.txt"]


def _county_unit(doc: str, org: str) -> ReportMeta:
    return ReportMeta(
        doc, org, aliases_for(org, "青禾县", None, None), "青禾县", None, None, 2022, "部门整体支出", ""
    )


def test_a_unit_typed_short_is_found_by_its_own_characters_in_order():
    edu = _county_unit("edu.txt", "青禾县教育体育局")
    hospital = _county_unit("hos.txt", "青禾县人民医院")
    coop = _county_unit("coop.txt", "青禾县供销合作社联合社")
    other = _meta("other.txt", "广州市白云区教育局", "白云区", 2022)
    parser = QuestionParser([edu, hospital, coop, other], {})
    assert [u.doc for u in parser.parse("青禾县教体局预算执行率是多少").units] == ["edu.txt"]
    assert [u.doc for u in parser.parse("请问青禾县医院的预算执行率是多少").units] == ["hos.txt"]
    assert [u.doc for u in parser.parse("青禾县供销社预算执行率是多少").units] == ["coop.txt"]
    # a place the short form does not begin with is another unit: none of these
    unknown = parser.parse("石川县教体局预算执行率是多少")
    assert unknown.units == () and unknown.unknown_unit


def test_two_units_a_short_form_fits_alike_are_neither():
    people = _county_unit("people.txt", "青禾县人民医院")
    chinese = _county_unit("tcm.txt", "青禾县中医医院")
    parser = QuestionParser([people, chinese], {})
    assert len({u.org for u in parser.parse("青禾县医院的预算执行率是多少").units}) != 1  # none picked


def test_a_unit_found_by_no_name_of_its_own_is_the_one_whose_title_writes_it_out():
    published = ReportMeta(
        "pub.txt",
        "石川市卫生健康委员会",
        ("石川市卫生健康委员会", "石川市卫健委"),
        None,
        "石川市",
        None,
        2022,
        "部门整体支出",
        "松溪县人民医院2022年度部门整体支出绩效自评报告",
    )
    other = _meta("other.txt", "广州市白云区教育局", "白云区", 2022)
    parser = QuestionParser([published, other], {})
    assert [u.doc for u in parser.parse("松溪县人民医院预算执行率是多少").units] == ["pub.txt"]
    assert parser.parse("云岭县人民医院预算执行率是多少").units == ()


def test_a_place_alone_names_the_unit_of_that_place_reporting_on_the_project_asked():
    place = ReportMeta(
        "place.txt",
        "石川区",
        ("石川区",),
        "石川区",
        None,
        None,
        2020,
        "其他",
        "石川区2020年救助工程绩效自评报告",
    )
    culture = ReportMeta(
        "culture.txt",
        "石川区文化和旅游局",
        ("市级古建修缮专项经费", "石川区文化和旅游局", "石川区文旅局"),
        "石川区",
        None,
        None,
        2022,
        "项目支出",
        "市级古建修缮专项经费绩效自评表(2022年度)",
    )
    parser = QuestionParser([place, culture], {})
    assert [u.doc for u in parser.parse("石川区古建修缮专项经费还剩多少没花").units] == ["culture.txt"]
    assert [u.doc for u in parser.parse("石川区古建修缮项目时效指标得了几分").units] == ["culture.txt"]
    # the place's own report on what is asked stays the one meant
    assert [u.doc for u in parser.parse("石川区救助工程绩效自评得了几分").units] == ["place.txt"]


def test_a_question_led_by_a_place_the_matched_report_never_says_is_not_about_it():
    org = "石川市城市更新建设中心"
    renewal = ReportMeta(
        "renewal.txt", org, aliases_for(org, None, "石川市", None), None, "石川市", None, 2022, "项目支出", ""
    )
    region = ReportMeta("region.txt", "自治区财政厅", ("自治区财政厅",), None, None, None, 2022, "其他", "")
    texts = {
        "renewal.txt": "石川市城市更新建设中心2022年示范补助资金执行数195万元。",
        "region.txt": "下达云岭市城市更新建设示范资金3亿元,云岭市城市更新建设资金已全部拨付。",
    }
    parser = QuestionParser([renewal, region], {}, texts.get)
    assert [u.doc for u in parser.parse("云岭城市更新这笔资金实际执行了多少").units] != ["renewal.txt"]
    assert [u.doc for u in parser.parse("石川城市更新建设中心这笔资金实际执行了多少").units] == [
        "renewal.txt"
    ]


def test_a_title_that_is_a_run_on_body_sentence_names_only_the_units_in_it():
    # a page with no title: its first "sentence" runs on through the unit's duties; the words of anyone's
    # report in it (人员编制, 主要职责) name no report, the unit it names still does
    run_on = (
        "您当前位置:首页>政务公开>财政预决算根据中共云岭县委办公室关于印发《云岭县卫生健康局职能配置、内设机构和"
        "人员编制规定》的通知,县疾控中心的主要职责是:拟订全县重大疾病防治规划并组织实施"
    )
    unit = _unit("c.txt", "县疾病预防控制中心", None, run_on)
    parser = QuestionParser([unit, *_OTHER_UNITS], {})
    assert parser.parse("人员编制是多少?").units == ()
    assert [u.doc for u in parser.parse("云岭县卫生健康局的人员编制是多少?").units] == ["c.txt"]


def test_a_report_found_by_its_titles_words_alone_is_not_meant_when_another_speaks_of_them_as_much():
    # two townships' reports on 危房改造; the question names neither: the title of one says what is asked,
    # not whose, and the other's text speaks of it as much
    titled = _unit("t.txt", "未知单位", None, "2022年农村危房改造项目绩效自评报告")
    other = _unit("o.txt", "白沙镇人民政府", "白沙镇")
    texts = {
        "t.txt": "2022年农村危房改造项目绩效自评报告 改造任务23户",
        "o.txt": "白沙镇2022年农村危房改造任务87户,农村危房改造补助资金下达",
    }
    parser = _in_library(texts, titled, other)
    assert parser.parse("2022年农村危房改造任务是多少户?").units == ()
    # a title no other report speaks of still names its report
    texts["o.txt"] = "白沙镇2022年道路养护"
    assert [
        u.doc for u in _in_library(texts, titled, other).parse("2022年农村危房改造任务是多少户?").units
    ] == ["t.txt"]


def test_a_point_in_time_asked_is_no_reports_year():
    # "到2024年底", "截至2024年4月": a project's figure as at then, stated in its 2023 report
    parser = QuestionParser([_meta("yp23.txt", "广州市白云区人民政府永平街道办事处", "白云区", 2023)], {})
    for asked in ("永平街道项目到2024年底一共支付多少？", "永平街道项目截至2024年4月完成了多少？"):
        parsed = parser.parse(asked)
        assert parsed.year is None and [u.doc for u in parsed.units] == ["yp23.txt"]
    assert parser.parse("永平街道2024年支付多少？").year == 2024


def test_counted_places_and_units_are_no_place_or_unit_named():
    from assistant.units import org_mentions

    # "有几个县市卫健局", "多少个乡镇卫生院": units of every such place, counted — no one unit
    assert org_mentions("湘西州两癌检查项目有几个县市卫健局实施?") == []
    assert org_mentions("全县多少个乡镇卫生院") == []
    assert org_mentions("白沙县财政局预算多少") == ["白沙县财政局"]
    # and "有几个县" places the question nowhere: the report of the place it does name is found by its words
    unit = _unit("w.txt", "云岭州卫健委", None)
    texts = {"w.txt": "云岭州两癌检查项目由8个县市卫健局实施,免费检查宫颈癌、乳腺癌"}
    parsed = _in_library(texts, unit).parse("云岭州两癌检查项目有几个县市卫健局实施?")
    assert [u.doc for u in parsed.units] == ["w.txt"]


def test_a_multi_part_question_is_about_the_report_its_whole_words_find():
    from assistant.models import Answer
    from assistant.multipart import ask_parts

    target = _unit("t.txt", "白沙镇人民政府", "白沙镇")
    texts = {u.doc: "离退休人员管理,公用经费" for u in _OTHER_UNITS}
    texts["t.txt"] = "离退休人数35人,外聘临时工人数9人"
    parser = _in_library(texts, target)
    # the first part alone ("离退休多少人") is what every report speaks of; the whole question is not
    assert parser.parse("离退休多少人?").units == ()
    asked: list[tuple[str, tuple[str, ...]]] = []

    def answer(parsed):
        asked.append((parsed.text, tuple(u.doc for u in parsed.units)))
        return Answer(parsed.text, "没有载明。", False, kind="lookup")

    ask_parts("离退休和外聘临时工各多少人?", None, parser.parse, answer)
    assert [docs for _, docs in asked] == [("t.txt",), ("t.txt",)]


def test_a_year_joined_to_the_word_after_it_is_no_rare_word_of_a_report():
    from assistant.units import ContentUnits

    metas = [_meta(f"{k}.txt", f"石川市第{k}中学", "石川区", 2022) for k in "abcdefgh"]
    text = {m.doc: "基本支出情况,人员经费和公用经费。" for m in metas}
    text["a.txt"] = "2021年基本支出1432.18万元,人员经费和公用经费。"
    content = ContentUnits(metas, text.__getitem__)
    # only a.txt writes "…年基本支出", but 年基 is no word: the question says nothing of which report
    assert content.find("2021年基本支出是多少") == ()


def test_a_verb_or_a_word_going_on_after_a_unit_kind_names_no_unit():
    from assistant.units import org_mentions

    assert org_mentions("2020年围绕的是区委确定的什么发展思路?") == []
    assert org_mentions("评定的珍贵文物占鉴定馆藏文物的比例是多少?") == []
    assert org_mentions("公共文化资金里戏曲进乡村安排了多少?") == []
    assert org_mentions("云岭乡人民政府预算多少") == ["云岭乡"]


def test_a_report_of_a_year_far_from_the_one_asked_is_not_found_by_its_words():
    from assistant.units import ContentUnits

    metas = [_meta(f"{k}.txt", f"石川市第{k}中学", "石川区", 2019) for k in "abcdefgh"]
    text = {m.doc: "开展宣传活动,全年组织培训。" for m in metas}
    text["a.txt"] = "松鹤,开展宣传活动,全年组织培训12次。"
    content = ContentUnits(metas, text.__getitem__)
    assert content.find("2023年松鹤宣传几次") == ()  # (its 2019 report is not 2023's)
    assert [m.doc for m in content.find("2020年松鹤宣传几次")] == ["a.txt"]  # (written the year after)
