"""Scrapy settings for wirecopy's spiders: polite by default.

``python -m pipeline crawl`` overrides the politeness numbers from ``[settings]`` in
sources.toml; ``scrapy crawl news`` uses these defaults plus the same file.
"""

BOT_NAME = "wirecopy"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

USER_AGENT = "wirecopy/0.1 (+https://github.com/wirecopy/wirecopy)"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_TIMES = 1
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # a cron crawler opens no listening port
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    "spiders.middlewares.ScopeMiddleware": 50,
    "spiders.middlewares.RetryAfterMiddleware": 560,  # sees 429/503 before RetryMiddleware
}
ITEM_PIPELINES = {"pipeline.crawl.bridge.StorePipeline": 300}
