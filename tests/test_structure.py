"""Furniture decided from the page's structure: each kind of failure the shape rules had on
pages outside the set they were written on, pinned on a small page of its kind.

Every page here is written for this test. A site menu and a closing list of other stories
are links and must go (trafilatura keeps both inside an article container); article content
that only looks like furniture once flattened to lines is not linked and must stay.
"""

from __future__ import annotations

from benchmarks.extraction import page_scores
from pipeline.clean.lines import clean_lines
from pipeline.config import Config
from pipeline.extract.html import FALLBACK_METHOD
from pipeline.extract.structure import Structure
from pipeline.records import Page, Rejection
from pipeline.run.process import process_page
from pipeline.sources.common import raw_hash
from tests.conftest import extract_benchmark_page

MENU = ["Home", "News", "Politics", "Business", "Sport", "Culture", "Travel", "Weather"]
MENU += ["Science", "Health", "Opinion", "Video", "Podcasts", "Contact"]
OTHER_STORIES = [
    ("Council approves the new budget after a long debate", "Members voted late at night"),
    ("Storm closes the coastal road for a second day", "Drivers are told to avoid it"),
    ("Local bakery wins a national prize for its bread", "The owners thanked customers"),
    ("School football team reaches the regional final", "The coach praised the squad"),
    ("Museum reopens its east wing after the repairs", "Entry stays free this month"),
    ("Bus fares rise by ten cents from next January", "Passengers groups object"),
]
PROSE = (
    "The city council met on Tuesday evening to discuss the plans for the harbour, which "
    "have divided residents for more than a year. Supporters say the project will bring "
    "jobs and visitors, while its critics fear for the old fishing quarter and its homes."
)


def page_html(content: str, *, menu: bool = True, closing: str = "") -> str:
    """An article page whose container also holds a menu of linked headings (which
    trafilatura keeps) and a closing list of linked teasers; ``closing`` replaces the
    teasers as the end of the body."""
    nav = "".join(f'<h4><a href="/{item.lower()}">{item}</a></h4>' for item in MENU)
    teasers = "".join(
        f'<li><a href="/story/{n}">{title}</a> {teaser}</li>'
        for n, (title, teaser) in enumerate(OTHER_STORIES)
    )
    return (
        "<html><head><title>Harbour plans</title></head><body><article>"
        + (nav if menu else "")
        + f"<h1>Harbour plans divide the town</h1><p>{PROSE}</p>{content}<p>{PROSE}</p>"
        + (closing or f"<h3>Elsewhere in the paper</h3><ul>{teasers}</ul>")
        + "</article></body></html>"
    )


def processed(html: str) -> Page:
    body = html.encode("utf-8")
    page = Page("fixture.html", body, "html", raw_hash(body), url="https://example.org/a")
    result = process_page(page, Config(min_words=1))
    assert not isinstance(result, Rejection), result
    return result


def test_linked_menu_and_teaser_list_still_go() -> None:
    """The markup confirms what the shape rules guessed: both are links."""
    page = processed(page_html("<p>A second paragraph about the quay and its boats.</p>"))
    rules = {item.rule for item in page.removed}
    assert "Politics" not in page.text and "menu_run" in rules
    assert "Storm closes the coastal road" not in page.text and "link_list_tail" in rules
    assert page.text.count("The city council met") == 2


def test_chinese_prose_is_not_a_menu() -> None:
    """Unspaced sentences are long in characters, though each is one "word" to split()."""
    sentences = [f"市议会周二晚上开会讨论港口计划第{n}次会议引起居民关注" for n in range(12)]
    page = processed(page_html("".join(f"<p>{line}</p>" for line in sentences), menu=False))
    assert all(line in page.text for line in sentences)


