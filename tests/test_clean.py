"""The cleaner: furniture named by the issue is removed; article sentences are never touched."""

from __future__ import annotations

import pytest

from pipeline.clean.lines import clean_lines, match_rule
from pipeline.config import Config
from pipeline.records import Page
from pipeline.run.process import process_page
from pipeline.sources.common import raw_hash
from tests.conftest import SEEDS

FURNITURE = [
    "Share this post",
    "Link to post",
    "Share on other sites",
    "Sign in to follow this",
    "Recommended Posts",
    "Skip to content skip to sidebar Skip to footer",
    "»READ ALSO - Is Russia the new master of the Arab world?",
    "Leave a comment",
    "CJFAI © 2023. All Rights Reserved.",
    "Share this article on WhatsApp:",
    "Previous articleSuicide Bomber Explodes near NY Port Authority, Police Evacuating",
    "Next articleGeneral Allenby Enters Jerusalem",
    "Check Also",
    "Syrian boxer qualifies for semi-finals at the 19th Asian Games",
    "The post Russia’s Putin visits Syria airbase and orders start of pullout appeared first on",
    "Deeq A.",
    "Source: BBC",
    "Photo Credit: SANA",
]

# One paragraph from each seed (prefixes), spread over beginning, middle and end.
BODY = [
    "Russian President Vladimir Putin on Monday asked his Defense Ministry",
    "Back in August, the chief of the Russian General Staff",
    "Damascus, SANA-President Bashar al-Assad met with Russian President",
    "The President added that President Putin’s visit to Syria",
    "Russian President Vladimir Putin, who visited the Khmeimim Airbase",
    "“Our armed forces, the defense industry enterprises",
    "Vladimir Putin made a surprise stop on Monday afternoon",
    "Moscow did not appreciate a recent statement by French Defense Minister",
    "President Vladimir Putin has ordered the partial withdrawal",
    "The UK-based monitoring group has documented the deaths",
]

TITLES = {
    "001_fb80b004c884d67f.txt": "President al-Assad meets President Putin: what the Russian "
    "military personnel have achieved will not be forgotten by the Syrian people",
    "002_27080cf69ea37d3a.txt": "Vladimir Putin Orders Military Withdrawl from Syria",
    "004_9d2138d442778ec7.txt": "Russia’s Putin visits Syria airbase and orders start of pullout",
}


def _processed() -> dict[str, Page]:
    pages = {}
    for path in sorted(SEEDS.glob("*.txt")):
        body = path.read_bytes()
        result = process_page(Page(path.name, body, "text", raw_hash(body)), Config())
        assert isinstance(result, Page), result
        pages[path.name] = result
    return pages


PAGES = _processed()
ALL_TEXT = "\n".join(page.text for page in PAGES.values())


@pytest.mark.parametrize("line", FURNITURE)
def test_seed_furniture_is_gone(line: str) -> None:
    assert line not in ALL_TEXT


@pytest.mark.parametrize("start", BODY)
def test_seed_body_paragraphs_are_kept(start: str) -> None:
    assert start in ALL_TEXT


def test_every_seed_paragraph_survives_unless_removed_by_a_rule() -> None:
    for name, page in PAGES.items():
        removed = {item.line for item in page.removed}
        original = (SEEDS / name).read_text(encoding="utf-8").splitlines()
        for line in (line.strip() for line in original):
            if line and line not in removed and line != page.title:
                assert line in page.text, (name, line)


def test_titles_found_where_the_file_has_one() -> None:
    for name, title in TITLES.items():
        assert PAGES[name].title == title
        assert not PAGES[name].text.startswith(title)
    assert PAGES["003_3a21dc28efb05b9a.txt"].title is None


def test_repeated_lede_is_removed_once() -> None:
    lede = "The Russian president made a stopover on Monday at the Hmeimim base"
    assert PAGES["003_3a21dc28efb05b9a.txt"].text.count(lede) == 1


def test_removed_lines_are_kept_with_their_rule() -> None:
    rules = {(item.line, item.rule) for page in PAGES.values() for item in page.removed}
    assert ("Sign in to follow this", "follow_prompt") in rules
    assert ("Deeq A.", "forum_username") in rules
    assert ("Leave a comment", "comment_prompt") in rules
    assert ("Check Also", "check_also") in rules


