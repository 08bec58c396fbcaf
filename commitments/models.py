"""The Action Items Chart (Annex A) as data, and its tracking from one reporting period to the next.

plan → pillar → objective → task → deliverable (→ sub-item), led by departments; a deliverable's
status belongs to a reporting period (StatusUpdate). Publishing a period freezes its chart into
PublishedDeliverable rows, which are all the public side ever reads.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history

from commitments.plain_text import without_control_characters

FIRST_FISCAL_YEAR = 2000
LAST_FISCAL_YEAR = 2100
NOTE_MAX_LENGTH = 2000

fiscal_year_validators = [MinValueValidator(FIRST_FISCAL_YEAR), MaxValueValidator(LAST_FISCAL_YEAR)]
# A TextField's max_length only sizes the form's widget; the validator makes every write path (forms, the
# list, the spreadsheet import) enforce it through full_clean().
note_validators = [MaxLengthValidator(NOTE_MAX_LENGTH)]
code_validator = RegexValidator(r"^\d+(\.\d+)*$", _("A code is numbers separated by dots, e.g. 1.11."))


def timeline_label(start_year):
    """2012 → "2012/13", as the chart's Timeline column prints a fiscal year."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def period_label(start_year):
    """2013 → "2013-2014", as a report names its fiscal year."""
    return f"{start_year}-{start_year + 1}"


def parse_fiscal_year(text):
    """Read "2013-2014", "2013/14", "2013/2014" or "2013-14" as the start year 2013.

    Raises ValidationError for anything else, including years that do not follow each other.
    """
    match = re.fullmatch(r"\s*(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*", str(text))
    if not match:
        raise ValidationError(
            _("“%(value)s” is not a fiscal year; write it like 2013-2014 or 2013/14."),
            code="invalid_fiscal_year",
            params={"value": text},
        )
    start, end = int(match[1]), match[2]
    expected_end = str(start + 1) if len(end) == 4 else f"{(start + 1) % 100:02d}"
    if end != expected_end or not FIRST_FISCAL_YEAR <= start <= LAST_FISCAL_YEAR:
        raise ValidationError(
            _("“%(value)s” is not a fiscal year; a fiscal year runs April 1 to March 31 of the next year."),
            code="invalid_fiscal_year",
            params={"value": text},
        )
    return start


def natural_sort_key(code):
    """ "1.9" → "0001.0009", so that codes sort 1.9 before 1.10 in the database too."""
    return ".".join(f"{int(part):04d}" for part in code.split("."))


class Translated:
    """Reads `<name>_fr` on French pages, falling back to `<name>_en` where the French is blank.

    Public text is stored in both official languages as explicit `_en`/`_fr` columns, so that the
    admin shows both side by side and a missing translation is visible, not hidden.
    """

    def __init__(self, english=None):
        self.english = english

    def __set_name__(self, owner, name):
        self.name = name
        self.english = self.english or f"{name}_en"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        language = (get_language() or settings.LANGUAGE_CODE)[:2]
        if language != "en":
            base = self.english.removesuffix("_en") if self.english.endswith("_en") else self.name
            value = getattr(instance, f"{base}_{language}", "")
            if value:
                return value
        return getattr(instance, self.english)


