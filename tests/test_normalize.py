from index.models import RawDocument, SourceLine
from index.normalize import clean_inline, enum_of, match_key, normalize, split_sentences


def _doc(text: str) -> RawDocument:
    return RawDocument("t.txt", "txt", [SourceLine(i + 1, t) for i, t in enumerate(text.split("\n"))], "sha")


def test_spaces_inside_numbers_and_units_go_but_cells_stay_apart():
    assert clean_inline("比年初预算数减少 0.64 万 元 ， 下 降 2.24%") == "比年初预算数减少0.64万元，下降2.24%"
    assert clean_inline("全年预算数 27,330.07 万元") == "全年预算数27,330.07万元"
    assert clean_inline("1 新增预算项 3 3 预算金额") == "1新增预算项3 3预算金额"
    assert clean_inline("执行率 94.96 %") == "执行率94.96%"


def test_markup_is_removed():
    assert clean_inline("**1.疫情防控严紧细实。**一是") == "1.疫情防控严紧细实。一是"
    assert clean_inline("<p>严格落实。</p> <p>全面推进</p>") == "严格落实。全面推进"
    assert clean_inline("拆除约18万m<sup>2</sup>违法建设") == "拆除约18万m2违法建设"
    assert clean_inline("项目\t5.59\t5.59") == "项目 | 5.59 | 5.59"


def test_hard_wraps_rejoin_and_keep_their_lines():
    blocks = normalize(
        _doc(
            "（三）部门整体收支情况\n\n全年预算数 34542.27 万元，执行数 28405.91 万元，完\n\n成预算的 82.2%。\n\n— 3 —\n\n下一段。"
        )
    )
    heading, para, nxt = blocks
    assert heading.kind == "heading" and heading.level == 2
    assert para.text == "全年预算数34542.27万元，执行数28405.91万元，完成预算的82.2%。"
    assert para.line_at(para.text.index("82.2%")) == 5
    assert para.line_at(0) == 3
    assert nxt.text == "下一段。" and nxt.line_start == 9


def test_page_marker_inside_a_sentence_does_not_break_it():
    blocks = normalize(_doc("资金使用效果良\n\n— 12 —\n\n好。"))
    assert [b.text for b in blocks] == ["资金使用效果良好。"]


def test_title_over_two_lines_and_headings():
    text = "附件 2\n\n2023 年度广州市海珠区人民政府南洲街道\n办事处部门整体支出绩效自评报告\n\n一、部门基本情况\n\n（一）部门职能。\n\n正文。"
    blocks = normalize(_doc(text))
    title = next(b for b in blocks if b.kind == "title")
    assert title.text == "2023年度广州市海珠区人民政府南洲街道办事处部门整体支出绩效自评报告"
    assert [(b.kind, b.level) for b in blocks if b.kind == "heading"] == [("heading", 1), ("heading", 2)]


def test_enumerations_are_not_headings():
    blocks = normalize(_doc("六一、端午、中秋、国庆、重阳\n等传统节日共开展了116场活动。"))
    assert all(b.kind != "heading" for b in blocks)
    assert enum_of("六一、端午") is None
    assert enum_of("十二、其他")[0] == 1
    assert enum_of("（3）质量指标")[0] == 4
    assert enum_of("2.5万元") is None


def test_match_key_ignores_layout_and_markup():
    assert match_key("执行率为 **94.96%**") == match_key("执行率为94.96%")
    assert match_key("项目\t5.59") == match_key("项目 | 5.59")


def test_split_sentences():
    text = "一是加强学习。二是规范编制；三是“强化监督”。末句"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "一是加强学习。",
        "二是规范编制；",
        "三是“强化监督”。",
        "末句",
    ]


def test_part_headings_sit_above_the_numbered_ones_and_short_lines_are_no_wrap():
    lines = ["某区某局2022年度部门整体支出绩效自评报告", "", "第一部分 部门概况", "本局内设科室15个。", ""]
    lines += ["第二部分 部门预算执行情况", "一、预算安排情况", "全年预算总额48,822,300.00元。", ""]
    lines += ["第三部分 绩效自评结论", "按照指标体系，我局自评得分：95.5分。"]
    lines += ["第四部分 存在的问题", "（一）部分资金支付进度滞后。", "（二）绩效监控不够深入。"] * 2
    blocks = normalize(_doc("\n".join(lines)))
    headings = [(b.level, b.text) for b in blocks if b.kind == "heading"][:5]
    assert headings == [
        (0, "第一部分部门概况"),
        (0, "第二部分部门预算执行情况"),
        (1, "一、预算安排情况"),
        (0, "第三部分绩效自评结论"),
        (0, "第四部分存在的问题"),
    ]
    assert enum_of("第十二章 附则") == (0, "第十二章")
