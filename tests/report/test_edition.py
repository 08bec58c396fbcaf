"""The report as a Government of Canada publication (issue #16): the cover's identity, the colophon, the edition's
catalogue numbers and ISBNs (entered, validated, required to publish except for 2013-2014), the page footer."""

import io
import re
import subprocess

import pikepdf
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from commitments.models import ReportingPeriod
from napreport.report.build import render_html
from napreport.report.edition import needs_numbers, page_footer, validate_catalogue_number, validate_isbn
from napreport.report.models import PublishedReport
from napreport.report.publishing import missing_for_publication
from tests.report.editions import NUMBERS
from tests.report.test_pdf_tags import document_element, elements, role

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"


@pytest.fixture
def next_edition(demo):
    """2014-2015, its narrative copied from 2013-2014, without its numbers."""
    period = ReportingPeriod.objects.select_related("plan").get(plan=demo, start_year=2014)
    ReportingPeriod.objects.filter(pk=period.pk).update(**dict.fromkeys(NUMBERS, ""))
    for section in period.plan.periods.get(start_year=2013).narrative_sections.all():
        section.pk, section.period = None, period
        section.save()
    period.refresh_from_db()
    return period


@pytest.mark.parametrize("isbn", ["978-0-660-00001-5", "9780660000015", "979-8-88888-888-9"])
def test_an_isbn_13_with_a_correct_check_digit_is_accepted(isbn):
    validate_isbn(isbn)


@pytest.mark.parametrize(
    ("isbn", "code"),
    [
        ("978-0-660-00001-4", "check_digit"),
        ("0-660-00001-5", "invalid"),
        ("978-0-660-0000A-5", "invalid"),
        ("", "invalid"),
    ],
)
def test_a_wrong_isbn_is_refused_saying_why(isbn, code):
    with pytest.raises(ValidationError) as refused:
        validate_isbn(isbn)
    assert refused.value.code == code


def test_a_catalogue_number_names_its_edition_s_language():
    validate_catalogue_number("PS1-15/2015E-PDF", "en")
    validate_catalogue_number("PS1-15/2015F-PDF", "fr")
    with pytest.raises(ValidationError) as refused:
        validate_catalogue_number("PS1-15/2015F-PDF", "en")
    assert refused.value.code == "language"
    for wrong in ("PS1-15", "ps1-15/2015E-PDF", "PS1-15/15E-PDF", "PS1-15/2015E PDF"):
        with pytest.raises(ValidationError):
            validate_catalogue_number(wrong, "en")


def test_publishing_refuses_an_edition_without_its_numbers_in_both_languages(next_edition):
    with translation.override("en"):
        missing = missing_for_publication(next_edition)
    assert missing == [
        "The English edition has no catalogue number: enter it on the period’s page.",
        "The English edition has no ISBN: enter it on the period’s page.",
        "The French edition has no catalogue number: enter it on the period’s page.",
        "The French edition has no ISBN: enter it on the period’s page.",
    ]
    with translation.override("fr"):
        missing = missing_for_publication(next_edition)
    assert (
        missing[0]
        == f"L’édition anglaise n’a pas de numéro de catalogue{NBSP}: saisissez-le sur la page de la période."
    )
    assert len(missing) == 4


def test_publishing_refuses_a_malformed_number_and_accepts_good_ones(next_edition):
    ReportingPeriod.objects.filter(pk=next_edition.pk).update(**{**NUMBERS, "isbn_fr": "978-0-660-00002-3"})
    next_edition.refresh_from_db()
    with translation.override("en"):
        assert missing_for_publication(next_edition) == [
            "The French edition’s ISBN is not valid: This ISBN’s last digit (its check digit) does not match the "
            "others: check it for a typing error."
        ]
    ReportingPeriod.objects.filter(pk=next_edition.pk).update(**NUMBERS)
    next_edition.refresh_from_db()
    assert missing_for_publication(next_edition) == []


def test_the_2013_2014_edition_publishes_without_numbers_and_prints_none(published):
    """The source gives no numbers for 2013-2014: its colophon leaves the line out rather than invent them."""
    assert not needs_numbers(published)
    assert missing_for_publication(published) == []
    with translation.override("en"):
        html = render_html(published, "en")
    colophon = html[html.index('class="colophon"') : html.index("</section>", html.index('class="colophon"'))]
    assert "©" in colophon and "Cat. No." not in colophon and "ISBN" not in colophon