def test_unlinked_runs_of_short_lines_are_content() -> None:
    """A ranking, an ingredient list and a spec table: short lines, no links."""
    ranking = "".join(f"<p>{n}. {country}</p>" for n, country in enumerate(COUNTRIES, 1))
    ingredients = "".join(f"<li>{item}</li>" for item in INGREDIENTS)
    specs = "".join(f"<tr><td>{name}</td><td>{value}</td></tr>" for name, value in SPECS)
    content = f"{ranking}<ul>{ingredients}</ul><table>{specs}</table>"
    page = processed(page_html(content))
    assert "1. Finland" in page.text and "12. Canada" in page.text
    assert "200 g sugar" in page.text
    assert "Battery life" in page.text
    assert "menu_run" in {item.rule for item in page.removed}  # the site menu still goes


def test_closing_lists_of_the_article_stay() -> None:
    """A feature list and a closing bullet list of the article's own: list items of seven
    words or more, without links, at the end of the body."""
    features = "".join(f"<li>{item}</li>" for item in FEATURES)
    closing = f"<p>What the new ferry offers:</p><ul>{features}</ul>"
    page = processed(page_html("", closing=closing))
    assert all(item in page.text for item in FEATURES)


def test_section_headings_with_edit_links_stay() -> None:
    """Wiki-style headings ("Spectral properties[edit]") are the article's own sections."""
    headings = ["Spectral properties", "Early history", "Later observations"]
    content = "".join(
        f"<h2>{heading}<span>[<a href='/edit/{n}'>edit</a>]</span></h2><p>{PROSE}</p>"
        for n, heading in enumerate(headings)
    )
    page = processed(page_html(content))
    assert all(heading in page.text for heading in headings)


def test_a_list_of_timed_headlines_goes_and_a_timetable_stays() -> None:
    """Latest headlines stamped with their times are links to other stories; the same shape
    without links is the article's own timetable."""
    latest = [f"{title} {n + 1}:15 p.m. ET" for n, (title, _) in enumerate(OTHER_STORIES[:4])]
    timetable = [
        "Doors open at the town hall 6:30 p.m.",
        "The harbour plans are presented 7:00 p.m.",
        "Residents put their questions 7:45 p.m.",
    ]
    linked = "".join(
        f'<li><a href="/s/{n}">{line.rsplit(" ", 3)[0]}</a> {" ".join(line.split()[-3:])}</li>'
        for n, line in enumerate(latest)
    )
    plain = "".join(f"<li>{line}</li>" for line in timetable)
    content = f"<p>The meeting:</p><ul>{plain}</ul><h3>Latest news</h3><ul>{linked}</ul>"
    page = processed(page_html(content, menu=False, closing=f"<p>{PROSE}</p>"))
    assert all(line in page.text for line in timetable)
    assert not any(title in page.text for title, _ in OTHER_STORIES[:4])
    assert {item.rule for item in page.removed} == {"timed_headline"}


def test_linked_classified_adverts_go_and_an_articles_price_list_stays() -> None:
    """Adverts whose price is a link go; the same shape without links is the article's."""
    adverts = [("£9,450", "North West"), ("£12,995", "Yorkshire"), ("£7,250", "Scotland")]
    prices = ["£25 - adult ticket", "£12 - child under sixteen", "£60 - family of four"]
    linked = "".join(f'<p><a href="/ad/{n}">{p}</a> · {w}</p>' for n, (p, w) in enumerate(adverts))
    plain = "".join(f"<li>{price}</li>" for price in prices)
    content = f"<p>Tickets for the harbour tour:</p><ul>{plain}</ul>{linked}"
    page = processed(page_html(content, menu=False, closing=f"<p>{PROSE}</p>"))
    assert all(price in page.text for price in prices)
    assert [item.rule for item in page.removed] == ["classified"] * len(adverts)


def test_text_files_keep_the_shape_rules() -> None:
    """Without markup the shape rules judge alone, as before."""
    lines = [*MENU, "", "The mayor opened the new bridge on Monday."]
    kept, removed = clean_lines(lines, markup=None)
    assert {item.rule for item in removed} == {"menu_run"}
    assert kept[-1] == lines[-1]


