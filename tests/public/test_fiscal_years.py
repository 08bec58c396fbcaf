"""One fiscal-year style per context (the Canada.ca style guide): "2013 to 2014" in running text, "2013–2014" (an
en dash) in tables and captions, « 2013-2014 » in French in both; URLs keep the ASCII "2013-2014"."""

import re

import pytest
from django.utils import translation

from commitments.models import PublishedDeliverable, Status, fiscal_year_table, fiscal_year_text
from napreport.public.templatetags.public_pages import status_table, status_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text", "table"),
    [("en", "2013 to 2014", "2013–2014"), ("fr", "2013-2014", "2013-2014")],
)
def test_a_fiscal_year_is_written_for_its_context_in_each_language(language, text, table):
    with translation.override(language):
        assert fiscal_year_text(2013) == text
        assert fiscal_year_table(2013) == table


@pytest.mark.parametrize(
    ("language", "in_text", "in_table", "in_report"),
    [
        ("en", "On track for 2014 to 2015", "On track for 2014–2015", "On track for 2014/2015"),
        ("fr", "En bonne voie pour 2014-2015", "En bonne voie pour 2014-2015", "En bonne voie pour 2014/2015"),
    ],
)
def test_a_target_year_is_written_in_the_style_of_its_context(language, in_text, in_table, in_report):
    row = PublishedDeliverable(status=Status.ON_TRACK, target_year=2014)
    with translation.override(language):
        assert status_text(row) == in_text
        assert status_table(row) == in_table
        assert str(row.status_label) == in_report  # the report's, in the language of the page


def test_the_progress_page_writes_years_as_text_and_the_table_as_a_table(client, published):
    english = client.get("/en/progress/2013-2014/?per_page=100").content.decode()
    assert "<h1>Progress in 2013 to 2014</h1>" in english
    assert "<caption>Deliverables, 2013–2014</caption>" in english
    # The Timeline column's cells (each names its column, for the stacked rows on a phone).
    assert not re.search(r'data-label="Timeline"><span class="cell">\d{4}/\d{2}<', english)  # no "2012/13"
    timeline = re.findall(r'data-label="Timeline"><span class="cell">(\d{4}\W\d{4})</span>', english)
    assert timeline and all(re.fullmatch(r"\d{4}–\d{4}", cell) for cell in timeline), timeline
    assert "On track for 2014–2015" in english
    french = client.get("/fr/progres/2013-2014/?per_page=100").content.decode()
    assert "<h1>Progrès en 2013-2014</h1>" in french
    assert "<caption>Produits livrables, 2013-2014</caption>" in french
    assert "En bonne voie pour 2014-2015" in french


def test_the_deliverable_page_writes_its_history_in_the_style_of_each_context(client, published):
    row = PublishedDeliverable.objects.filter(period=published, status=Status.ON_TRACK, target_year=2014).first()
    english = client.get(f"/en/deliverables/{row.deliverable_id}/").content.decode()
    assert '<th scope="row">2013–2014</th><td>On track for 2014–2015</td>' in english  # the table
    assert "On track for 2014 to 2015 in 2013 to 2014." in english  # the sentence under it
    assert f'href="/en/progress/{published.label}/?pillar=' in english  # URLs keep the ASCII year
    french = client.get(f"/fr/livrables/{row.deliverable_id}/").content.decode()
    assert '<th scope="row">2013-2014</th><td>En bonne voie pour 2014-2015</td>' in french
    assert "En bonne voie pour 2014-2015 en 2013-2014." in french


def test_the_home_page_captions_its_summary_as_a_table_and_speaks_of_years_as_text(client, published):
    english = client.get("/en/").content.decode()
    assert "Deliverables by status and pillar, 2013–2014</caption>" in english
    assert "Progress in 2013 to 2014" in english
    french = client.get("/fr/").content.decode()
    assert "Progrès en 2013-2014" in french and "2013 à 2014" not in french


def test_downloads_head_each_year_in_running_text_style(client, published):
    assert "<h2>2013 to 2014</h2>" in client.get("/en/downloads/").content.decode()
    assert "<h2>2013-2014</h2>" in client.get("/fr/telechargements/").content.decode()
