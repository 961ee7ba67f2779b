"""Readers: every supported format gives pages; every bad file gives a reason, never an error."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.records import Page, Reason, Rejection
from pipeline.sources import iter_directory
from pipeline.sources.walk import format_of

LIMIT = 1024 * 1024
HTML = b"<html><body><article><p>Hello world, this is the story.</p></article></body></html>"


def write_warc(path: Path, records: list[tuple[str, str, bytes]], gz: bool = True) -> None:
    """Write a WARC with one response record per (url, content type, body)."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        for url, content_type, body in records:
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], "HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)


def collect(folder: Path) -> tuple[list[Page], list[Rejection]]:
    items = list(iter_directory(folder, LIMIT))
    return [i for i in items if isinstance(i, Page)], [i for i in items if isinstance(i, Rejection)]


def test_format_of() -> None:
    assert format_of("x.xhtml") == "html"
    assert format_of("x.TXT.gz") == "text"
    assert format_of("x.warc") == "warc"
    assert format_of("x.jsonl.gz") == "jsonl"
    assert format_of("x.gz") is None


def test_every_format_is_read(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.html").write_bytes(HTML)
    (tmp_path / "sub" / "b.htm.gz").write_bytes(gzip.compress(HTML))
    (tmp_path / "c.txt").write_text("Headline here\n\nSome text.", encoding="utf-8")
    lines = [{"url": "https://x.test/1", "html": "<p>one</p>"}, {"url": "u2", "text": "two"}]
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    write_warc(
        tmp_path / "e.warc.gz",
        [
            ("https://x.test/a", "text/html; charset=utf-8", HTML),
            ("https://x.test/i.png", "image/png", b"\x89PNG"),
        ],
    )
    pages, rejections = collect(tmp_path)
    sources = [page.source for page in pages]
    assert sources == ["a.html", "c.txt", "d.jsonl#1", "d.jsonl#2", "e.warc.gz#1", "sub/b.htm.gz"]
    warc_page = pages[4]
    assert warc_page.url == "https://x.test/a" and warc_page.charset == "utf-8"
    assert [(r.source, r.reason) for r in rejections] == [("e.warc.gz#2", Reason.NOT_A_PAGE)]


def test_bad_files_get_reasons(tmp_path: Path) -> None:
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "big.html").write_bytes(b"<p>" + b"x" * (LIMIT + 10))
    (tmp_path / "bad.jsonl").write_text('{"url": 1\n["list"]\n{"url": "u"}\n', encoding="utf-8")
    (tmp_path / "cut.warc.gz").write_bytes(b"WARC/1.0\r\nnonsense")
    os.symlink("loop", tmp_path / "loop")
    os.symlink(tmp_path, tmp_path / "parent-link")
    os.symlink("missing.html", tmp_path / "dangling.html")
    pages, rejections = collect(tmp_path)
    assert pages == []
    reasons = {r.source: r.reason for r in rejections}
    assert reasons == {
        "bad.jsonl#1": Reason.BAD_JSONL,
        "bad.jsonl#2": Reason.BAD_JSONL,
        "bad.jsonl#3": Reason.BAD_JSONL,
        "big.html": Reason.TOO_LARGE,
        "cut.warc.gz#1": Reason.BAD_WARC,
        "dangling.html": Reason.UNREADABLE,
        "empty.html": Reason.EMPTY,
        "logo.png": Reason.NOT_A_PAGE,
        "loop": Reason.SYMLINK_LOOP,
        "parent-link": Reason.SYMLINK_LOOP,
    }
    assert all(r.detail for r in rejections)