def test_the_coordinator_enters_the_numbers_on_the_period_page_and_a_bad_one_is_refused(client, next_edition):
    client.force_login(get_user_model().objects.get(username="coordinator"))
    url = reverse("admin:commitments_reportingperiod_change", args=[next_edition.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data = {name: value for name, value in data.items() if value is not False}
    bad = {**data, **NUMBERS, "isbn_en": "978-0-660-00001-4", "catalogue_number_fr": "PS1-15/2015E-PDF"}
    refused = client.post(url, bad)
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert set(errors) == {"isbn_en", "catalogue_number_fr"}
    next_edition.refresh_from_db()
    assert next_edition.isbn_en == "" and next_edition.catalogue_number_fr == ""
    saved = client.post(url, {**data, **NUMBERS, "isbn_en": " 978-0-660-00001-5 "})
    assert saved.status_code == 302
    next_edition.refresh_from_db()
    assert next_edition.isbn_en == "978-0-660-00001-5" and next_edition.catalogue_number_fr == "PS1-15/2015F-PDF"


def test_the_cover_carries_the_signature_the_wordmark_the_publisher_and_the_period(published):
    english, french = render_html(published, "en"), render_html(published, "fr")
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="Government of Canada"', english)
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="Gouvernement du Canada"', french)
    assert 'alt="Symbol of the Government of Canada"' in english
    assert 'alt="Symbole du gouvernement du Canada"' in french
    assert "Public Safety Canada" in english and "Sécurité publique Canada" in french
    assert '<p class="cover-period">2013-2014</p>' in english


def test_the_colophon_names_the_crown_the_numbers_and_the_other_edition(next_edition):
    ReportingPeriod.objects.filter(pk=next_edition.pk).update(**NUMBERS)
    next_edition.refresh_from_db()
    year = timezone.now().year
    english, french = render_html(next_edition, "en"), render_html(next_edition, "fr")
    assert (
        f"© His Majesty the King in Right of Canada, as represented by the Minister of Public Safety, {year}"
    ) in english
    assert "Cat. No.: PS1-15/2015E-PDF<br>ISBN: 978-0-660-00001-5" in english
    assert (
        f'<p lang="fr">Aussi disponible en français sous le titre{NBSP}: <cite>Plan d’action national de lutte contre '
        f"la traite de personnes{NBSP}: Rapport annuel sur les progrès 2014-2015</cite></p>"
    ) in english
    assert (
        f"© Sa Majesté le Roi du chef du Canada, représenté par le ministre de la Sécurité publique, {year}" in french
    )
    assert f"Nº de cat.{NBSP}: PS1-15/2015F-PDF<br>ISBN{NBSP}: 978-0-660-00002-2" in french
    assert (
        '<p lang="en">Also available in English under the title: <cite>National Action Plan to Combat Human '
        "Trafficking: Annual Report on Progress 2014-2015</cite></p>"
    ) in french  # English inside the French edition keeps English typography


def test_the_page_footer_is_one_sentence_with_the_page_counters():
    with translation.override("en"):
        assert page_footer() == '"Page " counter(page) " of " counter(pages)'
    with translation.override("fr"):
        assert page_footer() == '"Page " counter(page) " de " counter(pages)'


def pdf_text(content):
    return subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@pytest.mark.parametrize(
    ("language", "signature", "colophon", "footer"),
    [
        ("en", "Government of Canada", "© His Majesty the King in Right of Canada", "Page 2 of"),
        ("fr", "Gouvernement du Canada", "© Sa Majesté le Roi du chef du Canada", "Page 2 de"),
    ],
)
def test_the_published_pdf_has_the_identity_as_figures_and_the_colophon_on_page_2(
    published, language, signature, colophon, footer
):
    content = PublishedReport.objects.get(period=published, language=language, format="pdf").file.read()
    pdf = pikepdf.open(io.BytesIO(content))
    figures = [str(element.get("/Alt")) for element in elements(document_element(pdf)) if role(element) == "/Figure"]
    wordmark = "Symbol of the Government of Canada" if language == "en" else "Symbole du gouvernement du Canada"
    assert figures[:2] == [signature, wordmark]
    pages = pdf_text(content).split("\f")
    assert {"en": "Public Safety Canada", "fr": "Sécurité publique Canada"}[language] in pages[0]
    assert colophon in pages[1] and footer in pages[1]
    assert "Cat. No." not in pages[1] and "ISBN" not in pages[1]  # 2013-2014: the source gives none
