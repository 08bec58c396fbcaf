"""A task of Annex A that runs on to another page says so there: "1.13 (continued)", « 1.13 (suite) » (issue #16).
Read from the PDFs load_demo published, page by page, as a reader sees them."""

import re
import subprocess

import pytest
from django.utils import translation
from weasyprint import HTML

from napreport.report.build import render_html
from napreport.report.continued import css_string, row_label
from napreport.report.models import PublishedReport
from napreport.report.pdf import pdf_from_html

pytestmark = pytest.mark.django_db

CONTINUED = {"en": "(continued)", "fr": "(suite)"}
HEADER = {"en": re.compile(r"^\s*Task\s+Deliverable\s+Timeline"), "fr": re.compile(r"^\s*Tâche\s+Produit livrable")}
TASK_CODE = re.compile(r"^\s{0,16}(?P<code>[1-4]\.\d{2})\b")


def chart_pages(period, language):
    """The lines under the column headings of each page of Annex A (pdftotext -layout keeps the columns)."""
    report = PublishedReport.objects.get(period=period, language=language, format=PublishedReport.Format.PDF)
    with report.file.open("rb") as stored:
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=stored.read(), capture_output=True, check=True)
    pages = []
    for page in text.stdout.decode().split("\f"):
        lines = page.splitlines()
        starts = [index for index, line in enumerate(lines) if HEADER[language].match(line)]
        if starts:
            pages.append([line for line in lines[starts[0] + 1 :] if line.strip()])
    return pages


def first_task_line(lines):
    """(task code, its line and the next) of the first line that opens with a task code in the Task column."""
    for index, line in enumerate(lines):
        if match := TASK_CODE.match(line):
            return match["code"], " ".join(lines[index : index + 2])
    return None, ""


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_task_that_runs_on_to_a_page_is_labelled_continued_there_and_a_new_one_is_not(published, language):
    pages = chart_pages(published, language)
    assert len(pages) > 8
    seen, labelled = set(), 0
    for lines in pages:
        code, text = first_task_line(lines)
        assert code is not None
        if code in seen:
            assert f"{code} {CONTINUED[language]}" in " ".join(text.split())
            labelled += 1
        else:
            assert CONTINUED[language] not in text
        seen.update(match["code"] for line in lines if (match := TASK_CODE.match(line)))
    assert labelled >= 5  # the chart really has tasks cut by a page break


@pytest.mark.parametrize(
    ("language", "label"), [("en", 'attr(data-task) " (continued)"'), ("fr", 'attr(data-task) " (suite)"')]
)
def test_a_rows_label_is_its_task_code_and_the_translated_word_in_css(language, label):
    with translation.override(language):
        assert row_label() == label


def test_a_css_string_cannot_end_its_string_or_the_style_element():
    assert css_string('a "b" \\ </style>') == '"a \\"b\\" \\\\ \\3c /style>"'


@pytest.mark.pdf
def test_the_report_is_laid_out_once(published, monkeypatch):
    layouts = []
    render = HTML.render

    def counted(self, *args, **kwargs):
        layouts.append(1)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(HTML, "render", counted)
    pdf = pdf_from_html(render_html(published, "en", for_pdf=True))
    assert pdf.startswith(b"%PDF")
    assert layouts == [1]
