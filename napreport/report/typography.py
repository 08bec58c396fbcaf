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
