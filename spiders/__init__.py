"""Scrapy spiders that feed the same pipeline as ``ingest`` (the crawl command).

Spiders only fetch: they yield raw responses, and the item pipeline hands them to the same
extract, clean, fingerprint, cluster and store stages the directory importer uses.
"""
