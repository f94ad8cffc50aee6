"""A unit named by a place its report's file name or web address spells in pinyin, never its text."""

from __future__ import annotations

from assistant.romanized import RomanizedNames, spellings, words_of
from assistant.understand import QuestionParser
from index.models import ReportMeta
from index.structure import aliases_for


def _report(doc: str, org: str, district: str | None = None) -> ReportMeta:
    return ReportMeta(
        doc, org, aliases_for(org, district, None, None), district, None, None, 2021, "项目支出", ""
    )


def _doc_of(question: str, texts: dict[str, str], *reports: ReportMeta) -> list[str]:
    """The reports a parser over `reports` (their texts given) finds for `question`."""
    return [u.doc for u in QuestionParser(list(reports), {}, texts.__getitem__).parse(question).units]


def test_a_name_is_spelled_every_way_its_characters_read():
    assert spellings("青禾")[0] == "qinghe"
    assert {"changhe", "zhanghe"} <= set(spellings("长河"))  # 长 reads chang or zhang
    assert "lvshui" in spellings("绿水") and "lushui" in spellings("绿水")


def test_the_words_of_a_file_name_and_of_its_source_address():
    words = words_of(
        "m01_qinghe_caizhengju_zipingbiao.txt", "SOURCE: https://czj.shichuan.gov.cn/zwgk/t1.html\n…"
    )
    assert words[0] == ("m", "qinghe", "caizhengju", "zipingbiao")
    assert ("shichuan",) in words and ("czj",) in words
    assert all("gov" not in w and "html" not in w for w in words)


def test_a_place_spelled_whole_or_before_its_own_ending_and_never_a_homophone_of_the_reports_own():
    texts = {"a.txt": "", "qinghexian_minzhengju.txt": "", "qinghe_caizhengju.txt": ""}
    names = RomanizedNames([], texts.__getitem__)
    bare = _report("qinghe_caizhengju.txt", "市财政局")
    county = _report("qinghexian_minzhengju.txt", "县民政局")
    assert names.spells(bare, "青禾") and names.spells(county, "青禾")  # "qinghexian": 青禾 and its 县
    assert not names.spells(bare, "青河湾")  # a longer name is not spelled by a part of it
    # a report whose own name holds 清河 is never the one meant by 青禾, spelled alike
    own = _report("qinghe_caizhengju.txt", "清河县财政局", "清河县")
    assert not names.spells(own, "青禾") and names.spells(own, "清河")


def test_a_question_naming_a_place_only_the_file_name_spells_finds_that_report():
    texts = {
        "m01_qinghe_caizhengju_zipingbiao.txt": "市财政局2019年度项目支出绩效自评表 项目名称 信息化运维",
        "b.txt": "广州市白云区财政局2019年度部门整体支出绩效自评报告",
    }
    ours = _report("m01_qinghe_caizhengju_zipingbiao.txt", "市财政局")
    other = _report("b.txt", "广州市白云区财政局", "白云区")
    parser = QuestionParser([ours, other], {}, texts.__getitem__)
    assert [u.doc for u in parser.parse("青禾财政局的信息化运维项目执行率是多少").units] == [ours.doc]
    unknown = parser.parse("石川财政局的信息化运维项目执行率是多少")
    assert unknown.units == () and unknown.unknown_unit


def test_of_units_sharing_a_name_the_one_whose_file_spells_the_place_typed_before_it():
    texts = {"qinghe_caizhengju.txt": "财政局项目自评表", "songxi_caizhengju.txt": "财政局项目自评表"}
    qinghe = _report("qinghe_caizhengju.txt", "北郊财政局", "北郊区")
    songxi = _report("songxi_caizhengju.txt", "东郊财政局", "东郊区")
    parser = QuestionParser([qinghe, songxi], {}, texts.__getitem__)
    parsed = parser.parse("青禾财政局奖补项目得了几分")
    assert [u.doc for u in parsed.units] == [qinghe.doc]
    assert "青禾" not in parsed.asked  # the place says who is asked about, not what


def test_a_unit_never_found_in_its_text_is_named_by_its_whole_spelled_name():
    texts = {
        "x3_qinghe_zhujing_banshichu.txt": "一、自评结论 市人民政府驻北京办事处2022年接待320多人次",
        "b.txt": "广州市白云区财政局2022年度部门整体支出绩效自评报告",
    }
    office = _report("x3_qinghe_zhujing_banshichu.txt", "未知单位")
    other = _report("b.txt", "广州市白云区财政局", "白云区")
    assert _doc_of("青禾驻京办事处去年接待了多少人次", texts, office, other) == [office.doc]


def test_of_units_sharing_the_name_typed_none_but_a_report_whose_file_spells_the_place_is_meant():
    texts = {
        "a.txt": "云岭县残联2022年度部门整体支出绩效自评报告,残疾人就业培训",
        "b.txt": "石川市残联2022年度部门整体支出绩效自评报告,助残日活动",
        "x9_qinghe_canlian_kangfu.txt": "残联康复项目:年初预算80万元,全年执行76万元。",
    }
    first = _report("a.txt", "云岭县残联", "云岭县")
    second = _report("b.txt", "石川市残联")
    unread = _report("x9_qinghe_canlian_kangfu.txt", "未知单位")
    assert _doc_of("青禾残联康复项目年初预算多少", texts, first, second, unread) == [unread.doc]


def test_a_report_the_question_rules_out_is_never_named_by_its_spelling():
    office = _report("x3_qinghe_zhujing_banshichu.txt", "未知单位")
    names = RomanizedNames([office], {office.doc: ""}.__getitem__)
    assert names.named("青禾驻京办事处", lambda m, kind: True) == (office,)
    assert names.named("青禾驻京办事处", lambda m, kind: True, keep=lambda m: m.doc != office.doc) == ()
