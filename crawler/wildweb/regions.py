"""Who the wild network's portals belong to: regions (GB/T 2260 codes) and their agencies.

A site is a government portal (the region's 人民政府, with its office, departments and
townships publishing in one 年报 column) or a department portal (one bureau's own site).
Names are real places; the portals and their contents are invented.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Region:
    name: str          # 林州市
    code: str          # 410581
    slug: str          # ascii, for portal names
    level: str         # city | county
    towns: tuple[str, ...] = ()


#: never the held-out bodies (平潭 / 洪泽)
REGIONS: tuple[Region, ...] = (
    Region("安阳市", "410500", "anyang", "city"),
    Region("林州市", "410581", "linzhou", "county", ("城郊乡", "姚村镇", "桂园街道办事处")),
    Region("滑县", "410526", "huaxian", "county", ("道口镇", "城关街道办事处")),
    Region("新乡市", "410700", "xinxiang", "city"),
    Region("长垣市", "410783", "changyuan", "county", ("蒲东街道办事处", "丁栾镇")),
    Region("焦作市", "410800", "jiaozuo", "city"),
    Region("沁阳市", "410882", "qinyang", "county", ("覃怀街道办事处", "西向镇")),
    Region("许昌市", "411000", "xuchang", "city"),
    Region("禹州市", "411081", "yuzhou", "county", ("钧台街道办事处", "神垕镇")),
    Region("南阳市", "411300", "nanyang", "city"),
    Region("邓州市", "411381", "dengzhou", "county", ("古城街道办事处", "穰东镇")),
    Region("开封市", "410200", "kaifeng", "city"),
    Region("兰考县", "410225", "lankao", "county", ("城关镇", "东坝头镇")),
    Region("三门峡市", "411200", "sanmenxia", "city"),
    Region("灵宝市", "411282", "lingbao", "county", ("城关镇", "函谷关镇")),
    Region("登封市", "410185", "dengfeng", "county", ("嵩阳街道办事处", "大冶镇")),
    Region("巩义市", "410181", "gongyi", "county", ("孝义街道办事处", "竹林镇")),
    Region("汝州市", "410482", "ruzhou", "county", ("煤山街道办事处", "临汝镇")),
)

#: departments that publish their own reports (short name, slug)
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("发展和改革委员会", "fgw"), ("教育局", "jyj"), ("财政局", "czj"), ("自然资源和规划局", "zrzyj"),
    ("生态环境局", "sthjj"), ("卫生健康委员会", "wsjkw"), ("交通运输局", "jtysj"), ("农业农村局", "nyncj"),
    ("市场监督管理局", "scjgj"), ("人力资源和社会保障局", "rsj"), ("住房和城乡建设局", "zjj"),
    ("民政局", "mzj"), ("审计局", "sjj"), ("统计局", "tjj"),
)


def government(region: Region) -> str:
    return f"{region.name}人民政府"


def office(region: Region) -> str:
    return f"{region.name}人民政府办公室"


def department(region: Region, short: str) -> str:
    return f"{region.name}{short}"


def township(region: Region, town: str) -> str:
    return f"{region.name}{town}" if town.endswith("办事处") else f"{region.name}{town}人民政府"
