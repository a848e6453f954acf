"""The CMS idiom registry drives the spider's discovery, its callbacks and the config's `cms`."""
from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from crawler.config import ConfigError, PortalConfig, load_config
from crawler.spiders import cms
from crawler.spiders.base import Link
from crawler.spiders.portal import PortalSpider

from .helpers import file_response

HOST = "http://127.0.0.11:18765"
PORTAL = {"name": "p", "start_urls": [f"{HOST}/"], "allowed_domains": ["127.0.0.11"]}


def _spider(**portal) -> PortalSpider:
    crawler = get_crawler(PortalSpider, {"NIANBAO_MAX_PAGES_PER_PORTAL": 1000})
    return PortalSpider.from_crawler(crawler, portal={**PORTAL, **portal})


def test_every_idiom_module_registers_itself():
    assert set(cms.names()) == {"auto", "generic", "trs", "hanweb", "jsonapi"}
    assert [i.name for i in cms.for_hint("trs")] == ["generic", "trs"]      # plain links always run
    assert {i.name for i in cms.for_hint("auto")} == set(cms.names()) - {"auto"}
    with pytest.raises(ValueError, match="taken"):
        cms.register(cms.Idiom("trs", lambda r: []))


def test_config_accepts_the_registered_names_and_lists_them_for_an_unknown_one(tmp_path):
    for name in cms.names():
        assert PortalConfig.model_validate({**PORTAL, "cms": name}).cms == name
    path = tmp_path / "config.yaml"
    path.write_text("portals:\n  - name: x\n    start_urls: ['http://a/']\n    allowed_domains: [a]\n"
                    "    cms: dedecms\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_config(path)
    msg = str(exc.value)
    assert "portals.0.cms" in msg and "'dedecms'" in msg
    assert "known: auto, generic, hanweb, jsonapi, trs" in msg


def test_a_new_idiom_is_one_registration_away(monkeypatch):
    """Registering an idiom (what a new module under crawler/spiders/cms/ does) makes it a valid
    `cms` value and runs it on the pages of portals that use it, and under auto."""
    found = Link(f"{HOST}/list/more.jsp?page=2", "", kind="listing")
    idiom = cms.Idiom("dedecms", lambda response: [found] if b"dede" in response.body else [])
    monkeypatch.setitem(cms._IDIOMS, idiom.name, idiom)
    assert PortalConfig.model_validate({**PORTAL, "cms": "dedecms"}).cms == "dedecms"
    page = HtmlResponse(url=f"{HOST}/list/", body=b"<html><body>dede <a href='/a.html'>a</a></body></html>",
                        request=Request(f"{HOST}/list/"))
    for hint, expected in (("dedecms", True), ("auto", True), ("trs", False)):
        urls = {lk.url for lk in _spider(cms=hint)._discover(page)}
        assert (found.url in urls) is expected, hint
        assert f"{HOST}/a.html" in urls                          # generic links run under every hint


def test_idiom_callbacks_are_spider_methods_that_survive_jobdir():
    spider = _spider(cms="hanweb")
    names = {cb.name for cb in cms.callbacks()}
    assert names == {"parse_hanweb_proxy", "parse_api"}
    resp = file_response("hanweb_list.html", f"{HOST}/col/col4796/index.html", meta={"nb_depth": 1})
    req = next(r for r in spider.parse(resp) if getattr(r, "url", "").find("dataproxy.jsp") > 0)
    d = req.to_dict(spider=spider)                  # what JOBDIR writes to disk
    assert d["callback"] == "parse_hanweb_proxy" and d["errback"] == "on_error"
    assert request_from_dict(d, spider=spider).callback == spider.parse_hanweb_proxy


def test_hint_limits_the_idioms_run_on_a_page():
    resp = file_response("trs_listing.html", f"{HOST}/zwgk/xxgknb/index.html", meta={"nb_depth": 2})
    paged = f"{HOST}/zwgk/xxgknb/index_3.html"
    assert paged in {lk.url for lk in _spider(cms="trs")._discover(resp)}
    assert paged not in {lk.url for lk in _spider(cms="generic")._discover(resp)}


def test_configured_list_api_is_a_start_request_whatever_the_hint():
    import asyncio

    async def starts(spider):
        return [r async for r in spider.start()]

    api = f"{HOST}/api/list?page={{page}}"
    reqs = asyncio.run(starts(_spider(cms="generic", list_api=api)))
    assert [r.url for r in reqs] == [f"{HOST}/", f"{HOST}/api/list?page=1"]
    assert reqs[1].callback.__name__ == "parse_api"
