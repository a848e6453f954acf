"""Report recognition and link scoring on real-world title shapes (offline)."""
from __future__ import annotations

import pytest

from crawler.discovery import TrapGuard, clean_title, is_attachment_url, score_link
from pipelines.titles import find_year, parse_title, recognize

REPORTS = [
    ("洛宁县人民政府办公室2023年政府信息公开工作年度报告", 2023, "洛宁县人民政府办公室"),
    ("2023年洛阳市教育局政府信息公开工作年度报告", 2023, "洛阳市教育局"),
    ("洛阳市人民政府2022年度政府信息公开工作年度报告", 2022, "洛阳市人民政府"),
    ("二〇二一年洛龙区政府信息公开工作年度报告", 2021, "洛龙区"),
    ("栾川县２０２０年政府信息公开工作年度报告", 2020, "栾川县"),           # full-width digits
    ("偃师市2015年政府信息公开年报", 2015, "偃师市"),
    ("洛阳市生态环境局 2019 年 政府信息公开 工作年度报告", 2019, "洛阳市生态环境局"),
]
NOT_REPORTS = [
    "关于报送2023年政府信息公开工作年度报告的通知",
    "政府信息公开指南",
    "2024年政务公开工作要点",
    "政府信息公开年报",                        # the column, not a report (no year)
    "2023年政府信息公开工作年度报告解读",
    "洛阳市2022年政府信息公开工作年度报告编制说明会召开",
    "关于印发《2023年政务公开工作要点》的通知",
    "2023年洛阳市政府工作报告",
    "洛阳市人民政府",
]


@pytest.mark.parametrize("title,year,agency", REPORTS)
def test_reports_recognized_with_year_and_agency(title, year, agency):
    g = recognize(title=title)
    assert g.is_report, g.reason
    assert g.year == year
    assert g.agency == agency


@pytest.mark.parametrize("title", NOT_REPORTS)
def test_trap_titles_rejected(title):
    g = recognize(title=title)
    assert not g.is_report, g


def test_title_wins_over_anchor_and_site_suffix_is_stripped():
    assert clean_title("洛阳市2023年政府信息公开工作年度报告 - 洛阳市人民政府门户网站") == "洛阳市2023年政府信息公开工作年度报告"
    # a trap page reached through a report-like anchor stays a trap
    g = recognize(title="关于报送2023年政府信息公开工作年度报告的通知", anchor="2023年政府信息公开工作年度报告")
    assert not g.is_report
    # a page whose <title> is just the site name: the anchor decides
    g = recognize(title="洛宁县人民政府门户网站", anchor="洛宁县2022年政府信息公开工作年度报告")
    assert g.is_report and g.year == 2022


def test_attachment_recognized_from_url_filename():
    g = recognize(url="http://x.gov.cn/files/洛阳市2021年政府信息公开工作年度报告.pdf")
    assert g.is_report and g.year == 2021
    assert recognize(url="http://x.gov.cn/gknb/2020/ndbg.pdf").is_report
    assert not recognize(url="http://x.gov.cn/files/a.pdf").is_report
    assert is_attachment_url("http://x/a/B.PDF?x=1") and is_attachment_url("http://x/a.wps")
    assert not is_attachment_url("http://x/a/index.html")


def test_year_and_agency_helpers():
    assert find_year("2019年度") == 2019
    assert find_year("1999年") is None          # before the Regulations
    assert parse_title("2023年洛阳市人民政府办公室政府信息公开工作年度报告")[1] == "洛阳市人民政府办公室"


def test_link_scoring_prefers_disclosure_column_and_reports():
    report = score_link("http://a/xxgk/202401/t1.html", "洛阳市2023年政府信息公开工作年度报告")
    column = score_link("http://a/zfxxgk/nb/index.html", "政府信息公开年报")
    page2 = score_link("http://a/zfxxgk/nb/index_1.html", "下一页")
    plain = score_link("http://a/about/index.html", "机构简介")
    noise = score_link("http://a/news/index.html", "新闻中心")
    assert report > column > plain > noise
    assert page2 > plain
    assert noise < 0


def test_trap_guard_stops_calendars_and_query_explosions():
    g = TrapGuard(max_query_variants=5)
    assert g.allow("http://a/cal/2024/05/")
    assert not g.allow("http://a/cal/2099/05/")
    assert not g.allow("http://a/cal?month=2045-01")
    assert g.allow("http://a/cal?month=2024-01")
    allowed = [g.allow(f"http://a/list?sid={i}") for i in range(20)]
    assert allowed.count(True) == 5
    assert not g.allow("http://a/list/index_5000.html")
    assert not g.allow("http://a/" + "x/y/" * 4)


def test_plain_href_fast_path_matches_safe_url_string():
    """page_links skips w3lib's safe_url_string for hrefs it would return unchanged; check
    that claim on random strings over the fast path's alphabet (plus the known traps)."""
    import random
    import string

    from w3lib.url import safe_url_string

    from crawler.spiders.base.link import _PLAIN_REF

    rnd = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "-._~/?=&%+,;"
    refs = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30))) for _ in range(20000)]
    refs += ["/" + r for r in refs[:5000]] + ["//" + r for r in refs[:500]]
    refs += ["a?", "//Host/x", "HTTP://X/", "x?a=[1]", "中文.pdf", "a b", "p#frag"]
    plain = [r for r in refs if _PLAIN_REF.match(r)]
    assert len(plain) > 10000
    assert [r for r in plain if safe_url_string(r, encoding="utf-8") != r] == []
    for trap in ("a?", "//Host/x", "HTTP://X/", "x?a=[1]", "中文.pdf", "a b", "p#frag"):
        assert not _PLAIN_REF.match(trap)
