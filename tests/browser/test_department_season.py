"""A department's season in headless Chromium, in French and in English (departments issue #14): the list at
1366×768 without scrolling sideways, French first, the French note edited in the list, a slip with its reason,
a refused save that keeps what was typed, and axe-core on the list, the form, the import, its errors and the
history."""

import re

import pytest

from commitments.models import Deliverable, StatusUpdate
from tests.browser.axe import violations

pytestmark = pytest.mark.django_db(transaction=True)

TARGET = "Dedicated Integrated Enforcement Team"  # led by RCMP, co-led by CBSA
TARGET_FR = "Équipe intégrée de la police chargée de l’application de la loi"


@pytest.fixture
def sign_in(sign_in):
    """Each person at 1366×768 (the list must fit it), the target deliverable with its French text."""
    Deliverable.objects.filter(text_en__startswith=TARGET).update(text_fr=TARGET_FR)
    return lambda username, locale: sign_in(username, locale, viewport={"width": 1366, "height": 768})


def target():
    return StatusUpdate.objects.get(period__start_year=2014, deliverable__text_en__startswith=TARGET)


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 1366


def test_a_quebec_department_completes_its_season_in_french(sign_in):
    page = sign_in("rcmp", "fr-CA")
    page.get_by_role("heading", name="Mes produits livrables pour 2014-2015").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    row = page.locator("#result_list tbody tr", has_text=TARGET_FR)
    assert TARGET not in page.locator("#result_list").inner_text()  # French first
    assert no_sideways_scroll(page)
    filters = page.locator("#changelist-filter").bounding_box()
    for column in ("deliverable_text", "status", "target_year", "note_en", "note_fr", "review_display"):
        box = row.locator(f".field-{column}").bounding_box()
        # On the screen, and not under the filters beside the list.
        assert box and box["x"] + box["width"] <= min(1366, filters["x"] + 1), column
    assert violations(page) == []

    # The French note, edited in the list.
    row.get_by_label("Note d’avancement (français)").fill("Équipe en place à Montréal.")
    page.locator("input[name=_save]").click()
    page.locator(".messagelist .success").wait_for()
    assert target().note_fr == "Équipe en place à Montréal."

    # A later target than last year's: the form asks why, in French.
    page.locator("#result_list tbody tr", has_text=TARGET_FR).locator(".field-deliverable_text a").click()
    page.wait_for_url(re.compile(r"/\d+/change/"))
    assert violations(page) == []
    page.locator("#id_status").select_option("on_track")
    page.locator("#id_target_year").fill("2015")
    page.locator("input[name=_save]").click()
    page.locator(".errornote").wait_for()
    assert "indiquez pourquoi l’échéance a été reportée" in page.locator("#statusupdate_form").inner_text()
    assert violations(page) == []  # the form with its errors
    page.locator("#id_slip_reason").select_option("partner_dependency")
    page.locator("#id_slip_note_en").fill("The province moved its part to 2015.")
    page.locator("#id_slip_note_fr").fill("La province a reporté son volet à 2015.")
    page.locator("input[name=_save]").click()
    page.locator(".messagelist .success").wait_for()
    update = target()
    assert (update.target_year, update.slip_reason, update.updated_by.username) == (2015, "partner_dependency", "rcmp")

    # The history, in French, then the import page and its errors.
    page.goto(f"/admin/commitments/statusupdate/{update.pk}/history/")
    assert "Change reason" not in page.content() and "Raison" not in page.locator("#change-history").inner_text()
    assert violations(page) == []
    page.goto("/admin/commitments/statusupdate/import/")
    assert violations(page) == []
    page.locator("input[type=file]").set_input_files(
        {"name": "mauvais.csv", "mimeType": "text/csv", "buffer": b"pas;un;fichier\n1;2;3\n"}
    )
    page.locator(".submit-row input[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".errorlist, .errornote, .import-error").count() >= 1
    assert violations(page) == []


def test_a_refused_save_keeps_my_values_in_english_and_axe_finds_nothing(sign_in):
    rcmp, cbsa = sign_in("rcmp", "en-CA"), sign_in("cbsa", "en-CA")
    assert no_sideways_scroll(rcmp) and violations(rcmp) == []
    pk = target().pk
    for page in (rcmp, cbsa):
        page.goto(f"/admin/commitments/statusupdate/{pk}/change/")
    rcmp.locator("#id_note_en").fill("RCMP's account")
    rcmp.locator("input[name=_save]").click()
    rcmp.locator(".messagelist .success").wait_for()
    cbsa.locator("#id_note_en").fill("CBSA's account")
    cbsa.locator("#id_note_fr").fill("Le compte rendu de l’ASFC")
    cbsa.locator("input[name=_save]").click()
    cbsa.locator(".stale-compare").wait_for()
    assert cbsa.locator("#id_note_en").input_value() == "CBSA's account"
    assert cbsa.locator("#id_note_fr").input_value() == "Le compte rendu de l’ASFC"
    assert "RCMP's account" in cbsa.locator(".stale-compare").inner_text()
    assert violations(cbsa) == []
    cbsa.get_by_role("link", name="Take theirs: discard my values").click()
    assert cbsa.locator("#id_note_en").input_value() == "RCMP's account"
    assert target().note_en == "RCMP's account"


def test_a_list_saved_over_someone_elses_change_saves_the_other_rows_and_keeps_mine(sign_in):
    from django.contrib.auth import get_user_model

    page = sign_in("rcmp", "en-CA")
    rows = page.locator("#result_list tbody tr")
    first_text = rows.nth(0).locator(".field-deliverable_text").inner_text()
    first = StatusUpdate.objects.get(pk=rows.nth(0).locator("input[name=_selected_action]").input_value())
    second = StatusUpdate.objects.get(pk=rows.nth(1).locator("input[name=_selected_action]").input_value())
    first.note_en = "CBSA saved first"  # someone else's save while the list is open
    first.save_unless_stale(get_user_model().objects.get(username="cbsa"), first.version)
    rows.nth(0).get_by_label("Progress note (English)").fill("RCMP on the first row")
    rows.nth(1).get_by_label("Progress note (English)").fill("RCMP on the second row")
    page.locator("input[name=_save]").click()
    page.get_by_role("heading", name="Some rows were not saved").wait_for()
    assert "CBSA saved first" in page.content() and "RCMP on the first row" in page.content()
    assert first_text.split()[0] in page.content()
    second.refresh_from_db()
    assert second.note_en == "RCMP on the second row"  # the row without a conflict was saved
    assert violations(page) == []
    page.get_by_role("button", name="Keep mine: save my values over theirs").click()
    page.locator(".messagelist .success").wait_for()
    first.refresh_from_db()
    assert first.note_en == "RCMP on the first row" and first.updated_by.username == "rcmp"