class Status(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    ONGOING = "ongoing", _("Ongoing")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_TRACK = "on_track", _("On track")


def status_label(status, target_year=None):
    """The status as the report prints it: "On track for 2014/2015" carries its target year."""
    if status == Status.ON_TRACK and target_year:
        return _("On track for %(year)s") % {"year": f"{target_year}/{target_year + 1}"}
    return Status(status).label if status else ""


class ActionPlan(models.Model):
    slug = models.SlugField(unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    launched = models.DateField(_("launched"), help_text=_("The day the plan was announced."))

    title = Translated()

    class Meta:
        ordering = ["-launched"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self):
        return self.title_en


class Pillar(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="pillars")
    number = models.PositiveSmallIntegerField(_("number"), help_text=_("The pillar's place in the plan: 1 to 4."))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)

    name = Translated()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_pillar_number_per_plan")]

    def __str__(self):
        return f"{self.number}. {self.name_en}"


class Objective(models.Model):
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="objectives")
    code = models.CharField(
        _("code"), max_length=10, validators=[code_validator], help_text=_("As printed in the chart, e.g. 1.1.")
    )
    sort_key = models.CharField(max_length=60, editable=False)
    text_en = models.TextField(_("objective (English)"))
    text_fr = models.TextField(_("objective (French)"), blank=True)

    text = Translated()

    class Meta:
        ordering = ["pillar__number", "sort_key"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [models.UniqueConstraint(fields=["pillar", "code"], name="unique_objective_code_per_pillar")]

    def __str__(self):
        return f"{self.code} {self.text_en[:80]}"

    def save(self, *args, **kwargs):
        self.sort_key = natural_sort_key(self.code)
        super().save(*args, **kwargs)


class Task(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="tasks")
    code = models.CharField(
        _("code"), max_length=10, validators=[code_validator], help_text=_("As printed in the chart, e.g. 1.11.")
    )
    sort_key = models.CharField(max_length=60, editable=False)
    title_en = models.CharField(_("title (English)"), max_length=500)
    title_fr = models.CharField(_("title (French)"), max_length=500, blank=True)

    title = Translated()

    class Meta:
        ordering = ["objective__pillar__number", "sort_key"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [models.UniqueConstraint(fields=["objective", "code"], name="unique_task_code_per_objective")]

    def __str__(self):
        return f"{self.code} {self.title_en}"

    def save(self, *args, **kwargs):
        self.sort_key = natural_sort_key(self.code)
        super().save(*args, **kwargs)


class Department(models.Model):
    acronym = models.CharField(
        _("acronym"),
        max_length=40,
        unique=True,
        help_text=_("As printed in the chart's Lead column, e.g. ESDC (TFWP)."),
    )
    short_name_fr = models.CharField(_("acronym (French)"), max_length=40, blank=True)
    slug = models.SlugField(unique=True, help_text=_("Used in the public page's address."))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True, help_text=_("Where update reminders are sent."))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="departments",
        help_text=_("Staff who update the deliverables this department leads."),
    )

    name = Translated()
    short_name = Translated(english="acronym")

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.acronym

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.acronym)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("commitments:department-detail", kwargs={"slug": self.slug})


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
    # The plan as it was published, frozen with the chart (commitments.chart.publish_chart): the public pages
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

    def __str__(self):
        return self.label

    @property
    def label(self):
        return period_label(self.start_year)

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    def open_next(self):
        """Open the following fiscal year, carrying every tracked deliverable forward with its status.

        The carried status is not yet an update of the new year (updated_at stays empty), and notes
        start blank: they tell what happened in that year.
        """
        if not self.is_published:
            raise ValidationError(_("Publish %(period)s before opening the next period.") % {"period": self.label})
        with transaction.atomic():
            following = ReportingPeriod.objects.create(plan=self.plan, start_year=self.start_year + 1)
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


class DeliverableQuerySet(models.QuerySet):
    def led_by(self, departments):
        return self.filter(leads__in=departments).distinct()

    def tracked(self):
        """Rows that carry a status: deliverables without sub-items, and sub-items."""
        return self.filter(has_items=False)

    def for_chart(self):
        """Everything a chart row shows, loaded up front."""
        return self.select_related("task__objective__pillar", "parent", "new_in").prefetch_related(
            models.Prefetch("lead_links", queryset=DeliverableLead.objects.select_related("department"))
        )

    def in_chart_order(self):
        return self.order_by(
            "task__objective__pillar__number",
            "task__objective__sort_key",
            "task__sort_key",
            "chart_position",
        )


