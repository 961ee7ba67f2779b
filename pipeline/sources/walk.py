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

from pipeline.records import Page, Reason, Rejection
from pipeline.sources.jsonl import read_jsonl_file
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


def iter_directory(root: Path, limit: int) -> Iterator[Page | Rejection]:
    """Yield every page (or rejection) below ``root``, recursively, in a stable order."""
    for path, problem in _walk(root, root, frozenset()):
        source = path.relative_to(root).as_posix()
        if problem is not None:
            yield problem
            continue
        yield from _read(path, source, limit)


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


def _walk(
    root: Path, folder: Path, ancestors: frozenset[tuple[int, int]]
) -> Iterator[tuple[Path, Rejection | None]]:
    try:
        info = folder.stat()
        ancestors = ancestors | {(info.st_dev, info.st_ino)}
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        source = folder.relative_to(root).as_posix()
        yield folder, Rejection(source, Reason.UNREADABLE, f"cannot list folder: {exc.strerror}")
        return
    for entry in entries:
        path = Path(entry.path)
        yield from _walk_entry(root, path, entry, ancestors)


def _walk_entry(
    root: Path, path: Path, entry: os.DirEntry, ancestors: frozenset[tuple[int, int]]
) -> Iterator[tuple[Path, Rejection | None]]:
    source = path.relative_to(root).as_posix()
    try:
        is_dir = entry.is_dir(follow_symlinks=True)
    except OSError:
        is_dir = False
    if not is_dir:
        if entry.is_symlink() and not os.path.exists(path):
            reason = Reason.SYMLINK_LOOP if _is_loop(path) else Reason.UNREADABLE
            yield path, Rejection(source, reason, _link_detail(reason))
        elif entry.is_file(follow_symlinks=True) or entry.is_symlink():
            yield path, None
        else:
            yield path, Rejection(source, Reason.NOT_A_PAGE, "not a regular file")
        return
    try:
        info = path.stat()
    except OSError as exc:
        yield path, Rejection(source, Reason.UNREADABLE, f"cannot open folder: {exc.strerror}")
        return
    if (info.st_dev, info.st_ino) in ancestors:
        yield path, Rejection(source, Reason.SYMLINK_LOOP, "folder link leads back to a parent")
        return
    yield from _walk(root, path, ancestors)


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
