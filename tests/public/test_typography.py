"""French typography on every public page: non-breaking spaces (U+00A0) before : ; ? ! » and after «, typographic
apostrophes, fiscal years and language names written the French way, in the text a visitor sees."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import resolve
from django.utils.translation import override

from commitments.models import PublishedDeliverable, PublishedDepartment
from napreport.public import urls
from napreport.public.typography import NBSP, french_typography
from tests.public.conftest import publish_second_year

pytestmark = pytest.mark.django_db


HIDDEN = ("script", "style", "code")


class VisibleText(HTMLParser):
    """The page's text as a visitor reads it (the title and the body), not its attributes, URLs or scripts, nor
    code (the apostrophe the CSV files put before a formula is a character shown as itself)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    # Text on either side of an inline tag reads as one (« <strong>2013-2014</strong>: … »), so the parts are joined.
    return "".join(parser.parts)


RULES = {
    "a space that is not non-breaking, or none, before : ; ? !": re.compile(r"[^\u00a0\s][:;?!](?=\s|$)| [:;?!]"),
    "no non-breaking space before »": re.compile(r"[^\u00a0]»"),
    "no non-breaking space after «": re.compile(r"«[^\u00a0]"),
    "a typewriter apostrophe": re.compile(r"'"),
    "a fiscal year written « 2013 à 2014 »": re.compile(r"(?<![\d-])\d{4} à \d{4}(?![\d-])"),
    "a language's name capitalised inside a sentence": re.compile(r"\((Anglais|Français)\)"),
}


def typography_errors(html: str) -> list[tuple[str, str]]:
    text = visible_text(html)
    return [
        (rule, text[max(match.start() - 30, 0) : match.end() + 30])
        for rule, pattern in RULES.items()
        for match in pattern.finditer(text)
    ]


def french_pages(published):
    """Every public page type in French: each deliverable and department, the table filtered, refused and paged."""
    deliverables = PublishedDeliverable.objects.filter(period__state="published").values_list(
        "deliverable_id", flat=True
    )
    departments = PublishedDepartment.objects.filter(period=published).values_list("slug", flat=True)
    return [
        "/fr/",
        "/fr/progres/2013-2014/",
        "/fr/progres/2013-2014/?page=2",
        "/fr/progres/2013-2014/?status=ongoing&department=rcmp",
        "/fr/progres/2013-2014/?status=nonsense",  # the message for a filter that is not valid
        "/fr/progres/2013-2014/?q=zzzz",  # no deliverable matches
        "/fr/progres/2014-2015/",
        "/fr/changements/",
        "/fr/changements/?from=2013-2014&to=2014-2015",
        "/fr/telechargements/",
        "/fr/telechargements/dictionnaire-de-donnees/",
        *(["/fr/ministeres/"] if "department-list" in public_page_names() else []),
        "/fr/no-such-page/",  # the 404 page
        *(f"/fr/livrables/{pk}/" for pk in sorted(set(deliverables))),
        *(f"/fr/ministeres/{slug}/" for slug in departments),
    ]


# The public URLs that are files (a report, the open data), not pages with text to read.
FILES = {"report-file", "chart-download", "open-data-file"}


def public_page_names():
    return {pattern.name for pattern in urls.urlpatterns} - FILES


def test_the_french_pages_checked_are_every_public_page_type(published):
    """A page type added to napreport/public/urls.py fails here until test_every_french_public_page… reads it."""
    checked = set()
    for url in french_pages(published):
        if url != "/fr/no-such-page/":  # the 404 page
            with override("fr"):
                checked.add(resolve(urlsplit(url).path).url_name)
    assert checked == public_page_names()


def test_every_french_public_page_follows_french_typography(
    client, demo, published, django_capture_on_commit_callbacks
):
    publish_second_year(demo, published, django_capture_on_commit_callbacks)
    errors: dict[tuple[str, str], str] = {}  # each slip once, with the first page it was found on
    for url in french_pages(published):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        for found in typography_errors(response.content.decode()):
            errors.setdefault(found, url)
    assert not errors, "\n".join(f"{url}: {rule}: {text!r}" for (rule, text), url in errors.items())


def test_the_rules_find_what_the_issue_found():
    """The check catches each slip the issue quotes, so a page that passes it is not passing by accident."""
    slips = [
        "<p>entre 2013 à 2014 et 2014 à 2015</p>",
        "<p>Rapport annuel (Anglais)</p>",
        "<a>Pilier 1: Prévention</a>",
        "<p>Pilier 1 : Prévention</p>",  # an ordinary space
        "<p>l'exploitation</p>",
        "<p>« texte»</p>",
        "<p><strong>2013-2014</strong>: cible</p>",
    ]
    for html in slips:
        assert typography_errors(html), html
    correct = f"<p>Pilier{NBSP}1{NBSP}: l’exploitation «{NBSP}texte{NBSP}»</p><script>a='b';</script>"
    assert not typography_errors(correct)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pilier 1: Prévention", f"Pilier 1{NBSP}: Prévention"),
        ("Pilier 1 : Prévention", f"Pilier 1{NBSP}: Prévention"),
        ("Quoi? Oui! Non; peut-être", f"Quoi{NBSP}? Oui{NBSP}! Non{NBSP}; peut-être"),
        ("«texte»", f"«{NBSP}texte{NBSP}»"),
        ("« texte »", f"«{NBSP}texte{NBSP}»"),
        ("l'exploitation d'aujourd'hui", "l’exploitation d’aujourd’hui"),
        ("https://www.canada.ca à 12:30", "https://www.canada.ca à 12:30"),  # a colon inside a word stays
        (f"Pilier{NBSP}1{NBSP}: déjà fait", f"Pilier{NBSP}1{NBSP}: déjà fait"),  # formatted twice, the same
    ],
)
def test_the_formatter_writes_french_typography(text, expected):
    assert french_typography(text) == expected


def test_english_pages_keep_english_typography(client, published):
    html = client.get("/en/progress/2013-2014/").content.decode()
    assert f"{NBSP}:" not in visible_text(html)
