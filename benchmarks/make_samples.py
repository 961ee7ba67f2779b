"""Build ``samples/``, the bundled demo corpus that ``make demo`` ingests.

It mixes every input format: the five seed articles (.txt), twelve real pages (.html.gz),
a WARC with three sites re-publishing one article, a JSONL export with two more copies of
another, and a few bad files that end up in ``rejected``. Deterministic; run it again after
changing the benchmark data:

    python -m benchmarks.make_samples
"""

from __future__ import annotations

import gzip
import io
import json
import shutil
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks import corpus
from pipeline.config import Config
from pipeline.records import Page
from pipeline.run.process import process_page
from pipeline.sources.common import raw_hash

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SEEDS = ROOT / "tests" / "fixtures" / "seeds"
PAGES = (
    "0e014df6",
    "1ee91d1f",
    "20b2b649",
    "21486419",
    "14cc2a0c",
    "1ace8c85",
    "264dc3ae",
    "2c46804d",
    "291a8bf3",
    "30b771a4",
    "156770d6",
    "16c30add",
)
WIRE_STORY, WIRE_SITES = "06e5123e", ("14cc2a0c", "1ace8c85", "264dc3ae")
SECOND_STORY, SECOND_SITES = "2c46804d", ("291a8bf3", "1f765c48")


def _warc(path: Path, pages: list[tuple[str, str]]) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, html in pages:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], "HTTP/1.1"
            )
            payload = io.BytesIO(html.encode("utf-8"))
            writer.write_record(
                writer.create_warc_record(url, "response", payload=payload, http_headers=headers)
            )


def _site_name(page: corpus.BenchPage) -> str:
    """The original's site name, as ingest will read it, for the copies' credit lines."""
    body = page.html.encode("utf-8")
    result = process_page(Page(page.id, body, "html", raw_hash(body)), Config(min_words=1))
    return getattr(result, "site", None) or page.url.split("/")[2]


def _copies(story: str, sites: tuple[str, ...]) -> list[tuple[str, str]]:
    """Re-published copies with small edits, each crediting the original like real ones do."""
    article = corpus.load(corpus.page_id(story))
    credit = f"This article originally appeared on {_site_name(article)}."
    out = []
    for index, (site, paragraphs) in enumerate(
        zip(sites, corpus.edited_copies(article), strict=False)
    ):
        template = corpus.load(corpus.page_id(site))
        html = corpus.transplant(article, template, [*paragraphs, credit])
        out.append((f"https://republisher-{index + 1}.example/news/{story}", html))
    return out


def main() -> None:
    shutil.rmtree(SAMPLES, ignore_errors=True)
    (SAMPLES / "pages").mkdir(parents=True)
    shutil.copytree(SEEDS, SAMPLES / "seeds")
    for prefix in (*PAGES, WIRE_STORY):
        page = corpus.load(corpus.page_id(prefix))
        (SAMPLES / "pages" / f"{prefix}.html.gz").write_bytes(
            gzip.compress(page.html.encode("utf-8"), mtime=0)
        )
    _warc(SAMPLES / "republished.warc.gz", _copies(WIRE_STORY, WIRE_SITES))
    lines = [
        json.dumps({"url": url, "html": html}) for url, html in _copies(SECOND_STORY, SECOND_SITES)
    ]
    (SAMPLES / "export.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = SAMPLES / "not-pages"
    bad.mkdir()
    (bad / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (bad / "empty.html").write_bytes(b"")
    (bad / "cut-off.html.gz").write_bytes(gzip.compress(b"<p>lost</p>" * 50, mtime=0)[:25])
    print(f"wrote {sum(1 for p in SAMPLES.rglob('*') if p.is_file())} files to {SAMPLES}")


if __name__ == "__main__":
    main()
