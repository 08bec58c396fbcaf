"""export_chart: the open-data CSV/JSON of a period's chart."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from commitments.models import Deliverable
from napreport.report.exports import COLUMNS
from tests.public.open_data_files import csv_rows

PROJECT = Path(__file__).resolve().parents[2]


def export(*args):
    out = io.StringIO()
    call_command("export_chart", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_csv_has_the_columns_and_one_row_per_deliverable_and_sub_item(demo):
    header, records = csv_rows(export("--period", "2013-2014").encode())
    assert header[:3] == ["Fiscal year", "Pillar number", "Pillar"]  # the columns' titles, in the file's language
    assert len(records) == Deliverable.objects.count()
    assert [r["task"] for r in records] == sorted((r["task"] for r in records), key=lambda c: float(c))
    promote = next(r for r in records if r["text"].startswith("Promote online training tool"))
    assert promote["pillar"] == "Prevention"
    assert (promote["objective"], promote["task"], promote["start"]) == ("1.1", "1.11", "2012/13")
    assert (promote["status"], promote["leads"], promote["new"], promote["parent_id"]) == (
        "Ongoing",
        "PS;JUS",
        "false",
        "",
    )
    items = [r for r in records if r["parent_id"]]
    assert items, "task 1.11's sub-items are exported on their own rows"
    parent_ids = {r["deliverable_id"] for r in records}
    assert all(r["parent_id"] in parent_ids for r in items)
    assert any(r["new"] == "true" for r in records)
    assert any(r["status"].startswith("On track for 20") for r in records)


@pytest.mark.django_db
def test_json_and_french(demo):
    records = json.loads(export("--period", "2013-2014", "--format", "json", "--lang", "fr"))
    assert list(records[0]) == COLUMNS
    assert records[0]["pillar"] == "Prévention"
    promote = next(r for r in records if r["task"] == "1.11" and r["parent_id"] is None)
    assert promote["text"] == Deliverable.objects.get(pk=promote["deliverable_id"]).text_fr
    assert promote["leads"] == "SP;JUS"
    assert promote["status"] == "En cours"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--period", "2099-2100"], "There is no 2099-2100 reporting period."),
        (["--period", "2013"], "is not a fiscal year"),
        (["--period", "2013-2015"], "is not a fiscal year"),
        (["--period", "2013-2014", "--format", "xml"], "Unknown format"),
        (["--period", "2013-2014", "--lang", "de"], "Unknown language"),
    ],
)
def test_bad_arguments_are_refused_with_a_message(demo, args, message):
    with pytest.raises(CommandError, match=message):
        export(*args)


@pytest.mark.slow
@pytest.mark.django_db  # the public tests empty the database cache around each test
def test_an_error_is_one_line_on_stderr_with_nothing_on_stdout():
    result = subprocess.run(
        [sys.executable, "manage.py", "export_chart", "--period", "2013-2014", "--format", "xml"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1"},
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "Unknown format “xml”" in result.stderr
