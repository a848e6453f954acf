"""The plan of the sample portal network: sites, report contents, served documents, traps.

Pure data and pure functions; build.py renders it to files and truth.json, server.py serves it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .generate import rng
from .pages import Site

logger = logging.getLogger(__name__)

SITES: list[Site] = [
    Site("city", "127.0.0.11", "sample-city", "洛阳市人民政府", "洛阳市人民政府办公室", "410300",
         "trs", "utf-8", "utf-8", '<div class="TRS_Editor" id="zoom">'),
    Site("luoning", "127.0.0.12", "sample-luoning", "洛宁县人民政府", "洛宁县人民政府办公室", "410328",
         "hanweb", "gbk", "gb2312", '<div id="zoom" class="bt_content">'),
    Site("luolong", "127.0.0.13", "sample-luolong", "洛阳市洛龙区人民政府", "洛龙区人民政府办公室", "410311",
         "jsonapi", "utf-8", None, '<div class="article-content">'),
    Site("zsj", "127.0.0.14", "sample-zsj", "洛阳市政务服务和大数据管理局", "洛阳市政务服务和大数据管理局", "410300",
         "generic", "utf-8", "utf-8", '<div id="UCAP-CONTENT" class="content">'),
    Site("yiyang", "127.0.0.15", "sample-yiyang", "宜阳县人民政府", "宜阳县人民政府办公室", "410327",
         "generic", "utf-8", "utf-8", '<div class="pages_content" id="zoom">'),
]
OFFSITE_HOST = "127.0.0.99"
SITE_BY_KEY = {s.key: s for s in SITES}
SITE_BY_HOST = {s.host: s for s in SITES}

# download limit the oversize trap assumes (crawl.max_download_size default)
DOWNLOAD_LIMIT = 50 * 1024 * 1024
OVERSIZE_BYTES = 60 * 1024 * 1024


@dataclass
class Content:
    """One report's content; several documents (copies, formats) may carry it."""
    id: str
    agency: str | None          # as printed in the title (None: the title names no agency)
    year: int
    template: str               # '2021' | '2019' | 'legacy'
    seed: str | None = None     # seed id when the content is a seed report
    broken: str | None = None   # generate.BREAKS kind
    variant_of: str | None = None  # narrative drawn from this content (next-year pair)
    printed_agency: str | None = None
    label_style: str = "standard"  # grids.LABEL_STYLES: how table labels are printed


@dataclass
class Doc:
    content: str
    site: str
    fmt: str                    # html | pdf | pdf_scan | docx | doc | wps | xls
    path: str                   # served path (may carry a query)
    title: str = ""             # anchor text in the listing ('' = content title)
    listed: bool = True         # linked from the site's report listing
    via: list = field(default_factory=list)  # [(kind, source path)] for redirects
    attach_to: str | None = None  # html doc path whose page links this attachment


