"""Reporting periods: the fiscal years a plan is tracked in, and their lifecycle (open → in review → published →
the next period, which carries every status forward)."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from commitments.models.plan import ActionPlan
from commitments.models.values import (
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    Translated,
    fiscal_year_validators,
    period_label,
)


class ReportingPeriod(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open for updates")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="periods")
    start_year = models.PositiveSmallIntegerField(
        _("fiscal year"),
        validators=fiscal_year_validators,
        help_text=_("The year the fiscal year starts: 2013 for 2013-2014 (April 1, 2013 to March 31, 2014)."),
    )
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    due_date = models.DateField(
        _("updates due"),
        null=True,
        blank=True,
        help_text=_(
            "The date by which departments should have updated their deliverables. Departments see it on "
            "their list and in reminders; the dashboard counts the days left."
        ),
    )
    # The edition's catalogue numbers and ISBNs, one per language, given by the publisher (Public Safety
    # Canada) before publication: the report's colophon prints them. Publishing refuses while one is missing,
    # except for an edition whose numbers the source does not give (2013-2014): never invent them.
    catalogue_number_en = models.CharField(
        _("catalogue number (English edition)"),
        max_length=40,
        blank=True,
        help_text=_("For example: PS1-15/2015E-PDF"),
    )
    catalogue_number_fr = models.CharField(
        _("catalogue number (French edition)"), max_length=40, blank=True, help_text=_("For example: PS1-15/2015F-PDF")
    )
    isbn_en = models.CharField(
        _("ISBN (English edition)"), max_length=20, blank=True, help_text=_("For example: 978-0-660-00000-0")
    )
    isbn_fr = models.CharField(
        _("ISBN (French edition)"), max_length=20, blank=True, help_text=_("For example: 978-0-660-00000-0")
    )
    # While the period is collected, the public home page says how many lead departments have reported so far
    # (counts only, never content); the coordinator can turn the line off.
    show_collection_progress = models.BooleanField(
        _("show the public how many departments have reported"),
        default=True,
        help_text=_("Counts only: the public never sees a status or a note before publication."),
    )
    # The plan as it was published, frozen with the chart when the period is published: the public pages
    # read these, so editing the live plan never reaches them. Empty until the period is published.
    plan_title_en = models.CharField(max_length=200, blank=True, editable=False)
    plan_title_fr = models.CharField(max_length=200, blank=True, editable=False)
    plan_launched = models.DateField(null=True, blank=True, editable=False)

    plan_title = Translated()
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-start_year"]
        get_latest_by = "start_year"
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["plan", "start_year"], name="unique_period_per_plan"),
            models.UniqueConstraint(
                fields=["plan"],
                condition=~Q(state="published"),
                name="one_unpublished_period_per_plan",
                violation_error_message=_("A plan has at most one period that is not yet published."),
            ),
            models.CheckConstraint(
                condition=Q(start_year__gte=FIRST_FISCAL_YEAR, start_year__lte=LAST_FISCAL_YEAR),
                name="period_fiscal_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(state="published", published_at__isnull=False) | (~Q(state="published")),
                name="published_period_has_publication_time",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return period_label(self.start_year)

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_in_review(self) -> bool:
        return self.state == self.State.IN_REVIEW

    def start_review(self, user: User | None = None) -> None:
        """Close the period to departments' updates (open → in review); its history records `user`."""
        self._move(self.State.OPEN, self.State.IN_REVIEW, user)

    def reopen(self, user: User | None = None) -> None:
        """Give departments the period back (in review → open); its history records `user`."""
        self._move(self.State.IN_REVIEW, self.State.OPEN, user)

    def _move(self, source: str, target: str, user: User | None) -> None:
        with transaction.atomic():
            # Re-read under a lock: the state may have moved since this copy was read (another coordinator).
            current = ReportingPeriod.objects.select_for_update().get(pk=self.pk)
            if current.state != source:
                raise ValidationError(
                    _("%(period)s is “%(state)s”: only a period “%(source)s” can move to “%(target)s”.")
                    % {
                        "period": self.label,
                        "state": current.get_state_display(),
                        "source": self.State(source).label,
                        "target": self.State(target).label,
                    }
                )
            self.state = target
            self._history_user = user
            self.save(update_fields=["state"])

    def open_next(self, due_date: datetime.date | None = None) -> "ReportingPeriod":
        """Open the following fiscal year, carrying every tracked deliverable forward with its status.

        The carried status is not yet an update of the new year (updated_at stays empty), and notes
        start blank: they tell what happened in that year. Updates fall due on `due_date`, by default
        a year after this period's due date.
        """
        from commitments.models.tracking import StatusUpdate  # tracking refers to this module: import when used

        if not self.is_published:
            raise ValidationError(_("Publish %(period)s before opening the next period.") % {"period": self.label})
        if due_date is None and self.due_date is not None:
            try:
                due_date = self.due_date.replace(year=self.due_date.year + 1)
            except ValueError:  # February 29 has no counterpart next year
                due_date = self.due_date.replace(year=self.due_date.year + 1, day=28)
        with transaction.atomic():
            following = ReportingPeriod.objects.create(
                plan=self.plan, start_year=self.start_year + 1, due_date=due_date
            )
            carried = [
                StatusUpdate(
                    deliverable_id=update.deliverable_id,
                    period=following,
                    status=update.status,
                    target_year=update.target_year,
                )
                for update in self.status_updates.all()
            ]
            bulk_create_with_history(carried, StatusUpdate)
        return following
