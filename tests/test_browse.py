"""Datasette with our plugin: every canned query runs against a real ingested database, and
plain ``datasette`` (the plugin installed by its entry point) shows what ``serve`` shows, for
wirecopy's databases only."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from benchmarks import corpus
from pipeline.web.browse import PLACEHOLDER, _template
from pipeline.web.serve import datasette_for, serve_arguments
from tests.conftest import ingest, rows, serving
from tests.test_ingest import syndication_dir  # noqa: F401 - shared fixture


@pytest.fixture(scope="module")
def news_db(syndication_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    db = tmp_path_factory.mktemp("browse") / "news.db"
    ingest(syndication_dir, db)
    return db


def _get(db: Path, path: str, *others: Path) -> tuple[int, object]:
    async def fetch() -> tuple[int, object]:
        datasette = datasette_for(db, *others)
        response = await datasette.client.get(path)
        return response.status_code, response.json() if "json" in path else response.text

    return asyncio.run(fetch())


def test_largest_clusters(news_db: Path) -> None:
    status, data = _get(news_db, "/news/largest_clusters.json?_shape=array")
    assert status == 200
    assert [row["size"] for row in data] == [4]


def test_copies_of_article_by_id_and_by_url(news_db: Path) -> None:
    (article_id,) = rows(news_db, "select id from articles where source = 'original.html'")[0]
    status, data = _get(news_db, f"/news/copies_of_article.json?_shape=array&id={article_id}&url=")
    assert status == 200 and len(data) == 4
    assert sum(row["is_canonical"] for row in data) == 1
    url = "https://x.test/none"
    status, data = _get(news_db, f"/news/copies_of_article.json?_shape=array&id=&url={url}")
    assert status == 200 and data == []
    (stored,) = rows(news_db, "select url from articles where source = 'original.html'")[0]
    assert stored.startswith("https://venturebeat.com/") and stored.endswith("/")
    spelled = "http://www.venturebeat.com/" + stored[24:].rstrip("/") + "?utm_source=twitter"
    query = urllib.parse.urlencode({"id": "", "url": spelled})
    status, data = _get(news_db, f"/news/copies_of_article.json?_shape=array&{query}")
    assert status == 200 and len(data) == 4 and data[0]["is_canonical"] == 1


def test_partial_copies_query(tmp_path: Path) -> None:
    from tests.test_partial import SOURCE, _excerpt_html

    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "source.html").write_text(corpus.load(corpus.page_id(SOURCE)).html)
    (folder / "excerpt.html").write_text(_excerpt_html())
    db = tmp_path / "news.db"
    ingest(folder, db)
    status, data = _get(db, "/news/partial_copies.json?_shape=array")
    assert status == 200 and len(data) == 1
    (excerpt,) = rows(db, "select id from articles where source = 'excerpt.html'")[0]
    assert data[0]["article_id"] == excerpt and data[0]["relation"] == "is an excerpt of"


def test_republishing_sites_and_rejected(news_db: Path) -> None:
    status, data = _get(news_db, "/news/republishing_sites.json?_shape=array")
    assert status == 200 and sum(row["copies"] for row in data) == 3
    status, _ = _get(news_db, "/news/rejected_by_reason.json?_shape=array")
    assert status == 200


def test_full_text_search_groups_copies_and_quotes_the_text(news_db: Path) -> None:
    (text, cluster) = rows(
        news_db, "select text, cluster_id from articles where source = 'original.html'"
    )[0]
    word = max(re.findall(r"[a-z]+", text), key=len)
    status, data = _get(news_db, f"/news/search.json?_shape=array&q={word}")
    assert status == 200 and data, word
    (hit,) = [row for row in data if row["cluster_id"] == cluster]  # one row for 4 copies
    assert hit["matching"] == 4
    assert f"[{word}]" in hit["snippet"].lower()


def test_every_column_is_described(news_db: Path) -> None:
    tables = _template()["databases"][PLACEHOLDER]["tables"]
    for table in (
        "articles",
        "clusters",
        "pairs",
        "furniture",
        "rejected",
        "runs",
        "urls",
        "site_lines",
        "stories",
        "story_terms",
        "story_merges",
    ):
        columns = [name for _, name, *_ in rows(news_db, f"pragma table_info({table})")]
        assert set(columns) <= set(tables[table]["columns"]), table


def test_no_writable_canned_queries(news_db: Path) -> None:
    queries = _template()["databases"][PLACEHOLDER]["queries"]
    assert queries and not any(query.get("write") for query in queries.values())
    assert all(
        query["sql"].lstrip().lower().startswith(("select", "with")) for query in queries.values()
    )


def test_table_page_renders_with_descriptions(news_db: Path) -> None:
    status, html = _get(news_db, "/news/articles")
    assert status == 200 and "One row per stored page" in html


def test_serve_binds_localhost_by_default(news_db: Path) -> None:
    from pipeline.cli import cli

    host = next(p for p in cli.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"
    args = serve_arguments(news_db, host.default, 8001)
    assert args[args.index("--host") + 1] == "127.0.0.1"
    assert "-i" not in args and "--immutable" not in args


def test_search_with_empty_query_does_not_error(news_db: Path) -> None:
    """Regression: Datasette shows the form with q empty; it must not be an FTS syntax error."""
    status, data = _get(news_db, "/news/search.json?_shape=array&q=")
    assert status == 200 and data == []


def test_serve_command_answers_on_localhost(news_db: Path) -> None:
    """The real `serve` command: a Datasette server on 127.0.0.1 with our canned queries."""
    with serving(news_db) as base:
        url = f"{base}/news/largest_clusters.json?_shape=array"
        with urllib.request.urlopen(url, timeout=10) as response:
            data = json.loads(response.read())
    assert [row["size"] for row in data] == [4]


def test_datasette_refuses_writes(news_db: Path) -> None:
    before = rows(news_db, "select count(*) from articles")
    status, _ = _get(news_db, "/news/-/query.json?sql=delete+from+articles")
    assert status == 400
    assert rows(news_db, "select count(*) from articles") == before


def test_the_articles_search_box_points_to_the_ranked_search(news_db: Path) -> None:
    """Datasette's table search lists matches in id order; the page says so and links to the
    search ranked by relevance, copies grouped."""
    status, html = _get(news_db, "/news/articles?_search=WeWork")
    assert status == 200 and 'href="/-/search?q=WeWork"' in html


@pytest.fixture(scope="module")
def other_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database wirecopy did not make, served beside ours."""
    import sqlite3

    db = tmp_path_factory.mktemp("other") / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table articles (id integer primary key, title text)")
        conn.execute("insert into articles values (1, 'Not ours')")
    return db


