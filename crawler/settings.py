"""Scrapy settings for `scrapy crawl portal`; nianbao's own runs override them from config.yaml."""
BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
ROBOTSTXT_OBEY = True