def test_structure_reads_furniture_containers() -> None:
    """Text inside nav/aside/footer/select/button, or a class naming a sidebar, is
    furniture even when it is not a link; a frame-sized container is not."""
    html = (
        "<html><body><div class='page has-sidebar'><article><p>" + PROSE * 3 + "</p></article>"
        "<aside><p>Weather today: sunny</p></aside><select><option>Choose a region</option>"
        "</select><div class='share-bar'><span>Spread the word</span></div>"
        '<div class="share-bar editor\'s-picks"><span>Tell a friend</span></div>'
        "</div></body></html>"
    )
    markup = Structure(html)
    assert markup.confirms("Weather today: sunny")
    assert markup.confirms("Choose a region")
    assert markup.confirms("Spread the word")
    assert markup.confirms("Tell a friend")  # a class value may hold an apostrophe
    assert not markup.confirms(PROSE)


COUNTRIES = [
    "Finland",
    "Denmark",
    "Iceland",
    "Sweden",
    "Israel",
    "Netherlands",
    "Norway",
    "Luxembourg",
    "Switzerland",
    "Australia",
    "New Zealand",
    "Canada",
]
INGREDIENTS = [
    "200 g sugar",
    "250 g flour",
    "2 eggs",
    "1 lemon",
    "100 g butter",
    "1 pinch of salt",
    "50 g almonds",
    "1 tsp vanilla",
    "3 tbsp milk",
    "1 tsp baking powder",
    "icing sugar",
]
SPECS = [
    ("Battery life", "12 hours"),
    ("Weight", "1.2 kg"),
    ("Screen", "14 inch"),
    ("Memory", "16 GB"),
    ("Storage", "512 GB"),
    ("Ports", "2 USB-C"),
]
FEATURES = [
    "Room for two hundred passengers and forty cars on each crossing",
    "A quieter hybrid engine that runs on batteries inside the harbour",
    "Step-free access from the quay to every deck for wheelchair users",
    "A covered bicycle deck with space for sixty bicycles in total",
    "Free wireless internet in the lounge and on the open upper deck",
    "A cafe serving local food from the morning until the last sailing",
]


def section_front(layout: str) -> str:
    """A section front: teasers of other stories, each a linked headline and a sentence."""
    if layout == "inline":
        items = "".join(
            f'<p><a href="/story/{n}">{title}</a> {teaser}.</p>'
            for n, (title, teaser) in enumerate(OTHER_STORIES)
        )
    else:
        items = "".join(
            f'<div class="teaser"><h2><a href="/story/{n}">{title}</a></h2><p>{teaser}.</p></div>'
            for n, (title, teaser) in enumerate(OTHER_STORIES)
        )
    return f"<html><head><title>Local news</title></head><body><main>{items}</main></body></html>"


def test_a_section_front_is_not_an_article() -> None:
    for layout in ("inline", "stacked"):
        body = section_front(layout).encode()
        page = Page("front.html", body, "html", raw_hash(body), url="https://example.org/local")
        result = process_page(page, Config(min_words=1))
        assert isinstance(result, Rejection), layout
        assert result.reason == "not_an_article" and "teasers" in result.detail


def test_an_article_with_a_few_links_is_an_article() -> None:
    """Paragraphs that open with a linked name are still an article's paragraphs."""
    paragraphs = "".join(
        f'<p><a href="/people/{n}">The mayor</a> said on day {n} that {PROSE}</p>' for n in range(3)
    )
    page = processed(page_html(paragraphs))
    assert page.text.count("The city council met") >= 3


def test_contributed_sentences_of_the_article_stay() -> None:
    """A credit line names people; an article sentence ending "contributed to this report"
    does not, and stays."""
    sentence = (
        "Researchers from three universities and the port authority contributed to this report."
    )
    credit = "Jane Roe and John Doe in Lisbon contributed to this report."
    page = processed(page_html(f"<p>{sentence}</p><p>{credit}</p>"))
    assert sentence in page.text
    assert credit not in page.text
    assert ("contributor_credit", credit) in {(item.rule, item.line) for item in page.removed}


def test_photo_credits_go_only_from_captions() -> None:
    """ "Text / Name" is a photo credit in a caption; in a paragraph it is a sentence."""
    caption = "The old quay at dawn, seen from the ferry / Jane Roe"
    sentence = "Asked which came first, she said: nobody knows / Nobody"
    content = f'<p class="photo-credit">{caption}</p><p>{sentence}</p>'
    page = processed(page_html(content))
    assert sentence in page.text
    assert ("caption_credit", caption) in {(item.rule, item.line) for item in page.removed}


