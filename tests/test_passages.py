"""Figures stated right after the question's own words (passages.stated_figures): what may and may not stand
between the words and the figure, on hand-made chunks."""

import pytest

from assistant.passages import best_sentences, stated_figures
from assistant.verify import counts_in
from index.models import Chunk
from index.numerals import cn_count
from index.sparse import tokenize


def _chunk(text: str, line: int = 10) -> Chunk:
    marks = tuple((i + 1, line + n + 1) for n, i in enumerate(j for j, ch in enumerate(text) if ch == "\n"))
    return Chunk(
        "r.txt", "r.txt", "某区财政局", 2024, ("二、收支",), None, text, line, line + 5, None, "", marks
    )


TEXT = (
    "编制人数85人，年末实有人数81人，下属五个事业单位。\n"
    "“三公”经费实际支出28.60万元，其中公务接待费3.20万元，公务用车运行维护费25.40万元。\n"
    "一是第三季度支出进度仅为58.3%，未达到序时进度。\n"
    "压减差旅费2万元；项目自评得分95分。"
)


@pytest.mark.parametrize(
    ("subject", "value", "unit", "shown", "line"),
    [
        ("公务接待费", 3.2, "万元", "公务接待费3.20万元", 11),
        ("年末实有人数", 81, "人", "年末实有人数81人", 10),
        ("实有人数", 81, "人", "实有人数81人", 10),
        ("第三季度支出进度", 58.3, "%", "第三季度支出进度仅为58.3%", 12),
        ("部门编制人数", 85, "人", "编制人数85人", 10),  # a qualifier the report leaves out
        ("事业单位", 5, "个", "五个事业单位", 10),  # a count before what it counts
    ],
)
def test_a_figure_right_after_the_words_is_found_with_its_line(subject, value, unit, shown, line):
    [found] = stated_figures([_chunk(TEXT)], subject)
    assert (found.value, found.unit, found.shown, found.citation.line) == (
        pytest.approx(value),
        unit,
        shown,
        line,
    )
    assert found.shown in found.citation.quote


@pytest.mark.parametrize(
    "subject",
    [
        "自评得分",  # "项目自评得分": a longer name is another figure
        "差旅费",  # "压减差旅费2万元": a verb before the words
        "支出进度",  # "第三季度支出进度": a quarter's progress is not the year's
        "资产负债率",  # not in the text
        "经费",  # "三公”经费实际支出": words between the name and the figure
    ],
)
def test_no_figure_without_the_words_right_before_it(subject):
    assert stated_figures([_chunk(TEXT)], subject) == []


@pytest.mark.parametrize(
    ("text", "value"), [("五", 5), ("十", 10), ("十二", 12), ("二十", 20), ("三十五", 35), ("12", 12)]
)
def test_chinese_counts(text, value):
    assert cn_count(text) == value


@pytest.mark.parametrize("text", ["十十", "百", "零"])
def test_not_counts(text):
    assert cn_count(text) is None


def test_chinese_counts_in_a_quote_support_figures_only_with_a_measure_word():
    assert counts_in("由街道本级及下属五个事业单位组成，一是加强管理，十二名干部") == {5.0, 12.0}


def test_the_words_may_follow_the_units_own_name():
    chunk = _chunk("广州市白云区人民政府永平街道办事处内设机构8个，分别为党政综合办公室。")
    assert stated_figures([chunk], "内设机构") == []
    [found] = stated_figures([chunk], "内设机构", owners=("广州市白云区人民政府永平街道办事处", "永平街道"))
    assert (found.value, found.unit, found.shown) == (8, "个", "内设机构8个")


def test_a_line_that_starts_with_a_decimal_is_not_read_as_a_list_marker():
    from assistant.models import Answer, Citation
    from assistant.verify import verify

    source = "执行率为94.96%。"
    cite = Citation("r.txt", "某单位", "一", "执行率为94.96%。", 1)
    answer = Answer(
        "q",
        "执行率为94.96%。[1]\n94.96% ≥ 90%：是。\n1. 94.96% [1]",
        True,
        94.96,
        "%",
        [cite],
        computed=[90.0],
    )
    checked = verify(answer, lambda doc: source, {})
    assert checked.answer == answer.answer and not checked.dropped
    wrong = verify(
        Answer("q", "94.97% ≥ 90%：是。", True, None, None, [cite], computed=[90.0]), lambda doc: source, {}
    )
    assert wrong.dropped and "94.97" not in wrong.answer


def test_a_form_field_and_its_value():
    from assistant.passages import field_value

    lines = list(
        enumerate(
            ["一、基本概况", "联系人", "", "张三", "联络电话", "0000-1234567", "报告日期:2022年3月8日"], 1
        )
    )
    assert field_value(lines, "联系人是谁") == ("联系人", "张三", 4)
    assert field_value(lines, "报告日期是哪天")[1] == "2022年3月8日"
    assert field_value(lines, "预算执行率是多少") is None


