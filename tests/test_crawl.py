"""Crawls against a small web of real pages served on loopback addresses.

Site A (127.0.0.1) has robots.txt (disallowing /private/), a sitemap with lastmod, an RSS
feed, an index page with links (one to /private/, one off-site to 127.0.0.2) and five real
articles from the extraction benchmark. Site B (localhost) re-publishes one of A's articles
in another site's template and serves a malformed sitemap and feed. Site C (127.0.0.2) is
off-site: nothing may ever be requested from it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import corpus
from pipeline.run.lock import writer_lock
from tests.conftest import ingest, rows
from tests.sitefarm import Site, bind, running

ARTICLES = ("0e014df6", "1ee91d1f", "20b2b649", "21486419", "264dc3ae")
COPY_TEMPLATE = "14cc2a0c"


def _sources(path: Path, a: Site, b: Site, *, private: bool = True, extra: str = "") -> Path:
    flag = "allow_private = true" if private else ""
    path.write_text(
        f"""
[settings]
user_agent = "wirecopy-test/0.1 (+http://127.0.0.1/contact)"
start_delay = 0
recrawl_after = "1d"

[[source]]
name = "site-a"
start_urls = ["{a.base}/index.html"]
sitemaps = ["{a.base}/sitemap.xml"]
feeds = ["{a.base}/feed.xml"]
depth = 2
{flag}
{extra}

