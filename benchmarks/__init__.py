"""Reproducible quality and speed benchmarks; results are copied into the README."""
