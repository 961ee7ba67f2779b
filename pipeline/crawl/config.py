"""``sources.toml``: what to crawl, parsed and validated before any request is made.

Every mistake is reported with the source's name and the field, e.g.
``sources.toml: source "daily-planet": "depth" must be a whole number from 0 to 10``.
See ``sources.example.toml`` for every field with comments.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.urls import port_of

SOURCE_FIELDS = {
    "name",
    "start_urls",
    "sitemaps",
    "feeds",
    "allowed_hosts",
    "depth",
    "allow",
    "deny",
    "max_pages",
    "allow_private",
}
SETTINGS_FIELDS = {
    "user_agent",
    "recrawl_after",
    "download_timeout",
    "max_response_bytes",
    "per_host_concurrency",
    "autothrottle_target",
    "start_delay",
}
_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class ConfigError(Exception):
    """A mistake in sources.toml; the message names the source and the field."""


@dataclass(frozen=True)
class Source:
    """One site (or group of sites) to crawl."""

    name: str
    start_urls: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    allowed_hosts: frozenset[str] = frozenset()
    depth: int = 1
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    max_pages: int = 1000
    allow_private: bool = False
    # Ports of the source's own URLs, and the web's two: a redirect to another port of an
    # allowed host reaches another service (an admin panel, a database's HTTP port).
    ports: frozenset[int] = frozenset({80, 443})

    def url_wanted(self, url: str) -> bool:
        """Allow/deny patterns (searched anywhere in the URL); deny wins."""
        if any(p.search(url) for p in self.deny):
            return False
        return not self.allow or any(p.search(url) for p in self.allow)


@dataclass(frozen=True)
class CrawlSettings:
    """Politeness and freshness settings shared by all sources."""

    user_agent: str = "wirecopy/0.1 (+https://github.com/wirecopy/wirecopy)"
    recrawl_after: timedelta = timedelta(days=7)
    download_timeout: float = 30.0
    max_response_bytes: int = 10 * 1024 * 1024
    per_host_concurrency: int = 2
    autothrottle_target: float = 1.0
    start_delay: float = 1.0


@dataclass(frozen=True)
class CrawlConfig:
    settings: CrawlSettings
    sources: tuple[Source, ...] = field(default_factory=tuple)


def load(path: Path) -> CrawlConfig:
    """Read and validate a sources file; raise ``ConfigError`` with a precise message."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(data) - {"settings", "source"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown section {sorted(unknown)[0]!r} (use [settings] and [[source]])"
        )
    raw_sources = data.get("source", [])
    if isinstance(raw_sources, dict):
        raise ConfigError(
            f"{path}: [source] is one table; each source is an array entry: write [[source]]"
            " (double brackets)"
        )
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{path}: no [[source]] entries: add at least one")
    sources = tuple(_source(path, index, raw) for index, raw in enumerate(raw_sources, start=1))
    names = [source.name for source in sources]
    duplicate = next((name for name in names if names.count(name) > 1), None)
    if duplicate:
        raise ConfigError(f'{path}: two sources are named "{duplicate}"; names must be unique')
    return CrawlConfig(_settings(path, data.get("settings", {})), sources)


def politeness(config: CrawlConfig) -> dict[str, object]:
    """Scrapy settings from ``[settings]``: the same for ``python -m pipeline crawl`` and for
    ``scrapy crawl news -a sources=...``."""
    settings = config.settings
    return {
        "USER_AGENT": settings.user_agent,
        "DOWNLOAD_TIMEOUT": settings.download_timeout,
        "DOWNLOAD_MAXSIZE": settings.max_response_bytes,
        "CONCURRENT_REQUESTS_PER_DOMAIN": settings.per_host_concurrency,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": settings.autothrottle_target,
        "AUTOTHROTTLE_START_DELAY": settings.start_delay,
    }


def _fail(where: str, key: str, message: str) -> ConfigError:
    return ConfigError(f'{where}: "{key}" {message}')


