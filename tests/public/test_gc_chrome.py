"""The Canada.ca chrome every public page carries (templates/public/_header.html, _page_details.html, _footer.html):
breadcrumbs from Canada.ca, "Report a problem on this page", "Date modified", the footer, and no script at all."""

import re
from html import unescape
from urllib.parse import unquote

import pytest
from django.conf import settings

from commitments.models import PublishedDeliverable
from napreport.report.typography import french_typography

pytestmark = pytest.mark.django_db


CANADA_EN = ("Canada.ca", "https://www.canada.ca/en.html")
CANADA_FR = ("Canada.ca", "https://www.canada.ca/fr.html")
SITE_FR = ("Progrès du Plan d’action national", "/fr/")
DOWNLOADS_FR = ("Rapports et données", "/fr/telechargements/")


def breadcrumbs(html):
    """(text, address) of each link of the header's breadcrumbs."""
    trail = re.search(r'<nav class="gcds-breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)[1]
    return [(unescape(text), unescape(href)) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', trail)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/en/", [CANADA_EN]),
        ("/en/progress/2013-2014/", [CANADA_EN, ("Progress on the National Action Plan", "/en/")]),
        ("/fr/changements/", [CANADA_FR, SITE_FR]),
        (
            "/fr/telechargements/dictionnaire-de-donnees/",
            [CANADA_FR, SITE_FR, DOWNLOADS_FR],
        ),
    ],
)
def test_the_breadcrumbs_start_at_canada_ca_and_lead_down_to_the_page(client, published, url, expected):
    assert breadcrumbs(client.get(url).content.decode()) == expected


def test_a_deliverable_s_breadcrumbs_lead_through_its_year_and_its_place_in_the_chart(client, published):
    row = PublishedDeliverable.objects.filter(period=published, task_code="1.11").first()
    page = client.get(f"/fr/livrables/{row.deliverable_id}/").content.decode()
    assert breadcrumbs(page)[2:] == [
        ("Progrès en 2013-2014", "/fr/progres/2013-2014/"),
        (f"Pilier 1\u00a0: {french_typography(row.pillar_name_fr)}", "/fr/progres/2013-2014/?pillar=1"),
        ("Objectif 1.1", "/fr/progres/2013-2014/?objective=1.1"),
        (f"Tâche 1.11\u00a0: {french_typography(row.task_title_fr)}", "/fr/progres/2013-2014/?task=1.11"),
    ]
    assert page.count('aria-label="Fil d’Ariane"') == 1  # one trail, not the header's and the page's own


def test_a_department_s_breadcrumbs_lead_through_the_departments_list(client, published):
    assert breadcrumbs(client.get("/fr/ministeres/rcmp/").content.decode())[2:] == [
        ("Ministères responsables", "/fr/ministeres/")
    ]


def test_report_a_problem_names_the_page_from_site_url_whatever_the_host(client, published, settings):
    settings.ALLOWED_HOSTS = ["*"]
    settings.PROBLEM_REPORT_EMAIL = "traite-trafficking@example.gc.ca"
    html = client.get("/fr/progres/2013-2014/?status=ongoing", HTTP_HOST="attacker.example").content.decode()
    href = unescape(re.search(r'<a href="(mailto:[^"]+)">Signaler un problème sur cette page</a>', html)[1])
    address, subject = href.removeprefix("mailto:").split("?subject=")
    assert address == "traite-trafficking@example.gc.ca"
    assert unquote(subject) == f"Problème sur la page {settings.SITE_URL}/fr/progres/2013-2014/?status=ongoing"


def test_date_modified_is_the_last_publication(client, published):
    html = client.get("/en/downloads/").content.decode()
    day = f"{published.published_at.astimezone():%Y-%m-%d}"
    assert f'<dt>Date modified:</dt> <dd><time datetime="{day}">{day}</time></dd>' in html


def test_the_footer_is_canada_ca_s_in_the_page_s_language(client, published):
    english = client.get("/en/").content.decode()
    french = client.get("/fr/").content.decode()
    assert '<a href="https://www.canada.ca/en/transparency/privacy.html">Privacy</a>' in english
    assert '<a href="https://www.canada.ca/fr/transparence/confidentialite.html">Confidentialité</a>' in french
    assert 'aria-labelledby="wordmark-en-title"' in english and 'aria-labelledby="wordmark-fr-title"' in french
    assert 'aria-labelledby="signature-en-title"' in english and 'aria-labelledby="signature-fr-title"' in french


def test_no_public_page_carries_a_script_or_an_inline_style(client, published):
    """The chrome needs no JavaScript, and the CSP (script-src and style-src 'self') would refuse inline ones."""
    for url in ("/en/", "/fr/progres/2013-2014/", "/en/downloads/", "/fr/no-such-page/"):
        html = client.get(url).content.decode()
        assert "<script" not in html and "<style" not in html and " style=" not in html, url
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]