@pytest.mark.parametrize(
    "sentence",
    [
        "Investors share the view that rates will fall.",
        "Werbung ist wichtig für die Finanzierung von Zeitungen.",
        "Researchers from three universities and the port authority contributed to this report.",
        "Share prices fell sharply on Monday after the announcement.",
        "He declined to comment on the report.",
        "Check also the fine print, officials warned the crowd before the vote began.",
        "The previous article of the treaty was struck out in 1999.",
        "HOW TO USE A WATER BATH CANNER",
        "WILL SOMEONE STAND UP FOR THE ESTABLISHMENT AT LAST TONIGHT?",
        "| HD | THE HOME DEPOT INC. | 225.86 | -12.99 | -5.44% |",
        "5:20 p.m.",
        "Source: a senior official who asked not to be named said the talks had stalled "
        "because neither side would move on the border question, and that a deal was far off.",
    ],
)
def test_sentences_with_furniture_words_are_kept(sentence: str) -> None:
    assert match_rule(sentence) is None
    kept, removed = clean_lines(["Opening paragraph of the story.", "", sentence])
    assert sentence in kept and not removed


def test_tail_rule_does_not_swallow_a_story_below_it() -> None:
    """Regression: a "Next article" link at the top of a page must not remove the article."""
    lines = ["Next article: Markets rally", ""] + [f"Paragraph {i} of the story." for i in range(8)]
    kept, removed = clean_lines(lines)
    assert [item.rule for item in removed] == ["prev_next"]
    assert "Paragraph 7 of the story." in kept


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Thanks for signing up!", "newsletter_status"),
        ("Keep an eye on your inbox for the latest sports news.", "newsletter_status"),
        ("There was an error processing your subscription.", "newsletter_status"),
        ("An error has occurred, please try again later.", "newsletter_status"),
        ("Order Reprints", "reprint_notice"),
        (
            "This copy is for your personal, non-commercial use only. To order copies...",
            "reprint_notice",
        ),
        ("Write to Al Root at allen.root@dowjones.com", "author_contact"),
        ("GET FOX BUSINESS ON THE GO BY CLICKING HERE", "app_promo"),
        ("You may also like...", "check_also"),
        ("Also on rt.com Journalists threatened with sedition arrests", "also_on"),
        ("Like this story? Share it with a friend!", "share_prompt"),
        (
            "If you buy something through this post, IGN may get a share of the sale.",
            "affiliate_disclosure",
        ),
        ("Follow @BGRDeals on Twitter to keep up with the latest deals.", "social_follow"),
        ("Tell us what YOU think...", "comment_prompt"),
        ("SEE MORE: Hong Kong protests: 800 students under siege", "read_also"),
        ("(Leggi anche su: I Cavalieri dello Zodiaco: ecco gli attori –FOTO)", "read_also"),
        ("DON'T MISS", "related_label"),
        ("China furious at Macron for Hong Kong protest jibe [INSIGHT]|", "related_teaser"),
        ("There's plenty more. Sign up for The Water Coolest today.", "newsletter_prompt"),
        ("CLICK HERE TO GET THE FOX NEWS APP", "app_promo"),
        ("- Tags:", "tags"),
        ("Facebook", "share_buttons"),
        ("Back to top", "back_link"),
        ("Updated at 1:23 p.m.", "date_stamp"),
        ("Listen: http://po.st/TP_615", "link_line"),
        ('[button link="http://x.test/" type="big"] Send us YOUR review[/button]', "shortcode"),
        ("Get the magazine every month for £11.99. Click here for more information.", "promo"),
        ("His book is out now. Follow him on Twitter @michaeldwall.", "author_bio"),
        ("LAUREN ALAINA SAYS 'DWTS' HAS HELPED HER LOSE 25 POUNDS", "caps_teaser"),
        ("(Reporting by Will Dunham; Editing by Tom Brown)", "reporting_credit"),
        ("Click here to subscribe to The Paradigm Newsletter", "promo"),
        ("Fox News’ Jessica Napoli contributed to this report.", "contributor_credit"),
        ("Follow AP's full coverage of Brexit at https://www.apnews.com/Brexit", "coverage_link"),
        ("Reach the reporters on Twitter at http://twitter.com/MegKinnardAP", "author_contact"),
        (
            "Get the top headlines every morning by subscribing to our newsletter.",
            "newsletter_prompt",
        ),
        ("If you enjoyed this article, we have a proposition for you: join us.", "promo"),
        ("Tempo de leitura: 1 minuto", "reading_time"),
        ("segunda-feira, 22 de janeiro de 2018 às 0:13", "date_stamp"),
        ("23.10.2018", "date_stamp"),
        ("Letzte Änderung 14.02.2019", "date_stamp"),
        ("Mis à jour le 05/10/2018", "date_stamp"),
        ("Anzeige, enthält Affiliate Links", "advert_label"),
        ("Sponsored by Acme Bank", "advert_label"),
    ],
)
def test_widget_and_reprint_lines_are_furniture(line: str, rule: str) -> None:
    assert match_rule(line).name == rule