def _source(path: Path, index: int, raw: object) -> Source:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: source #{index} must be a table ([[source]])")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f'{path}: source #{index}: "name" is required (a short text)')
    where = f'{path}: source "{name}"'
    _known(where, raw, SOURCE_FIELDS)
    urls = {key: _urls(where, key, raw.get(key, [])) for key in ("start_urls", "sitemaps", "feeds")}
    if not any(urls.values()):
        raise ConfigError(f'{where}: give at least one of "start_urls", "sitemaps" or "feeds"')
    hosts = raw.get("allowed_hosts") or sorted(
        {urlsplit(u).hostname for v in urls.values() for u in v}
    )
    allowed = {host.lower() for host in _strings(where, "allowed_hosts", hosts)}
    for key, values in urls.items():
        for url in values:
            if (urlsplit(url).hostname or "").lower() not in allowed:
                raise _fail(
                    where,
                    key,
                    f"has {url!r}, whose host is not in allowed_hosts"
                    f" ({', '.join(sorted(allowed))}): it would be refused at run time;"
                    " add the host or fix the URL",
                )
    return Source(
        name=name,
        start_urls=urls["start_urls"],
        sitemaps=urls["sitemaps"],
        feeds=urls["feeds"],
        allowed_hosts=frozenset(h.lower() for h in _strings(where, "allowed_hosts", hosts)),
        depth=_int(where, "depth", raw.get("depth", 1), 0, 10),
        allow=_patterns(where, "allow", raw.get("allow", [])),
        deny=_patterns(where, "deny", raw.get("deny", [])),
        max_pages=_int(where, "max_pages", raw.get("max_pages", 1000), 1, 10_000_000),
        allow_private=_bool(where, "allow_private", raw.get("allow_private", False)),
        ports=frozenset({80, 443} | {port_of(u) for v in urls.values() for u in v}),
    )


def _settings(path: Path, raw: object) -> CrawlSettings:
    where = f"{path}: [settings]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    _known(where, raw, SETTINGS_FIELDS)
    default = CrawlSettings()
    agent = raw.get("user_agent", default.user_agent)
    if not isinstance(agent, str) or ("+" not in agent and "@" not in agent):
        raise _fail(
            where,
            "user_agent",
            "must be text with a contact URL or e-mail, e.g. "
            '"mybot/1.0 (+https://example.org/contact)"',
        )
    return CrawlSettings(
        user_agent=agent,
        recrawl_after=_duration(where, "recrawl_after", raw.get("recrawl_after", "7d")),
        download_timeout=_number(
            where, "download_timeout", raw.get("download_timeout", 30), 1, 600
        ),
        max_response_bytes=_int(
            where,
            "max_response_bytes",
            raw.get("max_response_bytes", default.max_response_bytes),
            1024,
            1 << 30,
        ),
        per_host_concurrency=_int(
            where, "per_host_concurrency", raw.get("per_host_concurrency", 2), 1, 32
        ),
        autothrottle_target=_number(
            where, "autothrottle_target", raw.get("autothrottle_target", 1), 0.1, 64
        ),
        start_delay=_number(where, "start_delay", raw.get("start_delay", 1), 0, 60),
    )


def _urls(where: str, key: str, value: object) -> tuple[str, ...]:
    urls = _strings(where, key, value)
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _fail(where, key, f"has {url!r}: only http:// and https:// URLs can be crawled")
    return tuple(urls)


def _strings(where: str, key: str, value: object) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(where, key, "must be a list of texts")
    return value


def _patterns(where: str, key: str, value: object) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for text in _strings(where, key, value):
        try:
            patterns.append(re.compile(text))
        except re.error as exc:
            raise _fail(
                where, key, f"has {text!r}, which is not a valid regular expression: {exc}"
            ) from exc
    return tuple(patterns)


def _int(where: str, key: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(where, key, f"must be a whole number from {low} to {high}")
    return value


def _number(where: str, key: str, value: object, low: float, high: float) -> float:
    """Seconds and ratios: whole or decimal (Scrapy takes 0.5)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _fail(where, key, f"must be a number from {low:g} to {high:g} (decimals allowed)")
    return float(value)


def _known(where: str, raw: dict, fields: frozenset[str] | set[str]) -> None:
    """Refuse an unknown field, suggesting the closest known one and listing them all."""
    unknown = sorted(set(raw) - set(fields))
    if not unknown:
        return
    close = difflib.get_close_matches(unknown[0], sorted(fields), n=1)
    hint = f'did you mean "{close[0]}"? ' if close else ""
    raise ConfigError(
        f'{where}: unknown field "{unknown[0]}" ({hint}fields: {", ".join(sorted(fields))})'
    )


def _bool(where: str, key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, key, "must be true or false")
    return value


def _duration(where: str, key: str, value: object) -> timedelta:
    match = _DURATION.match(value) if isinstance(value, str) else None
    if not match:
        raise _fail(where, key, 'must be a duration such as "12h" or "7d" (s, m, h, d)')
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
