"""Dedup: text -> fingerprints (normalised shingles, MinHash) -> clusters of copies.

The cluster index groups exact and near copies and links partial copies.
"""