def contents() -> list[Content]:
    C = Content
    return [
        # seeds (figures from tests/data/seeds/expected.json, narrative from the seed texts, at build time)
        C("seed000", "洛宁县人民政府办公室", 2023, "2021", seed="seed000"),
        C("seed001", "洛阳市人民政府办公室", 2022, "2021", seed="seed001"),
        C("seed002", None, 2023, "2021", seed="seed002", printed_agency="政府办公室"),
        C("seed003", "洛阳市政务服务和大数据管理局", 2023, "2021", seed="seed003"),
        C("seed004", "洛龙区人民政府办公室", 2024, "2021", seed="seed004"),
        # city government office and departments
        C("ly-gov-2019", "洛阳市人民政府办公室", 2019, "2019"),
        C("ly-gov-2020", "洛阳市人民政府办公室", 2020, "2019"),
        C("ly-gov-2021", "洛阳市人民政府办公室", 2021, "2021"),
        C("ly-gov-2023", "洛阳市人民政府办公室", 2023, "2021"),
        C("ly-fgw-2021", "洛阳市发展和改革委员会", 2021, "2021"),
        C("ly-fgw-2022", "洛阳市发展和改革委员会", 2022, "2021", variant_of="ly-fgw-2021"),
        C("ly-jyj-2022", "洛阳市教育局", 2022, "2021", broken="h2_granted"),
        C("ly-jyj-2023", "洛阳市教育局", 2023, "2021"),
        C("ly-czj-2020", "洛阳市财政局", 2020, "2019"),
        C("ly-czj-2021", "洛阳市财政局", 2021, "2019"),  # late adopter: 2021 report, trial layout
        C("ly-sthjj-2023", "洛阳市生态环境局", 2023, "2021", broken="h4_review"),
        C("ly-wjw-2017", "洛阳市卫生和计划生育委员会", 2017, "legacy"),
        C("ly-wjw-2018", "洛阳市卫生和计划生育委员会", 2018, "legacy"),
        C("ly-gov-2016", "洛阳市人民政府办公室", 2016, "legacy"),
        # Luoning county
        C("ln-gov-2020", "洛宁县人民政府办公室", 2020, "2019"),
        C("ln-gov-2021", "洛宁县人民政府办公室", 2021, "2021", label_style="linebreaks"),
        C("ln-gov-2022", "洛宁县人民政府办公室", 2022, "2021", broken="h3_new_received"),
        C("ln-jyj-2023", "洛宁县教育局", 2023, "2021", label_style="linebreaks"),
        C("ln-nyncj-2018", "洛宁县农业农村局", 2018, "legacy"),
        C("ln-zrzyj-2023", "洛宁县自然资源局", 2023, "2021"),
        # Luolong district
        C("ll-gov-2021", "洛龙区人民政府办公室", 2021, "2021", label_style="halfwidth"),
        C("ll-gov-2022", "洛龙区人民政府办公室", 2022, "2021", label_style="halfwidth"),
        C("ll-gov-2023", "洛龙区人民政府办公室", 2023, "2021", broken="h1_forward"),
        C("ll-jyj-2023", "洛龙区教育局", 2023, "2021"),
        C("ll-zjj-2022", "洛龙区住房和城乡建设局", 2022, "2021"),
        # department portal (city data bureau)
        C("zsj-2019", "洛阳市政务服务和大数据管理局", 2019, "2019"),
        C("zsj-2020", "洛阳市政务服务和大数据管理局", 2020, "2019"),
        C("zsj-2021", "洛阳市政务服务和大数据管理局", 2021, "2021", label_style="typo"),
        C("zsj-2022", "洛阳市政务服务和大数据管理局", 2022, "2021"),
        # Yiyang county
        C("yy-gov-2022", "宜阳县人民政府办公室", 2022, "2021"),
        C("yy-czj-2023", "宜阳县财政局", 2023, "2021"),
        C("yy-gov-2015", "宜阳县人民政府办公室", 2015, "legacy"),
    ]