def test_another_database_beside_ours_looks_as_usual(news_db: Path, other_db: Path) -> None:
    """Issue 25: the plugin acts only on wirecopy's databases. Beside another one, the home
    page is Datasette's list of databases, the other's tables have no wirecopy links or
    metadata, and wirecopy's pages answer 404 for it; ours keeps them under its name."""
    status, home = _get(news_db, "/", other_db)
    assert status == 200 and "/other" in home and "largest stories" not in home.lower()
    status, table = _get(news_db, "/other/articles", other_db)
    assert status == 200 and "/-/article/" not in table and "wirecopy.css" not in table
    assert _get(news_db, "/other/-/cluster/1", other_db)[0] == 404
    status, queries = _get(news_db, "/other.json", other_db)
    assert status == 200 and not queries.get("queries")
    (cluster,) = rows(news_db, "select cluster_id from articles where source = 'original.html'")[0]
    status, page = _get(news_db, f"/news/-/cluster/{cluster}", other_db)
    assert status == 200 and "canonical" in page
    assert _get(news_db, f"/-/cluster/{cluster}", other_db)[0] == 200  # the first of ours


def test_plain_datasette_shows_wirecopys_pages(news_db: Path, tmp_path: Path) -> None:
    """Issue 25: with wirecopy installed, `datasette news.db` (a real process, started as a
    user would) has the browse pages, the canned queries and the index tables hidden."""
    import shutil
    import subprocess
    import sys
    import time

    from tests.conftest import free_port

    port = free_port()
    datasette = Path(sys.executable).with_name("datasette")
    assert datasette.exists() or shutil.which("datasette")
    server = subprocess.Popen(
        [str(datasette), str(news_db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/news.json", timeout=5) as response:
                    database = json.loads(response.read())
                break
            except OSError:
                assert time.monotonic() < deadline, "datasette did not start"
                time.sleep(0.2)
        with urllib.request.urlopen(base + "/", timeout=10) as response:
            home = response.read().decode()
        (cluster,) = rows(
            news_db, "select cluster_id from articles where source = 'original.html'"
        )[0]
        with urllib.request.urlopen(f"{base}/-/cluster/{cluster}", timeout=10) as response:
            page = response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "Largest stories" in home or "largest stories" in home.lower()
    assert "canonical" in page
    names = {query["name"] for query in database["queries"]}
    assert {"largest_clusters", "largest_stories", "search"} <= names
    hidden = {table["name"] for table in database["tables"] if table["hidden"]}
    assert {"index_bands", "index_ledes", "story_postings"} <= hidden
