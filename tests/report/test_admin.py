"""The report's admin: the coordinator previews any period's draft report and moves periods through their
lifecycle (review, publish); others cannot."""

import io

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
