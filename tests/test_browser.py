"""The pages people look at, rendered by headless Chromium from the real `serve` command.

`make test` installs Chromium (Debian's package) when it is missing; without it these tests
fail with that instruction rather than pass unseen.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ingest, rows, serving

SAMPLES = Path(__file__).parent.parent / "samples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`serve` on a free localhost port over the demo samples; yields (base URL, database)."""
    db = tmp_path_factory.mktemp("browser") / "news.db"
    ingest(SAMPLES, db)
    with serving(db) as base:
        yield base, db


def render(url: str) -> str:
    """The page's DOM after Chromium has loaded it (scripts run), as HTML."""
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: `make test` installs it (apt-get install chromium)")
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_home_page_lists_the_canned_queries(site: tuple[str, Path]) -> None:
    base, _ = site
    page = render(f"{base}/news")
    for title in ("Largest stories", "One story", "Largest clusters", "Full-text search"):
        assert title in page


def test_largest_stories_page_shows_the_seed_story(site: tuple[str, Path]) -> None:
    base, _ = site
    page = render(f"{base}/news/largest_stories")
    assert "putin" in page and "russian" in page
    # the first report has no title: the story shows the first title among its articles
    assert "President al-Assad meets President Putin" in page
    assert "Events covered by the most different articles" in page


def test_one_story_page_lists_every_seed_report(site: tuple[str, Path]) -> None:
    base, db = site
    (story,) = {
        row[0] for row in rows(db, "select story_id from articles where source like 'seeds/%'")
    }
    page = render(f"{base}/news/story?story_id={story}")
    assert "Vladimir Putin Orders Military Withdrawl from Syria" in page
    assert "Russia’s Putin visits Syria airbase and orders start of pullout" in page
    # no headline: its first sentence, shortened, never its file name
    assert "Russian President Vladimir Putin on Monday asked his Defense Ministry" in page
    assert "000_09f65f06311b349b.txt" not in page


def test_stories_table_shows_column_descriptions(site: tuple[str, Path]) -> None:
    base, _ = site
    page = render(f"{base}/news/stories")
    assert "Different articles (clusters) about one event" in page
    assert "key_names" in page
