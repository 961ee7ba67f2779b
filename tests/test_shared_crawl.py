"""`crawl --redis`: two crawler processes share one frontier in a real redis-server and send
to one `write --redis` writer; the local test sites count every request."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from pipeline.crawl.leases import ROUND_FIELD, beat_key, lease_key
from pipeline.relay.stream import connect
from tests.conftest import rows
from tests.sitefarm import Site, bind, running
from tests.test_crawl import ARTICLES, _build, _sources
from tests.test_relay import redis_url  # noqa: F401 - shared fixture
from tests.test_reliability import assert_consistent


@pytest.fixture
def web(tmp_path: Path):
    a, b, c = Site("127.0.0.1"), Site("localhost"), Site("127.0.0.2")
    servers = [bind(site) for site in (a, b, c)]
    _build(a, b, c)
    with running(*servers):
        yield a, b, c


def _crawler(sources: Path, url: str, round_name: str, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipeline", "crawl", "--sources", str(sources)]
    return subprocess.Popen(
        [*command, "--redis", url, "--round", round_name, "--log-file", str(log), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _writer(db: Path, url: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pipeline", "write", "--redis", url, "--db", str(db)]
    return subprocess.run(
        [*command, "--idle-exit", "3"], capture_output=True, text=True, timeout=300
    )


def test_two_crawlers_fetch_each_url_once_and_the_writer_stores_each_page_once(
    web,
    redis_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    a, b, c = web
    sources = _sources(tmp_path / "sources.toml", a, b)
    crawlers = [_crawler(sources, redis_url, "t1", tmp_path / f"c{i}.log") for i in (1, 2)]
    for crawler in crawlers:
        _, err = crawler.communicate(timeout=300)
        assert crawler.returncode == 0, err
    db = tmp_path / "news.db"
    done = _writer(db, redis_url)
    assert done.returncode == 0, done.stderr
    fetched = Counter((site.host, path) for site in (a, b) for path in site.requests)
    assert fetched and max(fetched.values()) == 1, fetched  # no URL twice, robots.txt too
    assert not c.requests  # scope: the off-site link was never followed
    assert "/private/secret.html" not in a.requests  # robots.txt held in both crawlers
    stored = [s for (s,) in rows(db, "select source from articles order by source")]
    assert len(stored) == len(set(stored)) == len(ARTICLES) + 1  # site A's five, B's copy
    crawls = rows(db, "select status, requests from runs where command = 'crawl'")
    assert len(crawls) == 2 and all(status == "completed" for status, _ in crawls)
    assert sum(requests for _, requests in crawls) == len(a.requests) + len(b.requests)
    assert_consistent(db)


def test_the_per_host_interval_holds_across_crawlers(web, redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    """Two crawlers, one host: requests to it are at least ``start_delay`` apart, whichever
    crawler sends them (each alone would keep the interval only between its own)."""
    a, b, _ = web
    sources = _sources(tmp_path / "sources.toml", a, b)
    sources.write_text(sources.read_text().replace("start_delay = 0", "start_delay = 0.3"))
    crawlers = [_crawler(sources, redis_url, "t2", tmp_path / f"c{i}.log") for i in (1, 2)]
    for crawler in crawlers:
        _, err = crawler.communicate(timeout=300)
        assert crawler.returncode == 0, err
    for site in (a, b):
        gaps = [t2 - t1 for t1, t2 in zip(site.times, site.times[1:], strict=False)]
        # the clock spaces the requests as they leave the crawlers; the server sees them
        # after the event loop's own delay (tens of ms on a loaded 2-core machine), while
        # crawlers without the shared clock send back to back (gaps near 0)
        assert len(site.times) > 3 and min(gaps) >= 0.2, (site.host, gaps, site.requests)


def test_a_crawler_or_the_writer_killed_mid_run_loses_nothing(
    web,
    redis_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """kill -9 one crawler, and the writer, mid-run; the next round (another cron run) and a
    writer run again: every article is stored, once."""
    a, b, _ = web
    sources = _sources(tmp_path / "sources.toml", a, b)
    sources.write_text(sources.read_text().replace("start_delay = 0", "start_delay = 0.2"))
    db = tmp_path / "news.db"
    command = [sys.executable, "-m", "pipeline", "write", "--redis", redis_url, "--db", str(db)]
    writer = subprocess.Popen([*command, "--batch-size", "1"], stdout=subprocess.DEVNULL)
    first, second = (_crawler(sources, redis_url, "k1", tmp_path / f"c{i}.log") for i in (1, 2))
    deadline = time.monotonic() + 120
    while not any(path.startswith("/news/") for path in a.requests):
        assert time.monotonic() < deadline, "no article requested"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)  # its popped requests are lost for this round
    second.communicate(timeout=300)
    first.wait(timeout=30)
    writer.send_signal(signal.SIGKILL)  # wherever it is (test_relay kills one mid-batch)
    writer.wait(timeout=30)
    again = _crawler(sources, redis_url, "k2", tmp_path / "c3.log")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    done = _writer(db, redis_url)
    assert done.returncode == 0, done.stderr
    stored = [s for (s,) in rows(db, "select source from articles")]
    rejected = rows(db, "select source, reason from rejected")
    assert len(stored) == len(set(stored)) == len(ARTICLES) + 1, (stored, rejected, err)
    assert_consistent(db)


class _Opens:
    """Unpickling this opens (so creates) a file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_pickle_in_the_shared_frontier_is_refused_not_run(
    web,
    redis_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Issue 26: anyone who could write one entry into the crawlers' Redis could run code on
    every crawler (scrapy-redis unpickled the frontier). A crawler meets a pickle that would
    write a file: the file never appears, the entry is counted as an error and the crawl
    goes on."""
    import pickle

    a, b, _ = web
    sources = _sources(tmp_path / "sources.toml", a, b)
    marker = tmp_path / "written-by-a-pickle"
    client = connect(redis_url)
    payload = pickle.dumps(_Opens(str(marker)), protocol=4)
    client.zadd("wirecopy:crawl:p1:requests", {payload: -100})
    log = tmp_path / "p1.log"
    crawler = _crawler(sources, redis_url, "p1", log)
    _, err = crawler.communicate(timeout=300)
    assert crawler.returncode == 0, err
    assert not marker.exists()
    assert log.read_text().count("an entry of the shared frontier was refused") == 1
    db = tmp_path / "news.db"
    assert _writer(db, redis_url).returncode == 0
    assert len(rows(db, "select source from articles")) == len(ARTICLES) + 1
    assert rows(db, "select errors > 0 from runs where command = 'crawl'") == [(1,)]


def _leased(client) -> list[str]:
    """The URLs of every request a crawler holds a lease on."""
    return [
        json.loads(data)["request"]["url"]
        for key in client.scan_iter(match=lease_key("*"))
        for field, data in client.hgetall(key).items()
        if field != ROUND_FIELD
    ]


def _wait_for(done, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_page_a_killed_crawler_was_fetching_is_fetched_by_the_next_crawler(
    web,
    redis_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """a4 is linked only from a0. The crawler fetching a4 is killed; a0 is stored, so the next
    round skips it as fresh and never reads that link again. The killed crawler's lease on
    a4 is what brings it back."""
    a, b, _ = web
    a.resources["/news/a4.html"].delay = 60  # held until the crawler is killed
    sources = _sources(tmp_path / "sources.toml", a, b)
    client = connect(redis_url)
    crawler = _crawler(sources, redis_url, "l1", tmp_path / "l1.log")
    _wait_for(lambda: "/news/a4.html" in a.requests, 120, "a4 never requested")
    # a4 is requested as soon as a0's callback queued it; a0's own lease goes once its page
    # is on the stream, a moment later: only then is a0 sure to be fresh next round
    _wait_for(lambda: a.base + "/news/a0.html" not in _leased(client), 30, "a0 still held")
    crawler.send_signal(signal.SIGKILL)
    crawler.wait(timeout=30)
    assert a.base + "/news/a4.html" in _leased(client)  # with what waited behind it
    db = tmp_path / "news.db"
    assert _writer(db, redis_url).returncode == 0  # a0-a3 stored: fresh for the next round
    a.resources["/news/a4.html"].delay = 0
    _wait_for(lambda: not list(client.scan_iter(match=beat_key("*"))), 30, "still beating")
    again = _crawler(sources, redis_url, "l2", tmp_path / "l2.log")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    assert _writer(db, redis_url).returncode == 0
    stored = [s for (s,) in rows(db, "select source from articles")]
    assert len(stored) == len(set(stored)) == len(ARTICLES) + 1, stored
    assert a.requests.count("/news/a0.html") == 1  # fresh in the second round: not fetched
    assert not _leased(client)  # nothing left held
    assert_consistent(db)
