"""Fixture pages (tests/files/<name>) loaded into Scrapy responses, city-scrapers style."""
from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse, Response, TextResponse

FILES = Path(__file__).resolve().parent.parent / "files"


def file_response(name: str, url: str, *, meta: dict | None = None, headers: dict | None = None,
                  cls: type[Response] = HtmlResponse) -> Response:
    body = (FILES / name).read_bytes()
    req = Request(url, meta=meta or {})
    return cls(url=url, body=body, request=req, headers=headers or {})


def text_response(name: str, url: str, *, meta: dict | None = None, content_type: str = "application/json") -> TextResponse:
    return file_response(name, url, meta=meta, headers={"Content-Type": content_type}, cls=TextResponse)
