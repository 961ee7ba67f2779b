"""A generated corpus of hostile inputs, with good pages mixed in among them.

``build(folder, seed)`` writes well over a thousand bad files of many kinds (each kind named
by its folder) and a few good ones, and returns the names of the good ones. Deterministic
for a seed. Used by ``tests/test_hostile.py``; run it by hand to get a folder to try:

    python -m tests.hostile /tmp/hostile
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
ARTICLE = (
    "<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
)
RUSSIAN = (
    "Президент России Владимир Путин посетил авиабазу Хмеймим в Сирии и объявил о выводе войск. "
)


def _para(rng: random.Random, words: int = 60) -> str:
    vocab = "the minister said talks would resume after the vote on the border plan".split()
    return " ".join(rng.choice(vocab) for _ in range(words)) + "."


def _binary(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randrange(64, 4096)))


def _warc(records: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for url, body in records:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], "HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    return buffer.getvalue()


def _kinds(rng: random.Random) -> dict[str, Callable[[int], tuple[str, bytes]]]:
    """Each kind makes its i-th bad file: (file name, bytes)."""
    page = ARTICLE.format(title="T", body="".join(f"<p>{_para(rng)}</p>" for _ in range(5)))
    return {
        "binary-as-html": lambda i: (f"b{i}.html", _binary(rng)),
        "binary-as-gz": lambda i: (f"b{i}.html.gz", b"\x1f\x8b" + _binary(rng)),
        "truncated-gzip": lambda i: (
            f"t{i}.html.gz",
            gzip.compress(page.encode())[: rng.randrange(10, 200)],
        ),
        "truncated-warc": lambda i: (
            f"w{i}.warc.gz",
            _warc([(f"http://x.test/{j}", page.encode()) for j in range(3)])[
                : rng.randrange(30, 900)
            ],
        ),
        "utf16-no-bom": lambda i: (f"u{i}.html", page.encode("utf-16-le")),
        "cp1251-as-utf8": lambda i: (
            f"c{i}.html",
            ARTICLE.format(title="Путин", body=f"<p>{RUSSIAN * 8}</p>").encode("cp1251"),
        ),
        "mixed-encodings": lambda i: (
            f"m{i}.html",
            page.encode()[:500] + RUSSIAN.encode("cp1251") + "é".encode("latin-1"),
        ),
        "scripts-only": lambda i: (
            f"s{i}.html",
            ("<html><script>" + "var a=1;" * 500 + "</script></html>").encode(),
        ),
        "nul-bytes": lambda i: (f"n{i}.html", page.encode().replace(b"the", b"\x00", 50)),
        "long-line": lambda i: (f"l{i}.txt", ("word " * 200_000).encode()),
        "empty": lambda i: (f"e{i}.html", b""),
        "whitespace": lambda i: (f"ws{i}.txt", b" \n\t " * 10),
        "bad-jsonl": lambda i: (f"j{i}.jsonl", b'{"url": "u", "html": 5}\n[1,2]\n{oops\n'),
        "odd-names": lambda i: (f"odd {i} \u202e\u00e9\u4e2d'\";$(x)&|.html", _binary(rng)),
        "not-a-page": lambda i: (f"image{i}.png", b"\x89PNG\r\n\x1a\n" + _binary(rng)),
    }


def build(folder: Path, seed: int = 7, per_kind: int = 80) -> list[str]:
    """Write the corpus; return the sources of the good pages that must be stored."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for kind, make in _kinds(rng).items():
        (folder / kind).mkdir()
        for i in range(per_kind):
            name, data = make(i)
            (folder / kind / name).write_bytes(data)
    _special(folder)
    good = []
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, folder / f"good-{path.name}")
        good.append(f"good-{path.name}")
    return good


def _special(folder: Path) -> None:
    """One-off monsters: a 50 MB page, deep nesting, loops, unreadable files."""
    special = folder / "special"
    special.mkdir()
    (special / "huge.html").write_bytes(b"<html><body>" + b"<p>" + b"x " * (25 * 1024 * 1024))
    depth = 100_000
    (special / "deep.html").write_bytes(b"<div>" * depth + b"<p>deep text</p>" + b"</div>" * depth)
    (special / "bomb.html.gz").write_bytes(gzip.compress(b" " * (200 * 1024 * 1024), 9))
    os.symlink("self-loop", special / "self-loop")
    os.symlink("..", special / "up-loop")
    locked = special / "no-permission.html"
    locked.write_bytes(ARTICLE.encode())
    locked.chmod(0)
    locked_dir = special / "no-permission-dir"
    locked_dir.mkdir()
    (locked_dir / "inside.html").write_bytes(b"<p>hidden</p>")
    locked_dir.chmod(0)
    os.mkfifo(special / "fifo.html")
    (special / "jsonl-huge-line.jsonl").write_text(json.dumps({"url": "u", "text": "z" * 100}))


if __name__ == "__main__":
    target = Path(sys.argv[1])
    print(f"{len(build(target))} good pages among the hostile files in {target}")
