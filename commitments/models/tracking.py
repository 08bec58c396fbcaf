"""Each deliverable's status in each reporting period (commitments.models.periods), and the words for statuses."""

from collections.abc import Callable
from typing import Self

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models.periods import ReportingPeriod
from commitments.models.plan import Deliverable
from commitments.models.values import (
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    NOTE_MAX_LENGTH,
    Translated,
    fiscal_year_text,
    fiscal_year_validators,
    note_validators,
)
from commitments.plain_text import without_control_characters


class Status(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    ONGOING = "ongoing", _("Ongoing")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_TRACK = "on_track", _("On track")


def status_label(
    status: str | None, target_year: int | None = None, year_style: Callable[[int], str] | None = None
) -> str | Promise:
    """The status as the report prints it: "On track for 2014/2015" carries its target year, written by
    `year_style` where given (the public pages: fiscal_year_text or fiscal_year_table)."""
    if status == Status.ON_TRACK and target_year:
        year = year_style(target_year) if year_style else f"{target_year}/{target_year + 1}"
        return _("On track for %(year)s") % {"year": year}
    return Status(status).label if status else ""


class SlipReason(models.TextChoices):
    """Why a deliverable's target moved later than last year's (asked of the department, shown once published)."""

    FUNDING = "funding", _("Funding")
    PARTNER_DEPENDENCY = "partner_dependency", _("Partner dependency")
    SCOPE_CHANGE = "scope_change", _("Scope change")
    LEGISLATIVE_TIMING = "legislative_timing", _("Legislative timing")
    OTHER = "other", _("Other")


def is_slip(
    previous_status: str | None, previous_target: int | None, status: str | None, target_year: int | None
) -> bool:
    """Whether going from last year's status to this one moves the target later: from “On track for” a year
    to a later year, or from “Complete” back to “On track for” a year."""
    if status != Status.ON_TRACK or not target_year or not previous_status:
        return False
    if previous_status == Status.COMPLETE:
        return True
    return previous_status == Status.ON_TRACK and bool(previous_target) and target_year > (previous_target or 0)


def slip_label(
    previous_status: str | None,
    previous_target: int | None,
    status: str,
    target_year: int | None,
    reason: str = "",
) -> str:
    """“Target moved from 2014 to 2015 to 2015 to 2016: partner dependency”, in the active language."""
    before = fiscal_year_text(previous_target) if previous_status == Status.ON_TRACK and previous_target else None
    after = fiscal_year_text(target_year) if target_year else status_label(status, target_year)
    if before:
        text = _("Target moved from %(before)s to %(after)s") % {"before": before, "after": after}
    else:
        text = _("Moved from “%(before)s” to a target of %(after)s") % {
            "before": status_label(previous_status, previous_target),
            "after": after,
        }
    if reason:
        text = _("%(change)s: %(reason)s") % {"change": text, "reason": str(SlipReason(reason).label).lower()}
    return text


class StaleUpdateError(Exception):
    """Someone else saved the status update since this copy was read."""

    def __init__(self, current: "StatusUpdate") -> None:
        super().__init__(f"Status update {current.pk} was changed by someone else.")
        self.current = current


class StatusUpdateQuerySet(models.QuerySet["StatusUpdate"]):
    def with_previous(self) -> Self:
        """Annotate last year's status, target and notes of the same deliverable (one subquery each)."""
        previous = StatusUpdate.objects.filter(
            deliverable_id=OuterRef("deliverable_id"),
            period__plan_id=OuterRef("period__plan_id"),
            period__start_year=OuterRef("period__start_year") - 1,
        ).order_by()  # at most one row (one status per deliverable and year): the default order's joins cost only
        return self.annotate(
            **{
                f"previous_{name}": Subquery(previous.values(field)[:1])
                for name, field in [
                    ("status", "status"),
                    ("target", "target_year"),
                    ("note_en", "note_en"),
                    ("note_fr", "note_fr"),
                ]
            }
        )

    def slipped(self) -> Self:
        """The updates whose department gave a reason for a later target, with last year's status."""
        return self.exclude(slip_reason="").with_previous()

    def in_chart_order(self) -> Self:
        return self.order_by(
            "deliverable__task__objective__pillar__number",
            "deliverable__task__objective__sort_key",
            "deliverable__task__sort_key",
            "deliverable__chart_position",
        )


class StatusUpdate(models.Model):
    """A deliverable's status in one reporting period: what the annual report prints for it."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    # What a department edits and `version` guards; the rest is the review and bookkeeping.
    DEPARTMENT_FIELDS = ("status", "target_year", "note_en", "note_fr", "slip_reason", "slip_note_en", "slip_note_fr")

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.PROTECT, related_name="status_updates", verbose_name=_("deliverable")
    )
    # Named for the list's filter (“By period” / « Par période »), not left to the untranslated field name.
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="status_updates", verbose_name=_("period")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status)
    target_year = models.PositiveSmallIntegerField(
        _("on track for"),
        null=True,
        blank=True,
        validators=fiscal_year_validators,
        help_text=_("For “On track”: the fiscal year it is on track for, e.g. 2014 for 2014/2015."),
    )
    note_en = models.TextField(
        _("progress note (English)"),
        max_length=NOTE_MAX_LENGTH,
        validators=note_validators,
        blank=True,
        help_text=_("What happened this year, in a few sentences. Plain text."),
    )
    note_fr = models.TextField(
        _("progress note (French)"), max_length=NOTE_MAX_LENGTH, validators=note_validators, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(
        _("updated"), null=True, blank=True, help_text=_("Empty while the status is the one carried forward.")
    )
    review = models.CharField(_("review"), max_length=20, choices=Review, default=Review.PENDING)
    review_comment = models.TextField(
        _("review comment"), blank=True, max_length=NOTE_MAX_LENGTH, validators=note_validators
    )
    # Asked when the target moves later than last year's (see is_slip); kept in the history, frozen when published.
    slip_reason = models.CharField(_("reason for the later target"), max_length=30, choices=SlipReason, blank=True)
    slip_note_en = models.TextField(
        _("why the target moved (English)"), blank=True, max_length=500, validators=[MaxLengthValidator(500)]
    )
    slip_note_fr = models.TextField(
        _("why the target moved (French)"), blank=True, max_length=500, validators=[MaxLengthValidator(500)]
    )
    # What the department reported, kept apart from `status` (what the taskforce accepts and the report prints):
    # a coordinator's correction changes `status` only, so both stay visible, the correction's reason in the history.
    reported_status = models.CharField(
        _("status reported by the department"), max_length=20, choices=Status, blank=True, editable=False
    )
    reported_target_year = models.PositiveSmallIntegerField(
        _("target reported by the department"), null=True, blank=True, editable=False
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    # Counts the saves of the fields a department edits (DEPARTMENT_FIELDS), not review decisions: a review comment
    # does not make a department's open form stale (see save_review).
    version = models.PositiveIntegerField(default=1, editable=False)

    note = Translated()
    slip_note = Translated()

    # The version is the edit counter, not part of what changed: a historical copy reads today's (simple-history
    # fetches excluded fields from the live row), so reverting to it is checked against the current version.
    # The change reason is the coordinator's reason for correcting a department's status (any length).
    history = HistoricalRecords(excluded_fields=["version"], history_change_reason_field=models.TextField(null=True))
    objects = StatusUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["period", "deliverable__chart_position"]
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "period"],
                name="one_status_per_deliverable_per_period",
                violation_error_message=_("This deliverable already has a status for this period."),
            ),
            models.CheckConstraint(
                condition=Q(status=Status.ON_TRACK, target_year__isnull=False)
                | (~Q(status=Status.ON_TRACK) & Q(target_year__isnull=True)),
                name="target_year_exactly_when_on_track",
                violation_error_message=_("“On track” needs the year it is on track for, and only it has one."),
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="status_is_known"),
            models.CheckConstraint(
                condition=Q(reported_status__in=[*Status.values, ""]), name="reported_status_is_known"
            ),
            models.CheckConstraint(
                condition=Q(target_year__isnull=True)
                | Q(target_year__gte=FIRST_FISCAL_YEAR, target_year__lte=LAST_FISCAL_YEAR),
                name="status_target_year_in_range",
            ),
        ]
        indexes = [
            # The dashboard's "targets moved later" (StatusUpdateQuerySet.slipped): a few rows of a period, found
            # without reading the period's every row.
            models.Index(fields=["period"], condition=~Q(slip_reason=""), name="slipped_in_period"),
        ]

    def __str__(self) -> str:
        # What a person recognises (“1.11 Dedicated Integrated Enforcement Team … — 2014-2015”), not an id.
        # Reads self.deliverable.task and self.period: select_related them where many are shown.
        text = Truncator(self.deliverable.text.split("\n", 1)[0]).words(6, truncate=" …")
        return f"{self.deliverable.task.code} {text} — {self.period.label}"

    def clean(self) -> None:
        # Every write path (the forms, the quick-update list, the import) calls full_clean(), so a note pasted
        # from Word is stored without the control characters no spreadsheet export can hold.
        for name in ("note_en", "note_fr", "review_comment", "slip_note_en", "slip_note_fr"):
            setattr(self, name, without_control_characters(getattr(self, name)))
        errors: dict[str, str | Promise] = {}
        if self.period_id and self.period.is_published:
            errors["status"] = _("The %(period)s period is published; its statuses can no longer change.") % {
                "period": self.period.label
            }
        start_year = self.deliverable.start_year if self.deliverable_id else None
        if self.target_year and start_year and self.target_year < start_year:
            errors["target_year"] = _("The target year cannot come before the start (%(start)s).") % {
                "start": self.deliverable.timeline
            }
        if self.status == Status.ON_TRACK and not self.target_year:
            errors["target_year"] = _("Say which fiscal year it is on track for.")
        if self.status and self.status != Status.ON_TRACK and self.target_year:
            errors["target_year"] = _("Only “On track” takes a target year; clear it or choose “On track”.")
        if errors:
            raise ValidationError(errors)

    @property
    def label(self) -> str | Promise:
        return status_label(self.status, self.target_year)

    @property
    def is_updated(self) -> bool:
        return self.updated_at is not None

    @property
    def slip(self) -> str:
        """“Target moved from 2014 to 2015 to 2015 to 2016: partner dependency”, or "" without a reason given.
        Reads last year's status from the slipped() annotation where present."""
        if not self.slip_reason:
            return ""
        if hasattr(self, "previous_status"):
            before = (self.previous_status, getattr(self, "previous_target", None))
        else:
            previous = self.previous_update()
            before = (previous.status, previous.target_year) if previous else ("", None)
        return slip_label(*before, self.status, self.target_year, self.slip_reason)

    def previous_update(self) -> "StatusUpdate | None":
        """Last year's status of the same deliverable (None in the plan's first period)."""
        return (
            StatusUpdate.objects.filter(
                deliverable_id=self.deliverable_id,
                period__plan_id=self.period.plan_id,
                period__start_year=self.period.start_year - 1,
            )
            .only("status", "target_year", "note_en", "note_fr")
            .first()
        )

    def save_unless_stale(self, user: User, read_version: int, reason: str = "") -> None:
        """Save as an update by `user`, unless someone saved since `read_version` was read; `reason` (why the
        taskforce corrected the department's status) goes into the history.

        The version bump is one conditional UPDATE, atomic on SQLite and PostgreSQL alike, so of two
        people saving the same copy exactly one wins; the other gets StaleUpdateError with the
        current row to show them.
        """
        with transaction.atomic():
            claimed = StatusUpdate.objects.filter(pk=self.pk, version=read_version).update(version=F("version") + 1)
            if not claimed:
                raise StaleUpdateError(StatusUpdate.objects.select_related("updated_by").get(pk=self.pk))
            self.version = read_version + 1
            self.updated_by = user
            self.updated_at = timezone.now()
            self._history_user = user
            self._change_reason = reason or None
            self.save()

    def save_review(self, user: User, read_version: int) -> None:
        """Save the review and its comment alone, as `user`'s decision on the update read at `read_version`.

        The version guards the fields a department edits and is left alone, as are `updated_by` and
        `updated_at`: a review decision neither makes a department's open form stale nor makes the reviewer
        the one who updated the status. A decision on a copy older than the department's last save is refused
        (StaleUpdateError): it would accept, or return, what the reviewer never saw.
        """
        review_fields = ["review", "review_comment", "reviewed_by", "reviewed_at"]
        self.reviewed_by, self.reviewed_at = user, timezone.now()
        with transaction.atomic():
            claimed = StatusUpdate.objects.filter(pk=self.pk, version=read_version).update(
                **{name: getattr(self, name) for name in review_fields}
            )
            if not claimed or self.version != read_version:
                raise StaleUpdateError(StatusUpdate.objects.select_related("updated_by").get(pk=self.pk))
            # The same values again, through save(), for simple-history's record of who decided what, and when.
            self._history_user = user
            self.save(update_fields=review_fields)