class Deliverable(models.Model):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="deliverables")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        help_text=_("Set for a sub-item that is tracked on its own, e.g. one of task 1.11's PACT-Ottawa items."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=1, help_text=_("Order within the task (or within the deliverable, for a sub-item).")
    )
    chart_position = models.CharField(max_length=20, editable=False)
    text_en = models.TextField(
        _("deliverable (English)"), help_text=_("Lines starting with “- ” are printed as bullets.")
    )
    text_fr = models.TextField(_("deliverable (French)"), blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("start"),
        null=True,
        blank=True,
        validators=fiscal_year_validators,
        help_text=_("First fiscal year: 2012 for 2012/13. Blank for a deliverable whose sub-items carry their own."),
    )
    target_year = models.PositiveSmallIntegerField(
        _("planned end"),
        null=True,
        blank=True,
        validators=fiscal_year_validators,
        help_text=_("Fiscal year the deliverable is planned to end, when the plan sets one."),
    )
    new_in = models.ForeignKey(
        ReportingPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="new_deliverables",
        help_text=_("The report that first listed it, where it is marked “NEW:”."),
    )
    leads = models.ManyToManyField(Department, through="DeliverableLead", related_name="deliverables")
    lead_note_en = models.CharField(
        _("lead qualifier (English)"),
        max_length=200,
        blank=True,
        help_text=_("Printed after the leads, e.g. “in consultation with HTT”."),
    )
    lead_note_fr = models.CharField(_("lead qualifier (French)"), max_length=200, blank=True)
    has_items = models.BooleanField(
        default=False, editable=False, help_text=_("Its sub-items carry the statuses, so it has none of its own.")
    )

    text = Translated()
    lead_note = Translated()

    history = HistoricalRecords(excluded_fields=["chart_position", "has_items"])
    objects = DeliverableQuerySet.as_manager()

    class Meta:
        ordering = ["task__objective__pillar__number", "task__objective__sort_key", "task__sort_key", "chart_position"]
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(target_year__gte=F("start_year")),
                name="deliverable_target_not_before_start",
                violation_error_message=_("The planned end cannot come before the start."),
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True)
                | Q(start_year__gte=FIRST_FISCAL_YEAR, start_year__lte=LAST_FISCAL_YEAR),
                name="deliverable_start_year_in_range",
            ),
            models.CheckConstraint(
                condition=Q(target_year__isnull=True)
                | Q(target_year__gte=FIRST_FISCAL_YEAR, target_year__lte=LAST_FISCAL_YEAR),
                name="deliverable_target_year_in_range",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="deliverable_not_its_own_parent"),
        ]
        indexes = [models.Index(fields=["task", "chart_position"])]

    def __str__(self):
        return self.text_en.split("\n", 1)[0][:100]

    def save(self, *args, **kwargs):
        # Sub-items sort right after their parent: parent "0003", its items "0003.0001", "0003.0002".
        own = f"{self.position:04d}"
        self.chart_position = f"{self.parent.chart_position}.{own}" if self.parent_id else own
        super().save(*args, **kwargs)
        if self.parent_id and not self.parent.has_items:
            Deliverable.objects.filter(pk=self.parent_id).update(has_items=True)

    def get_absolute_url(self):
        return reverse("commitments:deliverable-detail", kwargs={"pk": self.pk})

    def clean(self):
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("A sub-item cannot have sub-items of its own.")})
        if self.parent_id and self.parent.task_id != self.task_id:
            raise ValidationError({"parent": _("A sub-item belongs to the same task as its deliverable.")})

    @property
    def timeline(self):
        return timeline_label(self.start_year) if self.start_year else ""

    @property
    def lead_acronyms(self):
        """Reads self.lead_links: prefetch them (DeliverableQuerySet.for_chart)."""
        return [link.department.acronym for link in self.lead_links.all()]


class DeliverableLead(models.Model):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="lead_links")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="lead_links")
    position = models.PositiveSmallIntegerField(default=1, help_text=_("Leads print in this order."))

    class Meta:
        ordering = ["position"]
        verbose_name = _("lead department")
        verbose_name_plural = _("lead departments")
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "department"], name="unique_lead_per_deliverable")
        ]

    def __str__(self):
        return f"{self.department_id} leads {self.deliverable_id}"


class StaleUpdateError(Exception):
    """Someone else saved the status update since this copy was read."""

    def __init__(self, current):
        super().__init__(f"Status update {current.pk} was changed by someone else.")
        self.current = current


