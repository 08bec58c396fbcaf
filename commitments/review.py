"""The coordinator's review of the departments' updates: decisions that leave a trace in the history, and a
department's new save that puts an update back in the coordinator's queue."""

import dataclasses
from collections.abc import Mapping

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import QuerySet

from commitments.models import ReportingPeriod, StaleUpdateError, StatusUpdate
from commitments.roles import is_coordinator


def answer_review(update: StatusUpdate, user: User | AnonymousUser) -> None:
    """A department's save is its report: it is kept as the department's status, apart from any later correction
    by the taskforce, and an update already returned or accepted goes back to the coordinator (awaiting review)."""
    if is_coordinator(user):
        return
    update.reported_status, update.reported_target_year = update.status, update.target_year
    if update.review in (StatusUpdate.Review.RETURNED, StatusUpdate.Review.ACCEPTED):
        update.review = StatusUpdate.Review.PENDING


def corrects_report(reported: StatusUpdate, status: str | None, target_year: int | None) -> bool:
    """Whether giving `reported` (the row as stored) this status overrides what its department reported: the
    coordinator must then say why. Going back to the department's own status is no correction."""
    if not reported.reported_status:
        return False
    new = (status, target_year)
    return new != (reported.status, reported.target_year) and new != (
        reported.reported_status,
        reported.reported_target_year,
    )


@dataclasses.dataclass
class ReviewOutcome:
    decided: int = 0
    published: int = 0  # left alone: their period is published, frozen for everyone
    stale: StatusUpdate | None = None  # the department saved it since the list was read: nothing was decided


def decide(
    updates: QuerySet[StatusUpdate],
    user: User,
    decision: str,
    comment: str,
    read_versions: Mapping[int, int],
) -> ReviewOutcome:
    """Accept or return `updates` with `comment`, row by row so the history says who decided what, and when.

    Only rows of the open or in-review period are decided. Each is decided on the version the coordinator read
    (`read_versions`, from the list's page; the current one where the page did not say): if a department saved
    one since, none is decided, since the coordinator would accept or return what they never saw.
    """
    outcome = ReviewOutcome(published=updates.filter(period__state=ReportingPeriod.State.PUBLISHED).count())
    reviewable = updates.exclude(period__state=ReportingPeriod.State.PUBLISHED).order_by("pk")
    try:
        with transaction.atomic():
            for update in reviewable:
                update.review, update.review_comment = decision, comment
                update.save_review(user, read_versions.get(update.pk, update.version))
                outcome.decided += 1
    except StaleUpdateError as error:
        return ReviewOutcome(published=outcome.published, stale=error.current)
    return outcome
