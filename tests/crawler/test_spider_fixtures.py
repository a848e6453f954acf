"""The portal spider on saved fixture pages (offline): each listing idiom and report recognition."""
from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.items import DocumentItem
from crawler.spiders.cms import jsonapi
from crawler.spiders.cms.hanweb import group_urls
from crawler.spiders.portal import PortalSpider

from .helpers import file_response, text_response

HOST = "http://127.0.0.11:18765"


@pytest.fixture
def spider() -> PortalSpider:
    crawler = get_crawler(PortalSpider, {"NIANBAO_MAX_PAGES_PER_PORTAL": 1000})
    portal = {"name": "ly-city", "start_urls": [f"{HOST}/"], "allowed_domains": ["127.0.0.11"],
              "agency": "洛阳市人民政府"}
    return PortalSpider.from_crawler(crawler, portal=portal)


def _split(results):
    items = [r for r in results if isinstance(r, DocumentItem)]
    reqs = [r for r in results if isinstance(r, Request)]
    return items, reqs


def test_trs_listing_pagination_links_and_offsite(spider):
    url = f"{HOST}/zwgk/xxgknb/index.html"
    resp = file_response("trs_listing.html", url, meta={"nb_depth": 2})
    items, reqs = _split(list(spider.parse(resp)))
    assert len(items) == 1 and not items[0]["is_report"]          # the column page is not a report
    urls = {r.url for r in reqs}
    # createPageHTML(countPage=4): index.html, index_1..index_3.html
    for n in (1, 2, 3):
        assert f"{HOST}/zwgk/xxgknb/index_{n}.html" in urls
    assert f"{HOST}/zwgk/xxgknb/index_4.html" not in urls
    assert f"{HOST}/zwgk/xxgknb/202401/t20240125_123456.html" in urls
    assert f"{HOST}/gkml/202402/W020240201_ndbg2023.pdf" in urls   # report attachment followed
    assert not any("gov.cn" in u for u in urls)                   # offsite never requested
    assert not any(u.startswith("javascript") for u in urls)
    assert f"{HOST}/news/" not in urls                            # noise not followed at depth 2
    by_url = {r.url: r for r in reqs}
    report = by_url[f"{HOST}/zwgk/xxgknb/202401/t20240125_123456.html"]
    # the full title attribute replaces the truncated anchor text
    assert report.meta["nb_anchor"] == "洛阳市人民政府2023年政府信息公开工作年度报告"
    trap = by_url[f"{HOST}/zwgk/xxgknb/202312/t20231205_222222.html"]
    assert report.priority > trap.priority


def test_report_page_and_its_attachments(spider):
    url = f"{HOST}/xxgk/nb/2024/t1.html"
    resp = file_response("report_page.html", url, meta={"nb_anchor": "2023年报", "nb_depth": 3})
    items, reqs = _split(list(spider.parse(resp)))
    it = items[0]
    assert it["is_report"] and it["report_year"] == 2023 and it["agency"] == "洛宁县人民政府办公室"
    assert it["title"] == "洛宁县人民政府办公室2023年政府信息公开工作年度报告"
    by_url = {r.url: r for r in reqs}
    pdf = by_url[f"{HOST}/u/cms/luoning/202401/ndbg2023.pdf"]
    assert pdf.meta["nb_parent"] == [2023, "洛宁县人民政府办公室"]
    # the attachment "附件1" of a report page is the report itself
    body = b"%PDF-1.4 fake"
    from scrapy.http import Response

    att = Response(url=pdf.url, body=body, request=pdf, headers={"Content-Type": "application/pdf"})
    (att_item,) = list(spider.parse(att))
    assert att_item["kind"] == "attachment" and att_item["is_report"] and att_item["report_year"] == 2023
    # … but a form template linked from it is not
    tpl = by_url[f"{HOST}/u/cms/luoning/202401/sqb.doc"]
    doc = Response(url=tpl.url, body=b"\xd0\xcf\x11\xe0", request=tpl)
    (doc_item,) = list(spider.parse(doc))
    assert not doc_item["is_report"]


def test_trap_page_reached_by_report_anchor_is_not_a_report(spider):
    html = ('<html><head><title>洛阳市人民政府</title></head><body><h1>关于报送2023年政府信息公开工作年度报告的通知</h1>'
            '<p>各县区：请于1月31日前报送。</p></body></html>').encode()
    from scrapy.http import HtmlResponse

    url = f"{HOST}/a.html"
    resp = HtmlResponse(url=url, body=html, request=Request(url, meta={"nb_anchor": "2023年政府信息公开工作年度报告"}))
    items, _ = _split(list(spider.parse(resp)))
    assert not items[0]["is_report"]


