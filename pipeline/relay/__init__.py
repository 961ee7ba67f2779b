"""Relay: processed pages on one machine -> a Redis stream -> the one writer on another.

``codec`` turns a processed ``Page`` or a ``Rejection`` into plain JSON (never pickle: a
queue shared by many machines must not run code it is handed); ``stream`` sends them to a
Redis Stream and reads them back through a consumer group; ``consume`` is the ``write``
command: it stores what arrives with the same ``Writer`` as ``ingest`` and acknowledges an
entry only once the transaction that stored it has committed.
"""