def test_a_reason_is_read_from_the_sentence_that_gives_one():
    from assistant.passages import reason_sentences

    text = (
        "2023年度收、支总计均为612.30万元。\n"
        "与2022年度相比，收、支总计各减少156.20万元，下降20%，主要原因是医疗收入减少。\n"
        "机关运行经费支出11.20万元。"
    )
    [reason] = reason_sentences([_chunk(text)], "收支减少的主要原因是什么", 0.3)
    assert "医疗收入减少" in reason.quote and reason.line == 11
    assert reason_sentences([_chunk(text)], "绩效目标为什么没完成", 0.3) == []
    # asked the way staff talk ("…主要是因为啥"), the why-words weigh nothing either way
    [reason] = reason_sentences([_chunk(text)], "青禾区2023年收支减少主要是因为啥", 0.3)
    assert "医疗收入减少" in reason.quote


def test_a_change_whose_reason_is_its_next_sentence_is_shown_with_it():
    from assistant.passages import reason_sentences

    text = "2022年收、支总计806.4万元,比上年增加210.5万元,增长35.3%。原因主要是:新建档案库房,设备购置增加。"
    change, reason = reason_sentences([_chunk(text)], "收支总计涨了那么多是什么原因", 0.3)
    assert "增加210.5万元" in change.quote and reason.quote.startswith("原因主要是")


def test_form_fields_set_out_along_one_line_give_their_values():
    from assistant.passages import field_value

    lines = list(
        enumerate(
            [
                "项目名称 白沙路养护 项目负责人 王五 地 址 北街 86 号",
                "中央主管部门农业农村部 地方主管部门 石川市农业局",
                "预 算 编 码: 102001",
            ],
            1,
        )
    )
    assert field_value(lines, "白沙路养护项目负责人是谁")[1:] == ("王五", 1)
    assert field_value(lines, "中央主管部门是哪个")[1:] == ("农业农村部", 2)
    assert field_value(lines, "预算编码是多少")[1:] == ("102001", 3)
    assert field_value(lines, "白沙路养护的目标是什么") is None  # 目标 is no form field read along a line


def test_question_words_and_punctuation_leave_no_bigram_to_match():
    # "绩效目标是啥?": 是啥 and ? are the asking; a sentence holding 绩效目标 holds all that is asked
    [(score, cite)] = best_sentences([_chunk("本年度绩效目标为完成道路养护40公里。")], "绩效目标是啥?", 1)
    assert score == pytest.approx(1.0) and "40公里" in cite.quote


def test_a_section_headed_by_what_is_asked_outranks_a_passing_mention():
    passing = Chunk(
        "r.txt",
        "r.txt",
        "青禾县财政局",
        2024,
        ("四、下一步改进措施",),
        None,
        "一是合理设置部门整体绩效目标。",
        30,
        30,
        None,
        "",
        (),
    )
    headed = Chunk(
        "r.txt",
        "r.txt",
        "青禾县财政局",
        2024,
        ("一、基本情况", "（三）部门整体支出绩效目标"),
        None,
        "围绕一个核心、两个重点开展工作。",
        8,
        8,
        None,
        "",
        (),
    )
    # the passing mention was retrieved first; the section about it is still the answer
    (score, cite), *_ = best_sentences([passing, headed], "部门整体绩效目标是啥", 2)
    assert "一个核心" in cite.quote


def test_reference_passages_over_the_whole_library_are_read_by_keywords_alone(small_engine):
    # an approximate vector search over every report may find a neighbour one run and miss it the next:
    # passages shown only for reference, with no unit named, come from the keyword index, the same each time
    first = small_engine.retriever.retrieve("防空地下室维护经费", None, 3, dense=False)
    again = small_engine.retriever.retrieve("防空地下室维护经费", None, 3, dense=False)
    assert [e.chunk.id for e in first] == [e.chunk.id for e in again]
    sparse = small_engine.retriever.bm25.scores(tokenize("防空地下室维护经费"))[:3]
    assert [e.chunk.id for e in first] == [small_engine.retriever.chunks[i].id for i, _ in sparse]


def test_a_sentence_said_in_the_words_an_answer_takes_is_preferred():
    text = (
        "松溪县贷款贴息资金管理办法已印发执行。贷款贴息资金由县财政按季度直接拨付至贷款户账户。"
        "贴息资金使用情况良好。"
    )
    [(_, best)] = best_sentences([_chunk(text)], "松溪县贷款贴息多久给贷款户付一次", 1)
    assert "按季度" in best.quote


def test_asking_what_kind_of_unit_by_its_funding_prefers_the_sentence_saying_so():
    text = (
        "青禾镇卫生院2023年度部门整体支出绩效自评报告。全院经费支出规范,管理有序。"
        "我院为财政差额拨款事业单位,由县卫健局主管。"
    )
    [(_, best)] = best_sentences(
        [_chunk(text)], "是什么经费性质的单位", 1
    )  # (the unit’s name left out, as the engine asks)
    assert "差额拨款事业单位" in best.quote
