"""Listing idioms of Chinese government CMSs: one module each, registering itself here.

An idiom finds the listing pages and documents that plain ``<a href>`` extraction misses
(JavaScript pagination, XML data proxies, JSON list APIs) and says so in an :class:`Idiom`:

- ``discover(response) -> list[Link]``: links on an ordinary page;
- ``callbacks``: spider callbacks for the responses it asks for itself (a data-proxy answer, a
  JSON page), each a :class:`Callback` naming the spider method, the item kind of that response
  and the function that reads its links; PortalSpider gets one method per callback (JOBDIR
  stores callbacks by method name);
- ``start(portal_config) -> list[Link]``: extra start requests from a portal's config (a
  configured ``list_api``), whatever the portal's ``cms`` hint;
- ``always``: runs on every page whatever the hint (plain links).

The registry drives PortalSpider (which idioms run on a page, its callbacks, its start
requests) and the config's allowed ``cms`` values (``auto`` and every registered name). Adding
an idiom is adding a module here that calls :func:`register`; the modules are imported when
the registry is first read. They keep Scrapy out of their import so config validation stays
light.
"""
from __future__ import annotations

import importlib
import logging
import pkgutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawler.spiders.base.link import Link

logger = logging.getLogger(__name__)

#: the ``cms`` hint that runs every idiom
AUTO = "auto"

LinkFinder = Callable[["Response"], "list[Link]"]


@dataclass(frozen=True)
class Callback:
    """A spider callback of an idiom: archive the response as ``kind``, follow ``links(response)``."""

    name: str
    kind: str
    links: LinkFinder


@dataclass(frozen=True)
class Idiom:
    name: str
    discover: LinkFinder
    callbacks: tuple[Callback, ...] = ()
    start: Callable[[Mapping[str, Any]], "list[Link]"] | None = None
    always: bool = False


_IDIOMS: dict[str, Idiom] = {}
_loaded = False


def register(idiom: Idiom) -> Idiom:
    """Add an idiom (called by its module at import). Names and callback names are unique."""
    if idiom.name == AUTO or idiom.name in _IDIOMS:
        raise ValueError(f"CMS idiom name {idiom.name!r} is taken")
    taken = {cb.name for i in _IDIOMS.values() for cb in i.callbacks}
    for cb in idiom.callbacks:
        if cb.name in taken or not cb.name.startswith("parse_"):
            raise ValueError(f"CMS idiom {idiom.name!r}: callback name {cb.name!r} is taken or not parse_*")
    _IDIOMS[idiom.name] = idiom
    return idiom


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for mod in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{mod.name}")


def idioms() -> list[Idiom]:
    """Every registered idiom: those that always run first, then by name."""
    _load()
    return sorted(_IDIOMS.values(), key=lambda i: (not i.always, i.name))


def names() -> list[str]:
    """The values a portal's ``cms`` may take: ``auto`` and every idiom's name."""
    return [AUTO] + sorted(i.name for i in idioms())


def for_hint(cms: str | None) -> list[Idiom]:
    """The idioms to run on a page of a portal configured with this ``cms`` hint."""
    cms = cms or AUTO
    return [i for i in idioms() if cms == AUTO or i.always or i.name == cms]


def callbacks() -> list[Callback]:
    return [cb for i in idioms() for cb in i.callbacks]
