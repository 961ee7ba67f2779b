"""Screenshots of the browse pages for the README, taken by headless Chromium from the real
`serve` command on the demo database (`make demo` first): `make screenshots`.

The pages picked are the demo's largest cluster, the article with the most removed lines
shown in place, and the largest story, so the pictures show what a new user sees after
`make demo` and `serve`.
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1280, 1000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pages(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    (cluster,) = conn.execute("select id from clusters order by size desc, id limit 1").fetchone()
    (article,) = conn.execute(  # the article with the most furniture shown in place
        "select article_id from furniture where paragraph is not null"
        " group by article_id order by count(*) desc, article_id limit 1"
    ).fetchone()
    (story,) = conn.execute("select id from stories order by clusters desc, id limit 1").fetchone()
    return {
        "home": "/",
        "cluster": f"/-/cluster/{cluster}",
        "article": f"/-/article/{article}",
        "story": f"/-/story/{story}",
        "search": "/-/search?q=putin+syria",
    }


def main() -> None:
    db = ROOT / "demo.db"
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not db.exists() or chromium is None:
        sys.exit("needs demo.db (make demo) and Chromium (make browser)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        for name, path in _pages(db).items():
            target = OUT / f"{name}.png"
            subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={target}", base + path],
                capture_output=True, timeout=60, check=True,
            )  # fmt: skip
            print(f"{target.relative_to(ROOT)}  <- {path}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