# The same kinds of furniture as they are written on pages in other languages (our own
# lines, in the wording these widgets use).
@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Teilen mit:", "share_prompt"),
        ("Diesen Beitrag teilen", "share_prompt"),
        ("Partager sur Twitter", "share_prompt"),
        ("Compartir en Facebook", "share_prompt"),
        ("Compartilhe:", "share_prompt"),
        ("Lascia un commento", "comment_prompt"),
        ("Deixe uma resposta", "comment_prompt"),
        ("Todos os direitos reservados.", "copyright"),
        ("Alle rechten voorbehouden", "copyright"),
        ("Fonte: Agenzia Ansa", "source_credit"),
        ("Bron: ANP", "source_credit"),
        ("Articoli correlati", "related_label"),
        ("Notícias relacionadas", "related_label"),
        ("Lees ook:", "related_label"),
        ("Etiquetas:", "tags"),
        ("Foto: Stadtwerke Musterstadt", "photo_credit"),
        ("(Bild: Erika Muster)", "photo_credit"),
        ("Titelbild: Hafen bei Nacht, Archiv", "photo_credit"),
        ("Crédit photo : AFP / Jean Dupont", "photo_credit"),
        ("(Credit: Jane Doe / Example Wire)", "photo_credit"),
        ("Quelle: Statistisches Landesamt", "source_credit"),
        ("Fuente: Ministerio de Salud", "source_credit"),
        ("(Alle Angaben ohne Gewähr)", "disclaimer"),
        ("© 2031 Musterverlag. Alle Rechte vorbehalten.", "copyright"),
        ("Todos los derechos reservados.", "copyright"),
        (
            "This article is the copyrighted property of Example News. Written permission must "
            "be obtained before reprint.",
            "copyright",
        ),
        ("Weitere Artikel zum Thema", "related_label"),
        ("Das könnte Sie auch interessieren:", "related_label"),
        ("Noticias relacionadas", "related_label"),
        ("Dieser Beitrag könnte Sie auch interessieren:", "related_label"),
        ("Vorschau auf den nächsten Artikel", "prev_next"),
        ("Article précédent : La mairie rouvre la piscine", "prev_next"),
        ("Czytaj także:", "related_label"),
        ("Schlagwörter:", "tags"),
        ("Kategorien", "tags"),
        ("Schreibe einen Kommentar", "comment_prompt"),
        ("Keine Kommentare (Kommentare werden vor dem Erscheinen geprüft)", "comment_prompt"),
        ("Sie sind derzeit nicht angemeldet.", "login_prompt"),
        ("Du musst angemeldet sein, um einen Kommentar zu schreiben.", "login_prompt"),
        ("To read the full story, please subscribe to The Example Post.", "paywall"),
        ("Pour lire la suite de cet article, abonnez-vous.", "paywall"),
        ("Melde dich jetzt für unseren Newsletter an!", "newsletter_prompt"),
        ("Example Daily Newsletter", "newsletter_prompt"),
        ("For breaking news, download the Example News app for iOS and Android.", "app_promo"),
        ("If you enjoyed reading this post, please consider supporting us.", "promo"),
    ],
)
def test_furniture_in_other_languages(line: str, rule: str) -> None:
    assert match_rule(line).name == rule