PLAYER = (
    '<div class="video-js vjs-default-skin"><video src="/v.mp4"></video>'
    '<div class="vjs-control-bar"><button class="vjs-play-control">'
    '<span class="vjs-control-text">Play</span></button><div class="vjs-menu">'
    '<ul class="vjs-menu-content" role="menu">'
    '<li class="vjs-menu-item" role="menuitemradio">descriptions off, selected</li>'
    '<li class="vjs-menu-item" role="menuitemradio">captions settings, opens captions '
    "settings dialog</li></ul></div></div>"
    '<div class="vjs-modal-dialog" role="dialog">'
    '<p class="vjs-modal-dialog-description vjs-control-text">This is a modal window.</p>'
    "<p>Beginning of dialog window. Escape will cancel and close the window.</p></div></div>"
)


def gallery(count: int) -> str:
    items = "".join(
        f'<div class="gallery-item"><img src="/p{n}.jpg"><p class="gallery-text">'
        f"Photo {n} of {count}: boats in the harbour at dusk</p></div>"
        for n in range(1, count + 1)
    )
    return f'<div class="gallery">{items}</div>'


def test_video_player_text_and_a_long_gallery_go() -> None:
    after = "<p>The ferry company says the new timetable starts in the spring.</p>"
    page = processed(page_html(PLAYER + gallery(50) + after))
    assert "modal window" not in page.text and "Escape will cancel" not in page.text
    assert "Photo 7 of 50" not in page.text
    rules = {item.rule for item in page.removed}
    assert {"media_widget", "gallery"} <= rules
    assert "The ferry company says" in page.text


def test_a_few_pictures_of_the_article_stay() -> None:
    """Three captioned pictures are the article's own, not a gallery to drop."""
    page = processed(page_html(gallery(3)))
    assert "Photo 2 of 3" in page.text


def test_lines_that_are_links_to_other_stories_go() -> None:
    """A line that is one link to another story, alone or after a short label, and the
    label above a run of them; a heading a table of contents links to stays."""
    html = (
        "<html><body><article><ul><li><a href='#quay'>Why the old quay matters to the town"
        f"</a></li></ul><p>{PROSE}</p><p>Czytaj też: <a href='/story/9'>Ferry prices rise "
        "again for island families</a></p><h2 id='quay'>Why the old quay matters to the town"
        "</h2><p>The quay has served the fishing fleet since the eighteenth century.</p>"
        "<h3>Recommended</h3><p><a href='/story/10'>Lighthouse keeper retires after forty "
        "years at sea</a></p><p><a href='/story/11'>New cycle path opens along the northern "
        "beach</a></p></article></body></html>"
    )
    lines = [
        PROSE,
        "Czytaj też: Ferry prices rise again for island families",
        "Why the old quay matters to the town",
        "The quay has served the fishing fleet since the eighteenth century.",
        "Recommended",
        "Lighthouse keeper retires after forty years at sea",
        "New cycle path opens along the northern beach",
    ]
    kept, removed = clean_lines(lines, markup=Structure(html))
    assert kept == lines[:1] + lines[2:4]
    assert [item.rule for item in removed] == [
        "linked_teaser",
        "section_label",
        "linked_teaser",
        "linked_teaser",
    ]


def test_a_labelled_link_inside_the_article_goes() -> None:
    content = "<p>Czytaj też: <a href='/story/9'>Ferry prices rise again for island families</a>"
    page = processed(page_html(content + "</p>"))
    removed = {(item.rule, item.line) for item in page.removed}
    assert ("linked_teaser", "Czytaj też: Ferry prices rise again for island families") in removed


def test_text_is_in_composed_unicode_form() -> None:
    """A Bengali page spelling য় as one code point and as two yields one spelling (NFC)."""
    sentence = "আজ শনিবার সকালে গ্রামে ঘটনা ঘটে এবং পুলিশ তদন্ত শুরু করেছে"
    precomposed = sentence + " \u09df"
    page = processed(page_html(f"<p>{precomposed}</p>"))
    assert "\u09af\u09bc" in page.text and "\u09df" not in page.text


