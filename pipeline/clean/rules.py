"""The furniture rules: named patterns for lines that are page furniture, not article text.

Every pattern must match a *whole* line (case-insensitive, surrounding space ignored), so an
article sentence that merely contains "share" or "comment" is never touched. ``max_words``
bounds how long a matching line may be. Three kinds of rule:

* ``line``: remove the matching line.
* ``tail``: the line opens the page's footer ("Check Also", "Previous article"): remove it and
  everything after it, but only when it sits in the last part of the page, so a "Next article"
  link above the story cannot swallow the story.
* ``line`` with ``next``: also remove the following line when it is a caption (``caption``)
  or a user name (``username``), as forum software prints them next to its buttons.

A rule whose pattern has to scan the whole line lists in ``needs`` the words a matching line
must contain, so that the regex only runs on the few lines that could match (cleaning stays
under a millisecond per page with some sixty rules). To add a rule, add a row here and a
test line in ``tests/test_clean.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """One named furniture pattern. ``pattern`` is matched against the whole stripped line."""

    name: str
    pattern: re.Pattern[str]
    kind: str = "line"
    max_words: int = 12
    next: str | None = None
    # Lower-case strings of which a matching line must contain one: a cheap test that spares
    # the regex (the costly patterns scan the whole line) on almost every line.
    needs: tuple[str, ...] = ()


def _rule(name: str, regex: str, **options: object) -> Rule:
    return Rule(name, re.compile(regex, re.IGNORECASE), **options)  # type: ignore[arg-type]


# A bibliographic reference: a volume and issue ("7(1)"), a page range after a colon or
# "pp.", a DOI. "Source: Journal 7(1):40-52" is a citation in the text, not a credit line.
_CITATION = r".*(\d+\s*\(\d+\)|:\s*\d+\s*[-–]\s*\d+|\bpp?\.\s*\d|\bdoi\b|\bet al\b)"
_SOCIAL = r"(facebook|twitter|x|whatsapp|telegram|linkedin|reddit|pinterest|email|e-mail)"
_THING = r"(post|article|story|page|link|this)"
# Words that stamp a date on a page, in the languages of the development sets and beyond.
_STAMPED = (
    r"(updated|published|posted|last updated|modified|aktualisiert|veröffentlicht"
    r"|letzte änderung|stand|mis à jour|publié|actualizado|publicado|aggiornato|pubblicato)"
)
# Who is credited: capitalised names, joined by commas, "and", "in" and the like, and the
# words naming their job ("Associated Press writers Alan Fram and Zeke Miller"). A sentence
# of the article that ends "... contributed to this report" has other lower-case words.
_NAME = r"[A-Z][\w.'’-]*"
_NAME_JOIN = r"and|in|from|of|the|de|da|van|von|der|al|writers?|reporters?|correspondents?|staff"
_NAMES = rf"(?-i:(?:{_NAME}|{_NAME_JOIN})(?:[ ,&]+(?:{_NAME}|{_NAME_JOIN}))*)"

# Most kinds are written in the languages of the development sets as well as English: a
# German "Teilen mit:" or a Spanish "Noticias relacionadas" is the same widget as "Share
# this:" or "Related stories". Written so, they took 31 boilerplate snippets out of the
# second development set's pages and none of its article text (README, *Extraction
# quality*).
RULES: tuple[Rule, ...] = (
    _rule("skip_links", r"(skip to (the )?(main )?(content|sidebar|footer|navigation|menu)\s*)+"),
    _rule("share_prompt", rf"share (this|the) {_THING}( (on|via) ({_SOCIAL}|other sites))?\s*:?"),
    _rule("share_prompt", rf"share (on|via) ({_SOCIAL}|other sites)\s*:?"),
    _rule("share_prompt", rf"(share|tweet|email|print)( ({_SOCIAL}|this))?(\s*[|/·]\s*\w+)*"),
    _rule(
        "share_prompt",
        r"(teilen( sie dies)? mit|(diesen |den )?(artikel|beitrag|seite|inhalt) teilen"
        r"|(jetzt |mit freunden )?teilen|partager( (cet|l')article| sur \w+)?"
        r"|compartir( (en|esta) \w+)?|condividi( su \w+)?|udostępnij|compartilhe|compartilhar"
        r"|partilhar|delen( via \w+)?)\s*[:!]?",
        max_words=5,
    ),
    _rule(
        "share_buttons",
        r"(facebook|twitter|google\+|whatsapp|pinterest|linkedin|reddit|telegram|tumblr"
        r"|messenger|flipboard|copy link)",
        max_words=2,
    ),
    _rule("back_link", r"(back to top|voltar|volver|zurück|retour|torna su)\s*[↑^]?", max_words=3),
    _rule(
        "contributor_credit",
        rf"{_NAMES} (also )?contributed (to )?(this )?(report|story|article|reporting)"
        r"( from [\w .,'’-]{2,60})?\.?",
        max_words=60,
        needs=("contributed",),
    ),
    _rule(
        "reporting_credit",
        r"\(?((additional )?reporting|writing|editing|compiled) by [^()]{3,300}\)?\.?",
        max_words=60,
        needs=(" by ",),
    ),
    _rule(
        "coverage_link",
        r"(follow|read|see) (ap'?s|our|more of our) (full |complete |latest )?coverage\b.{0,200}",
        max_words=30,
    ),
    _rule(
        "author_contact",
        r"(reach|contact|email) (the )?(reporters?|writers?|authors?)\b.{0,200}",
        max_words=30,
    ),
    _rule(
        "newsletter_prompt",
        r".{0,200}\b(by subscribing to|sign up for|subscribe to) our "
        r"(daily |free )?newsletters?\.?",
        max_words=40,
        needs=("newsletter",),
    ),
    _rule(
        "promo",
        r"if you (enjoyed|liked|value|appreciate)( reading)? (this|our) "
        r"(article|story|post|journalism|work)\b.{0,400}",
        max_words=80,
    ),
    _rule(
        "reading_time",
        r"(tempo de leitura|reading time|lesezeit|temps de lecture|tiempo de lectura)\s*:?\s*"
        r"\d+\s*\w+|\d+ min(ute)?s? read",
        max_words=6,
    ),
    _rule(
        "date_stamp",
        r"((segunda|terça|quarta|quinta|sexta)-feira|sábado|domingo),? \d{1,2} de \w+ de \d{4}"
        r"( às \d{1,2}:\d{2})?",
        max_words=10,
    ),
    _rule("link_line", r"[\w .'’-]{2,30}:\s*(https?://|www\.)\S+", max_words=6),
    _rule("shortcode", r".*\[[a-z_]+( [^\]]*)?\].*\[/[a-z_]+\].*", max_words=40, needs=("[/",)),
    _rule(
        "promo",
        r".{0,300}\bclick here (for more (information|info|details)"
        r"|to (subscribe|order|sign up)\b.{0,80})\.?",
        max_words=60,
        needs=("click here",),
    ),
    _rule(
        "author_bio",
        r".{0,400}\bfollow (him|her|them|me) on (twitter|facebook|instagram)\b.*",
        max_words=80,
        needs=("follow",),
    ),
    _rule("link_to_post", r"link to (this )?(post|comment|article)"),
    _rule(
        "login_prompt",
        r"(sie sind|du bist) (aktuell |derzeit |noch )?nicht (eingeloggt|angemeldet)\.?"
        r"|(du musst|sie müssen) (eingeloggt|angemeldet) sein,? um .{1,80}",
        max_words=25,
    ),
    _rule(
        "paywall",
        r"(to (view|read|continue reading) the (full|rest of the|whole) (story|article)"
        r"|if you('| a)re (seeing this message but you('| a)re )?already a subscriber"
        r"|pour (lire|découvrir) la suite|pour accéder en illimité"
        r"|(dieser|der) (artikel|beitrag|inhalt) ist (nur |exklusiv )?für abonnenten)\b.{0,300}",
        max_words=60,
    ),
    _rule(
        "paywall",
        r"to read (this|the) (story|article) in full,? you (must|need to|have to) "
        r"(register|subscribe|log in|sign in)\b.{0,200}"
        r"|the full (article|text|story) contains \d[\d,]* words and appears in .{1,120}",
        max_words=40,
        needs=("in full", "full article", "full text", "full story"),
    ),
    _rule(
        "cookie_notice",
        r".{0,200}\b(this (web ?)?site|we|our site)( and our partners)? uses? cookies\b.{0,300}"
        r"|(accept|allow|agree to)( all)? cookies|cookie (policy|settings|preferences)",
        max_words=70,
        needs=("cookie",),
    ),
    _rule(
        "follow_prompt",
        r"(sign in|log in|register) to (follow|comment|reply)( (to )?this)?",
        next="username",
    ),
    _rule("forum_header", r"recommended (posts|topics)", next="username"),
    _rule(
        "read_also",
        r"[»>›(]*\s*(read also|also read|read more|see also|see more|related|watch"
        r"|leggi anche( su)?|lee también|lire aussi|leia também|lesen sie auch)\s*[-:–—].*",
        max_words=30,
    ),
    _rule(
        "comment_prompt",
        r"(leave|post|add|write) a (comment|reply)|\d* ?comments?|reply|tell us what you think\W*",
    ),
    _rule(
        "comment_prompt",
        r"((schreibe|hinterlasse|hinterlassen sie)( jetzt)? einen kommentar|kommentar"
        r" (schreiben|verfassen|hinzufügen)|(keine|\d+) kommentare?( insgesamt)?\s*:?\s*\d*"
        r"|kommentare( insgesamt)?\s*:\s*\d*|deja (un comentario|una respuesta)"
        r"|laisser un commentaire|lascia un commento|deixe (um comentário|uma resposta)"
        r"|laat een reactie achter)"
        r"(\s*\(.{1,80}\))?\W*",
    ),
    _rule("also_on", r"also on [\w.-]+\.[a-z]{2,6}\b.{0,200}", max_words=40, needs=("also on",)),
    _rule("share_prompt", r"(like|enjoy(ed)?) this (story|article)\?\s*share it\b.*"),
    _rule(
        "advert_label",
        r"[*(\[]?\s*(advertisement|anzeige|werbung|sponsored|publicidad|publicité|pubblicità"
        r"|reklama)[)\]]?(\s*[.:,|–—-]\s*.{0,160}| by .{1,80})?",
        max_words=14,
    ),
    _rule(
        "affiliate_disclosure",
        r"if you (buy|purchase) (something|anything|a product) (through|via|from) .{0,200}",
        max_words=50,
        needs=("through", "via", "from"),
    ),
    _rule(
        "copyright",
        r".{0,80}(©|\(c\)|copyright).{0,80}",
        max_words=16,
        needs=("©", "(c)", "copyright"),
    ),
    # A footer row of links that holds the copyright sign and "All rights reserved" is
    # furniture at any length ("About | Careers | © 2008 Example Media. All rights reserved.").
    # A notice that ends an agency's story ("© 2019 Associated Press. All Rights Reserved.
    # This material may not be published ...") is part of the copy the agency sent: only a
    # row of links, with its separators, is matched at this length.
    _rule(
        "copyright",
        r"(?=.*\s[|•·]\s).{0,300}(©|\(c\)|copyright)\s*\d{4}\b.{0,80}?"
        r"(all rights reserved|alle rechte vorbehalten|tous droits réservés"
        r"|todos los derechos reservados|tutti i diritti riservati).{0,300}",
        max_words=60,
        needs=("reserv", "vorbehalten"),
    ),
    _rule(
        "copyright",
        r".{0,80}(all rights reserved|alle rechte vorbehalten|tous droits réservés"
        r"|todos los derechos reservados|tutti i diritti riservati|wszelkie prawa zastrzeżone"
        r"|todos os direitos reservados|alle rechten voorbehouden)\.?",
        max_words=16,
        needs=("reserv", "vorbehalten", "zastrzeżone", "voorbehouden"),
    ),
    _rule(
        "copyright",
        r".{0,200}\b(copyrighted property of|written permission must be obtained"
        r"|materiał chroniony prawem autorskim|vervielfältigung nur mit genehmigung)\b.{0,300}",
        max_words=60,
        needs=("copyrighted", "permission", "chroniony", "vervielfältigung"),
    ),
    _rule("appeared_first", r"the post .+ appeared first on .+", max_words=60),
    _rule(
        "originally_appeared",
        r"(this|the) (article|story|post) (was )?originally "
        r"(appeared|published) (on|in|at) .{1,80}",
        max_words=20,
    ),
    _rule(
        "source_credit",
        rf"(?!{_CITATION})\(?(source|quelle|fuente|fonte|bron|źródło)\s*:\s*.{{1,200}}",
        max_words=25,
    ),
    _rule("disclaimer", r"\(?alle angaben ohne gewähr\)?\.?"),
    _rule(
        "photo_credit",
        r"(photo|image|picture|video)s?( credit)?\s*:\s*.{1,80}",
        max_words=8,
        next="caption",
    ),
    # Where the credit is written in parentheses or in another language it closes the
    # caption rather than opening it, so the line after it stays.
    _rule(
        "photo_credit",
        r"\((photo|image|picture|video)s?( credits?)?\s*:\s*.{1,80}\)"
        r"|\(?(credits?|foto|bild|titelbild|beitragsbild|headerbild|crédits?( photos?)?"
        r"|image illustrative|zdjęcie|fot\.?)s?( credits?)?\s*:\s*.{1,80}",
        max_words=8,
    ),
    _rule(
        "caption_credit",
        r".{10,200}\s/\s*[A-Z][\w.-]*( [A-Z][\w.-]*){0,3}",
        max_words=30,
        needs=("/",),
    ),
    _rule(
        "date_stamp",
        rf"({_STAMPED}( at| on| am| le| el)?\s*:?\s*)?"
        r"((mon|tue|wed|thu|fri|sat|sun)\w*\.?,?\s*)?"
        r"(\d{4}-\d{2}-\d{2}([t ]\d{2}:\d{2}(:\d{2})?([+-]\d{2}:?\d{2}|z)?)?"
        r"|\w{3,9}\.? \d{1,2}(st|nd|rd|th)?,? \d{4}([ ,]+(at )?\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?)?"
        r"|\d{1,2}(st|nd|rd|th)? \w{3,9}\.? \d{4}([ ,]+(at )?\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?)?"
        r"|\d{1,2}[./]\d{1,2}[./](\d{4}|\d{2})(,? \d{1,2}[:.]\d{2}( uhr| h)?)?)\.?",
        max_words=10,
    ),
    _rule(
        "date_stamp",
        r"(updated|published|posted|last updated|modified)( at| on)?\s*:?\s*"
        r"\d{1,2}:\d{2}\s*[ap]\.?m\.?( [a-z]{2,4})?\.?",
        max_words=6,
    ),
    _rule(
        "social_follow",
        rf"(follow|like|join) (us|[\w .'’@-]{{1,60}}) on "
        rf"({_SOCIAL}|instagram|youtube|tiktok|social media)\b.*",
        max_words=25,
    ),
    _rule(
        "author_contact",
        r".*\b(may|can) be (reached|contacted) at\b.*",
        max_words=40,
        needs=("reached", "contacted"),
    ),
    _rule(
        "author_contact",
        r".*\b[\w.+-]+@[\w-]+\.[\w.-]+\b.*(twitter|follow|tips?|contact).*",
        max_words=40,
        needs=("@",),
    ),
    _rule(
        "related_teaser",
        r"[^.!?]{10,200}\[(?-i:[A-Z][A-Z ]{1,20})\]\s*\|?",  # "[SECTION]" in capitals, not "[edit]"
        max_words=30,
        needs=("[",),
    ),
    # "By JANE ROE", "By Jane Roe, Staff Writer": names after "by", and no sentence end.
    _rule(
        "byline",
        r"by:?\s+(?-i:[A-Z][\w.'’-]*)(\s+(?-i:[A-Z][\w.'’-]*|and|&|de|van|von|der|da)){0,5}"
        r"(\s*[,|–—-]\s*(?-i:[A-Z])[\w.'’ &-]{0,40})?",
        max_words=10,
    ),
    _rule(
        "interface",
        r"(advanced search|search( this site)?|log ?in|sign ?in|log ?out|sign ?out|register"
        r"|(increase|decrease|change) (font|text) size|(font|text) size|sponsored links?"
        r"|print( this)?( page| article| story)?|e-?mail (this|a friend)( article| story)?"
        r"|(e-?mail|send) (this )?(article |story )?to a friend|skip (to )?navigation"
        r"|caption|close|enlarge( image| photo)?|image \d+ of \d+|photo \d+ of \d+"
        r"|view (the )?(gallery|slideshow|all photos)|play video|watch video|more videos)\W*",
        max_words=6,
    ),
    # A classified advert's price and place ("£9,450 · North West", "$12,500 | Leeds"). A
    # shape rule: on an HTML page the advert must be a link, so an article's own price list
    # ("- £25 - adult ticket") stays.
    _rule(
        "classified",
        r"[-•*]?\s*[£$€]\s?\d[\d,.]*(\s*(k|ono|o\.n\.o\.))?\s*[·|•–-]\s*[\w .'’-]{2,30}",
        max_words=8,
    ),
    # Another story's headline in a list, stamped with its time ("- Flood watch issued for
    # the valley 4:15 p.m. ET"): a list of the latest headlines. A shape rule: on an HTML
    # page the headline must be a link, so an article's own timetable ("- Doors open at the
    # town hall 7:30 p.m.") stays.
    _rule(
        "timed_headline",
        r"[-•*]\s+[^.!?]{10,160}\s\d{1,2}:\d{2}\s*([ap]\.?m\.?)?(\s+(?-i:[A-Z]{2,4}))?",
        max_words=30,
    ),
    _rule("related_label", r"don'?t miss|most (read|popular|viewed)|trending( now)?"),
    _rule(
        "related_label",
        r"((weitere|mehr|ähnliche|verwandte)( aktuelle)? (artikel|beiträge|themen|news"
        r"|nachrichten|meldungen|stories)( zum thema| (zum thema|aus|von|bei) [\w .'’-]{1,40})?"
        r"|mehr zum thema|zum weiterlesen|((das|dies(es|er)?)( thema| artikel| beitrag)? könnte"
        r"|diese (themen|artikel|beiträge) könnten) (dich|sie|euch) auch interessieren"
        r"|(contenido|artículos|notas|noticias|temas) relacionad[oa]s|te puede interesar"
        r"|más sobre [\w .'’-]{1,40}|articles? (similaires|liés)|sur le même (sujet|thème)"
        r"|(czytaj|zobacz) (też|także|również)|articoli correlati|potrebbe interessarti"
        r"|(artigos|notícias|matérias) relacionad[oa]s|gerelateerde artikelen|lees ook)"
        r"\s*[.:…]*",
        max_words=8,
    ),
    _rule(
        "newsletter_prompt",
        r"([^.!?]{1,80}[.!?] )?(sign up|subscribe)( now| today| here)? (for|to) .{1,120}",
        max_words=25,
        needs=("sign up", "subscribe"),
    ),
    # A prompt opens its sentence with the verb ("Melde dich ...", "Dann abonnieren Sie
    # ..."); a sentence that only mentions subscribing to a newsletter is not one.
    _rule(
        "newsletter_prompt",
        r"(.{0,200}[.!?:]\s)?(then |so |dann |jetzt |hier |¡)?(melde dich|meld dich|abonniere"
        r"|abonnieren sie|schauen sie|inscrivez-vous|abonnez-vous|suscr[ií]bete|zapisz się"
        r"|sign up|subscribe|join|get|receive)\b.{0,120}newsletter\w*\b.{0,120}",
        max_words=40,
        needs=("newsletter",),
    ),
    _rule("newsletter_prompt", r"[\w .'’&-]{1,40} newsletter\s*:?", max_words=4),
    _rule(
        "newsletter_status",
        r"thanks? (you )?for (signing up|subscribing)[.!]*|sorry!?"
        r"|keep an eye on your inbox\b.*|check your inbox\b.*"
        r"|there was an error processing your (subscription|request)\.?"
        r"|an error (has occurred|occurred)[,.]? please try again( later)?\.?",
        max_words=16,
    ),
    _rule(
        "reprint_notice",
        r"(order|buy) reprints|print article|reprints? (and|&) permissions"
        r"|this copy is for your personal,? non-?commercial use only\b.*"
        r"|this (article|story) has been sent to\b.*",
        max_words=80,
        needs=("reprint", "print article", "copy is for", "has been sent"),
    ),
    _rule("author_contact", r"write to [\w .'’-]{2,60} at [\w.+-]+@[\w-]+\.[\w.-]+\.?"),
    _rule(
        "app_promo",
        r"get [\w .'’-]{2,40} on the go by clicking here|download (our|the) [\w .'’-]{2,40} app\.?"
        r"|click here to (get|download) the [\w .'’-]{2,40} app\.?"
        r"|.{0,120}\bdownload (the|our) [\w .'’-]{2,40} apps? for (ios|android)\b.{0,40}",
    ),
    _rule(
        "continue_reading",
        r"(continue reading|read the (full|whole|rest of the) "
        r"(story|article)|read more)\s*(at|on|here)\b.{0,80}",
        max_words=16,
    ),
    _rule(
        "tags",
        r"[-•]?\s*(tags|schlagwörter|schlagworte|stichwörter|kategorien|categories|temas"
        r"|étiquettes|tagi|etiquetas|etichette|trefwoorden)\s*:?",
    ),
    _rule("prev_next", r"(previous|next) (article|post|story)\s*:?.*", kind="tail", max_words=30),
    _rule(
        "prev_next",
        r"((vorschau auf den )?(nächsten|vorherigen) (artikel|beitrag)|(nächster|vorheriger)"
        r" (artikel|beitrag)|article (précédent|suivant)|(artículo|nota) (anterior|siguiente))"
        r"\s*:?.*",
        kind="tail",
        max_words=30,
    ),
    _rule(
        "check_also",
        r"(check also|you (may|might) also like|related (posts|articles|stories)"
        r"|more stories|read next|recommended for you|trending now)\s*[.:…]*",
        kind="tail",
    ),
)

# A tail rule fires only when at least this share of the body's characters comes before it,
# and no paragraph of TAIL_PROSE_WORDS words or more comes after it (the article goes on).
TAIL_MIN_POSITION = 0.5
TAIL_PROSE_WORDS = 60

# A page with a line removed by this rule says it is an excerpt of an article elsewhere.
EXCERPT_RULE = "continue_reading"

# A line in capitals only, of CAPS_TEASER_MIN_WORDS words or more and not ending with a full
# stop or a question mark, is a link to another story (several news sites set them so inside
# the article); shorter ones are subheadings ("HOW TO USE A WATER BATH CANNER").
CAPS_TEASER_RULE = Rule("caps_teaser", re.compile(r".*"))
CAPS_TEASER_MIN_WORDS = 8

# Pattern rules that judge a line by its shape alone: on an HTML page they remove a line
# only when the markup confirms it is navigation (``pipeline/extract/structure.py``).
SHAPE_RULES = frozenset({"caps_teaser", "related_teaser", "timed_headline", "classified"})
# Pattern rules for photo credits that a sentence can also match ("... / Reuters"): on an
# HTML page they remove a line only inside a caption (figcaption, figure, a caption class).
CAPTION_RULES = frozenset({"caption_credit"})

# Rule names for lines removed by context rather than by a pattern.
REPEATED_PARAGRAPH = "repeated_paragraph"
TITLE_LINE = "title_line"
# The title printed again is furniture among the body's first few lines (after a kicker,
# a date or a "Now available" teaser), not further down.
TITLE_LINE_WITHIN = 4
# A bare URL among those first lines is the page's address printed above the story.
OPENING_URL = "opening_url"
BARE_URL = re.compile(r"(https?://|www\.)\S+")
SECTION_LABEL = "section_label"
CAPTION = "photo_caption"
USERNAME = "forum_username"
# A navigation menu the extractor kept: a run of lines (blank lines between them allowed)
# of at most MENU_LONG (words, characters), none ending like a sentence, with at least
# MENU_MIN_LINES entries of at most MENU_ENTRY. The character bound is for scripts written
# without spaces.
MENU = "menu_run"
MENU_MIN_LINES = 10
MENU_ENTRY = (4, 32)
MENU_LONG = (8, 64)
# On an HTML page at least MENU_MIN_LINES entries, and this share of them, must be
# confirmed as navigation by the markup (a menu's headings and dates are not links).
MENU_LINKED = 0.5
# Text of a video player's controls, and runs of GALLERY_MIN_LINES or more captions of a
# photo gallery (``pipeline/extract/structure.py``).
MEDIA_WIDGET = "media_widget"
# Text of an affiliate disclosure or an author biography box (by its class or id).
DISCLOSURE_OR_BIO = "disclosure_or_bio"
# A line of LINKED_TEASER_WORDS or more of which LINKED_TEASER_SHARE is link text: a link
# to another story.
LINKED_TEASER = "linked_teaser"
LINKED_TEASER_WORDS = 5
LINKED_TEASER_SHARE = 0.8
# ... or a label of at most TEASER_LABEL_WORDS words, a colon or », then a link of which
# LABELLED_TEASER_SHARE is link text ("Lea también: ...", "À lire aussi » ...").
TEASER_LABEL_WORDS = 3
LABELLED_TEASER_SHARE = 0.9
GALLERY = "gallery"
GALLERY_MIN_LINES = 10
WIDGET_WORDS = 15  # a player's control text is at most this long
CAPTION_WORDS = 25  # a gallery caption is at most this long
# Links to other posts of a series: PIPE_TITLES_MIN or more lines in a row that read
# "Section | Headline".
PIPE_TITLES = "pipe_titles"
PIPE_TITLES_MIN = 3
# Other stories listed after the article: its last LINK_LIST_MIN or more lines are list items
# of LINK_LIST_MIN_WORDS words or more, at most half of them ending with a full stop.
LINK_LIST = "link_list_tail"
LINK_LIST_MIN = 5
LINK_LIST_MIN_WORDS = 7
# On an HTML page, at least this share of those items hold link text, each item at least
# LIST_ITEM_LINK_SHARE of its words (a linked headline before an unlinked teaser).
LINK_LIST_LINKED = 0.8
LIST_ITEM_LINK_SHARE = 0.15