@pytest.mark.parametrize(
    "sentence",
    [
        "Weitere Informationen gibt es beim Bürgeramt der Stadt.",
        "Die Forscher teilen mit, dass die Messungen im Mai beginnen.",
        "Quelle des Streits war ein Gutachten, das der Rat im Frühjahr bestellt hatte.",
        "Mehr Themen als im Vorjahr standen diesmal auf der Tagesordnung des Parlaments.",
        "Der Verlag hat alle Rechte an dem Roman an einen Filmproduzenten verkauft.",
        "Sie sind aktuell nicht erreichbar, sagte ein Sprecher des Unternehmens.",
        "The company said it would get rid of its print newsletter next year.",
        "Readers who subscribe to the newsletter pay nothing, the publisher said.",
    ],
)
def test_sentences_in_other_languages_with_furniture_words_are_kept(sentence: str) -> None:
    assert match_rule(sentence) is None


def test_a_menu_keeps_its_entries_a_rule_took_out_of_it() -> None:
    """Share buttons inside a menu are taken by their rule; the rest of the menu is still
    one run of ten entries and goes too."""
    menu = ["Start", "Partager sur Facebook", "Partager sur Twitter", "Archiv", "Kontakt"]
    menu += ["Impressum", "Presse", "Termine", "Galerie", "Links"]
    story = ["Der Rat hat den Haushalt am Dienstag beschlossen.", ""]
    kept, removed = clean_lines(story + menu)
    assert kept == story
    assert {item.rule for item in removed} == {"menu_run", "share_prompt"}


def test_a_long_run_of_menu_lines_is_removed_but_a_short_list_stays() -> None:
    menu = ["Contatos", "Funcionários", "Órgãos Municipais", "Diário Oficial", "Leis Municipais"]
    story = ["The council approved the budget on Tuesday.", ""]
    ingredients = ["2 pears", "1 cup honey", "1 lemon", "1 tsp cinnamon", ""]
    kept, removed = clean_lines(menu * 2 + story + ingredients + story)
    assert {item.rule for item in removed} == {"menu_run"} and len(removed) == 10
    assert kept[: len(story)] == story and "1 cup honey" in kept


def test_a_closing_list_of_other_stories_goes_but_recipe_steps_stay() -> None:
    story = ["The Browns lost on Thursday night.", ""]
    others = [f"- Headline number {i} Teaser about another game this week" for i in range(6)]
    kept, removed = clean_lines(story + others)
    assert {item.rule for item in removed} == {"link_list_tail"} and kept == story
    steps = [
        f"- Step {i}: stir the pears and honey over a low heat for ten minutes." for i in range(6)
    ]
    kept, removed = clean_lines(story + steps)
    assert not removed


def test_runs_of_section_and_headline_lines_are_links_to_other_posts() -> None:
    story = ["The installation opened in Milan on Tuesday.", ""]
    series = [f"Milan Design Week 2018 | Installation number {i}" for i in range(4)]
    kept, removed = clean_lines(story + series)
    assert kept == story and {item.rule for item in removed} == {"pipe_titles"}
    kept, removed = clean_lines([*story, "Milan Design Week 2018 | Installation"])
    assert not removed


def test_the_title_part_and_the_page_address_above_the_story_go() -> None:
    lines = ["https://news.test/2019/football", "", "Is Football Violence a Crime?", ""]
    body = [f"Paragraph {i} about on-field fights." for i in range(3)] + ["https://x.test/a"]
    kept, removed = clean_lines(lines + body, title="Opinion | Is Football Violence a Crime?")
    assert [item.rule for item in removed] == ["opening_url", "title_line"]
    assert kept[-1] == "https://x.test/a"


