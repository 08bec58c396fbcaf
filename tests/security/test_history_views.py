"""The history views django-simple-history adds: reading and reverting obey the live object's permissions."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from commitments.models import Deliverable, PublishedDeliverable, ReportingPeriod, StatusUpdate
from napreport.report.models import NarrativeSection

pytestmark = pytest.mark.django_db


def client_for(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def history_form_url(obj):
    opts = obj._meta
    version = obj.history.order_by("history_id").first().history_id
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version])


def form_data(obj, **changes):
    data = {field.name: getattr(obj, field.attname) for field in obj._meta.concrete_fields if field.editable}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    return {**data, **changes}


def cbsa_only_deliverable():
    return next(d for d in Deliverable.objects.filter(leads__acronym="CBSA") if d.lead_acronyms == ["CBSA"])


def test_department_staff_cannot_rewrite_another_departments_deliverable_through_its_history(demo):
    deliverable = cbsa_only_deliverable()
    before = list(Deliverable.objects.values_list())
    history_count = deliverable.history.count()
    response = client_for("rcmp").post(history_form_url(deliverable), form_data(deliverable, text_en="Rewritten"))
    assert response.status_code == 403
    assert list(Deliverable.objects.values_list()) == before
    assert deliverable.history.count() == history_count


def test_the_coordinator_cannot_rewrite_a_published_period_through_its_history(demo):
    period = ReportingPeriod.objects.get(start_year=2013)
    response = client_for("coordinator").post(history_form_url(period), form_data(period, start_year=2012))
    assert response.status_code == 403
    period.refresh_from_db()
    assert (period.start_year, period.state) == (2013, ReportingPeriod.State.PUBLISHED)
    assert Client().get("/en/progress/2013-2014/").status_code == 200


def test_the_coordinator_cannot_rewrite_a_published_narrative_section_through_its_history(demo):
    section = NarrativeSection.objects.filter(period__start_year=2013).order_by("pk").first()
    before = list(NarrativeSection.objects.values_list())
    response = client_for("coordinator").post(history_form_url(section), form_data(section, title_en="Rewritten"))
    assert response.status_code == 403
    assert list(NarrativeSection.objects.values_list()) == before


def test_the_chart_history_is_shown_without_a_revert_button(demo):
    deliverable = cbsa_only_deliverable()
    page = client_for("coordinator").get(history_form_url(deliverable)).content.decode()
    assert deliverable.text_en.split("\n")[0][:40] in page
    assert 'name="_save"' not in page


@pytest.mark.parametrize("model_name", ["statusupdate", "deliverable", "reportingperiod", "narrativesection"])
def test_a_history_version_that_is_not_a_number_is_not_found(demo, model_name):
    app = "napreport" if model_name == "narrativesection" else "commitments"
    model = {"statusupdate": StatusUpdate, "deliverable": Deliverable, "reportingperiod": ReportingPeriod}.get(
        model_name, NarrativeSection
    )
    obj = model.objects.order_by("pk").first()
    client = client_for("coordinator")
    assert client.get(f"/admin/{app}/{model_name}/{obj.pk}/history/abc/").status_code == 404
    assert client.get(f"/admin/{app}/{model_name}/{obj.pk}/history/999999/").status_code == 404
    assert client.get(f"/admin/{app}/{model_name}/abc/history/1/").status_code == 404


def test_department_staff_do_not_see_another_departments_draft_on_the_deliverable_page(demo):
    deliverable = cbsa_only_deliverable()
    update = deliverable.status_updates.get(period__start_year=2014)
    update.note_en = "Draft note of CBSA, not for RCMP"
    update.save()
    page = client_for("rcmp").get(reverse("admin:commitments_deliverable_change", args=[deliverable.pk]))
    assert page.status_code == 200
    assert "Draft note of CBSA" not in page.content.decode()
    # The published year's status, which the public reads too, is shown.
    published = PublishedDeliverable.objects.get(deliverable=deliverable, period__start_year=2013)
    assert str(published.status_label) in page.content.decode()


def test_another_departments_status_history_is_not_found_even_for_a_view_permission(demo):
    update = cbsa_only_deliverable().status_updates.get(period__start_year=2014)
    client = client_for("rcmp")
    assert client.get(reverse("admin:commitments_statusupdate_history", args=[update.pk])).status_code == 404
    assert client.get(history_form_url(update)).status_code == 404


def test_the_coordinator_saves_a_deliverable_whose_earlier_statuses_are_published(demo):
    deliverable = cbsa_only_deliverable()
    assert deliverable.status_updates.filter(period__state=ReportingPeriod.State.PUBLISHED).exists()
    client = client_for("coordinator")
    url = reverse("admin:commitments_deliverable_change", args=[deliverable.pk])
    data = {
        **form_data(deliverable, text_fr="Texte corrigé."),
        "lead_links-TOTAL_FORMS": "0",
        "lead_links-INITIAL_FORMS": "0",
    }
    data["lead_links-TOTAL_FORMS"] = str(deliverable.lead_links.count())
    data["lead_links-INITIAL_FORMS"] = str(deliverable.lead_links.count())
    for index, link in enumerate(deliverable.lead_links.all()):
        data |= {
            f"lead_links-{index}-id": link.pk,
            f"lead_links-{index}-deliverable": deliverable.pk,
            f"lead_links-{index}-department": link.department_id,
            f"lead_links-{index}-position": link.position,
        }
    statuses_before = list(StatusUpdate.objects.filter(deliverable=deliverable).values_list())
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    deliverable.refresh_from_db()
    assert deliverable.text_fr == "Texte corrigé."
    assert list(StatusUpdate.objects.filter(deliverable=deliverable).values_list()) == statuses_before
