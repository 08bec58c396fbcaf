"""robots.txt and sitemap.xml: every public page in both languages, only published content, never the staff
screens; cached like the pages."""

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils.translation import override

from commitments.models import Deliverable, PublishedDeliverable, ReportingPeriod
from tests.public.caches import LOCMEM
from tests.public.conftest import MARKER, publish_second_year

pytestmark = pytest.mark.django_db

NAMESPACES = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


def sitemap_entries(client):
    """{location: {language: alternate location}} of sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return {
        url.findtext("s:loc", namespaces=NAMESPACES): {
            link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NAMESPACES)
        }
        for url in root.findall("s:url", NAMESPACES)
    }


def test_robots_txt_keeps_crawlers_out_of_the_staff_screens_and_names_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in lines


def test_the_sitemap_lists_every_public_page_in_both_languages(client, published):
    deliverables = PublishedDeliverable.objects.filter(period=published).values_list("deliverable_id", flat=True)
    leading = {
        department.slug
        for row in PublishedDeliverable.objects.filter(period=published).prefetch_related("leads")
        for department in published.published_departments.filter(department__in=row.leads.all())
    }
    pages = [("public:home", {}), ("public:changes", {}), ("public:downloads", {})]
    pages += [("public:progress", {"year": "2013-2014"})]
    pages += [("public:deliverable-detail", {"pk": pk}) for pk in deliverables]
    pages += [("public:department-detail", {"slug": slug}) for slug in leading]
    pages += [("public:data-dictionary", {}), ("public:department-list", {})]
    entries = sitemap_entries(client)
    # Each page under its own address in each language: /en/progress/2013-2014/, /fr/progres/2013-2014/.
    addresses = [{language: address(name, kwargs, language) for language in ("en", "fr")} for name, kwargs in pages]
    assert set(entries) == {page[language] for page in addresses for language in ("en", "fr")}
    assert "/fr/progres/2013-2014/" in addresses[3]["fr"]
    for page in addresses:
        expected = {**page, "x-default": page["en"].replace("/en/", "/", 1)}
        assert entries[page["en"]] == entries[page["fr"]] == expected
    assert not any("/admin/" in location for location in entries)


def address(name, kwargs, language):
    with override(language):
        return settings.SITE_URL + reverse(name, kwargs=kwargs)


def test_every_address_in_the_sitemap_is_a_page(client, published):
    for location in sitemap_entries(client):
        path = location.removeprefix(settings.SITE_URL)
        assert client.get(path).status_code == 200, path


def test_the_sitemap_shows_no_draft_year_deliverable_or_department(client, draft_marker):
    draft = Deliverable.objects.get(text_en__startswith=MARKER)
    locations = " ".join(sitemap_entries(client))
    assert "2014-2015" not in locations
    assert f"/deliverables/{draft.pk}/" not in locations


def test_the_sitemap_gains_a_year_when_it_is_published(client, demo, published, django_capture_on_commit_callbacks):
    assert f"{settings.SITE_URL}/fr/progres/2014-2015/" not in sitemap_entries(client)
    publish_second_year(demo, published, django_capture_on_commit_callbacks)
    assert ReportingPeriod.objects.filter(state="published").count() == 2
    assert f"{settings.SITE_URL}/fr/progres/2014-2015/" in sitemap_entries(client)  # the cache was emptied


@override_settings(CACHES=LOCMEM)  # so that a read of the page cache is not itself a database query
def test_robots_and_the_sitemap_are_cached_like_the_pages(client, published, django_assert_num_queries):
    for url in ("/sitemap.xml", "/robots.txt"):
        first = client.get(url)
        assert "public" in first["Cache-Control"] and first.has_header("ETag")
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content == first.content


def test_the_sitemap_ignores_the_host_it_was_asked_on(client, published, settings):
    settings.ALLOWED_HOSTS = ["*"]
    locations = sitemap_entries_for(client, "attacker.example")
    assert locations and all(location.startswith(settings.SITE_URL + "/") for location in locations)


def sitemap_entries_for(client, host):
    root = ET.fromstring(client.get("/sitemap.xml", HTTP_HOST=host).content)
    return [url.findtext("s:loc", namespaces=NAMESPACES) for url in root.findall("s:url", NAMESPACES)]
