"""The coordinator's review queue in the status list: its filters and its order, and the reason asked for
correcting a department's status (change form and list). The rules themselves are in commitments.review; the
accept and return actions are in commitments.admin.status_actions."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commitments.admin.status_forms import QuickUpdateForm, StatusUpdateForm
from commitments.models import NOTE_MAX_LENGTH, DeliverableLead, Department, Pillar, ReportingPeriod, StatusUpdate
from commitments.review import corrects_report

Review = StatusUpdate.Review


class LeadFilter(admin.SimpleListFilter):
    title = _("lead department")
    parameter_name = "lead"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        # One look-up in the lead links' index per department, not a join through every lead of the chart and a
        # DISTINCT over them (issue #17: the choices cost the same whatever the chart's size).
        leads = DeliverableLead.objects.filter(department=OuterRef("pk"))
        leading = Department.objects.filter(Exists(leads)).order_by("acronym")
        return [(department.slug, department.short_name) for department in leading]

    def queryset(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> QuerySet[StatusUpdate]:
        # A deliverable has each lead once (unique_lead_per_deliverable): the join repeats no row.
        return queryset.filter(deliverable__leads__slug=self.value()) if self.value() else queryset


class PillarFilter(admin.SimpleListFilter):
    title = _("pillar")
    parameter_name = "pillar"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(str(pillar.pk), f"{pillar.number}. {pillar.name}") for pillar in Pillar.objects.order_by("number")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> QuerySet[StatusUpdate]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(deliverable__task__objective__pillar_id=int(value))
        return queryset


# A department's save after a decision (answer_review) puts the update back to “awaiting review”; its decision
# time, kept, tells it apart from one never reviewed.
CHANGED_SINCE_REVIEW = Q(review=Review.PENDING, reviewed_at__isnull=False)


class ReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("returned", Review.RETURNED.label),
            ("changed", _("Changed since the review")),
            ("pending", _("Never reviewed")),
            ("accepted", Review.ACCEPTED.label),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[StatusUpdate]) -> QuerySet[StatusUpdate]:
        match self.value():
            case "changed":
                return queryset.filter(CHANGED_SINCE_REVIEW)
            case "pending":
                return queryset.filter(review=Review.PENDING, reviewed_at__isnull=True)
            case "returned" | "accepted" as review:
                return queryset.filter(review=review)
        return queryset


def review_queue_order() -> Case:
    """The coordinator's list: what needs a look first (returned, then changed since the review, then never
    reviewed, then accepted); a published period's rows, frozen, after all of those."""
    return Case(
        When(period__state=ReportingPeriod.State.PUBLISHED, then=Value(4)),
        When(review=Review.RETURNED, then=Value(0)),
        When(CHANGED_SINCE_REVIEW, then=Value(1)),
        When(review=Review.PENDING, then=Value(2)),
        default=Value(3),
    )


class CorrectionForm(StatusUpdateForm):
    """The coordinator's change form: correcting the status a department reported asks for the reason."""

    correction_reason = forms.CharField(
        label=_("reason for the correction"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_(
            "Needed when you change the status the department reported. Kept in the history beside both statuses."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        # The row as stored, not the form's instance: reverting shows an old copy of the row in this form.
        stored = StatusUpdate.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        status, target_year = cleaned_data.get("status"), cleaned_data.get("target_year")
        if stored and corrects_report(stored, status, target_year) and not cleaned_data.get("correction_reason"):
            self.add_error(
                "correction_reason",
                gettext("The department reported “%(reported)s”: say why the taskforce changes it.")
                % {"reported": stored.get_reported_status_display()},
            )
        return cleaned_data


class CoordinatorQuickUpdateForm(QuickUpdateForm):
    """A row of the coordinator's list: a correction of a department's status needs its reason, asked on the form."""

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        # The list's row as loaded for this save (the form writes the posted values into it only after clean).
        stored = self.instance if self.instance.pk else None
        if stored and corrects_report(stored, cleaned_data.get("status"), cleaned_data.get("target_year")):
            self.add_error(
                "status",
                gettext(
                    "The department reported “%(reported)s”: open the deliverable's form to say why the taskforce "
                    "changes it."
                )
                % {"reported": stored.get_reported_status_display()},
            )
        return cleaned_data
