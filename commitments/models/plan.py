"""The plan as Annex A prints it: plan → pillar → objective → task → deliverable (→ sub-item), and
the lead departments."""

from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models.search_text import SearchColumnsDeferred, folded
from commitments.models.values import (
    FIRST_FISCAL_YEAR,
    LAST_FISCAL_YEAR,
    Translated,
    code_validator,
    fiscal_year_validators,
    natural_sort_key,
    timeline_label,
)


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

    def __str__(self) -> str:
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

    def __str__(self) -> str:
        return f"{self.number}. {self.name_en}"


class Objective(models.Model):
    pillar = models.ForeignKey(Pillar, on_delete=models.PROTECT, related_name="objectives", verbose_name=_("pillar"))
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

    def __str__(self) -> str:
        return f"{self.code} {self.text_en[:80]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sort_key = natural_sort_key(self.code)
        super().save(*args, **kwargs)


class Task(models.Model):
    objective = models.ForeignKey(
        Objective, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("objective")
    )
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

    def __str__(self) -> str:
        return f"{self.code} {self.title_en}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sort_key = natural_sort_key(self.code)
        super().save(*args, **kwargs)


class Department(models.Model):
    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

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
    preferred_language = models.CharField(
        _("language of reminders"),
        max_length=2,
        choices=Language,
        blank=True,
        help_text=_("Leave blank to send reminders in English and French, in one message."),
    )
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

    def __str__(self) -> str:
        return self.acronym

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.acronym)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("public:department-detail", kwargs={"slug": self.slug})


class DeliverableQuerySet(models.QuerySet):
    def for_chart(self) -> Self:
        """Everything a chart row shows, loaded up front."""
        return self.select_related("task__objective__pillar", "parent", "new_in").prefetch_related(
            models.Prefetch("lead_links", queryset=DeliverableLead.objects.select_related("department"))
        )

    def in_chart_order(self) -> Self:
        return self.order_by(
            "task__objective__pillar__number",
            "task__objective__sort_key",
            "task__sort_key",
            "chart_position",
        )


class Deliverable(models.Model):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="deliverables", verbose_name=_("task"))
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
        "commitments.ReportingPeriod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="new_deliverables",
        verbose_name=_("first listed in"),
        help_text=_("The report that first listed it, where it is marked “NEW:”."),
    )
    leads: "models.ManyToManyField[Department, DeliverableLead]" = models.ManyToManyField(
        Department, through="DeliverableLead", related_name="deliverables", verbose_name=_("leads")
    )
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
    # Both texts lower-cased, kept by the database: what the staff's searches compare (models/search_text.py).
    folded_text = folded("text_en", "text_fr")

    text = Translated()
    lead_note = Translated()

    history = HistoricalRecords(excluded_fields=["chart_position", "has_items", "folded_text"])
    objects = SearchColumnsDeferred.from_queryset(DeliverableQuerySet)()

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

    def __str__(self) -> str:
        return self.text_en.split("\n", 1)[0][:100]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Sub-items sort right after their parent: parent "0003", its items "0003.0001", "0003.0002".
        own = f"{self.position:04d}"
        self.chart_position = f"{self.parent.chart_position}.{own}" if self.parent is not None else own
        super().save(*args, **kwargs)
        if self.parent is not None and not self.parent.has_items:
            Deliverable.objects.filter(pk=self.parent.pk).update(has_items=True)
        if self.has_items:
            # The sub-items' stored positions start with this one's: they move with it.
            items = list(self.items.all())
            for item in items:
                item.chart_position = f"{self.chart_position}.{item.position:04d}"
            Deliverable.objects.bulk_update(items, ["chart_position"])

    def get_absolute_url(self) -> str:
        return reverse("public:deliverable-detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        if self.parent is not None and self.parent.parent_id:
            raise ValidationError({"parent": _("A sub-item cannot have sub-items of its own.")})
        if self.parent is not None and self.parent.task_id != self.task_id:
            raise ValidationError({"parent": _("A sub-item belongs to the same task as its deliverable.")})

    @property
    def timeline(self) -> str:
        return timeline_label(self.start_year) if self.start_year else ""

    @property
    def lead_acronyms(self) -> list[str]:
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

    def __str__(self) -> str:
        return f"{self.department_id} leads {self.deliverable_id}"
