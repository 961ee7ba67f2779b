"""Clean: remove page furniture from body lines, keeping a record of every removed line.

The rules themselves are data in ``pipeline.clean.rules``; this module only applies them.
Removal is line by line and never rewrites a line, so cleaning can only take text away.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.clean import rules as fr
from pipeline.clean.length import line_words
from pipeline.extract.html import looks_like_headline
from pipeline.records import Markup, Page, Removed

Confirm = Callable[[str], bool]


def _always(line: str) -> bool:
    return True


@dataclass(frozen=True)
class _Judges:
    """What the markup says of a line, for the rules that guess from its shape. Without
    markup every guess stands; with it, the markup decides. A list of other stories is
    often only half links (a linked headline and an unlinked teaser), so a list item needs
    to open with a link or hold some link text, not to be mostly links."""

    navigation: Confirm = _always
    linked: Confirm = _always
    caption: Confirm = _always

    @classmethod
    def of(cls, markup: Markup | None) -> _Judges:
        if markup is None:
            return cls()
        return cls(
            navigation=markup.confirms,
            linked=lambda line: (
                markup.opens_with_link(line) or markup.link_share(line) >= fr.LIST_ITEM_LINK_SHARE
            ),
            caption=markup.in_caption,
        )


def clean(page: Page) -> Page:
    """Fill ``text`` and ``removed`` from ``lines``, dropping furniture by the named rules."""
    kept, removed = clean_lines(page.lines, title=page.title, markup=page.structure)
    page.text = _join(kept)
    page.removed = removed
    page.excerpt = any(item.rule == fr.EXCERPT_RULE for item in removed)
    return page


def clean_lines(
    lines: list[str], title: str | None = None, markup: Markup | None = None
) -> tuple[list[str], list[Removed]]:
    """Split lines into (kept, removed); blank strings mark paragraph breaks.

    ``markup`` answers for an HTML page whether a line is navigation, holds links or is
    a caption:
    the rules that judge a line by its shape alone (menus, closing lists of teasers, story
    links in capitals) then remove only the lines it confirms. Text files have no markup
    and keep the shape rules as they are.

    >>> kept, removed = clean_lines(["Putin visits Syria.", "", "Share this post"])
    >>> kept, [(r.line, r.rule) for r in removed]
    (['Putin visits Syria.', ''], [('Share this post', 'share_prompt')])
    """
    labels: list[str | None] = [None] * len(lines)
    judges = _Judges.of(markup)
    _apply_patterns(lines, labels, judges)
    _label_menus(lines, labels, judges.navigation)
    _label_link_list_tail(lines, labels, judges.linked)
    _label_pipe_titles(lines, labels, judges.navigation)
    if markup is not None:
        _label_media_widgets(lines, labels, markup)
        _label_linked_teasers(lines, labels, markup)
        _label_boxes(lines, labels, markup)
    _label_repeats(lines, labels, title)
    kept: list[str] = []
    removed: list[Removed] = []
    paragraphs = 0  # non-blank lines kept so far: the cleaned text's paragraphs
    for line, label in zip(lines, labels, strict=True):
        if label is None:
            kept.append(line)
            paragraphs += bool(line.strip())
        elif line.strip():
            removed.append(Removed(line.strip(), label, paragraphs))
    return kept, removed


def match_rule(line: str) -> fr.Rule | None:
    """The first rule whose pattern matches the whole line, if the line is short enough.

    >>> match_rule("Share this article on WhatsApp:").name
    'share_prompt'
    >>> match_rule("Investors share the view that rates will fall.") is None
    True
    """
    stripped = line.strip()
    if not stripped:
        return None
    words = len(stripped.split())
    lowered = stripped.casefold()
    for rule in fr.RULES:
        if words > rule.max_words or (rule.needs and not any(n in lowered for n in rule.needs)):
            continue
        if rule.pattern.fullmatch(stripped):
            return rule
    if _caps_teaser(stripped, words):
        return fr.CAPS_TEASER_RULE
    return None


def _caps_teaser(line: str, words: int) -> bool:
    """A link to another story set in capitals ("LAUREN ALAINA SAYS 'DWTS' HAS HELPED HER LOSE
    25 POUNDS"). Shorter capitals lines and questions are subheadings; lines with ``|``
    are table rows."""
    return (
        words >= fr.CAPS_TEASER_MIN_WORDS
        and line.isupper()
        and not line.endswith((".", "?"))
        and "|" not in line
    )


def _apply_patterns(lines: list[str], labels: list[str | None], judges: _Judges) -> None:
    total = sum(len(line) for line in lines) or 1
    before = 0
    for index, line in enumerate(lines):
        rule = match_rule(line) if labels[index] is None else None
        if rule and rule.name in fr.SHAPE_RULES and not judges.navigation(line):
            rule = None
        if rule and rule.name in fr.CAPTION_RULES and not judges.caption(line):
            rule = None
        if rule:
            tail = rule.kind == "tail" and before / total >= fr.TAIL_MIN_POSITION
            if tail and not _prose_after(lines, index):
                _label_tail(lines, labels, index, rule.name)
                return
            labels[index] = rule.name
            if rule.next:
                _label_next(lines, labels, index, rule.next)
        before += len(line)


def _prose_after(lines: list[str], index: int) -> bool:
    """Whether a paragraph of prose (``TAIL_PROSE_WORDS`` words or more) comes after the
    line: then a "Related posts:" label stands inside the article, which goes on after it,
    and only the label is removed. A footer's teasers are short.

    >>> _prose_after(["Related posts:", "Other story", " ".join(["word"] * 70)], 0)
    True
    """
    return any(line_words(line) >= fr.TAIL_PROSE_WORDS for line in lines[index + 1 :])


def _label_tail(lines: list[str], labels: list[str | None], start: int, name: str) -> None:
    """Label the footer from ``start`` on, and the short section labels just above it."""
    for index in range(start, len(lines)):
        labels[index] = labels[index] or name
    index = start - 1
    while index >= 0 and (not lines[index].strip() or _is_label(lines[index])):
        if lines[index].strip():
            labels[index] = labels[index] or fr.SECTION_LABEL
        index -= 1


def _is_label(line: str) -> bool:
    """A section label such as "English Bulletin": three words at most, no sentence end."""
    return len(line.split()) <= 3 and not line.rstrip().endswith((".", "!", "?", '"', "”"))


def _label_next(lines: list[str], labels: list[str | None], index: int, what: str) -> None:
    following = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
    if following is None or labels[following] is not None:
        return
    line = lines[following].strip()
    if what == "caption" and looks_like_headline(line):
        labels[following] = fr.CAPTION
    elif what == "username" and _looks_like_name(line):
        labels[following] = fr.USERNAME


def _looks_like_name(line: str) -> bool:
    """A forum user name: one to three capitalised words or initials, e.g. "Deeq A."."""
    words = line.split()
    return 1 <= len(words) <= 3 and all(word[:1].isupper() or word[:1].isdigit() for word in words)


def _label_menus(lines: list[str], labels: list[str | None], confirm: Confirm) -> None:
    """Label long runs of menu-like lines ("Contatos", "Leis Municipais", "NOTÍCIAS").

    A run is a sequence of short lines that do not end like sentences; it is a menu when at
    least ``MENU_MIN_LINES`` of them are very short (menu entries), and it is labelled from
    its first very short line to its last, so longer entries inside the menu go too.

    >>> lines = ["Home", "News", "Sport", "Weather", "Travel", "Culture", "Music", "Film",
    ...          "Books", "Contact", "The mayor opened the new bridge on Monday."]
    >>> labels = [None] * len(lines)
    >>> _label_menus(lines, labels, lambda line: True)
    >>> labels.count(fr.MENU), labels[-1]
    (10, None)
    """
    for run in _runs(lines, labels, lambda line: _menu_like(line, fr.MENU_LONG)):
        entries = [item for item in run if _menu_like(lines[item], fr.MENU_ENTRY)]
        # Lines a pattern rule took out inside the run ("Share on X") were entries too.
        taken = sum(1 for item in range(run[0], run[-1]) if labels[item] and lines[item].strip())
        if len(entries) + taken < fr.MENU_MIN_LINES or not entries:
            continue  # too short to be a menu, whatever the markup says
        links = sum(confirm(lines[item]) for item in entries) + taken
        if links >= fr.MENU_MIN_LINES and links >= fr.MENU_LINKED * (len(entries) + taken):
            for item in run[run.index(entries[0]) : run.index(entries[-1]) + 1]:
                labels[item] = fr.MENU


def _label_link_list_tail(lines: list[str], labels: list[str | None], linked: Confirm) -> None:
    """Label a closing run of ``LINK_LIST_MIN`` or more list items ("- Headline teaser").

    Sites append lists of other stories after the article: items of a headline and a teaser,
    most without a full stop. An article's own closing lists are recipe steps or
    instructions (sentences) or short items (names, scores), and stay.
    """
    run = []
    for index in range(len(lines) - 1, -1, -1):
        if labels[index] is not None or not lines[index].strip():
            continue
        item = lines[index].strip()
        if not item.startswith(("- ", "• ")) or len(item.split()) < fr.LINK_LIST_MIN_WORDS:
            break
        run.append(index)
    sentences = sum(lines[index].rstrip().endswith(".") for index in run)
    links = sum(linked(lines[index]) for index in run)
    enough = len(run) >= fr.LINK_LIST_MIN and links >= fr.LINK_LIST_LINKED * len(run)
    if enough and sentences * 2 <= len(run):
        for index in run:
            labels[index] = fr.LINK_LIST


def _label_linked_teasers(lines: list[str], labels: list[str | None], markup: Markup) -> None:
    """Label lines that are a link to another story and nothing else ("Skyrim finally beaten
    by a fan", "Read also: ..."), and the short label just above a run of them ("Recommended",
    "Auch interessant:"). An article's own paragraphs are not mostly one link's text, and
    a heading that a table of contents links to also stands on the page as itself."""
    teaser = [False] * len(lines)
    for index, line in enumerate(lines):
        if labels[index] is not None or line_words(line) < fr.LINKED_TEASER_WORDS:
            continue
        if line.lstrip().startswith("|"):
            continue  # a table row: tables are content
        if _REFERENCE.search(line):
            continue  # a reference or a heading with its permalink: the page's own text
        if _linked_teaser(line, markup):
            labels[index] = fr.LINKED_TEASER
            teaser[index] = True
    before_teaser = False  # walking up: whether the next non-blank line is a teaser
    for index in range(len(lines) - 1, -1, -1):
        if not lines[index].strip():
            continue
        if before_teaser and labels[index] is None and _is_heading_label(lines[index]):
            labels[index] = fr.SECTION_LABEL
        before_teaser = teaser[index]


# A reference in a list of sources ("- ^ Roe, J. (2011). Title. Retrieved 3 May 2012.",
# "↑ 2.0 Title"): its title is a link, but the line is the article's evidence. A heading
# that ends with its permalink sign ("Setting up a mirror¶") is the page's own heading.
_REFERENCE = re.compile(
    r"^\s*([-•*]\s*)?[\^↑]|\bretrieved\b[^.]{0,40}\d{4}|\b(doi|isbn)\b|\bpp?\.\s*\d|¶\s*$",
    re.IGNORECASE,
)


def _linked_teaser(line: str, markup: Markup) -> bool:
    """The line is mostly link text (and stands on the page only as a link), or is a short
    label and then a link ("Lea también: ...", "À lire aussi » ...", "Czytaj też: ...")."""
    if markup.link_share(line) >= fr.LINKED_TEASER_SHARE:
        return markup.only_linked(line)
    label, mark, rest = _split_label(line)
    return (
        bool(mark)
        and len(label.split()) <= fr.TEASER_LABEL_WORDS
        and line_words(rest) >= fr.LINKED_TEASER_WORDS
        and markup.link_share(rest) >= fr.LABELLED_TEASER_SHARE
    )


def _split_label(line: str) -> tuple[str, str, str]:
    """("Read also", ":", "the rest") when the line opens with a label of a few words."""
    match = _LABEL.match(line.strip())
    return (match.group(1), match.group(2), line.strip()[match.end() :]) if match else ("", "", "")


_LABEL = re.compile(r"([^:»|>]{1,40}?)\s*([:»|>]+)\s+")


def _is_heading_label(line: str) -> bool:
    """A short line that introduces what follows: "Related", "Auch interessant:"."""
    stripped = line.strip()
    return line_words(stripped) <= 6 and not stripped.endswith((".", "!", '"', "”"))


def _label_boxes(lines: list[str], labels: list[str | None], markup: Markup) -> None:
    """Label the text of an affiliate disclosure or an author's biography box: the site's
    words about itself or its writer, set apart by the markup, not the article's."""
    for index, line in enumerate(lines):
        if labels[index] is None and line.strip() and markup.in_box(line):
            labels[index] = fr.DISCLOSURE_OR_BIO


def _label_media_widgets(lines: list[str], labels: list[str | None], markup: Markup) -> None:
    """Label a video player's control text, and a long run of a photo gallery's captions,
    which no line pattern can tell from prose: only the markup knows where they stand. A
    gallery's few lines among the article's may be the article's own pictures, so only a
    run of ``GALLERY_MIN_LINES`` goes. Only short lines are asked about (controls and
    captions are short), so most pages are never parsed for it."""
    for index, line in enumerate(lines):
        short = 0 < len(line.split()) <= fr.WIDGET_WORDS
        if labels[index] is None and short and markup.in_media_widget(line):
            labels[index] = fr.MEDIA_WIDGET
    for run in _runs(lines, labels, lambda line: len(line.split()) <= fr.CAPTION_WORDS):
        if len(run) >= fr.GALLERY_MIN_LINES:
            _label_gallery(lines, labels, run, markup)


def _label_gallery(
    lines: list[str], labels: list[str | None], run: list[int], markup: Markup
) -> None:
    """Within a run of short lines, label the runs of gallery captions long enough."""
    captions: list[int] = []
    for index in [*run, None]:
        if index is not None and markup.in_gallery(lines[index]):
            captions.append(index)
            continue
        if len(captions) >= fr.GALLERY_MIN_LINES:
            for item in captions:
                labels[item] = fr.GALLERY
        captions = []


def _label_pipe_titles(lines: list[str], labels: list[str | None], confirm: Confirm) -> None:
    """Label runs of ``PIPE_TITLES_MIN`` or more "Section | Headline" lines (links to other
    posts of a series); a table row has more than one ``|``, a sentence ends with a stop."""
    for run in _runs(lines, labels, lambda line: _pipe_title(line) and confirm(line)):
        if len(run) >= fr.PIPE_TITLES_MIN:
            for index in run:
                labels[index] = fr.PIPE_TITLES


def _runs(
    lines: list[str], labels: list[str | None], qualifies: Callable[[str], bool]
) -> Iterator[list[int]]:
    """Indices of each run of unlabelled lines that qualify (stripped); blank lines and
    lines a rule already took out ("Kategorien" inside a menu) do not break a run, any other
    line does."""
    run: list[int] = []
    for index, line in enumerate(lines):
        if not line.strip() or (labels[index] is not None and run):
            continue
        if labels[index] is None and qualifies(line.strip()):
            run.append(index)
        elif run:
            yield run
            run = []
    if run:
        yield run


def _pipe_title(item: str) -> bool:
    head, _, tail = item.partition(" | ")
    return (
        bool(head and tail)
        and "|" not in tail
        and len(item.split()) <= 25
        and not item.endswith((".", "!", "?"))
    )


def _menu_like(line: str, size: tuple[int, int]) -> bool:
    """At most ``size`` (words, characters), not a list item, not ending like a sentence.

    List items ("- GPS", "- Swim proof") are left alone: a list of short items is what a
    spec sheet or a list of names looks like, and those are content.
    """
    stripped = line.strip()
    if stripped.startswith(("- ", "• ", "* ")):
        return False
    short = line_words(stripped) <= size[0] and len(stripped) <= size[1]
    return short and not stripped.endswith((".", "!", "?", ":", ";", ",", '"', "”", "…"))


def _label_repeats(lines: list[str], labels: list[str | None], title: str | None) -> None:
    """Label a lede printed twice in a row, and an opening line that only repeats the title.

    Only a paragraph repeated *immediately* is furniture: pages such as newsletters repeat
    paragraphs further apart on purpose (a summary, then the details), and those stay.
    """
    previous: str | None = None
    position = 0
    titles = _title_keys(title)
    for index, line in enumerate(lines):
        if labels[index] is not None or not line.strip():
            continue
        key = " ".join(line.split()).casefold()
        if position < fr.TITLE_LINE_WITHIN and key in titles:
            labels[index] = fr.TITLE_LINE
        elif position < fr.TITLE_LINE_WITHIN and fr.BARE_URL.fullmatch(key):
            labels[index] = fr.OPENING_URL
        elif key == previous and len(key.split()) >= 6:
            labels[index] = fr.REPEATED_PARAGRAPH
        previous = key
        position += 1


def _title_keys(title: str | None) -> set[str]:
    """The title, and its parts around " | " or " - " of 3 words or more ("Opinion | Is
    Football Violence a Crime?" is printed as "Is Football Violence a Crime?").

    >>> sorted(_title_keys("Opinion | Is Football Violence a Crime? - Daily Times"))[0]
    'is football violence a crime?'
    """
    if not title:
        return set()
    whole = " ".join(title.split()).casefold()
    parts = re.split(r" [|–—-] ", whole)
    return {whole} | {part for part in parts if len(part.split()) >= 3}


def _join(lines: list[str]) -> str:
    """Join kept lines, keeping one blank line between paragraphs and trimming the ends."""
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped or (out and out[-1]):
            out.append(stripped)
    return "\n".join(out).strip()
