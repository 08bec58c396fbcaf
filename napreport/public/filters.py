"""Filters of the public progress table. Choices come from the published rows of the year shown,
so no option ever names a draft pillar, task or department."""

from collections.abc import Iterable, Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from commitments.models import PublishedDeliverable, ReportingPeriod, Status, natural_sort_key
from napreport.public.typography import typography

SEARCHED_FIELDS = ("text_en", "text_fr", "task_title_en", "task_title_fr", "note_en", "note_fr")


class ProgressFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=forms.TextInput(attrs={"type": "search"}))
    pillar = django_filters.ChoiceFilter(field_name="pillar_number", label=_("Pillar"))
    objective = django_filters.ChoiceFilter(field_name="objective_code", label=_("Objective"))
    task = django_filters.ChoiceFilter(field_name="task_code", label=_("Task"))
    department = django_filters.ChoiceFilter(label=_("Lead department"), method="led_by")
    status = django_filters.ChoiceFilter(field_name="status", label=_("Status"), choices=Status.choices)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        queryset: QuerySet[PublishedDeliverable] | None = None,
        *,
        period: ReportingPeriod,
        rows: Iterable[PublishedDeliverable],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        pillars = {(str(row.pillar_number), typography(f"{row.pillar_number}. {row.pillar_name}")) for row in rows}
        tasks = {(row.task_code, typography(f"{row.task_code} – {row.task_title}")) for row in rows}
        self.filters["pillar"].extra["choices"] = sorted(pillars)
        self.filters["objective"].extra["choices"] = sorted({(row.objective_code, row.objective_code) for row in rows})
        self.filters["task"].extra["choices"] = sorted(tasks, key=lambda choice: natural_sort_key(choice[0]))
        # The departments as this year published them: their names and slugs, never the live (draft) ones.
        self.departments = {department.slug: department for department in period.published_departments.all()}
        self.filters["department"].extra["choices"] = [
            (slug, typography(department.short_name)) for slug, department in self.departments.items()
        ]
        for name in ("pillar", "objective", "task", "department", "status"):
            self.filters[name].extra["empty_label"] = _("All")

    def led_by(
        self, queryset: QuerySet[PublishedDeliverable], name: str, value: str
    ) -> QuerySet[PublishedDeliverable]:
        return queryset.filter(leads=self.departments[value].department_id)

    def search(
        self, queryset: QuerySet[PublishedDeliverable], name: str, value: str
    ) -> QuerySet[PublishedDeliverable]:
        for word in value.split()[:10]:
            match = Q()
            for field in SEARCHED_FIELDS:
                match |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(match)
        return queryset
