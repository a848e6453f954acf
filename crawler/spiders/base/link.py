"""A link found on a page, with what the spider needs to request it."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Link:
    url: str
    anchor: str = ""
    kind: str = "page"              # page | listing | attachment | api
    callback: str = "parse"         # spider method name (JOBDIR needs names, not bound methods)
    method: str = "GET"
    formdata: dict[str, str] | None = None
    meta: dict = field(default_factory=dict)
    priority_bonus: int = 0
