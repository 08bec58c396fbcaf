"""Slips with a reason (departments issue #14): a target moved later than last year's asks why, the history
keeps the reason, and once published the deliverable's public page shows each slip with its reason."""

import pytest
from django.core.cache import cache, caches
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from commitments.models import PublishedDeliverable, ReportingPeriod, SlipReason, Status, StatusUpdate, is_slip
from napreport.report.publishing import publish_chart
from tests.commitments.staff_requests import change_data, client_for
from tests.commitments.test_status_list import quick_data, snapshot

REASON = {
    "slip_reason": "partner_dependency",
    "slip_note_en": "The province moved its part to next year.",
    "slip_note_fr": "La province a reporté son volet à l’an prochain.",
}


@pytest.mark.parametrize(
    "before, after, slipped",
    [
        ((Status.ON_TRACK, 2014), (Status.ON_TRACK, 2015), True),
        ((Status.COMPLETE, None), (Status.ON_TRACK, 2015), True),
        ((Status.ON_TRACK, 2015), (Status.ON_TRACK, 2015), False),
        ((Status.ON_TRACK, 2016), (Status.ON_TRACK, 2015), False),  # sooner is not a slip
        ((Status.IN_PROGRESS, None), (Status.ON_TRACK, 2016), False),
        ((Status.ON_TRACK, 2014), (Status.COMPLETE, None), False),
        ((None, None), (Status.ON_TRACK, 2015), False),  # nothing last year
    ],
)
def test_what_counts_as_a_slip(before, after, slipped):
    assert is_slip(*before, *after) is slipped


@pytest.fixture
def on_track_last_year(target):
    """The target's 2013-2014 status was “On track for 2014/2015”."""
    StatusUpdate.objects.filter(deliverable_id=target.deliverable_id, period__start_year=2013).update(
        status=Status.ON_TRACK, target_year=2014
    )
    StatusUpdate.objects.filter(pk=target.pk).update(status=Status.ON_TRACK, target_year=2014)
    target.refresh_from_db()
    return target


@pytest.mark.django_db
def test_a_later_target_without_a_reason_is_refused_with_a_message(on_track_last_year):
    target = on_track_last_year
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    before = snapshot(target)
    response = client_for("staff_a").post(url, change_data(target, target_year="2015"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Last year this was “On track for 2014/2015”: say why the target moved later." in html
    assert "in each official language" in html
    assert snapshot(target) == before
    french = client_for("staff_a").post(url, change_data(target, target_year="2015"), HTTP_ACCEPT_LANGUAGE="fr-CA")
    assert "indiquez pourquoi l’échéance a été reportée" in french.content.decode()
    assert snapshot(target) == before
    # A reason without the sentences is not enough either.
    partial = client_for("staff_a").post(url, change_data(target, target_year="2015", slip_reason="funding"))
    assert partial.status_code == 200 and snapshot(target) == before


@pytest.mark.django_db
def test_a_later_target_with_its_reason_is_saved_and_kept_in_the_history(on_track_last_year):
    target = on_track_last_year
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    response = client_for("staff_a").post(url, change_data(target, target_year="2015", **REASON))
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.target_year, target.slip_reason) == (2015, SlipReason.PARTNER_DEPENDENCY)
    assert target.slip_note_fr == REASON["slip_note_fr"]
    assert target.history.first().slip_reason == "partner_dependency"
    # Moving the target back to last year's clears the reason: there is no slip left to explain.
    target.refresh_from_db()
    client_for("staff_a").post(url, change_data(target, target_year="2014", **REASON))
    target.refresh_from_db()
    assert (target.target_year, target.slip_reason, target.slip_note_en) == (2014, "", "")


@pytest.mark.django_db
def test_the_list_sends_a_later_target_to_the_form_for_its_reason(on_track_last_year):
    target = on_track_last_year
    before = snapshot(target)
    response = client_for("staff_a").post(
        reverse("admin:commitments_statusupdate_changelist"), quick_data([target], {target.pk: {"target_year": 2015}})
    )
    assert response.status_code == 200
    assert "open the deliverable&#x27;s form to say why the target moved" in response.content.decode()
    assert snapshot(target) == before


@pytest.mark.django_db
def test_a_published_slip_shows_on_the_deliverables_public_page_with_its_reason(on_track_last_year, client):
    target = on_track_last_year
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    assert client_for("staff_a").post(url, change_data(target, target_year="2015", **REASON)).status_code == 302
    period = ReportingPeriod.objects.get(pk=target.period_id)
    with transaction.atomic():
        publish_chart(period)
    row = PublishedDeliverable.objects.get(period=period, deliverable_id=target.deliverable_id)
    assert (row.slip_reason, row.slip_from_status, row.slip_from_target) == ("partner_dependency", "on_track", 2014)
    cache.clear()
    caches["public"].clear()
    page_url = reverse("public:deliverable-detail", kwargs={"pk": target.deliverable_id})
    with translation.override("en"):
        english = client.get(page_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Target moved from 2014 to 2015 to 2015 to 2016: partner dependency." in english
    assert REASON["slip_note_en"] in english
    with translation.override("fr"):  # the French page at its French address (/fr/livrables/…)
        french_url = reverse("public:deliverable-detail", kwargs={"pk": target.deliverable_id})
    french = client.get(french_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Échéance reportée de 2014-2015 à 2015-2016\u00a0: dépendance envers un partenaire." in french
    assert "La province a reporté son volet à l’an prochain." in french


@pytest.mark.django_db
def test_the_coordinator_sees_each_slip_on_the_dashboard(on_track_last_year):
    target = on_track_last_year
    dashboard = reverse("admin:commitments_dashboard")
    assert "No target has moved later" in client_for("coordinator").get(dashboard).content.decode()
    url = reverse("admin:commitments_statusupdate_change", args=[target.pk])
    assert client_for("staff_a").post(url, change_data(target, target_year="2015", **REASON)).status_code == 302
    html = client_for("coordinator").get(dashboard).content.decode()
    assert "Target moved from 2014 to 2015 to 2015 to 2016: partner dependency." in html
    assert "The province moved its part to next year." in html
    french = client_for("coordinator").get(dashboard, HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()
    assert "Échéance reportée de 2014-2015 à 2015-2016\u00a0: dépendance envers un partenaire." in french
