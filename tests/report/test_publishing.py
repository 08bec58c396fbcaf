"""Publishing a period (napreport.report.publishing): the stored editions' content, structure, languages and PDF
quality; what publishing refuses; a published edition never changes."""

import io
import re
import subprocess
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import translation
from pypdf import PdfReader

from commitments.models import Deliverable, ReportingPeriod, StatusUpdate
from napreport.report.build import report_data
from napreport.report.models import NarrativeSection, PublishedReport
from napreport.report.publishing import PublishingError, publish_period
from napreport.report.typography import french_text


def flat(text):
    return " ".join(text.split())


def stored(period, language, file_format):
    report = PublishedReport.objects.get(period=period, language=language, format=file_format)
    with report.file.open("rb") as file:
        return report, file.read()


def pdf_text(content):
    """The PDF's text in content-stream order (-raw), which is the document's order."""
    result = subprocess.run(["pdftotext", "-raw", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def assert_chart_in_order(text, rows):
    """Every row's text, in chart order, followed by its status and its leads before the next row."""
    text = flat(text)
    positions = []
    start = text.index(flat(str(translation.gettext("Annex A: Action Items Chart"))), text.index("Annex") + 1)
    # The French edition writes its text in French typography (napreport.report.typography).
    typeset = french_text if translation.get_language() == "fr" else str
    for row in rows:
        needle = flat(typeset(row.text.split("\n")[0]))[:30]
        found = text.find(needle, start)
        assert found >= 0, f"{row.task_code}: “{needle}” is missing or out of order"
        positions.append(found)
        start = found + 1
    return positions


def assert_rows_carry_their_cells(text, rows, positions):
    """A row's short cells (status, leads) follow its text before the next row's: the HTML's order."""
    text = flat(text)
    typeset = french_text if translation.get_language() == "fr" else str
    bounds = zip([0, *positions[:-1]], positions, [*positions[1:], len(text)], strict=True)
    for row, (before, here, after) in zip(rows, bounds, strict=True):
        status = typeset(str(row.status_label))
        assert status in text[here:after], (row.task_code, row.text[:40], status)
        if not row.is_item:
            assert row.leads_label.split(", ")[0] in text[before:after], (row.task_code, row.text[:40])


def assert_pages_carry_their_rows_cells(text, rows, positions):
    """The PDF's content stream draws a page's short cells (timelines, statuses, leads) apart from its rows'
    longer texts, so a row's status is not beside its text there (the tag tree, tests/report/test_pdf_tags.py,
    puts each cell in its row), and a row may run on to the next page. Pages are told apart by their "Page N of M"
    line, which the stream may draw before or after a page's content, so a row's page is known to within one.
    Per page: every status the rows that begin there report, as many times as they report it, is within one page
    of it, and so is each lead."""
    text = flat(text)
    typeset = french_text if translation.get_language() == "fr" else str
    footer = re.compile(r"Page \d+ (?:of|de) \d+")
    starts = [match.start() for match in footer.finditer(text)] + [len(text)]
    pages: dict[int, list[int]] = {}
    for index, position in enumerate(positions):
        page = max(number for number, start in enumerate(starts) if start <= position)
        pages.setdefault(page, []).append(index)
    for page, members in pages.items():
        span = text[starts[page - 1] if page else 0 : starts[min(page + 2, len(starts) - 1)]]
        wanted = Counter(typeset(str(rows[index].status_label)) for index in members if rows[index].status_label)
        for status, times in wanted.items():
            assert span.count(status) >= times, (rows[members[0]].task_code, status, times)
        for index in members:
            if not rows[index].is_item:
                assert rows[index].leads_label.split(", ")[0] in span, (rows[index].task_code, rows[index].text[:40])


@pytest.mark.django_db
def test_the_published_pdf_holds_every_deliverable_in_chart_order_with_status_and_leads(published):
    _, content = stored(published, "en", "pdf")
    with translation.override("en"):
        rows = report_data(published)["rows"]
        assert len(rows) == Deliverable.objects.count()
        text = pdf_text(content)
        assert_pages_carry_their_rows_cells(text, rows, assert_chart_in_order(text, rows))


@pytest.mark.django_db
def test_the_published_html_has_the_same_content(published):
    _, content = stored(published, "en", "html")
    html = content.decode()
    text = re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    with translation.override("en"):
        rows = report_data(published)["rows"]
        assert_rows_carry_their_cells(text, rows, assert_chart_in_order(text, rows))
    for heading in [
        "Foreword",
        "Introduction",
        "Progress to Date",
        "Part I: Prevention",
        "Moving Forward",
        "Conclusion",
        "Annex A: Action Items Chart",
        "Annex B: Resources and Links",
        "Key Achievements",
    ]:
        assert heading in html
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_the_french_report_uses_french_texts_and_labels(published):
    _, content = stored(published, "fr", "pdf")
    text = flat(pdf_text(content))
    with translation.override("fr"):
        rows = report_data(published)["rows"]
        french = text.replace("Annex A", "Annexe A")
        assert_pages_carry_their_rows_cells(french, rows, assert_chart_in_order(french, rows))
    assert "Rapport annuel sur les progrès" in text
    assert "Annexe A : Tableau des mesures" in text
    assert "Avant-propos" in text and "Partie I : Prévention" in text
    assert "Terminé" in text and "En cours" in text
    reader = PdfReader(io.BytesIO(content))
    assert f"Page 2 de {len(reader.pages)}" in reader.pages[1].extract_text()
    assert "Foreword" not in text


@pytest.mark.django_db
def test_the_pdf_is_tagged_letter_sized_titled_and_numbered(published):
    _, content = stored(published, "en", "pdf")
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE)
    assert "(letter)" in info
    assert "Annual Report on Progress 2013-2014" in info
    reader = PdfReader(io.BytesIO(content))
    pages = len(reader.pages)
    assert f"Page 2 of {pages}" in reader.pages[1].extract_text()
    assert reader.pdf_header.endswith("1.7")
    assert "/Lang" in reader.trailer["/Root"]


@pytest.mark.django_db
def test_the_table_of_contents_matches_the_headings_and_their_pages(published):
    _, content = stored(published, "en", "pdf")
    reader = PdfReader(io.BytesIO(content))
    toc = flat(reader.pages[2].extract_text()).split("Table of Contents", 1)[1]  # after the cover and colophon
    entries = re.findall(r"([A-Z][^.]*?[A-Za-z)])\s*\.{3,}\s*(\d+)", toc)
    titles = [title.strip() for title, _ in entries]
    assert titles[:3] == ["Foreword", "Introduction", "Progress to Date"]
    assert "Annex A: Action Items Chart" in titles and titles[-1] == "Annex B: Resources and Links"
    for title, page in entries:
        page_text = flat(reader.pages[int(page) - 1].extract_text())
        assert title.strip() in page_text, f"“{title}” is not on page {page}"


@pytest.mark.django_db
def test_publishing_stores_each_file_once_with_its_checksum(published):
    reports = PublishedReport.objects.filter(period=published)
    assert sorted(reports.values_list("language", "format")) == [
        ("", "datapackage"),  # one package for both languages' files
        ("en", "all-years-csv"),
        ("en", "csv"),
        ("en", "html"),
        ("en", "json"),
        ("en", "pdf"),
        ("fr", "all-years-csv"),
        ("fr", "csv"),
        ("fr", "html"),
        ("fr", "json"),
        ("fr", "pdf"),
    ]
    import hashlib

    for report in reports:
        with report.file.open("rb") as file:
            content = file.read()
        assert hashlib.sha256(content).hexdigest() == report.sha256
        assert len(content) == report.size


def write_narrative(period, source):
    for section in NarrativeSection.objects.filter(period=source):
        section.pk, section.id, section.period = None, None, period
        section.save()


@pytest.mark.django_db
def test_publishing_refuses_with_the_list_of_what_is_missing(demo):
    open_period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    open_period.start_review()  # publishing needs the review step
    with pytest.raises(PublishingError) as refused:
        publish_period(open_period)
    assert any("Foreword" in message for message in refused.value.missing)
    assert len(refused.value.missing) == 10
    write_narrative(open_period, ReportingPeriod.objects.get(plan=demo, start_year=2013))
    NarrativeSection.objects.filter(period=open_period, key="conclusion").update(body_fr="")
    Deliverable.objects.filter(task__code="2.12").update(text_fr="")
    with pytest.raises(PublishingError) as refused:
        publish_period(open_period)
    assert len(refused.value.missing) == 3
    assert any("Conclusion" in message for message in refused.value.missing)
    assert sum("task 2.12" in message for message in refused.value.missing) == 2
    open_period.refresh_from_db()
    assert not open_period.is_published
    assert not PublishedReport.objects.filter(period=open_period).exists()


@pytest.mark.pdf
@pytest.mark.django_db
def test_a_published_report_never_changes_afterwards(demo, tmp_path):
    open_period = ReportingPeriod.objects.select_related("plan").get(plan=demo, start_year=2014)
    write_narrative(open_period, ReportingPeriod.objects.get(plan=demo, start_year=2013))
    StatusUpdate.objects.filter(period=open_period, deliverable__task__code="1.12").update(status="ongoing")
    open_period.start_review()  # publishing needs the review step
    publish_period(open_period)
    before = {
        (r.language, r.format): (r.sha256, stored(open_period, r.language, r.format)[1])
        for r in open_period.published_reports.all()
    }
    assert "Ongoing" in pdf_text(before[("en", "pdf")][1])

    deliverable = Deliverable.objects.get(task__code="1.12")
    deliverable.text_en = "EDITED AFTER PUBLICATION"
    deliverable.save()
    NarrativeSection.objects.filter(period=open_period).update(body_en="<p>EDITED AFTER PUBLICATION</p>")

    after = {
        (r.language, r.format): (r.sha256, stored(open_period, r.language, r.format)[1])
        for r in open_period.published_reports.all()
    }
    assert after == before
    out = tmp_path / "live.pdf"
    call_command("build_report", "2014-2015", "-o", str(out), stderr=io.StringIO())
    chart = flat(pdf_text(out.read_bytes())).split("Annex A: Action Items Chart")[-1].split("Annex B")[0]
    assert "EDITED AFTER PUBLICATION" not in chart
    assert "Develop a diagnostic tool designed for use at the local level" in chart
    with pytest.raises(PublishingError):
        publish_period(open_period)
