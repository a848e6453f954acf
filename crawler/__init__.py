"""nianbao crawler: Scrapy project, discovery, scheduler and the `nianbao` CLI."""
__version__ = "0.1.0"
