"""The browse pages (cluster, article, story, search, home), rendered by headless Chromium from
the real `serve` command on a real ingested database: one article republished by three
other sites with known edits, plus unrelated pages (the syndication fixture)."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

from db.migrations import migrations
from pipeline.web.browse import queries
from tests.conftest import ingest, rows, serving
from tests.test_browser import CHROMIUM
from tests.test_ingest import syndication_dir  # noqa: F401 - shared fixture

FURNITURE = "(Reporting by Greg Roumeliotis, Joshua Franklin"  # original.html's credit line


@pytest.fixture(scope="module")
def site(
    syndication_dir: Path,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Path]]:
    db = tmp_path_factory.mktemp("pages") / "news.db"
    ingest(syndication_dir, db)
    with serving(db) as base:
        yield base, db


def load(url: str, netlog: Path) -> tuple[str, set[str]]:
    """The page's DOM after Chromium loaded it, and every URL requested on the page's behalf
    (Chromium's network log: requests whose isolation key is the page's site)."""
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: `make test` installs it (apt-get install chromium)")
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            f"--log-net-log={netlog}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    log = json.loads(netlog.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    requested = {
        params["url"]
        for event in log["events"]
        if event["type"] == start
        and "url" in (params := event.get("params", {}))
        and "127.0.0.1" in params.get("network_isolation_key", "")
    }
    return dom, requested


def one(db: Path, sql: str) -> object:
    return rows(db, sql)[0][0]


def hrefs(dom: str, pattern: str) -> list[str]:
    return re.findall(rf'href="({pattern})"', dom)


def test_cluster_page_shows_every_copy_and_each_edit(
    site: tuple[str, Path], tmp_path: Path
) -> None:
    base, db = site
    cluster = one(db, "select cluster_id from articles where source = 'original.html'")
    dom, _ = load(f"{base}/-/cluster/{cluster}", tmp_path / "log.json")
    copies = {i for (i,) in rows(db, f"select id from articles where cluster_id = {cluster}")}
    assert len(copies) == 4
    assert (
        set(
            map(int, re.findall(r'class="wc-copy[^"]*" id="copy-\d+" data-article-id="(\d+)"', dom))
        )
        == copies
    )
    reason = one(db, f"select canonical_reason from clusters where id = {cluster}")
    assert dom.count("wc-badge") == 1 and queries.REASONS[reason] in dom
    # the wire dateline one copy added, and the typo another made (marked added or removed
    # depending on which copy is canonical)
    assert re.search(r"<(ins|del)>NEW YORK \(AP\) —</\1>", dom)
    assert re.search(r"<del>(the|teh)</del> <ins>(teh|the)</ins>", dom)
    assert "Removed furniture (1 line)" in dom and FURNITURE in dom


def test_article_page_shows_the_furniture_struck_through_where_it_stood(
    site: tuple[str, Path], tmp_path: Path
) -> None:
    base, db = site
    article, place = rows(
        db,
        "select a.id, f.paragraph from articles a join furniture f on f.article_id = a.id"
        " where a.source = 'original.html'",
    )[0]
    dom, _ = load(f"{base}/-/article/{article}", tmp_path / "log.json")
    body = dom.split('class="wc-body"')[1]
    blocks = re.findall(r'<p( class="wc-removed")?>(.*?)</p>', body, re.S)
    struck = [n for n, (removed, html) in enumerate(blocks) if removed and FURNITURE in html]
    assert struck == [place]  # after exactly `place` paragraphs of text
    assert f"<s>{FURNITURE}" in blocks[place][1] and "reporting_credit" in blocks[place][1]
    paragraphs = one(db, f"select text from articles where id = {article}").split("\n\n")
    assert blocks[place - 1][1].strip() == paragraphs[place - 1].strip()
    method, confidence = rows(
        db, f"select extraction, confidence from articles where id = {article}"
    )[0]
    assert f'class="wc-extraction">{method}, confidence {confidence:.2f}' in dom


def test_story_page_has_the_timeline_and_every_writeup(
    site: tuple[str, Path], tmp_path: Path
) -> None:
    base, db = site
    story = one(db, "select story_id from articles where source = 'original.html'")
    clusters = {c for (c,) in rows(db, f"select id from clusters where story_id = {story}")}
    assert len(clusters) >= 2
    dom, _ = load(f"{base}/-/story/{story}", tmp_path / "log.json")
    assert '<svg class="timeline"' in dom and "<circle" in dom
    writeups = {int(c) for c in re.findall(r'class="wc-writeup" data-cluster-id="(\d+)"', dom)}
    assert writeups == clusters
    assert "carried by 4 sites" in dom and "First:" in dom


def test_clicks_lead_from_home_to_cluster_article_story_and_back(
    site: tuple[str, Path], tmp_path: Path
) -> None:
    base, _ = site
    log = tmp_path / "log.json"
    home, _ = load(f"{base}/", log)
    assert re.search(r'<form[^>]*action="/-/search"', home)
    cluster_url = hrefs(home, r"/-/cluster/\d+")[0]
    cluster, _ = load(base + cluster_url, log)
    article_url = hrefs(cluster, r"/-/article/\d+")[0]
    article, _ = load(base + article_url, log)
    assert cluster_url in hrefs(article, r"/-/cluster/\d+")  # back to the cluster
    story_url = hrefs(article, r"/-/story/\d+")[0]
    story, _ = load(base + story_url, log)
    assert cluster_url in hrefs(story, r"/-/cluster/\d+")  # the story leads to the cluster
    assert article_url in hrefs(story, r"/-/article/\d+")  # and to the article


def test_search_groups_the_copies_of_an_article(site: tuple[str, Path], tmp_path: Path) -> None:
    base, db = site
    cluster = one(db, "select cluster_id from articles where source = 'original.html'")
    dom, _ = load(f"{base}/-/search?q=Neumann+WeWork", tmp_path / "log.json")
    assert f'<a href="/-/cluster/{cluster}">4 copies match</a>' in dom
    assert "<mark>" in dom


def test_ids_in_tables_and_queries_are_links(site: tuple[str, Path], tmp_path: Path) -> None:
    base, db = site
    article, cluster = rows(
        db, "select id, cluster_id from articles where source = 'original.html'"
    )[0]
    table, _ = load(f"{base}/news/articles?id={article}", tmp_path / "log.json")
    assert f'href="/news/clusters/{cluster}"' in table  # a declared foreign key
    assert f'href="/-/article/{article}"' in table  # the title opens the article page
    row, _ = load(f"{base}/news/articles/{article}", tmp_path / "log.json")
    assert f'href="/-/article/{article}">Open the article page' in row
    query, _ = load(f"{base}/news/largest_clusters", tmp_path / "log.json")
    assert f'href="/-/cluster/{cluster}"' in query


@pytest.mark.parametrize(
    "page", ["/", "/-/cluster/{c}", "/-/article/{a}", "/-/story/{s}", "/-/search?q=wework"]
)
def test_pages_request_nothing_beyond_localhost(
    site: tuple[str, Path], tmp_path: Path, page: str
) -> None:
    base, db = site
    a, c, s = rows(
        db, "select id, cluster_id, story_id from articles where source = 'original.html'"
    )[0]
    dom, requested = load(base + page.format(a=a, c=c, s=s), tmp_path / "log.json")
    assert f"{base}/-/static-plugins/pipeline.web.browse/wirecopy.css" in requested  # seen
    assert all(url.startswith(base + "/") for url in requested), requested
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', dom)


def test_an_old_database_gets_the_links_and_keeps_its_furniture(tmp_path: Path) -> None:
    """A database from before the browse pages: m011 declares the foreign keys in place and
    keeps every row; lines removed before places were recorded are shown after the text."""
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="m011_links_and_furniture_places")
    db["articles"].insert({"id": 1, "title": "Old", "text": "One.\n\nTwo.", "cluster_id": 1})
    db["clusters"].insert({"id": 1, "size": 1, "canonical_article_id": 1})
    db["furniture"].insert({"article_id": 1, "position": 0, "line": "Share this", "rule": "share"})
    db.close()
    db = Database(path)
    migrations.apply(db)
    keys = {(fk.column, fk.other_table) for fk in db["articles"].foreign_keys}
    assert {("cluster_id", "clusters"), ("story_id", "stories"), ("run_id", "runs")} <= keys
    assert rows(path, "pragma integrity_check") == [("ok",)]
    assert rows(path, "select line, paragraph from furniture") == [("Share this", None)]
    conn = sqlite3.connect(path)
    article = queries.article(conn, 1)
    assert [b["line"] for b in article["blocks"]] == ["One.", "Two."]
    assert [u["line"] for u in article["unplaced"]] == ["Share this"]