[[source]]
name = "site-b"
start_urls = ["{b.base}/index.html"]
sitemaps = ["{b.base}/sitemap.xml"]
feeds = ["{b.base}/feed.xml"]
{flag}
""",
        encoding="utf-8",
    )
    return path


def _build(a: Site, b: Site, c: Site) -> None:
    pages = [corpus.load(corpus.page_id(prefix)) for prefix in ARTICLES]
    for index, page in enumerate(pages):
        html = page.html
        if index == 0:  # a link from an article to another, followed at depth 2
            html = html.replace("</body>", f'<a href="{a.base}/news/a4.html">more</a></body>', 1)
        a.add(f"/news/a{index}.html", html)
    a.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    a.add(
        "/index.html",
        f"""<html><body><h1>Site A</h1>
        <a href="/news/a0.html?utm_source=home">Lead story</a> <a href="/news/a1.html">Second</a>
        <a href="/private/secret.html">Members only</a>
        <a href="{c.base}/offsite.html">Elsewhere</a></body></html>""",
    )
    a.add("/private/secret.html", "<html><body><p>secret</p></body></html>")
    a.add(
        "/sitemap.xml",
        f"""<?xml version="1.0" encoding="UTF-8"?>
        <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>{a.base}/news/a1.html</loc><lastmod>2026-11-01</lastmod></url>
        <url><loc>{a.base}/news/a2.html</loc><lastmod>2026-11-02</lastmod></url>
        </urlset>""",
        "application/xml",
        etag='"sitemap-v1"',
    )
    a.add(
        "/feed.xml",
        f"""<?xml version="1.0"?><rss version="2.0"><channel><title>A</title>
        <item><title>Two</title><link>{a.base}/news/a2.html</link></item>
        <item><title>Three</title><link>{a.base}/news/a3.html</link></item>
        </channel></rss>""",
        "application/rss+xml",
        etag='"feed-v1"',
    )
    copy = corpus.transplant(
        pages[0], corpus.load(corpus.page_id(COPY_TEMPLATE)), corpus.edited_copies(pages[0])[0]
    )
    b.add("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
    b.add("/index.html", '<html><body><a href="/story.html">Wire story</a></body></html>')
    b.add("/story.html", copy)
    b.add("/sitemap.xml", "<urlset><url><loc>http://localhost/x</loc></url", "application/xml")
    b.add("/feed.xml", "<rss><channel><item><link>oops", "application/rss+xml")
    c.add("/offsite.html", "<html><body>must never be fetched</body></html>")


def _crawl(sources: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    argv = [
        sys.executable,
        "-m",
        "pipeline",
        "crawl",
        "--sources",
        str(sources),
        "--db",
        str(db),
        *extra,
    ]
    return subprocess.run(argv, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    a, b, c = Site("127.0.0.1"), Site("localhost"), Site("127.0.0.2")
    servers = [bind(site) for site in (a, b, c)]
    _build(a, b, c)
    with running(*servers):
        yield a, b, c, tmp_path_factory.mktemp("crawl")


@pytest.fixture(scope="module")
def first_crawl(web):
    a, b, _, folder = web
    db = folder / "news.db"
    sources = _sources(folder / "sources.toml", a, b)
    result = _crawl(sources, db, "--log-file", str(folder / "crawl.log"))
    return db, sources, result, list(a.requests)


def test_expected_pages_are_stored(web, first_crawl) -> None:
    a, b, _, _ = web
    db, _, result, _ = first_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    urls = {url for (url,) in rows(db, "select url from articles")}
    expected = {f"{a.base}/news/a{i}.html" for i in range(5)} | {f"{b.base}/story.html"}
    assert urls == expected
    found = dict(rows(db, "select url, found_by from articles"))
    assert found[f"{a.base}/news/a3.html"] == f"feed {a.base}/feed.xml"
    assert found[f"{a.base}/news/a4.html"] == f"{a.base}/news/a0.html"


def test_republished_copy_joins_the_original(web, first_crawl) -> None:
    a, b, _, _ = web
    db = first_crawl[0]
    clusters = dict(rows(db, "select url, cluster_id from articles"))
    assert clusters[f"{b.base}/story.html"] == clusters[f"{a.base}/news/a0.html"]
    assert len(set(clusters.values())) == 5


def test_disallowed_and_offsite_urls_are_never_requested(web, first_crawl) -> None:
    _, _, c, _ = web
    requested = first_crawl[3]
    assert "/robots.txt" in requested
    assert not any(path.startswith("/private/") for path in requested)
    assert c.requests == []
    assert not any("utm_source" in path for path in requested)  # canonical URL fetched


def test_malformed_sitemap_and_feed_are_counted_errors(first_crawl) -> None:
    db, _, result, _ = first_crawl
    (status, errors, requests, responses) = rows(
        db, "select status, errors, requests, responses from runs where command = 'crawl'"
    )[0]
    assert status == "completed" and errors >= 2 and requests > 10
    assert '"200"' in responses
    log = (Path(db).parent / "crawl.log").read_text(encoding="utf-8")
    assert "malformed XML" in log and "sitemap" in log and "feed" in log
    assert "pages stored" in result.stdout


def test_second_run_requests_no_stored_article(web, first_crawl) -> None:
    a, b, _, _ = web
    db, sources, _, _ = first_crawl
    before_a, before_b = len(a.requests), len(b.requests)
    result = _crawl(sources, db)
    assert result.returncode == 0, result.stderr[-3000:]
    again = a.requests[before_a:] + b.requests[before_b:]
    assert not any(path.startswith("/news/") or path == "/story.html" for path in again), again
    assert rows(db, "select count(*) from articles") == [(6,)]
    statuses = dict(rows(db, "select url, status from urls where kind in ('feed', 'sitemap')"))
    assert statuses[f"{a.base}/feed.xml"] == 304 and statuses[f"{a.base}/sitemap.xml"] == 304
    # Regression: the second run said "pages stored 0" and never why: fresh pages not asked.
    fresh = int(result.stdout.split("fresh, not asked")[1].split()[0])
    assert fresh >= 1 and rows(db, "select skipped_fresh from runs order by id desc limit 1") == [
        (fresh,)
    ]


def test_same_bytes_from_disk_give_the_same_row(web, first_crawl, tmp_path: Path) -> None:
    a, _, _, _ = web
    db = first_crawl[0]
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a1.html").write_bytes(a.resources["/news/a1.html"].body)
    disk_db = tmp_path / "disk.db"
    ingest(folder, disk_db)
    columns = "title, author, published, site, language, text, word_count, content_hash, signature"
    web_row = rows(db, f"select {columns} from articles where url like '%/news/a1.html'")
    disk_row = rows(disk_db, f"select {columns} from articles")
    assert web_row == disk_row and web_row[0][0]


def test_overlapping_crawl_is_refused(web, tmp_path: Path) -> None:
    a, b, _, _ = web
    db = tmp_path / "news.db"
    with writer_lock(db):
        result = _crawl(_sources(tmp_path / "s.toml", a, b), db)
    assert result.returncode == 75 and "another wirecopy run" in result.stderr


def test_private_addresses_are_refused_unless_allowed(web, tmp_path: Path) -> None:
    a, b, _, _ = web
    before_a, before_b = len(a.requests), len(b.requests)
    db = tmp_path / "news.db"
    result = _crawl(_sources(tmp_path / "s.toml", a, b, private=False), db)
    assert result.returncode == 69, result.stderr[-3000:]  # no source could fetch anything
    assert len(a.requests) == before_a and len(b.requests) == before_b
    assert rows(db, "select refused > 0, errors, stored from runs") == [(1, 0, 0)]
    assert "private, loopback or link-local" in result.stderr
    assert 'source "site-a" fetched nothing' in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[source]]\nname = "x"\nstart_urls = ["http://a.test/"]\ndepth = -1\n',
            'source "x": "depth" must be a whole number from 0 to 10',
        ),
        (
            '[[source]]\nname = "x"\nstart_urls = ["ftp://a.test/"]\n',
            'source "x": "start_urls" has \'ftp://a.test/\': only http:// and https://',
        ),
        (
            '[[source]]\nname = "x"\nfeeds = ["http://a.test/"]\nallow = ["("]\n',
            'source "x": "allow" has \'(\', which is not a valid regular expression',
        ),
        ('[[source]]\nname = "x"\n', 'source "x": give at least one of'),
        (
            '[[source]]\nname = "x"\nfeeds = ["http://a.test/f"]\ncolour = 1\n',
            'source "x": unknown field "colour"',
        ),
        ("[source\n", "not valid TOML"),
    ],
)
def test_bad_configuration_names_the_source_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(text, encoding="utf-8")
    result = _crawl(sources, tmp_path / "news.db")
    assert result.returncode == 1
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_example_sources_file_is_valid() -> None:
    from pipeline.crawl.config import load

    config = load(Path(__file__).parent.parent / "sources.example.toml")
    assert config.sources and all(source.allowed_hosts for source in config.sources)


def test_scrapy_crawl_from_the_repository_root(web, tmp_path: Path) -> None:
    a, b, _, _ = web
    sources = _sources(tmp_path / "s.toml", a, b)
    db = tmp_path / "scrapy.db"
    argv = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "news",
        "-a",
        f"sources={sources}",
        "-a",
        f"db={db}",
        "-s",
        "AUTOTHROTTLE_START_DELAY=0",
        "-s",
        "LOG_LEVEL=WARNING",
    ]
    result = subprocess.run(
        argv, capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert rows(db, "select count(*) from articles") == [(6,)]
    assert rows(db, "select command, status from runs") == [("crawl", "completed")]
    # Regression: scrapy crawl ignored [settings] and sent Scrapy's default user agent.
    assert set(a.agents[-3:]) == {"wirecopy-test/0.1 (+http://127.0.0.1/contact)"}


def test_since_skips_older_sitemap_entries(web, tmp_path: Path) -> None:
    a, b, _, _ = web
    db = tmp_path / "news.db"
    result = _crawl(_sources(tmp_path / "s.toml", a, b), db, "--since", "2026-11-02")
    assert result.returncode == 0, result.stderr[-3000:]
    found = dict(rows(db, "select url, found_by from articles"))
    assert found[f"{a.base}/news/a2.html"] == f"sitemap {a.base}/sitemap.xml"
    assert found[f"{a.base}/news/a1.html"] == f"{a.base}/index.html"  # not via the sitemap
    assert rows(db, "select skipped_since from runs") == [(1,)]
    assert "older than --since        1" in result.stdout


def test_responses_over_the_size_limit_are_dropped(web, tmp_path: Path) -> None:
    a, b, _, _ = web
    sources = _sources(tmp_path / "s.toml", a, b)
    text = sources.read_text(encoding="utf-8").replace(
        "start_delay = 0", "start_delay = 0\nmax_response_bytes = 2048"
    )
    sources.write_text(text, encoding="utf-8")
    db = tmp_path / "news.db"
    result = _crawl(sources, db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert rows(db, "select count(*) from articles") == [(0,)]
    assert "max size (2048)" in result.stderr
    assert "Traceback" not in result.stderr  # a routine refusal is one line, not a traceback


def test_a_healthy_quiet_crawl_prints_nothing(web, tmp_path: Path) -> None:
    """Cron mails stderr: with --quiet --log-file a healthy run prints nothing at all (no
    ScrapyDeprecationWarning, no Scrapy start-up lines), and the log file has our lines."""
    a, b, _, _ = web
    log = tmp_path / "crawl.log"
    result = _crawl(
        _sources(tmp_path / "s.toml", a, b), tmp_path / "n.db", "--quiet", "--log-file", str(log)
    )
    assert result.returncode == 0 and result.stdout == "" and result.stderr == "", result.stderr
    text = log.read_text(encoding="utf-8")
    assert "malformed XML" in text and "Overridden settings" not in text


def test_robots_refusals_are_not_errors(web, first_crawl) -> None:
    """Regression: a link to a robots-disallowed URL made every run report an error."""
    db, _, result, _ = first_crawl
    errors, robots, refused = rows(db, "select errors, robots_refused, refused from runs")[0]
    assert robots == 1 and refused == 0  # /private/ (robots); off-site links are not asked for
    assert errors == 2  # site B's malformed sitemap and feed, nothing else
    assert "refused (robots)" in result.stdout and '{"200"' not in result.stdout


def test_start_pages_are_in_the_urls_table(web, first_crawl) -> None:
    a, *_ = web
    db = first_crawl[0]
    assert rows(db, "select kind from urls where url = ?", (f"{a.base}/index.html",)) == [
        ("start",)
    ]


def test_a_source_whose_server_is_down_is_named(tmp_path: Path) -> None:
    """Regression: a dead server gave 'errors 8' and exit 0; monitoring could not tell."""
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sources = tmp_path / "s.toml"
    sources.write_text(
        '[settings]\nuser_agent = "t/1 (+http://127.0.0.1/c)"\nstart_delay = 0.5\n'
        f'download_timeout = 7.5\n[[source]]\nname = "down"\n'
        f'start_urls = ["http://127.0.0.1:{port}/"]\nallow_private = true\n',
        encoding="utf-8",
    )
    result = _crawl(sources, tmp_path / "n.db", "--quiet")
    assert result.returncode == 69
    assert 'source "down" fetched nothing' in result.stderr
    assert "Traceback" not in result.stderr
