"""URLs: one canonical form per page, and which addresses a crawler may reach.

Canonical URLs make "have we fetched this?" a lookup: the same article linked as
``https://Site.com/a?utm_source=x#top`` and ``https://site.com/a`` is one row in ``urls``.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_")
TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "yclid",
    "igshid",
    "ref",
    "ref_src",
    "cmpid",
    "ito",
    "ns_mchannel",
    "ns_source",
    "ocid",
    "smid",
    "_ga",
    "at_medium",
}


def canonical(url: str) -> str:
    """Lower-cased host, sorted query without tracking parameters, no fragment.

    >>> canonical("HTTPS://News.Example.com/a/b?utm_source=tw&id=7&fbclid=x#comments")
    'https://news.example.com/a/b?id=7'
    """
    parts = urlsplit(url)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    ]
    cleaned = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(cleaned)


def url_spellings(url: str | None) -> list[str]:
    """The spellings under which a page's URL may be stored (``articles.url`` holds the
    crawler's canonical form, or what a saved page said of itself): http or https, with or
    without ``www.`` and a trailing slash, the query canonical or as given. Each is one
    indexed lookup, where normalising every stored URL would read the whole table.

    >>> "https://www.example.com/a/" in url_spellings("http://example.com/a?utm_source=x")
    True
    """
    if not url or "://" not in url:
        return []
    given = urlsplit(url.strip())
    parts = urlsplit(canonical(url.strip()))
    host = (parts.hostname or "").removeprefix("www.")
    port = f":{parts.port}" if parts.port else ""
    path = parts.path.rstrip("/")
    found = {url.strip()}
    for scheme in ("https", "http"):
        for prefix in ("", "www."):
            for tail in (path, path + "/"):
                for query in {parts.query, given.query}:
                    found.add(urlunsplit((scheme, prefix + host + port, tail or "/", query, "")))
    return sorted(found)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def port_of(url: str) -> int:
    """The port a URL reaches, its scheme's default when none is written.

    >>> port_of("https://a.test/x"), port_of("http://a.test:8080/")
    (443, 8080)
    """
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # not a number: no port we would reach
        return -1
    return port or (443 if parts.scheme == "https" else 80)


@lru_cache(maxsize=4096)
def private_address(host: str) -> str | None:
    """If ``host`` is or resolves to a private, loopback, link-local or reserved address,
    return that address; else None. Unresolvable hosts are left to the downloader.

    >>> private_address("127.0.0.1"), private_address("10.1.2.3"), private_address("8.8.8.8")
    ('127.0.0.1', '10.1.2.3', None)
    """
    try:
        addresses = {ipaddress.ip_address(host.strip("[]"))}
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except OSError:
            return None
        addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    for address in sorted(addresses, key=str):
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            return str(address)
    return None
