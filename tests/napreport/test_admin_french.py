"""The staff screens in French (issue #13): the branding, the apps and the columns are named in French, and
Django's own sentences that carry a model's name read as grammatical French whatever the name's gender."""

import pytest
from django.contrib.admin.utils import model_ngettext
from django.urls import reverse
from django.utils import translation

from commitments.models import StatusUpdate
from napreport.report.models import NarrativeSection
from tests.commitments.staff_requests import client_for

pytestmark = pytest.mark.django_db


def french(url):
    return client_for("coordinator").get(url, HTTP_ACCEPT_LANGUAGE="fr-CA").content.decode()


def test_the_admin_is_branded_and_its_apps_named_in_french(demo):
    page = french(reverse("admin:index"))
    assert "napreport — Progrès du Plan d’action national" in page
    assert "Écrans du personnel" in page and "Rapport annuel" in page
    assert "National Action Plan progress" not in page and "Staff screens" not in page
    english = client_for("coordinator").get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-CA").content.decode()
    assert "napreport — National Action Plan progress" in english and "Annual report" in english


def test_the_narrative_list_reads_in_french_titles_period_filter_and_delete_action(demo):
    page = french(reverse("admin:napreport_narrativesection_changelist"))
    assert "Par période" in page and "Par period" not in page
    assert ">Période<" in page and ">Period<" not in page
    assert "Supprimer la sélection (sections du rapport)" in page  # not « les sections … sélectionnés »
    assert ">Avant-propos<" in page and "2013-2014 – Avant-propos" in page and "Foreword" not in page


def test_the_period_list_names_its_first_column_in_french(demo):
    page = french(reverse("admin:commitments_reportingperiod_changelist"))
    assert ">Exercice financier<" in page and ">Label<" not in page


@pytest.mark.parametrize(
    "model, count, expected",
    [
        (StatusUpdate, 1, "Modification enregistrée\u00a0: 1 mise à jour de l'état."),
        (StatusUpdate, 2, "Modifications enregistrées\u00a0: 2 mises à jour de l'état."),
        (NarrativeSection, 3, "Modifications enregistrées\u00a0: 3 sections du rapport."),
    ],
)
def test_the_count_of_rows_saved_from_a_list_agrees_in_french(model, count, expected):
    # The sentence Django's changelist writes after a quick update, with its own words (options.py).
    with translation.override("fr"):
        message = translation.ngettext(
            "%(count)s %(name)s was changed successfully.", "%(count)s %(name)s were changed successfully.", count
        ) % {"count": count, "name": model_ngettext(model._meta, count)}
    assert message == expected


@pytest.mark.parametrize(
    "screen, shown, not_shown",
    [
        ("deliverable", ["Tâche", "Par pilier", "Par responsables", "Par rapport de première mention"], [">Task<"]),
        ("task", [">Objectif<", "Par pilier"], [">Objective<", "Par pillar"]),
        ("objective", [">Pilier<"], [">Pillar<"]),
        (
            "publisheddeliverable",
            [">Ordre dans le tableau<", ">Code de la tâche<", ">Responsables (anglais)<", "Par période", "Par état"],
            [">Chart order<", ">Task code<", ">Leads en<", "Par period", "Par status", "Par pillar number"],
        ),
    ],
)
def test_the_charts_screens_name_their_columns_and_filters_in_french(demo, screen, shown, not_shown):
    page = french(reverse(f"admin:commitments_{screen}_changelist"))
    assert [text for text in shown if text not in page] == []
    assert [text for text in not_shown if text in page] == []


def test_the_last_english_words_of_the_coordinator_s_screens_read_in_french(demo):
    deliverables = french(reverse("admin:commitments_deliverable_changelist"))
    assert "Échéancier" in deliverables and "Timeline" not in deliverables
    statuses = french(reverse("admin:commitments_statusupdate_changelist"))
    assert "Par avancement de la période" in statuses and "Par mis à jour" not in statuses
    narrative = french(reverse("admin:napreport_narrativesection_changelist"))
    assert "2013-2014\u00a0: <a" in narrative and "HTML en anglais" in narrative and "PDF en français" in narrative
    assert "(EN)" not in narrative and "(FR)" not in narrative
    update = StatusUpdate.objects.filter(period__start_year=2014).first()
    history = french(reverse("admin:commitments_statusupdate_history", args=[update.pk]))
    assert ">Modifications<" in history and ">Changes<" not in history
    published = NarrativeSection.objects.filter(period__start_year=2013).first()  # view only: frozen
    history = french(reverse("admin:napreport_narrativesection_history", args=[published.pk]))
    assert "Historique\u00a0:" in history and "Historique de vue" not in history
