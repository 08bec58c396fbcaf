"""Filters of the public progress table. Choices come from the published rows of the year shown,
so no option ever names a draft pillar, task or department."""

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from commitments.models import PublishedDeliverable, ReportingPeriod, Status, natural_sort_key
from napreport.public.published import published_figures
from napreport.public.search import matching
from napreport.public.typography import typography
from napreport.report.models import OUTLINE_FIELDS

# An option names its objective or task by code and the start of its text: the full titles made the Task <select>
# (and the page) 1,767 px wide. The page's stylesheet also caps a <select> at the width of the screen.
OPTION_LENGTH = 50


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
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        if queryset is None:
            raise TypeError("ProgressFilter needs the year's rows (queryset=…)")
        # The year's pillars, objectives and tasks, each once, as publishing listed them (unsaved rows holding only
        # those columns, read in the page's language): the choices cost one query whatever the size of the chart.
        rows = [
            PublishedDeliverable(**dict(zip(OUTLINE_FIELDS, entry, strict=True)))
            for entry in published_figures(period)["outline"]
        ]
        pillars = {(str(row.pillar_number), typography(f"{row.pillar_number}. {row.pillar_name}")) for row in rows}
        objectives = {(row.objective_code, option(row.objective_code, row.objective_text)) for row in rows}
        tasks = {(row.task_code, option(row.task_code, row.task_title)) for row in rows}
        self.filters["pillar"].extra["choices"] = sorted(pillars)
        self.filters["objective"].extra["choices"] = sorted(objectives, key=lambda choice: natural_sort_key(choice[0]))
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
        return matching(queryset, value)

    def described(self) -> list[str]:
        """What a valid filter asks for, as the page's title says it: ["Lead department: RCMP", "Search: “rcmp”"]."""
        described = []
        for field in self.form:
            value = self.form.cleaned_data.get(field.name)
            if not value:
                continue
            if field.name == "q":
                shown = _("“%(words)s”") % {"words": Truncator(value).chars(OPTION_LENGTH)}
            else:
                shown = dict(self.filters[field.name].extra["choices"])[value]
            described.append(_("%(filter)s: %(value)s") % {"filter": field.label, "value": shown})
        return described


def option(code: str, text: str) -> str:
    """“1.11 – Support and develop human trafficking…”: the code and the start of the text."""
    return typography(f"{code} – {Truncator(text).chars(OPTION_LENGTH)}")
