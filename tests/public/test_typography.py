"""French typography on every public page: non-breaking spaces (U+00A0) before : ; ? ! » and after «, typographic
apostrophes, fiscal years and language names written the French way, in the text a visitor sees."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import resolve
from django.utils.translation import override

from commitments.models import PublishedDeliverable, PublishedDepartment, ReportingPeriod
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
    """Every public page type in French, each with the status it answers and a text only that page shows, so that
    a page that is a 404 by mistake, or another page than the one named, fails: each deliverable and lead
    department, the table filtered, refused, searched and paged, the 404 page. The years as they are once
    2014-2015 is published too (publish_second_year), as the typography test reads them."""
    # Each deliverable's task code in its latest published row, the one its page shows (later years last).
    latest_rows = dict(
        PublishedDeliverable.objects.filter(period__state="published")
        .order_by("period__start_year")
        .values_list("deliverable_id", "task_code")
    )
    latest = ReportingPeriod.objects.filter(plan=published.plan, state="published").latest("start_year")
    departments = PublishedDepartment.objects.filter(period=latest).values_list("slug", "name_fr")
    return [
        ("/fr/", 200, "Progrès en 2014-2015</h2>"),
        ("/fr/progres/2013-2014/", 200, "<h1>Progrès en 2013-2014</h1>"),
        ("/fr/progres/2013-2014/?page=2", 200, 'aria-current="page">2<'),
        (
            "/fr/progres/2013-2014/?status=ongoing&department=rcmp",
            200,
            f"(Ministère responsable{NBSP}: GRC{NBSP}; État{NBSP}: En cours)",
        ),
        # The message for a filter that is not valid.
        ("/fr/progres/2013-2014/?status=nonsense", 200, "Certains filtres ne sont pas valides"),
        ("/fr/progres/2013-2014/?q=zzzz", 200, "0 produit livrable sur"),  # no deliverable matches
        ("/fr/progres/2014-2015/", 200, "<h1>Progrès en 2014-2015</h1>"),
        ("/fr/changements/", 200, "ont changé d’état entre 2013-2014 et 2014-2015"),
        ("/fr/changements/?from=2013-2014&to=2014-2015", 200, "ont changé d’état entre 2013-2014 et 2014-2015"),
        ("/fr/telechargements/", 200, "<h1>Rapports et données</h1>"),
        ("/fr/telechargements/dictionnaire-de-donnees/", 200, "<h1>Dictionnaire de données</h1>"),
        ("/fr/ministeres/", 200, "<h1>Ministères responsables</h1>"),
        ("/fr/no-such-page/", 404, "Nous n’avons pas trouvé cette page"),
        *(
            (f"/fr/livrables/{pk}/", 200, f"Produit livrable de la tâche {code}")
            for pk, code in sorted(latest_rows.items())
        ),
        *((f"/fr/ministeres/{slug}/", 200, french_typography(name)) for slug, name in departments),
    ]


# The public URLs that are files (a report, the open data), not pages with text to read.
FILES = {"report-file", "chart-download", "open-data-file"}


def public_page_names():
    return {pattern.name for pattern in urls.urlpatterns} - FILES


def test_the_french_pages_checked_are_every_public_page_type(published):
    """A page type added to napreport/public/urls.py fails here until test_every_french_public_page… reads it."""
    checked = set()
    for url, status, _shown in french_pages(published):
        if status == 200:  # not the 404 page
            with override("fr"):
                checked.add(resolve(urlsplit(url).path).url_name)
    assert checked == public_page_names()


def test_every_french_public_page_follows_french_typography(
    client, demo, published, django_capture_on_commit_callbacks
):
    publish_second_year(demo, published, django_capture_on_commit_callbacks)
    errors: dict[tuple[str, str], str] = {}  # each slip once, with the first page it was found on
    for url, status, shown in french_pages(published):
        response = client.get(url)
        assert response.status_code == status, url
        assert shown in response.content.decode(), (url, shown)
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
