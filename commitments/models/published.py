"""A published period's record, frozen as it was published: all the public side ever reads."""

from django.db import models
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from commitments.models.periods import ReportingPeriod
from commitments.models.plan import Deliverable, Department
from commitments.models.tracking import SlipReason, Status, slip_label, status_label
from commitments.models.values import Translated, timeline_label


class PublishedDeliverable(models.Model):
    """One row of a published period's chart, frozen as it was published.

    Public pages and downloads read only these rows: later edits to the live chart, and the
    statuses of periods still open, cannot reach them.
    """

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="published_rows", verbose_name=_("period")
    )
    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="published_rows")
    parent = models.ForeignKey(Deliverable, on_delete=models.PROTECT, null=True, related_name="+")
    chart_order = models.PositiveIntegerField(_("chart order"))
    pillar_number = models.PositiveSmallIntegerField(_("pillar number"))
    pillar_name_en = models.CharField(max_length=200)
    pillar_name_fr = models.CharField(max_length=200, blank=True)
    objective_code = models.CharField(max_length=10)
    objective_text_en = models.TextField()
    objective_text_fr = models.TextField(blank=True)
    task_code = models.CharField(_("task code"), max_length=10)
    task_sort_key = models.CharField(max_length=60)
    task_title_en = models.CharField(max_length=500)
    task_title_fr = models.CharField(max_length=500, blank=True)
    text_en = models.TextField()
    text_fr = models.TextField(blank=True)
    start_year = models.PositiveSmallIntegerField(null=True)
    status = models.CharField(_("status"), max_length=20, choices=Status, blank=True)
    target_year = models.PositiveSmallIntegerField(null=True)
    note_en = models.TextField(blank=True)
    note_fr = models.TextField(blank=True)
    leads = models.ManyToManyField(Department, related_name="published_rows")
    leads_en = models.CharField(_("leads (English)"), max_length=300, help_text="Acronyms as printed, joined by “, ”.")
    leads_fr = models.CharField(max_length=300, blank=True)
    lead_note_en = models.CharField(max_length=200, blank=True)
    lead_note_fr = models.CharField(max_length=200, blank=True)
    is_new = models.BooleanField(default=False)
    # A target moved later than the year before (the department's reason, frozen as published).
    slip_reason = models.CharField(max_length=30, choices=SlipReason, blank=True)
    slip_from_status = models.CharField(max_length=20, choices=Status, blank=True)
    slip_from_target = models.PositiveSmallIntegerField(null=True)
    slip_note_en = models.TextField(blank=True)
    slip_note_fr = models.TextField(blank=True)

    pillar_name = Translated()
    objective_text = Translated()
    task_title = Translated()
    text = Translated()
    note = Translated()
    leads_label = Translated(english="leads_en")
    lead_note = Translated()
    slip_note = Translated()

    # Set only on the unsaved rows commitments.chart builds from the live chart: the lead departments, which
    # publishing links to the row once saved (an unsaved row has no many-to-many yet).
    lead_departments: list[Department]

    class Meta:
        ordering = ["period", "chart_order"]
        verbose_name = _("published deliverable")
        verbose_name_plural = _("published deliverables")
        constraints = [
            models.UniqueConstraint(fields=["period", "deliverable"], name="one_published_row_per_deliverable"),
            models.UniqueConstraint(fields=["period", "chart_order"], name="unique_published_chart_order"),
        ]

    def __str__(self) -> str:
        return self.text_en.split("\n", 1)[0][:100]

    def get_absolute_url(self) -> str:
        return reverse("public:deliverable-detail", kwargs={"pk": self.deliverable_id})

    @property
    def status_label(self) -> str | Promise:
        return status_label(self.status, self.target_year)

    @property
    def timeline(self) -> str:
        return timeline_label(self.start_year) if self.start_year else ""

    @property
    def slip(self) -> str:
        """“Target moved from 2014 to 2015 to 2015 to 2016: partner dependency”, or "" if it did not slip."""
        if not self.slip_reason:
            return ""
        before = (self.slip_from_status, self.slip_from_target)
        return slip_label(*before, self.status, self.target_year, self.slip_reason)


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

    def __str__(self) -> str:
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

    def __str__(self) -> str:
        return self.acronym

    def get_absolute_url(self) -> str:
        return reverse("public:department-detail", kwargs={"slug": self.slug})
