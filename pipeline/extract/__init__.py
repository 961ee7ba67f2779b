"""Extract: raw bytes -> text and metadata on a ``Page``.

Decoding, repairs of the HTML before trafilatura (split bodies, hover cards), then trafilatura.
"""
