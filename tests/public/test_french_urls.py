"""French pages have French addresses (/fr/progres/2013-2014/), the language toggle lands on the same page with the
same filters, and the French addresses in English words they had before still work (a 301 to the French one)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils.translation import override

from commitments.models import PublishedDeliverable

pytestmark = pytest.mark.django_db


def french(name, **kwargs):
    with override("fr"):
        return reverse(f"public:{name}", kwargs=kwargs)


def test_every_public_page_has_its_address_in_french_words(published):
    pk = PublishedDeliverable.objects.filter(period=published).first().deliverable_id
    assert french("home") == "/fr/"
    assert french("progress", year="2013-2014") == "/fr/progres/2013-2014/"
    assert french("deliverable-detail", pk=pk) == f"/fr/livrables/{pk}/"
    assert french("department-detail", slug="rcmp") == "/fr/ministeres/rcmp/"
    assert french("changes") == "/fr/changements/"
    assert french("downloads") == "/fr/telechargements/"
    assert (
        french("report-file", year="2013-2014", language="fr", file_format="pdf")
        == "/fr/telechargements/2013-2014/rapport-annuel-fr.pdf"
    )
    assert (
        french("chart-download", year="2013-2014", file_format="csv")
        == "/fr/telechargements/2013-2014/tableau-des-mesures.csv"
    )
    with override("en"):
        assert reverse("public:progress", kwargs={"year": "2013-2014"}) == "/en/progress/2013-2014/"


def test_the_french_addresses_are_the_pages(client, published):
    pk = PublishedDeliverable.objects.filter(period=published).first().deliverable_id
    for url in (
        "/fr/progres/2013-2014/",
        f"/fr/livrables/{pk}/",
        "/fr/ministeres/rcmp/",
        "/fr/changements/",
        "/fr/telechargements/",
        "/fr/telechargements/2013-2014/tableau-des-mesures.csv",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == "fr", url


def toggle(html):
    """The language toggle's address (the link in the header's language selection)."""
    found = re.search(r'<a class="gcds-lang-toggle" href="([^"]+)"', html)
    assert found, "no language toggle"
    return found[1].replace("&amp;", "&")


def test_the_language_toggle_keeps_the_page_and_its_filters(client, published):
    english = "/en/progress/2013-2014/?status=ongoing&department=rcmp&sort=status&page=1"
    french_page = urlsplit(toggle(client.get(english).content.decode()))
    assert french_page.path == "/fr/progres/2013-2014/"
    filters = {"status": ["ongoing"], "department": ["rcmp"], "sort": ["status"], "page": ["1"]}
    assert parse_qs(french_page.query) == filters
    back = urlsplit(toggle(client.get(f"{french_page.path}?{french_page.query}").content.decode()))
    assert (back.path, parse_qs(back.query)) == ("/en/progress/2013-2014/", filters)
    pk = PublishedDeliverable.objects.filter(period=published).first().deliverable_id
    assert toggle(client.get(f"/fr/livrables/{pk}/").content.decode()) == f"/en/deliverables/{pk}/"
    assert toggle(client.get("/en/departments/rcmp/?page=1").content.decode()) == "/fr/ministeres/rcmp/?page=1"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/fr/progress/2013-2014/", "/fr/progres/2013-2014/"),
        ("/fr/progress/2013-2014/?status=ongoing&page=2", "/fr/progres/2013-2014/?status=ongoing&page=2"),
        ("/fr/departments/rcmp/", "/fr/ministeres/rcmp/"),
        ("/fr/changes/?from=2013-2014", "/fr/changements/?from=2013-2014"),
        ("/fr/downloads/", "/fr/telechargements/"),
        ("/fr/downloads/2013-2014/annual-report-fr.pdf", "/fr/telechargements/2013-2014/rapport-annuel-fr.pdf"),
        ("/fr/downloads/2013-2014/action-items.json", "/fr/telechargements/2013-2014/tableau-des-mesures.json"),
        ("/en/progres/2013-2014/", "/en/progress/2013-2014/"),  # and the other way round
    ],
)
def test_an_address_in_the_other_language_s_words_redirects_permanently(client, published, old, new):
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_the_old_address_of_a_deliverable_redirects_to_its_french_one(client, published):
    pk = PublishedDeliverable.objects.filter(period=published).first().deliverable_id
    response = client.get(f"/fr/deliverables/{pk}/", follow=True)
    assert response.redirect_chain == [(f"/fr/livrables/{pk}/", 301)]
    assert response.status_code == 200


def test_an_address_that_is_no_page_in_either_language_is_a_french_404(client, published):
    response = client.get("/fr/no-such-page/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_an_old_address_answers_only_get_and_head(client, published):
    response = client.post("/fr/progress/2013-2014/")
    assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")