def test_removed_lines_record_the_paragraph_they_stood_before() -> None:
    from pipeline.clean.lines import clean_lines

    lines = ["Sign in to follow this", "", "Putin flew in.", "", "Share this post", "Troops left."]
    _, removed = clean_lines(lines)
    assert [(r.line, r.paragraph) for r in removed] == [
        ("Sign in to follow this", 0),
        ("Share this post", 1),
    ]


def test_a_headline_taken_from_the_body_moves_the_places_up() -> None:
    from pipeline.clean.lines import clean
    from pipeline.extract.html import take_headline
    from pipeline.records import Page

    page = Page(source="a.txt", body=b"", kind="text", raw_hash="x")
    page.lines = [
        "Putin orders the withdrawal of troops",
        "",
        "Troops left.",
        "",
        "Share this post",
    ]
    take_headline(clean(page))
    assert page.title == "Putin orders the withdrawal of troops"
    assert [(r.line, r.paragraph) for r in page.removed] == [("Share this post", 1)]


# Kinds of furniture seen in the sets we keep apart, pinned with lines of our own.
@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("By JANE ROE", "byline"),
        ("By Jane Roe and John Doe, Staff Writers", "byline"),
        ("Advanced Search", "interface"),
        ("Increase font size", "interface"),
        ("E-mail this story to a friend", "interface"),
        ("Image 3 of 12", "interface"),
        ("- Flood watch issued for the river valley 4:15 p.m. ET", "timed_headline"),
        (
            "This site uses cookies to improve your experience. By continuing to browse you "
            "agree to our use of cookies.",
            "cookie_notice",
        ),
        ("Accept all cookies", "cookie_notice"),
        ("To read this article in full, you must register or log in.", "paywall"),
        (
            "The full article contains 812 words and appears in the Valley Courier newspaper.",
            "paywall",
        ),
        (
            "Home | About us | Careers | Privacy | Terms of use | © 2008 Valley Media Group Inc. "
            "All rights reserved. | Contact the newsroom | Advertise with us",
            "copyright",
        ),
        ("Posted on March 3rd, 2021 at 9.15 am", "date_stamp"),
        ("3rd March 2021, 09:15", "date_stamp"),
        ("Published:Monday, Mar 3, 2008", "date_stamp"),
        ("12 March 2008 9:05 AM", "date_stamp"),
        ("£9,450 · North West", "classified"),
        ("$12,500 | Leeds", "classified"),
    ],
)
def test_furniture_kinds_from_the_sets_kept_apart(line: str, rule: str) -> None:
    assert match_rule(line).name == rule


@pytest.mark.parametrize(
    "sentence",
    [
        # A citation is the article's evidence, not a credit line.
        "Source: Roe J, Doe A et al. Walking in later life. Journal of Ageing 7(2):40-52",
        # An encyclopedia's section heading with its edit link is not a teaser.
        "References[edit]",
        # The notice a news agency puts under its own story is part of what it sent.
        "© 2019 Valley Wire Service. All Rights Reserved. This material may not be "
        "published, broadcast, rewritten or redistributed.",
        "By the end of the week the river had fallen below the flood mark.",
        "- 9:30 Doors open at the town hall for the public meeting",
        "The council said the site uses cookies from a bakery in its logo, a joke nobody got.",
        "£9,450 was raised for the lifeboat station · the most in its history.",
    ],
)
def test_lines_like_those_kinds_that_are_article_text_stay(sentence: str) -> None:
    kept, removed = clean_lines(["Opening paragraph of the story.", "", sentence])
    assert sentence in kept and not removed


def test_a_related_posts_label_inside_the_article_takes_only_itself() -> None:
    """A "Related posts:" label with a paragraph of prose after it stands inside the
    article: the label goes, the article after it stays. At the foot, it takes the list."""
    story = [f"Paragraph {i} of the story about the flood and the town." for i in range(6)]
    prose = " ".join(["The water rose again on Friday night and reached the square."] * 8)
    kept, removed = clean_lines([*story, "Related posts:", "Other story", prose])
    assert [item.rule for item in removed] == ["check_also"] and prose in kept
    kept, removed = clean_lines([*story, "Related posts:", "Other story", "Another story"])
    assert kept == story and {item.rule for item in removed} == {"check_also"}
