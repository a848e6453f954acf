"""One title recogniser: the crawler's report flag and the pipelines' metadata read titles alike."""
from __future__ import annotations

import pytest

from pipelines.titles import find_title, find_year, parse_title, recognize

# (title, year, agency): shapes from real portals and reports, including older wordings
TITLES = [
    ("洛宁县人民政府办公室2023年政府信息公开工作年度报告", 2023, "洛宁县人民政府办公室"),
    ("2023年洛阳市教育局政府信息公开工作年度报告", 2023, "洛阳市教育局"),
    ("2023年洛阳市人民政府信息公开工作年度报告", 2023, "洛阳市人民政府"),      # not 洛阳市人民 + 政府…
    ("2023年洛阳市教育局信息公开年报", 2023, "洛阳市教育局"),
    ("洛阳市教育局政府信息公开工作年度报告（2023年度）", 2023, "洛阳市教育局"),
    ("柘城县国税局2016年度信息与政务公开工作报告", 2016, "柘城县国税局"),
    ("柘城县皇集乡2017年政务公开工作年度报告", 2017, "柘城县皇集乡"),
    ("柘城县人防办2016年政府信息公开工作年度报告", 2016, "柘城县人防办"),
    ("【附件】洛宁县2023年政府信息公开工作年度报告", 2023, "洛宁县"),
    ("关于公布洛宁县2022年政府信息公开工作年度报告", 2022, "洛宁县"),
    ("政府办公室2023年政府信息公开工作年度报告", 2023, None),                  # a generic office
    ("上海市2005年政府信息公开工作年度报告", 2005, "上海市"),                   # before the 2008 Regulations
]


@pytest.mark.parametrize("title,year,agency", TITLES)
def test_crawler_and_metadata_read_a_title_alike(title, year, agency):
    assert parse_title(title) == (year, agency)
    g = recognize(title=title)
    assert g.is_report, g.reason
    assert (g.year, g.agency) == (year, agency)


def test_a_shape_no_pattern_reads_still_gives_the_crawler_a_year():
    g = recognize(title="柘城县环境保护局 政府信息公开工作2017年度报告")
    assert g.is_report and g.year == 2017
    assert find_year("1999年") is None and find_year("二〇〇五年") == 2005


def test_notices_and_sentences_are_not_titles():
    for notice in ("关于报送2023年政府信息公开工作年度报告的通知", "2023年政府信息公开工作年度报告解读"):
        assert not recognize(title=notice).is_report
    assert parse_title("关于报送2023年政府信息公开工作年度报告的通知") == (None, None)
    # in running text only the 信息公开 wording makes a title line: a sentence naming the
    # 政务公开 report is no title, although the same words are one as a page title
    text = "工作总结\n现将我办2023年度政务公开工作报告如下：\n一、总体情况"
    assert find_title(text) is None
    assert find_title("柘城县皇集乡\n柘城县皇集乡2017年政府信息公开工作年度报告\n一、总体情况") == \
        "柘城县皇集乡2017年政府信息公开工作年度报告"
