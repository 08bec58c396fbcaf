"""What the report's records call themselves in the staff screens, the history and the logs: words a coordinator
reads, in their language, never a number or a stored code."""

import pytest
from django.utils.translation import override

from commitments.models import ReportingPeriod
from napreport.report.models import Publication, PublishedFigures, PublishedReport

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "file_format", "english", "french"),
    [
        ("en", "pdf", "2013-2014 report, English PDF", "Rapport 2013-2014, PDF en anglais"),
        ("fr", "html", "2013-2014 report, French HTML", "Rapport 2013-2014, HTML en français"),
        ("fr", "csv", "2013-2014 open data, French CSV", "Données ouvertes 2013-2014, CSV en français"),
        ("en", "json", "2013-2014 open data, English JSON", "Données ouvertes 2013-2014, JSON en anglais"),
        (
            "en",
            "all-years-csv",
            "2013-2014 open data, English CSV of all years",
            "Données ouvertes 2013-2014, CSV de toutes les années en anglais",
        ),
        ("", "datapackage", "2013-2014 open data, data package", "Données ouvertes 2013-2014, paquet de données"),
    ],
)
def test_a_published_file_names_its_year_kind_language_and_format(published, language, file_format, english, french):
    report = PublishedReport.objects.get(period=published, language=language, format=file_format)
    with override("en"):
        assert str(report) == english
    with override("fr"):
        assert str(report) == french


def test_a_publication_names_its_year_and_its_stage(demo):
    publication = Publication.objects.create(
        period=ReportingPeriod.objects.get(plan=demo, start_year=2014), stage=Publication.Stage.RENDERING_EN_PDF
    )
    with override("en"):
        assert str(publication) == "Publication of 2014-2015: Rendering the English PDF"
    with override("fr"):
        assert str(publication) == "Publication de 2014-2015\u00a0: Production du PDF anglais"


def test_published_figures_name_their_year(published):
    figures = PublishedFigures.objects.store(published)
    with override("en"):
        assert str(figures) == "Published figures of 2013-2014"
    with override("fr"):
        assert str(figures) == "Chiffres publiés de 2013-2014"