def test_affiliate_disclosure_and_author_box_go() -> None:
    disclosure = "We may earn a commission when you buy through links on this page."
    bio = "Jane Roe writes about ports and shipping for the paper since 2015."
    content = (
        f'<div class="affiliate-disclosure"><p>{disclosure}</p></div>'
        "<p>The ferry company says the new timetable starts in the spring.</p>"
        f'<section class="Review__AuthorBox"><p>{bio}</p></section>'
    )
    page = processed(page_html(content))
    removed = {(item.rule, item.line) for item in page.removed}
    assert ("disclosure_or_bio", disclosure) in removed
    assert ("disclosure_or_bio", bio) in removed
    assert "The ferry company says" in page.text


def test_a_fast_extraction_full_of_furniture_gets_a_second_look() -> None:
    """The benchmark page of a town hall's news item: trafilatura's fast mode takes in the
    site's menus, which the cleaner removes (most of the text); the full mode finds the
    item, and its cleaner's result is more confident, so it is kept."""
    bench, page = extract_benchmark_page("f6ac15a4d985")
    assert page.method == "trafilatura_full"
    assert page.confidence is not None and page.confidence > 0.5
    precision, recall, _ = page_scores(page.text, bench.body)
    assert precision > 0.8 and recall > 0.95


def test_references_and_headings_with_permalinks_are_not_teasers() -> None:
    """A list of sources links each title, and a heading that ends with its permalink sign
    is linked from the contents: both are the page's own text."""
    heading = "Setting up a mirror of the archive"
    source = "How the tides of the northern seas wore down the harbour walls of the old towns"
    html = (
        f"<html><body><article><ul><li><a href='#mirror'>{heading}</a></li></ul>"
        f"<p>{PROSE}</p><h2 id='mirror'><a href='#mirror'>{heading}</a>"
        "<a class='headerlink' href='#mirror'>¶</a></h2><ol><li><a href='#r1'>^</a> "
        f"<a href='https://journal.test/1'>{source}</a> Retrieved 3 May 2012.</li></ol>"
        "</article></body></html>"
    )
    lines = [PROSE, f"{heading}¶", f"- ^ {source} Retrieved 3 May 2012."]
    kept, removed = clean_lines(lines, markup=Structure(html))
    assert kept == lines and not removed


SIDEBAR = "".join(
    f"<div class='teaser'><h3><a href='/story/{n}'>Flood defences for the river valley number "
    f"{n} approved</a></h3><p>Engineers will start work in the spring on the new walls along "
    f"the river, officials said {n}.</p></div>"
    for n in range(6)
)


def test_a_sidebar_of_teasers_taken_for_the_page_gets_a_second_look() -> None:
    """Fast mode can take a sidebar of headlines and pass over an article written as lines
    between breaks; the teaser check then rejected the page. A page with much more text than
    the teasers is read again in full mode, and its article is kept."""
    story = [
        f"The council met on day {n} to talk about the harbour plan and the ferry terminal, and "
        "residents from the old quarter spoke for an hour about the moorings, the rents and the "
        "sea wall."
        for n in range(8)
    ]
    html = (
        "<html><head><title>Harbour</title></head><body><div class='wrap'><span class='story'>"
        f"{'<br><br>'.join(story)}</span></div><div class='more'>{SIDEBAR}</div></body></html>"
    )
    page = processed(html)
    assert page.text.split("\n\n")[: len(story)] == story
    assert page.method == FALLBACK_METHOD


def test_a_page_of_teasers_and_nothing_else_is_still_not_an_article() -> None:
    html = f"<html><head><title>Valley</title></head><body><div>{SIDEBAR}</div></body></html>"
    body = html.encode()
    result = process_page(Page("front.html", body, "html", raw_hash(body)), Config(min_words=1))
    assert isinstance(result, Rejection) and result.reason == "not_an_article"
