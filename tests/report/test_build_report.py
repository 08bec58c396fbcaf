"""The build_report command: a period's report to a file, and its refusals."""

import io

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["2099-2100"], "There is no 2099-2100 reporting period."),
        (["2013"], "is not a fiscal year"),
        (["2013-2014", "--lang", "de"], "Unknown language"),
        (["2013-2014", "--format", "docx"], "Unknown format"),
    ],
)
def test_build_report_refuses_bad_arguments_and_writes_nothing(demo, tmp_path, args, message):
    out = tmp_path / "report.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("build_report", *args, "-o", str(out))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_build_report_refuses_a_missing_folder(demo, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("build_report", "2013-2014", "-o", str(tmp_path / "nowhere" / "r.pdf"))


@pytest.mark.django_db
def test_build_report_writes_html_with_stage_lines(demo, tmp_path):
    out, err = tmp_path / "r.html", io.StringIO()
    call_command("build_report", "2013-2014", "--format", "html", "--lang", "fr", "-o", str(out), stderr=err)
    html = out.read_text(encoding="utf-8")
    assert '<html lang="fr">' in html and "Annexe A\u00a0: Tableau des mesures" in html
    assert [line.split(":")[0] for line in err.getvalue().splitlines()] == ["build_report"] * 3
