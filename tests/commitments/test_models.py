import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from commitments.models import (
    Deliverable,
    Objective,
    ReportingPeriod,
    StaleUpdateError,
    Status,
    StatusUpdate,
    Task,
    natural_sort_key,
    parse_fiscal_year,
    period_label,
    status_label,
    timeline_label,
)

pytestmark = pytest.mark.django_db


def test_second_status_for_the_same_deliverable_and_period_is_rejected(status_update):
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdate.objects.create(
            deliverable=status_update.deliverable, period=status_update.period, status=Status.COMPLETE
        )
    assert StatusUpdate.objects.count() == 1


def test_same_deliverable_has_one_status_in_each_period(status_update, plan):
    following = ReportingPeriod.objects.create(
        plan=plan, start_year=2015, state="published", published_at="2016-06-01T00:00Z"
    )
    StatusUpdate.objects.create(deliverable=status_update.deliverable, period=following, status=Status.COMPLETE)
    assert status_update.deliverable.status_updates.count() == 2


def test_deliverable_target_before_start_is_rejected_by_the_database(task):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deliverable.objects.create(task=task, text_en="x", start_year=2013, target_year=2012)
    assert not Deliverable.objects.exists()


def test_deliverable_target_equal_to_start_is_accepted(task):
    Deliverable.objects.create(task=task, text_en="x", start_year=2013, target_year=2013)


def test_on_track_without_target_year_is_rejected_by_the_database(deliverable, period):
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdate.objects.create(deliverable=deliverable, period=period, status=Status.ON_TRACK)


def test_target_year_on_a_status_other_than_on_track_is_rejected_by_the_database(deliverable, period):
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdate.objects.create(deliverable=deliverable, period=period, status=Status.COMPLETE, target_year=2015)


def test_unknown_status_is_rejected_by_the_database(deliverable, period):
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdate.objects.create(deliverable=deliverable, period=period, status="finished")


def test_fiscal_year_out_of_range_is_rejected_by_the_database(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.create(plan=plan, start_year=13)


def test_duplicate_task_code_in_an_objective_is_rejected(task):
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(objective=task.objective, code="1.11", title_en="Again")


def test_a_plan_has_at_most_one_unpublished_period(period):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.create(plan=period.plan, start_year=2015)


def test_status_clean_rejects_target_before_the_deliverables_start(deliverable, period):
    update = StatusUpdate(deliverable=deliverable, period=period, status=Status.ON_TRACK, target_year=2010)
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert "target_year" in error.value.message_dict


def test_status_clean_refuses_a_published_period(deliverable, period):
    period.state = ReportingPeriod.State.PUBLISHED
    period.published_at = "2015-06-01T00:00Z"
    update = StatusUpdate(deliverable=deliverable, period=period, status=Status.COMPLETE)
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert "published" in error.value.message_dict["status"][0]


@pytest.mark.parametrize("text", ["2013", "2013-2015", "2013/15", "13-14", "2013-14-15", "abcd-efgh", "1899-1900", ""])
def test_malformed_fiscal_year_is_rejected(text):
    with pytest.raises(ValidationError):
        parse_fiscal_year(text)


@pytest.mark.parametrize("text", ["2013-2014", "2013/14", "2013/2014", "2013-14", " 2013 – 2014 "])
def test_fiscal_year_is_read_in_every_printed_form(text):
    assert parse_fiscal_year(text) == 2013


def test_fiscal_years_print_as_the_report_does():
    assert timeline_label(2012) == "2012/13"
    assert timeline_label(2099) == "2099/00"
    assert period_label(2013) == "2013-2014"


def test_on_track_prints_its_target_year():
    assert status_label(Status.ON_TRACK, 2014) == "On track for 2014/2015"
    with translation.override("fr"):
        assert str(Status(Status.COMPLETE).label) == "Terminé"
        assert status_label(Status.ON_TRACK, 2014) == "En bonne voie pour 2014/2015"


def test_codes_sort_naturally(pillar):
    for code in ["1.10", "1.9", "1.2"]:
        Objective.objects.create(pillar=pillar, code=code, text_en=code)
    assert [o.code for o in Objective.objects.all()] == ["1.2", "1.9", "1.10"]
    assert natural_sort_key("1.9") < natural_sort_key("1.10")


def test_sub_items_sort_right_after_their_deliverable(task):
    first = Deliverable.objects.create(task=task, position=1, text_en="first")
    second = Deliverable.objects.create(task=task, position=2, text_en="second")
    item = Deliverable.objects.create(task=task, parent=first, position=1, text_en="first, item")
    assert list(Deliverable.objects.all()) == [first, item, second]
    first.refresh_from_db()
    assert first.has_items


def test_french_text_falls_back_to_english_when_blank(deliverable):
    deliverable.text_fr = ""
    with translation.override("fr"):
        assert deliverable.text == "Distribute toolkits."
    deliverable.text_fr = "Distribuer."
    with translation.override("fr"):
        assert deliverable.text == "Distribuer."
    with translation.override("en"):
        assert deliverable.text == "Distribute toolkits."


def test_department_short_name_is_the_french_acronym_in_french(rcmp):
    with translation.override("fr"):
        assert rcmp.short_name == "GRC"
    assert rcmp.short_name == "RCMP"


def test_stale_save_is_refused_and_shows_the_current_row(status_update, django_user_model):
    alice = django_user_model.objects.create(username="alice")
    bob = django_user_model.objects.create(username="bob")
    alice_copy = StatusUpdate.objects.get(pk=status_update.pk)
    bob_copy = StatusUpdate.objects.get(pk=status_update.pk)

    alice_copy.status = Status.COMPLETE
    alice_copy.save_unless_stale(alice, read_version=1)
    bob_copy.status = Status.ONGOING
    with pytest.raises(StaleUpdateError) as error:
        bob_copy.save_unless_stale(bob, read_version=1)

    assert error.value.current.status == Status.COMPLETE
    assert error.value.current.updated_by == alice
    status_update.refresh_from_db()
    assert (status_update.status, status_update.version) == (Status.COMPLETE, 2)


def test_every_status_change_is_recorded_with_who_and_before_after(status_update, django_user_model):
    alice = django_user_model.objects.create(username="alice")
    status_update.status = Status.COMPLETE
    status_update.save_unless_stale(alice, read_version=status_update.version)
    latest, previous = status_update.history.all()[:2]
    assert latest.history_user == alice
    assert (previous.status, latest.status) == (Status.IN_PROGRESS, Status.COMPLETE)


def test_opening_the_next_period_carries_every_status_forward(status_update):
    period = status_update.period
    period.state = ReportingPeriod.State.PUBLISHED
    period.published_at = "2015-06-01T00:00Z"
    period.save()
    following = period.open_next()
    carried = following.status_updates.get()
    assert following.label == "2015-2016" and following.is_open
    assert (carried.deliverable, carried.status, carried.updated_at) == (
        status_update.deliverable,
        Status.IN_PROGRESS,
        None,
    )


def test_an_unpublished_period_cannot_open_the_next(period):
    with pytest.raises(ValidationError):
        period.open_next()
