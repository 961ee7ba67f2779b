"""Crawl: ``sources.toml`` -> Scrapy spiders -> processed pages handed to the one writer."""