def docs() -> list[Doc]:
    D = Doc
    return [
        # --- city (TRS): static pagination, redirects, cross-post, HTML+PDF of one report
        D("seed001", "city", "html", "/xxgk/ndbg/202301/t20230130_3001.html"),
        D("seed001", "city", "pdf", "/xxgk/ndbg/202301/P020230130300101.pdf", listed=False,
          attach_to="/xxgk/ndbg/202301/t20230130_3001.html"),
        D("seed000", "city", "pdf", "/xxgk/ndbg/202401/P020240131300201.pdf"),  # cross-post of Luoning's page
        D("ly-gov-2019", "city", "html", "/xxgk/ndbg/202003/t20200320_3003.html", listed=False,
          via=[("301", "/xxgk/ndbg/old/2019ndbg.html")]),
        D("ly-gov-2020", "city", "html", "/xxgk/ndbg/202103/t20210325_3004.html", listed=False,
          via=[("302", "/jump.jsp?id=3004")]),
        D("ly-gov-2021", "city", "html", "/xxgk/ndbg/202203/t20220328_3005.html"),
        D("ly-gov-2023", "city", "html", "/xxgk/ndbg/202403/t20240329_3006.html"),
        D("ly-fgw-2021", "city", "html", "/xxgk/ndbg/202201/t20220125_3007.html"),
        D("ly-fgw-2022", "city", "docx", "/xxgk/ndbg/202301/P020230120300801.docx"),
        D("ly-jyj-2022", "city", "html", "/xxgk/ndbg/202301/t20230128_3009.html", listed=False,
          via=[("meta-refresh", "/xxgk/ndbg/202301/jump_3009.html")]),
        D("ly-jyj-2023", "city", "pdf", "/xxgk/ndbg/202401/P020240126301001.pdf"),
        D("ly-czj-2020", "city", "html", "/xxgk/ndbg/202101/t20210129_3011.html"),
        D("ly-czj-2021", "city", "xls", "/xxgk/ndbg/202201/P020220127301201.xls"),
        D("ly-sthjj-2023", "city", "html", "/xxgk/ndbg/202401/t20240130_3013.html"),
        D("ly-wjw-2017", "city", "html", "/xxgk/ndbg/201801/t20180130_3014.html"),
        D("ly-wjw-2018", "city", "doc", "/xxgk/ndbg/201901/P020190130301501.doc"),
        D("ly-gov-2016", "city", "html", "/xxgk/ndbg/201703/t20170330_3016.html"),
        # --- Luoning (Hanweb, GBK): data proxy list, download servlet
        D("seed000", "luoning", "html", "/art/2024/1/31/art_1024_4001.html"),
        D("ln-gov-2020", "luoning", "html", "/art/2021/3/30/art_1024_4002.html"),
        D("ln-gov-2021", "luoning", "html", "/art/2022/3/29/art_1024_4003.html"),
        D("ln-gov-2022", "luoning", "html", "/art/2023/3/28/art_1024_4004.html"),
        D("ln-jyj-2023", "luoning", "html", "/art/2024/1/29/art_1024_4005.html"),
        D("ln-nyncj-2018", "luoning", "pdf_scan", "/module/download/downfile.jsp?classid=0&filename=1901301015283.pdf"),
        D("ln-zrzyj-2023", "luoning", "wps", "/module/download/downfile.jsp?classid=0&filename=2401261632107.wps"),
        # --- Luolong (JSON API, no declared charset)
        D("seed004", "luolong", "html", "/xxgk/ndbg/content_5001.html"),
        D("ll-gov-2021", "luolong", "html", "/xxgk/ndbg/content_5002.html"),
        D("ll-gov-2022", "luolong", "html", "/xxgk/ndbg/content_5003.html"),
        D("ll-gov-2023", "luolong", "html", "/xxgk/ndbg/content_5004.html"),
        D("ll-jyj-2023", "luolong", "pdf", "/uploadfiles/2024/01/5005.pdf"),
        D("ll-zjj-2022", "luolong", "html", "/xxgk/ndbg/content_5006.html"),
        # --- department portal: plain links, two list pages
        D("seed003", "zsj", "html", "/zwgk/ndbg/6001.html"),
        D("zsj-2019", "zsj", "xls", "/uploads/6002.xls"),
        D("zsj-2020", "zsj", "doc", "/uploads/6003.doc"),
        D("zsj-2021", "zsj", "html", "/zwgk/ndbg/6004.html"),
        D("zsj-2022", "zsj", "html", "/zwgk/ndbg/6005.html"),
        # --- Yiyang: plain links; seed 002 prints no agency (the page metadata names it)
        D("seed002", "yiyang", "html", "/zfxxgk/ndbg/2024/7001.shtml"),
        D("yy-gov-2022", "yiyang", "html", "/zfxxgk/ndbg/2023/7002.shtml"),
        D("yy-czj-2023", "yiyang", "wps", "/attach/7003.wps"),
        D("yy-gov-2015", "yiyang", "html", "/zfxxgk/ndbg/2016/7004.shtml"),
    ]


def published(content: Content, doc: Doc) -> str:
    """Publication date: departments by 31 January, governments by 31 March (some late)."""
    import re

    m = re.search(r"(20\d\d)(\d\d)(\d\d)", doc.path) or re.search(r"/art/(20\d\d)/(\d+)/(\d+)/", doc.path)
    r = rng(doc.path)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        y = content.year + 1
        gov = (content.agency or "").endswith("人民政府办公室") or content.agency is None
        mo = r.randint(1, 3) if gov else 1
        d = r.randint(10, 28)
    return f"{y:04d}-{mo:02d}-{d:02d} {r.randint(8, 17):02d}:{r.choice([0, 15, 30, 45]):02d}"