class StatusUpdateQuerySet(models.QuerySet):
    def for_chart(self):
        return self.select_related("deliverable__task__objective__pillar", "deliverable__parent", "period")

    def in_chart_order(self):
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

    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="status_updates")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="status_updates")
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
    version = models.PositiveIntegerField(default=1, editable=False)

    note = Translated()

    # The version is the edit counter, not part of what changed: a historical copy reads today's (simple-history
    # fetches excluded fields from the live row), so reverting to it is checked against the current version.
    history = HistoricalRecords(excluded_fields=["version"])
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
                condition=Q(target_year__isnull=True)
                | Q(target_year__gte=FIRST_FISCAL_YEAR, target_year__lte=LAST_FISCAL_YEAR),
                name="status_target_year_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} ({self.period_id})"

    def clean(self):
        # Every write path (the forms, the quick-update list, the import) calls full_clean(), so a note pasted
        # from Word is stored without the control characters no spreadsheet export can hold.
        for name in ("note_en", "note_fr", "review_comment"):
            setattr(self, name, without_control_characters(getattr(self, name)))
        errors = {}
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
    def label(self):
        return status_label(self.status, self.target_year)

    @property
    def is_updated(self):
        return self.updated_at is not None

    def save_unless_stale(self, user, read_version):
        """Save as an update by `user`, unless someone saved since `read_version` was read.

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
            self.save()


class PublishedDeliverable(models.Model):
    """One row of a published period's chart, frozen as it was published.

    Public pages and downloads read only these rows: later edits to the live chart, and the
    statuses of periods still open, cannot reach them.
    """

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="published_rows")
    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="published_rows")
    parent = models.ForeignKey(Deliverable, on_delete=models.PROTECT, null=True, related_name="+")
    chart_order = models.PositiveIntegerField()
    pillar_number = models.PositiveSmallIntegerField()
    pillar_name_en = models.CharField(max_length=200)
    pillar_name_fr = models.CharField(max_length=200, blank=True)
    objective_code = models.CharField(max_length=10)
    objective_text_en = models.TextField()
    objective_text_fr = models.TextField(blank=True)
    task_code = models.CharField(max_length=10)
    task_sort_key = models.CharField(max_length=60)
    task_title_en = models.CharField(max_length=500)
    task_title_fr = models.CharField(max_length=500, blank=True)
    text_en = models.TextField()
    text_fr = models.TextField(blank=True)
    start_year = models.PositiveSmallIntegerField(null=True)
    status = models.CharField(max_length=20, choices=Status, blank=True)
    target_year = models.PositiveSmallIntegerField(null=True)
    note_en = models.TextField(blank=True)
    note_fr = models.TextField(blank=True)
    leads = models.ManyToManyField(Department, related_name="published_rows")
    leads_en = models.CharField(max_length=300, help_text="Acronyms as printed, joined by “, ”.")
    leads_fr = models.CharField(max_length=300, blank=True)
    lead_note_en = models.CharField(max_length=200, blank=True)
    lead_note_fr = models.CharField(max_length=200, blank=True)
    is_new = models.BooleanField(default=False)

    pillar_name = Translated()
    objective_text = Translated()
    task_title = Translated()
    text = Translated()
    note = Translated()
    leads_label = Translated(english="leads_en")
    lead_note = Translated()

    class Meta:
        ordering = ["period", "chart_order"]
        verbose_name = _("published deliverable")
        verbose_name_plural = _("published deliverables")
        constraints = [
            models.UniqueConstraint(fields=["period", "deliverable"], name="one_published_row_per_deliverable"),
            models.UniqueConstraint(fields=["period", "chart_order"], name="unique_published_chart_order"),
        ]

    def __str__(self):
        return self.text_en.split("\n", 1)[0][:100]

    def get_absolute_url(self):
        return reverse("commitments:deliverable-detail", kwargs={"pk": self.deliverable_id})

    @property
    def status_label(self):
        return status_label(self.status, self.target_year)

    @property
    def timeline(self):
        return timeline_label(self.start_year) if self.start_year else ""


class PublishedPillar(models.Model):
    """A pillar of the plan, named as a period published it (the public pages never read the live Pillar)."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="published_pillars")
    number = models.PositiveSmallIntegerField()
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)

    name = Translated()

    class Meta:
        ordering = ["period", "number"]
        verbose_name = _("published pillar")
        verbose_name_plural = _("published pillars")
        constraints = [
            models.UniqueConstraint(fields=["period", "number"], name="one_published_pillar_per_number"),
        ]

    def __str__(self):
        return f"{self.number}. {self.name_en}"


class PublishedDepartment(models.Model):
    """A lead department's names and page address as a period published them."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="published_departments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    acronym = models.CharField(max_length=40)
    short_name_fr = models.CharField(max_length=40, blank=True)
    slug = models.SlugField()
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200, blank=True)

    name = Translated()
    short_name = Translated(english="acronym")

    class Meta:
        ordering = ["period", "acronym"]
        verbose_name = _("published department")
        verbose_name_plural = _("published departments")
        constraints = [
            models.UniqueConstraint(fields=["period", "department"], name="one_published_department_per_period"),
            models.UniqueConstraint(fields=["period", "slug"], name="unique_published_department_slug"),
        ]

    def __str__(self):
        return self.acronym

    def get_absolute_url(self):
        return reverse("commitments:department-detail", kwargs={"slug": self.slug})
