"""Walk a directory and hand each file to the reader for its format.

Files are visited in sorted order so that two runs over the same folder see pages in the same
order: article ids, cluster ids and pairs are then reproducible. Directory symlinks are
followed, but a link back to a folder above it is a ``symlink_loop`` rejection, not an endless
walk.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from pipeline.records import Page, Reason, Rejection, internal_error
from pipeline.sources.jsonl import read_jsonl_file
from pipeline.sources.names import source_of
from pipeline.sources.page import read_page_file
from pipeline.sources.warc import read_warc_file

PAGE_SUFFIXES = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text"}
READ_SUFFIXES = (*PAGE_SUFFIXES, ".warc", ".jsonl")


def format_of(name: str) -> str | None:
    """The format a file name announces, looking through one ``.gz``.

    >>> format_of("a/story.HTML.gz"), format_of("crawl.warc.gz"), format_of("logo.png")
    ('html', 'warc', None)
    """
    lowered = name.lower()
    if lowered.endswith(".gz"):
        lowered = lowered[:-3]
    suffix = os.path.splitext(lowered)[1]
    if suffix in PAGE_SUFFIXES:
        return PAGE_SUFFIXES[suffix]
    return {".warc": "warc", ".jsonl": "jsonl"}.get(suffix)


def iter_directory(
    root: Path, limit: int, follow_links: bool = False
) -> Iterator[Page | Rejection]:
    """Yield every page (or rejection) below ``root``, recursively, in a stable order.

    Every file ends in pages or rejections: a reader that fails in a way nobody foresaw
    gives an ``internal_error`` rejection with the traceback (and one line on stderr), and
    the walk goes on with the next file. Files reached through a link that leads outside
    ``root`` are refused unless ``follow_links``.
    """
    inside = root.resolve()
    if root.is_file():  # one file given: its name is its source
        yield from _guarded(root, source_of(root.name), limit)
        return
    for path, problem in _walk(root):
        source = source_of(path.relative_to(root).as_posix())
        if problem is not None:
            yield Rejection(source, problem.reason, problem.detail)
        elif not follow_links and not _within(path, inside):
            detail = "a link to a file outside the folder (use --follow-links to read it)"
            yield Rejection(source, Reason.OUTSIDE_FOLDER, detail)
        else:
            yield from _guarded(path, source, limit)


def count_files(root: Path) -> int:
    """How many files a run will read (a quick walk, nothing opened): the progress total."""
    return 1 if root.is_file() else sum(1 for _ in _walk(root))


def has_files(root: Path) -> bool:
    """Whether a run would find anything at all (stops at the first file)."""
    return root.is_file() or next(_walk(root), None) is not None


def _within(path: Path, inside: Path) -> bool:
    try:
        return path.resolve().is_relative_to(inside)
    except (OSError, RuntimeError):
        return True  # a broken link: reading it says why


def _guarded(path: Path, source: str, limit: int) -> Iterator[Page | Rejection]:
    """The file's items; an unexpected failure becomes an ``internal_error`` rejection."""
    try:
        yield from _read(path, source, limit)
    except Exception:
        yield internal_error(source, "reading")


def _read(path: Path, source: str, limit: int) -> Iterator[Page | Rejection]:
    kind = format_of(path.name)
    if kind == "warc":
        yield from read_warc_file(path, source, limit)
    elif kind == "jsonl":
        yield from read_jsonl_file(path, source, limit)
    elif kind is not None:
        yield from read_page_file(path, source, kind, limit)
    else:
        shown = "".join(path.suffixes[-2:]) or "no extension"
        wanted = ", ".join(READ_SUFFIXES)
        yield Rejection(source, Reason.NOT_A_PAGE, f"{shown} is not a page format ({wanted}, .gz)")


def _walk(root: Path) -> Iterator[tuple[Path, Rejection | None]]:
    """Files below ``root`` depth-first in sorted order, with a stack of open listings
    instead of recursion (a tree 500 folders deep must not hit Python's recursion limit)."""
    stack: list[tuple[Iterator[os.DirEntry], frozenset[tuple[int, int]]]] = []
    listing = _list(root, frozenset())
    if isinstance(listing, Rejection):
        yield root, listing
        return
    stack.append(listing)
    while stack:
        entries, ancestors = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        path = Path(entry.path)
        kind, problem = _classify(path, entry, ancestors)
        if kind == "folder":
            listing = _list(path, ancestors)
            if isinstance(listing, Rejection):
                yield path, listing
            else:
                stack.append(listing)
        else:
            yield path, problem


def _list(
    folder: Path, ancestors: frozenset[tuple[int, int]]
) -> tuple[Iterator[os.DirEntry], frozenset[tuple[int, int]]] | Rejection:
    try:
        info = folder.stat()
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        return Rejection("", Reason.UNREADABLE, f"cannot list folder: {exc.strerror}")
    return iter(entries), ancestors | {(info.st_dev, info.st_ino)}


def _classify(
    path: Path, entry: os.DirEntry, ancestors: frozenset[tuple[int, int]]
) -> tuple[str, Rejection | None]:
    """``("folder", None)`` to descend, else ``("file", why it is refused or None)``."""
    try:
        is_dir = entry.is_dir(follow_symlinks=True)
    except OSError:
        is_dir = False
    if not is_dir:
        if entry.is_symlink() and not os.path.exists(path):
            reason = Reason.SYMLINK_LOOP if _is_loop(path) else Reason.UNREADABLE
            return "file", Rejection("", reason, _link_detail(reason))
        if entry.is_file(follow_symlinks=True) or entry.is_symlink():
            return "file", None
        return "file", Rejection("", Reason.NOT_A_PAGE, "not a regular file")
    try:
        info = path.stat()
    except OSError as exc:
        return "file", Rejection("", Reason.UNREADABLE, f"cannot open folder: {exc.strerror}")
    if (info.st_dev, info.st_ino) in ancestors:
        return "file", Rejection("", Reason.SYMLINK_LOOP, "folder link leads back to a parent")
    return "folder", None


def _is_loop(path: Path) -> bool:
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return True
    except OSError as exc:
        return exc.errno == 40
    return False


def _link_detail(reason: Reason) -> str:
    if reason is Reason.SYMLINK_LOOP:
        return "symbolic link points back at itself"
    return "symbolic link points at a file that does not exist"