# --- traps and expected failures (paths per site; the server implements them) -------------

TRAPS = [
    {"site": "city", "path": "/xxgk/tzgg/t20231215_8001.html", "title": "关于报送2023年政府信息公开工作年度报告的通知",
     "why": "a notice about reports, not a report"},
    {"site": "city", "path": "/xxgk/zn/t20230101_8002.html", "title": "洛阳市人民政府政府信息公开指南",
     "why": "disclosure guide, not a report"},
    {"site": "city", "path": "/xxgk/fdzdgknr/t20240305_8003.html", "title": "洛阳市2024年政务公开工作要点",
     "why": "work plan whose title mentions 政务公开, not a report"},
    {"site": "luoning", "path": "/art/2023/12/20/art_1024_8004.html", "title": "关于报送2023年政府信息公开工作年度报告的通知",
     "why": "a notice about reports, listed in the report column"},
    {"site": "luoning", "path": "/art/2023/1/5/art_1025_8005.html", "title": "洛宁县人民政府政府信息公开指南",
     "why": "disclosure guide, not a report"},
    {"site": "luolong", "path": "/xxgk/ndbg/content_8006.html", "title": "洛龙区2024年政务公开工作要点",
     "why": "work plan listed in the report column"},
    {"site": "zsj", "path": "/zwgk/zn/8007.html", "title": "洛阳市政务服务和大数据管理局政府信息公开指南",
     "why": "disclosure guide, not a report"},
    {"site": "city", "path": "/calendar", "title": "活动日历",
     "why": "infinite calendar: /calendar?month=N links to N+1 forever"},
    {"site": "city", "path": "http://127.0.0.99/", "title": "外部平台", "why": "another domain (logged; must never be fetched)"},
    {"site": "*", "path": "http://www.gov.cn/", "title": "中国政府网", "why": "external domain"},
]

FAILURES = [
    {"site": "city", "path": "/xxgk/ndbg/201803/t20180320_9001.html", "title": "洛阳市人民政府办公室2017年政府信息公开工作年度报告",
     "status": 404, "reason": "not found (dead link in the listing)"},
    {"site": "city", "path": "/xxgk/ndbg/wall/t20230301_9002.html", "title": "洛阳市审计局2022年政府信息公开工作年度报告",
     "status": 412, "reason": "anti-bot wall (412 with a JavaScript cookie challenge)"},
    {"site": "city", "path": "/xxgk/ndbg/202303/P020230301900301.pdf", "title": "洛阳市统计局2022年政府信息公开工作年度报告（扫描件）",
     "status": None, "reason": "oversize", "content_length": OVERSIZE_BYTES, "limit": DOWNLOAD_LIMIT},
    {"site": "city", "path": "/private/ndbg/t20200115_9004.html", "title": "洛阳市民政局2019年政府信息公开工作年度报告",
     "status": None, "reason": "robots (Disallow: /private/)"},
    {"site": "luoning", "path": "/art/2022/1/20/art_1024_9005.html", "title": "洛宁县教育局2021年政府信息公开工作年度报告",
     "status": 404, "reason": "not found (dead link in the listing)"},
]

ROBOTS = {
    "city": "User-agent: *\nDisallow: /private/\nDisallow: /search/\n",
    "luoning": "User-agent: *\nDisallow: /module/search/\n",
    "luolong": "User-agent: *\nAllow: /\n",
    "zsj": "User-agent: *\nDisallow:\n",
    "yiyang": "User-agent: *\nDisallow: /cgi-bin/\n",
}

# ordinary navigation noise per site: (path, title)
NEWS = [
    ("/xwzx/202403/t20240312_1101.html", "市政府召开常务会议研究部署近期重点工作"),
    ("/xwzx/202403/t20240308_1102.html", "全市政务公开工作推进会召开"),
    ("/xwzx/202402/t20240226_1103.html", "关于公开征求《城市公共交通管理办法（征求意见稿）》意见的公告"),
    ("/xwzx/202402/t20240220_1104.html", "2023年全市经济运行情况新闻发布会"),
    ("/xwzx/202401/t20240115_1105.html", "政府信息公开申请流程图"),
]