def test_truncated_warc_keeps_records_before_the_damage(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    records = [(f"https://x.test/{i}", "text/html", HTML * 200) for i in range(3)]
    write_warc(whole, records)
    for fraction, kept in ((0.7, 2), (0.95, 2)):
        folder = tmp_path / str(fraction)
        folder.mkdir()
        data = whole.read_bytes()
        (folder / "cut.warc.gz").write_bytes(data[: int(len(data) * fraction)])
        pages, rejections = collect(folder)
        assert [p.url for p in pages] == [f"https://x.test/{i}" for i in range(kept)]
        assert [r.reason for r in rejections] == [Reason.BAD_WARC]
    plain = tmp_path / "plain"
    plain.mkdir()
    write_warc(plain / "cut.warc", records, gz=False)
    data = (plain / "cut.warc").read_bytes()
    (plain / "cut.warc").write_bytes(data[: len(data) - 500])
    pages, rejections = collect(plain)
    assert len(pages) == 2 and [r.reason for r in rejections] == [Reason.BAD_WARC]


def write_encoded_warc(path: Path, records: list[tuple[str, bytes, list[tuple[str, str]]]]) -> None:
    """A WARC of responses whose payloads are sent as given, with extra HTTP headers."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, payload, extra in records:
            fields = [("Content-Type", "text/html; charset=utf-8"), *extra]
            headers = StatusAndHeaders("200 OK", fields, "HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(payload), http_headers=headers
            )
            writer.write_record(record)


def chunked(payload: bytes, size: int = 7) -> bytes:
    parts = [payload[i : i + size] for i in range(0, len(payload), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


def test_a_brotli_response_is_inflated_like_gzip(tmp_path: Path) -> None:
    """Regression (issue 26): a ``Content-Encoding: br`` record was ``bad_warc`` while its
    neighbours were read; warcio's brotli reader fails with the brotli module we pin."""
    import brotli

    br = [("Content-Encoding", "br")]
    write_encoded_warc(
        tmp_path / "mixed.warc.gz",
        [
            ("https://x.test/plain", HTML, []),
            ("https://x.test/br", brotli.compress(HTML), br),
            ("https://x.test/gzip", gzip.compress(HTML), [("Content-Encoding", "gzip")]),
            (
                "https://x.test/chunked-br",
                chunked(brotli.compress(HTML)),
                [*br, ("Transfer-Encoding", "chunked")],
            ),
        ],
    )
    pages, rejections = collect(tmp_path)
    assert rejections == []
    assert [page.url for page in pages] == [
        "https://x.test/plain",
        "https://x.test/br",
        "https://x.test/gzip",
        "https://x.test/chunked-br",
    ]
    assert {page.body for page in pages} == {HTML}


def test_a_body_stored_decoded_under_a_brotli_header_is_read_as_it_is(tmp_path: Path) -> None:
    """Some archivers store the body decoded and keep its ``Content-Encoding`` header;
    warcio reads such a body under ``gzip`` as it is, and so do we under ``br``."""
    br = [("Content-Encoding", "br")]
    write_encoded_warc(
        tmp_path / "decoded.warc.gz",
        [
            ("https://x.test/gzip-header", HTML, [("Content-Encoding", "gzip")]),
            ("https://x.test/br-header", HTML, br),
            ("https://x.test/br-chunked", chunked(HTML), [*br, ("Transfer-Encoding", "chunked")]),
        ],
    )
    pages, rejections = collect(tmp_path)
    assert rejections == []
    assert [page.url.rsplit("/", 1)[1] for page in pages] == [
        "gzip-header",
        "br-header",
        "br-chunked",
    ]
    assert {page.body for page in pages} == {HTML}


def test_a_brotli_bomb_or_a_damaged_brotli_body_costs_only_its_record(tmp_path: Path) -> None:
    import brotli

    bomb = brotli.compress(b"<p>" + b"x" * (4 * LIMIT))
    assert len(bomb) < LIMIT // 100
    br = [("Content-Encoding", "br")]
    write_encoded_warc(
        tmp_path / "bad.warc.gz",
        [
            ("https://x.test/bomb", bomb, br),
            ("https://x.test/damaged", b"\xff\x00 not brotli at all" * 20, br),
            ("https://x.test/cut", brotli.compress(HTML * 50)[:40], br),
            ("https://x.test/good", brotli.compress(HTML), br),
        ],
    )
    pages, rejections = collect(tmp_path)
    assert [page.url for page in pages] == ["https://x.test/good"]
    assert [(r.source, r.reason) for r in rejections] == [
        ("bad.warc.gz#1", Reason.TOO_LARGE),
        ("bad.warc.gz#2", Reason.BAD_WARC),
        ("bad.warc.gz#3", Reason.BAD_WARC),
    ]
    assert "brotli" in rejections[1].detail and "ends early" in rejections[2].detail
