"""Run: raw pages -> stored rows. The per-page stages run in worker processes (the map) and
one writer places and stores them (the reduce); also the database lock and the run summary.
"""
