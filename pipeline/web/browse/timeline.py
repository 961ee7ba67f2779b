"""A story's coverage timeline as an inline SVG chart: one row per write-up, a dot per day
sized by how many copies appeared that day.

Drawn on the server as plain SVG so the page works with no internet and no chart library:
the pages are read on newsroom machines and laptops offline as often as not.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from html import escape
from typing import Any

WIDTH, LABEL, ROW, TOP = 760, 250, 28, 30
TICKS = 6
MAX_ROWS = 40


def _day(text: str | None) -> int | None:
    try:
        return date.fromisoformat((text or "")[:10]).toordinal()
    except ValueError:
        return None


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timeline_svg(writeups: list[dict[str, Any]], link: str = "/-/cluster/") -> str:
    """The chart for a story's write-ups (each with ``copies`` carrying a ``day``), as SVG
    markup; an empty string when no copy has a day."""
    rows = writeups[:MAX_ROWS]
    days = [d for w in rows for c in w["copies"] if (d := _day(c["day"])) is not None]
    if not days:
        return ""
    first, last = min(days), max(days)
    span = max(last - first, 1)
    plot = WIDTH - LABEL - 30
    height = TOP + ROW * len(rows) + 10

    def x(day: int) -> float:
        if last == first:  # one day: in the middle
            return LABEL + 15 + plot / 2
        return LABEL + 15 + plot * (day - first) / span

    parts = [
        f'<svg class="timeline" role="img" viewBox="0 0 {WIDTH} {height}" width="100%"'
        f' xmlns="http://www.w3.org/2000/svg"><title>Coverage by day</title>'
    ]
    ticks = sorted({first + round(step * (last - first) / (TICKS - 1)) for step in range(TICKS)})
    for tick in ticks:
        parts.append(
            f'<line class="tick" x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{TOP - 8}"'
            f' y2="{height - 6}"/><text class="axis" x="{x(tick):.1f}" y="{TOP - 14}"'
            f' text-anchor="middle">{date.fromordinal(tick).isoformat()}</text>'
        )
    for number, writeup in enumerate(rows):
        parts.append(_row(writeup, TOP + ROW * number + ROW / 2, x, link))
    parts.append("</svg>")
    return "".join(parts)


def _row(writeup: dict[str, Any], y: float, x: Any, link: str) -> str:
    per_day = Counter(d for c in writeup["copies"] if (d := _day(c["day"])) is not None)
    name = escape(_short(writeup["canonical"]["label"]))
    out = [
        f'<a href="{link}{writeup["id"]}"><text class="label" x="0" y="{y + 4:.1f}">'
        f"{name}</text></a>"
    ]
    if per_day:
        out.append(
            f'<line class="span" x1="{x(min(per_day)):.1f}" x2="{x(max(per_day)):.1f}"'
            f' y1="{y:.1f}" y2="{y:.1f}"/>'
        )
    for day, count in sorted(per_day.items()):
        radius = 4 + 2.5 * (count**0.5 - 1)
        when = date.fromordinal(day).isoformat()
        out.append(
            f'<circle class="copies" cx="{x(day):.1f}" cy="{y:.1f}" r="{radius:.1f}">'
            f"<title>{count} cop{'y' if count == 1 else 'ies'} on {when}</title></circle>"
        )
    return "".join(out)
