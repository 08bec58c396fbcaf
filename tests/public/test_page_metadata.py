"""Every public page carries the Canada.ca metadata: "<page title> - <site> - Canada.ca", a description, Dublin Core
(title, language, creator, issued, modified), a canonical address and its alternates in English and French."""

from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.conf import settings

from commitments.models import PublishedDeliverable, ReportingPeriod
from tests.public.conftest import publish_second_year

pytestmark = pytest.mark.django_db


class Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, dict[str, str]] = {}
        self.links: list[dict[str, str]] = []
        self.title, self.in_title, self.body = "", False, False

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "meta" and "name" in attrs:
            self.meta[attrs["name"]] = attrs
        elif tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
            self.links.append(attrs)
        self.in_title = tag == "title" and not self.body  # the page's title, not an SVG chart's
        self.body = self.body or tag == "body"

    def handle_endtag(self, tag):
        self.in_title = False

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def head(response) -> Head:
    parsed = Head()
    parsed.feed(response.content.decode())
    return parsed


def page_paths(published):
    """(English path, French path) of each public page type: each language has its own words."""
    deliverable = PublishedDeliverable.objects.filter(period=published).first().deliverable_id
    return [
        ("/", "/"),
        ("/progress/2013-2014/", "/progres/2013-2014/"),
        ("/progress/2013-2014/?status=ongoing", "/progres/2013-2014/?status=ongoing"),
        (f"/deliverables/{deliverable}/", f"/livrables/{deliverable}/"),
        ("/departments/", "/ministeres/"),
        ("/departments/rcmp/", "/ministeres/rcmp/"),
        ("/changes/", "/changements/"),
        ("/downloads/", "/telechargements/"),
        ("/downloads/data-dictionary/", "/telechargements/dictionnaire-de-donnees/"),
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_public_page_has_the_canada_ca_metadata(client, published, language):
    published_on = f"{published.published_at.astimezone():%Y-%m-%d}"
    creator = {
        "en": "Government of Canada, Public Safety Canada",
        "fr": "Gouvernement du Canada, Sécurité publique Canada",
    }
    site = {"en": "Progress on the National Action Plan", "fr": "Progrès du Plan d’action national"}[language]
    for english, french in page_paths(published):
        url = f"/{language}{english if language == 'en' else french}"
        page = head(client.get(url))
        title = page.meta["dcterms.title"]["content"]
        # "<page> - <site> - Canada.ca"; the site's home is "<site> - Canada.ca".
        assert title and page.title == (f"{title} - Canada.ca" if english == "/" else f"{title} - {site} - Canada.ca")
        assert len(page.meta["description"]["content"]) > 50, url
        assert page.meta["dcterms.language"] == {
            "name": "dcterms.language",
            "title": "ISO639-2/T",
            "content": {"en": "eng", "fr": "fra"}[language],
        }, url
        assert page.meta["dcterms.creator"]["content"] == creator[language], url
        assert page.meta["dcterms.issued"]["content"] == published_on, url
        assert page.meta["dcterms.modified"]["content"] == published_on, url
        assert [link for link in page.links if link["rel"] == "canonical"] == [
            {"rel": "canonical", "href": f"{settings.SITE_URL}{url}"}
        ], url
        alternates = {link["hreflang"]: link["href"] for link in page.links if link["rel"] == "alternate"}
        assert alternates == {
            "en-CA": f"{settings.SITE_URL}/en{english}",
            "fr-CA": f"{settings.SITE_URL}/fr{french}",
        }, url


def test_titles_name_the_page_in_its_language(client, published):
    assert head(client.get("/en/")).title == "Progress on the National Action Plan - Canada.ca"
    assert head(client.get("/fr/")).title == "Progrès du Plan d’action national - Canada.ca"
    assert (
        head(client.get("/en/progress/2013-2014/")).title
        == "Progress in 2013 to 2014 - Progress on the National Action Plan - Canada.ca"
    )
    assert (
        head(client.get("/fr/progres/2013-2014/")).title
        == "Progrès en 2013-2014 - Progrès du Plan d’action national - Canada.ca"
    )
    assert (
        head(client.get("/fr/ministeres/rcmp/")).title
        == "Gendarmerie royale du Canada - Progrès du Plan d’action national - Canada.ca"
    )
    french_404 = head(client.get("/fr/livrables/999999/"))
    assert french_404.title == "Page introuvable - Progrès du Plan d’action national - Canada.ca"
    assert french_404.meta["dcterms.title"]["content"] == "Page introuvable"


def test_a_page_about_one_year_was_issued_when_that_year_was_published(
    client, published, demo, django_capture_on_commit_callbacks
):
    """dcterms.issued: the publication of the year a page is about; dcterms.modified: the latest publication."""
    later = publish_second_year(demo, published, django_capture_on_commit_callbacks)
    # 2013-2014 as if it had been published in the autumn of 2014, so that the two dates differ.
    ReportingPeriod.objects.filter(pk=published.pk).update(published_at=datetime(2014, 11, 3, 15, tzinfo=UTC))
    later.refresh_from_db()
    latest = f"{later.published_at.astimezone():%Y-%m-%d}"
    deliverable = PublishedDeliverable.objects.filter(period=published).first().deliverable_id
    # The year's table, and a deliverable first published that year (its page shows every year since).
    for url in ("/en/progress/2013-2014/", f"/fr/livrables/{deliverable}/"):
        page = head(client.get(url))
        assert page.meta["dcterms.issued"]["content"] == "2014-11-03", url
        assert page.meta["dcterms.modified"]["content"] == latest != "2014-11-03", url
    assert head(client.get("/en/progress/2014-2015/")).meta["dcterms.issued"]["content"] == latest
    home = head(client.get("/en/"))
    assert home.meta["dcterms.issued"]["content"] == home.meta["dcterms.modified"]["content"] == latest


def test_the_addresses_are_built_on_site_url_not_on_the_request_host(client, published, settings):
    """A cached page is given to everybody: a forged Host header must not end up in its links."""
    settings.ALLOWED_HOSTS = ["*"]
    page = head(client.get("/en/downloads/", HTTP_HOST="attacker.example"))
    assert all(link["href"].startswith(settings.SITE_URL + "/") for link in page.links)