def test_hanweb_embedded_records_and_proxy_windows(spider):
    url = f"{HOST}/col/col4796/index.html"
    resp = file_response("hanweb_list.html", url, meta={"nb_depth": 1})
    _, reqs = _split(list(spider.parse(resp)))
    urls = [r.url for r in reqs]
    assert f"{HOST}/art/2024/1/20/art_4796_1001.html" in urls
    proxy = [u for u in urls if "dataproxy.jsp" in u]
    # totalRecord 50, 15 per page, 3 pages per group: windows 1-45 and 46-90
    assert len(proxy) == 2 and "startrecord=1&endrecord=45&perpage=15" in proxy[0]
    assert "columnid=4796" in proxy[0] and "startrecord=46" in proxy[1]
    preq = next(r for r in reqs if "dataproxy" in r.url)
    assert preq.callback == spider.parse_hanweb_proxy
    # the proxy answer: records with CDATA links, and the trap record is followed but not a report
    answer = file_response("hanweb_dataproxy.xml", preq.url, meta=dict(preq.meta),
                           headers={"Content-Type": "text/xml; charset=utf-8"}, cls=__import__("scrapy").http.XmlResponse)
    items, more = _split(list(spider.parse_hanweb_proxy(answer)))
    assert items[0]["kind"] == "listing" and not items[0]["is_report"]
    murls = {r.url for r in more}
    assert f"{HOST}/art/2022/1/25/art_4796_800.html" in murls
    assert f"{HOST}/module/download/downfile.jsp?classid=0&filename=2020ndbg.docx" in murls
    assert group_urls("http://h/p.jsp?a=1", 50, 15, 3, skip_first=True) == [
        "http://h/p.jsp?a=1&startrecord=46&endrecord=90&perpage=15"]


def test_json_list_api(spider):
    spider.portal_states["ly-city"].config["allowed_domains"].append("127.0.0.14")
    tpl = f"{HOST}/api/list?page={{page}}&size=2"
    link = jsonapi.api_link(tpl, 1)
    req = spider._request(link, spider.portal_states["ly-city"], depth=0, referer=None, parent=None, force=True)
    resp = text_response("jsonapi_list.json", req.url, meta=dict(req.meta))
    items, reqs = _split(list(spider.parse_api(resp)))
    assert items[0]["kind"] == "api"
    urls = {r.url for r in reqs}
    assert f"{HOST}/fgw/gknb/2024/0120/1234.html" in urls
    assert "https://127.0.0.14:18765/fgw/files/2022.pdf" in urls
    # total 5 / pageSize 2 -> pages 2 and 3 requested
    assert f"{HOST}/api/list?page=2&size=2" in urls and f"{HOST}/api/list?page=3&size=2" in urls
    assert f"{HOST}/api/list?page=4&size=2" not in urls
    pdf = next(r for r in reqs if r.url.endswith("2022.pdf"))
    assert pdf.meta["nb_anchor"] == "政府信息公开工作年度报告（2022年）"


def test_gbk_pages_declared_and_undeclared(spider):
    url = f"{HOST}/xxgk/nb/2023/t2.html"
    resp = file_response("gbk_report.html", url)
    items, _ = _split(list(spider.parse(resp)))
    assert items[0]["is_report"] and items[0]["agency"] == "嵩县" and items[0]["report_year"] == 2022
    resp = file_response("nocharset_gbk.html", f"{HOST}/lc/nb/index.html")
    _, reqs = _split(list(spider.parse(resp)))
    (r,) = [r for r in reqs if r.url.endswith("report.html")]
    assert r.meta["nb_anchor"] == "栾川县2021年政府信息公开工作年度报告"


def test_failures_become_items_with_reasons(spider):
    from scrapy.exceptions import IgnoreRequest
    from scrapy.http import Response
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    def fail(exc, url):
        req = Request(url, meta={"nb_kind": "page"})
        f = Failure(exc)
        f.request = req
        (item,) = list(spider.on_error(f))
        return item

    r404 = Response(f"{HOST}/gone.html", status=404, body=b"nf")
    assert fail(HttpError(r404, "404"), r404.url)["error"] == "not_found"
    r412 = Response(f"{HOST}/wall.html", status=412, body=b"")
    it = fail(HttpError(r412, "412"), r412.url)
    assert it["error"] == "antibot_wall" and it["status"] == 412 and not it["is_report"]
    assert fail(IgnoreRequest("Forbidden by robots.txt"), f"{HOST}/private/x.html")["error"] == "robots"
    from scrapy.exceptions import DownloadCancelledError

    assert fail(DownloadCancelledError("Expected to receive 9 bytes which is larger than download max size"),
                f"{HOST}/big.pdf")["error"] == "oversize"


def test_a_url_is_requested_once_per_crawl(spider):
    """Links already requested in this crawl are not rebuilt as requests (navigation on every
    page, TRS pagination repeated on each listing page); Scrapy's dupefilter would drop them
    later, at the cost of a request object and the whole spider-middleware chain."""
    url = f"{HOST}/zwgk/xxgknb/index.html"
    first = _split(list(spider.parse(file_response("trs_listing.html", url, meta={"nb_depth": 2}))))[1]
    assert first
    again = list(spider.parse(file_response("trs_listing.html", url, meta={"nb_depth": 2})))
    items, reqs = _split(again)
    assert len(items) == 1 and reqs == []                  # the page is still archived
    assert len({r.url for r in first}) == len(first)        # and no duplicates within one page
