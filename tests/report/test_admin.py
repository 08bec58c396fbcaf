"""The report's admin: the coordinator previews any period's draft report and moves periods through their
lifecycle (review, publish); others cannot."""

import hashlib
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from pypdf import PdfReader

from commitments.models import ReportingPeriod
from napreport.report.models import NarrativeSection
from tests.commitments.staff_requests import ROLES, client_for


def preview_url(period, language="en", file_format="html"):
    return reverse("admin:napreport_report_preview", args=[period.pk, language, file_format])


@pytest.fixture
def open_period(demo):
    return ReportingPeriod.objects.get(plan=demo, start_year=2014)


@pytest.mark.pdf
@pytest.mark.django_db
def test_the_coordinator_previews_the_draft_in_html_and_pdf(client, open_period):
    client.force_login(get_user_model().objects.get(username="coordinator"))
    listing = client.get(reverse("admin:napreport_narrativesection_changelist"))
    assert preview_url(open_period, "fr", "pdf") in listing.content.decode()
    html = client.get(preview_url(open_period, "fr"))
    assert html.status_code == 200
    assert "ÉBAUCHE" in html.content.decode()
    assert "unsafe-inline" in html["Content-Security-Policy"] and "script-src" not in html["Content-Security-Policy"]
    pdf = client.get(preview_url(open_period, "en", "pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) > 1  # WeasyPrint's whole report, not a placeholder


@pytest.mark.django_db
def test_others_cannot_preview(client, open_period):
    assert client.get(preview_url(open_period)).status_code == 302  # to the sign-in page
    client.force_login(get_user_model().objects.get(username="rcmp"))
    assert client.get(preview_url(open_period)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("language, file_format", [("de", "html"), ("en", "docx")])
def test_unknown_language_or_format_is_404(client, open_period, language, file_format):
    client.force_login(get_user_model().objects.get(username="coordinator"))
    assert client.get(preview_url(open_period, language, file_format)).status_code == 404


@pytest.mark.django_db
def test_the_narrative_of_a_published_period_is_read_only(client, demo):
    client.force_login(get_user_model().objects.get(username="coordinator"))
    section = ReportingPeriod.objects.get(plan=demo, start_year=2013).narrative_sections.get(key="foreword")
    url = reverse("admin:napreport_narrativesection_change", args=[section.pk])
    before = list(NarrativeSection.objects.order_by("pk").values())
    response = client.post(url, {"title_en": "Changed"})
    assert response.status_code == 403
    assert list(NarrativeSection.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_narrative_html_is_sanitised_on_save(open_period):

    section = NarrativeSection.objects.create(
        period=open_period,
        key="foreword",
        title_en="Foreword",
        body_en='<p onclick="x()">Kept <a href="javascript:alert(1)">link</a><script>alert(1)</script>'
        '<a href="https://example.gc.ca">ok</a></p><p class="footnote">n</p><div style="x">div</div>',
    )
    section.refresh_from_db()
    assert (
        "onclick" not in section.body_en and "<script" not in section.body_en and "javascript:" not in section.body_en
    )
    assert '<a href="https://example.gc.ca">ok</a>' in section.body_en
    assert '<p class="footnote">n</p>' in section.body_en
    assert "<div" not in section.body_en and "div" in section.body_en


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_publish_and_period_actions(role, demo):
    period = ReportingPeriod.objects.get(plan=demo, start_year=2014)
    response = client_for(role).post(
        reverse("admin:commitments_reportingperiod_changelist"),
        {"action": "start_review", "_selected_action": [period.pk]},
    )
    period.refresh_from_db()
    assert (period.state == "in_review") is (role == "coordinator")
    if role == "coordinator":
        response = client_for(role).post(
            reverse("admin:commitments_reportingperiod_changelist"),
            {"action": "publish", "_selected_action": [period.pk]},
            follow=True,
        )
        assert "was not published" in response.content.decode() and "Foreword" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, shown",
    [
        ("en-CA", "Simple formatting only: paragraphs (&lt;p&gt;), lists (&lt;ul&gt;, &lt;ol&gt;, &lt;li&gt;)"),
        ("fr-CA", "paragraphes (&lt;p&gt;), listes (&lt;ul&gt;, &lt;ol&gt;, &lt;li&gt;)"),
    ],
)
def test_the_narrative_forms_formatting_help_names_the_tags_as_text(client, demo, language, shown):
    client.force_login(get_user_model().objects.get(username="coordinator"))
    page = client.get(reverse("admin:napreport_narrativesection_add"), HTTP_ACCEPT_LANGUAGE=language)
    description = page.content.decode().split('<div class="description">')[1].split("</div>")[0]
    assert shown in description
    assert "<" not in description  # no empty link, no list item outside a list


def copy_url(period):
    return reverse("admin:commitments_reportingperiod_copy_narrative", args=[period.pk])


def narrative_state():
    """Every section and every history record of one: what a refused copy must leave as it was."""
    return (
        list(NarrativeSection.objects.order_by("pk").values()),
        list(NarrativeSection.history.order_by("history_id").values()),
    )


@pytest.mark.django_db
def test_the_coordinator_copies_last_years_narrative_into_the_new_period(open_period):
    last_year = ReportingPeriod.objects.get(plan=open_period.plan, start_year=2013)
    response = client_for("coordinator").post(copy_url(open_period), follow=True)
    period_page = reverse("admin:commitments_reportingperiod_change", args=[open_period.pk])
    assert response.redirect_chain == [(period_page, 302)]
    assert "10 sections of the 2013-2014 narrative were copied into 2014-2015" in response.content.decode()
    fields = ["key", "title_en", "title_fr", "summary_en", "summary_fr", "achievements_en", "body_en", "body_fr"]
    copied = list(NarrativeSection.objects.filter(period=open_period).values_list(*fields))
    assert copied == list(NarrativeSection.objects.filter(period=last_year).values_list(*fields))
    assert len(copied) == 10
    history = NarrativeSection.history.filter(period=open_period)
    assert history.count() == 10
    recorded = {(entry.history_type, entry.history_user.username, entry.history_change_reason) for entry in history}
    assert recorded == {("+", "coordinator", "Copied from 2013-2014")}


@pytest.mark.django_db
def test_a_second_copy_is_refused_and_changes_nothing(open_period):
    client = client_for("coordinator")
    client.post(copy_url(open_period))
    NarrativeSection.objects.filter(period=open_period, key="foreword").update(body_en="<p>This year’s.</p>")
    before = narrative_state()
    response = client.post(copy_url(open_period), follow=True, HTTP_ACCEPT_LANGUAGE="fr-CA")
    assert "La période 2014-2015 a déjà son texte du rapport\u00a0: rien n’a été copié." in response.content.decode()
    assert narrative_state() == before


@pytest.mark.django_db
def test_a_published_periods_narrative_is_never_copied_over(demo):
    published = ReportingPeriod.objects.get(plan=demo, start_year=2013)
    before = narrative_state()
    response = client_for("coordinator").post(copy_url(published), follow=True)
    assert "2013-2014 is published: its narrative can no longer change." in response.content.decode()
    assert narrative_state() == before


@pytest.mark.django_db
def test_with_no_earlier_narrative_there_is_nothing_to_copy(open_period):
    NarrativeSection.objects.all().delete()
    response = client_for("coordinator").post(copy_url(open_period), follow=True)
    assert "No earlier period has a narrative to copy." in response.content.decode()
    assert not NarrativeSection.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "staff_a", "staff_b", "co_lead"])
def test_only_the_coordinator_may_copy_a_narrative(role, open_period):
    before = narrative_state()
    response = client_for(role).post(copy_url(open_period))
    assert response.status_code == (302 if role == "anonymous" else 403)
    if role == "anonymous":
        assert "/admin/login/" in response["Location"]
    assert narrative_state() == before


@pytest.mark.django_db
def test_copying_is_a_post_only(open_period):
    assert client_for("coordinator").get(copy_url(open_period)).status_code == 405
    assert not NarrativeSection.objects.filter(period=open_period).exists()


@pytest.mark.django_db
def test_the_period_page_offers_the_copy_only_while_the_period_has_no_narrative(open_period):
    client = client_for("coordinator")
    page_url = reverse("admin:commitments_reportingperiod_change", args=[open_period.pk])
    page = client.get(page_url).content.decode()
    assert copy_url(open_period) in page and "Copy last year’s narrative (2013-2014) as a starting point" in page
    assert "No section is written for this period yet." in page
    client.post(copy_url(open_period))
    page = client.get(page_url).content.decode()
    assert copy_url(open_period) not in page
    assert f"?period__id__exact={open_period.pk}" in page and "10 sections written for this period" in page


def test_the_published_files_list_links_every_stored_file_to_its_public_address(client, demo):
    """Report files, the chart's downloads, the all-years file and the data package (which has no language):
    each row's link answers with that very file."""
    from napreport.report.models import PublishedReport

    client.force_login(get_user_model().objects.get(username="coordinator"))
    page = client.get(reverse("admin:napreport_publishedreport_changelist") + "?all=")
    assert page.status_code == 200
    links = re.findall(r"<a href='([^']+)'>Download</a>", page.content.decode())
    stored = list(PublishedReport.objects.all())
    assert {report.format for report in stored} >= {"pdf", "html", "csv", "json", "all-years-csv", "datapackage"}
    assert len(links) == len(stored)
    answers = {}
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        answers[hashlib.sha256(b"".join(response.streaming_content)).hexdigest()] = link
    assert set(answers) == {report.sha256 for report in stored}


def history_reasons(client, section, language):
    """The history page's “Change reason” cells, newest first, as the coordinator reads them in `language`."""
    url = reverse("admin:napreport_narrativesection_history", args=[section.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    table = page.split('<table id="change-history"', 1)[1]
    header = re.findall(r'<th scope="col">(.*?)</th>', table.split("</thead>", 1)[0])
    assert header[4] == {"en-CA": "Change reason", "fr-CA": "Raison de la modification"}[language]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    # The columns: the section, date, what happened, who, the reason, the changes.
    return [re.findall(r"<td>(.*?)</td>", row, re.S)[4].strip() for row in body.split("</tr>")[:-1]]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en-CA", "fr-CA"])
def test_the_narrative_history_shows_no_reason_for_a_change_saved_without_one(open_period, language):
    client = client_for("coordinator")
    client.post(copy_url(open_period))  # its reason: “Copied from 2013-2014”
    section = NarrativeSection.objects.get(period=open_period, key="foreword")
    section.body_en = "<p>This year’s foreword.</p>"
    section._history_user = get_user_model().objects.get(username="coordinator")
    section.save()  # as the change form saves it: no reason
    assert history_reasons(client, section, language) == ["", "Copied from 2013-2014"]
