"""French typography of the report and the public pages: one formatter for the text they show.

The rule, as the Government of Canada's French style guides (Le guide du rédacteur) ask: a non-breaking space
(U+00A0, one kind for every sign, so that every browser and font renders it) before « : », « ; », « ? », « ! »
and « » », and after « « »; typographic apostrophes (’) instead of typewriter ones (').

The translated interface strings are written this way in locale/fr/LC_MESSAGES/django.po; this formatter is for
the data the pages and the report show (deliverable texts, notes, names), applied at display by the `typography`
filter of napreport.public.templatetags.public_pages and by the report's builder (napreport.report.build), in
French only: English keeps its own rules. It lives in the report app so that both can use it (the report may not
import the public site); napreport.public.typography re-exports it.
"""

import re

from django.utils.translation import get_language

NBSP = "\u00a0"

# Spaces (ordinary, thin, narrow or non-breaking) before a high sign, or none: a colon, semicolon, question or
# exclamation mark that ends a word and is followed by a space, the end of the text or other punctuation.
# A colon inside a word or a number (https://, 12:30) is left alone.
HIGH_SIGN = re.compile(r"[ \t\u2009\u202f\u00a0]*([:;?!])(?=\s|$|[»)\].,;:!?])")
CLOSING_GUILLEMET = re.compile(r"[ \t\u2009\u202f\u00a0]*»")
OPENING_GUILLEMET = re.compile(r"«[ \t\u2009\u202f\u00a0]*")
# A typewriter apostrophe after a letter (l'exploitation, aujourd'hui): a quotation mark would stand apart.
APOSTROPHE = re.compile(r"(?<=\w)'")


def french_typography(text: str) -> str:
    """ "Pilier 1: l'exploitation «texte»" → "Pilier 1 : l’exploitation « texte »" (non-breaking spaces)."""
    text = APOSTROPHE.sub("’", text)
    text = HIGH_SIGN.sub(lambda match: f"{NBSP}{match[1]}", text)
    text = CLOSING_GUILLEMET.sub(f"{NBSP}»", text)
    return OPENING_GUILLEMET.sub(f"«{NBSP}", text)


def typography(text: str) -> str:
    """The text as the page's language writes it: French typography on French pages, unchanged in English."""
    return french_typography(text) if get_language() == "fr" else text


# The French report's HTML, cut into what the pass leaves alone (style sheets, comments, tags with their
# attributes) and the text between them.
MARKUP = re.compile(r"(<style\b.*?</style>|<script\b.*?</script>|<!--.*?-->|<[^>]*>)", re.DOTALL | re.IGNORECASE)
ENTITY = re.compile(r"(&#?\w+;)")
LANG = re.compile(r"""\slang\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
TAG_NAME = re.compile(r"</?\s*([\w:-]+)")
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# A fiscal year as the chart's Timeline and statuses print it in English (2012/13, 2014/2015), outside any address.
SLASHED_YEAR = re.compile(r"(?<![\w/])(\d{4})/(\d{2}|\d{4})(?![\w/])")


def french_fiscal_years(text: str) -> str:
    """ "2012/13" and "2014/2015" → « 2012-2013 », « 2014-2015 », as French writes a fiscal year."""

    def french(match: re.Match[str]) -> str:
        start, end = int(match[1]), match[2]
        if int(end) not in (start + 1, (start + 1) % 100):
            return match[0]  # not a fiscal year (a date, a fraction)
        return f"{start}-{start + 1}"

    return SLASHED_YEAR.sub(french, text)


# What french_text may change: an entity, an apostrophe, a high sign, a guillemet, a slashed year. The report's
# runs of text between tags are mostly the template's indentation and plain words, which it then leaves as they
# are without trying each rule (a third of the French report's pass).
MAY_CHANGE = re.compile(r"[&':;?!«»/]")


def french_text(text: str) -> str:
    """One run of text between tags: its entities kept, the rest given French typography and fiscal years."""
    if not MAY_CHANGE.search(text):
        return text
    text = text.replace("&#x27;", "'").replace("&#39;", "'").replace("&nbsp;", NBSP)
    pieces = ENTITY.split(text)
    return "".join(
        piece if index % 2 else french_fiscal_years(french_typography(piece)) for index, piece in enumerate(pieces)
    )


def french_html(html: str) -> str:
    """A French document's text with French typography and fiscal years, wherever it comes from (the translated
    strings, the chart's data, the narrative), except inside an element in another language (`lang="en"`)."""
    pieces = MARKUP.split(html)
    stack: list[tuple[str, bool]] = []  # each open element: its tag, and whether it is in another language
    for index, piece in enumerate(pieces):
        if index % 2 == 0:
            if piece and not (stack and stack[-1][1]):
                pieces[index] = french_text(piece)
            continue
        if piece.startswith("<!") or piece.lower().startswith(("<style", "<script")):
            continue
        name_match = TAG_NAME.match(piece)
        if not name_match:
            continue
        name = name_match[1].lower()
        if piece.startswith("</"):
            while stack:
                if stack.pop()[0] == name:
                    break
        elif name not in VOID_ELEMENTS and not piece.endswith("/>"):
            lang = LANG.search(piece)
            inherited = stack[-1][1] if stack else False
            other = not lang[1].lower().startswith("fr") if lang else inherited
            stack.append((name, other))
    return "".join(pieces)
