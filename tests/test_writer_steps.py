"""The writer-steps benchmark times the real writer and leaves it as it found it."""

from __future__ import annotations

from pathlib import Path

from benchmarks import scale, writer_steps
from pipeline.run.writer import Writer
from pipeline.store import Store


def test_steps_are_timed_on_a_real_ingest_and_put_back(tmp_path: Path) -> None:
    before = (Writer._add_article, Store.band_candidates, Store.finish_batch)
    db = tmp_path / "steps.db"
    wall, spent = writer_steps.chunk_into(db, 60, scale.sentences(), per_day=50)
    assert wall > 0
    labels = [label for _, _, label in writer_steps.STEPS]
    assert all(spent[label] > 0 for label in labels if "postings" not in label)
    assert spent[labels[0]] >= spent[labels[1]] >= spent[labels[2]]  # nested steps
    assert scale._stored(db) == 60
    assert (Writer._add_article, Store.band_candidates, Store.finish_batch) == before
